"""Pacing for HTTP upstreams: send as fast as the upstream's limits allow, and no faster.

`Pacer` is the one face; the other modules are its parts: header parsing,
token estimates, token buckets, adaptive concurrency and a pool of base URLs.
See docs/pacing.md.
"""

from batchyard.backends.pacing.pacer import Admission, Pacer, PacerLimits
from batchyard.backends.pacing.tokens import TokenEstimator

__all__ = ["Admission", "Pacer", "PacerLimits", "TokenEstimator"]
