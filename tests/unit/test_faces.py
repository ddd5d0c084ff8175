"""Each part's face, pinned: a name added to or dropped from an `__all__` is a decision.

Other parts import a part through these names (docs/architecture.md); a change
here should come with a reason in the commit that makes it.
"""

from __future__ import annotations

import importlib

import pytest

FACES = {
    "batchyard.api": {"create_app"},
    "batchyard.backends": {
        "BACKENDS",
        "Backend",
        "Backends",
        "ReportsPacing",
        "RunsHere",
        "Request",
        "Result",
        "backend_endpoints",
        "create_backend",
    },
    "batchyard.backends.local": {"LocalEmbeddingsBackend", "TransformersChatBackend"},
    "batchyard.backends.pacing": {"Admission", "Pacer", "PacerLimits", "TokenEstimator"},
    "batchyard.blobs": {"BlobStore", "Journal", "LocalBlobStore", "check_key", "open_blob_store"},
    "batchyard.cli": {"COMMANDS", "cli", "main"},
    "batchyard.endpoints": {
        "BATCH_ENDPOINTS",
        "CHAT",
        "COMPLETIONS",
        "EMBEDDINGS",
        "MODERATIONS",
        "REQUIRED_BODY_FIELDS",
        "RESPONSES",
    },
    "batchyard.dashboard": {"mount_dashboard"},
    "batchyard.engine": {"Engine"},
    "batchyard.runtime.run": {
        "Interrupted",
        "JobOutcome",
        "endpoint_of",
        "input_key",
        "local_limits",
        "run_file",
    },
    "batchyard.runtime.serve": {
        "Services",
        "check_exposure",
        "is_loopback",
        "running_engine",
        "serve",
        "work",
    },
    "batchyard.store": {"ClaimOrder", "ShardVerdict", "Store"},
    "batchyard.store.errors": {
        "ActiveBatchesQuotaReached",
        "BatchNotCancellable",
        "BatchNotFound",
        "EnqueuedLinesQuotaReached",
        "QuotaReached",
        "StorageQuotaReached",
        "StoreError",
    },
    "batchyard.webhooks": {
        "AddressPolicy",
        "Attempt",
        "Deliverer",
        "address_problem",
        "http_client",
        "new_secret",
        "post_event",
        "secret_hint",
        "signed_headers",
        "system_resolve",
        "url_problem",
    },
}


@pytest.mark.parametrize("module", sorted(FACES))
def test_a_part_exports_exactly_its_face(module: str) -> None:
    part = importlib.import_module(module)
    assert set(part.__all__) == FACES[module]
    missing = [name for name in part.__all__ if not hasattr(part, name)]
    assert missing == []
