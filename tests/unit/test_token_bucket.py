"""The token bucket, on an explicit clock: refill, waits, debt and the upstream's word."""

from __future__ import annotations

import pytest

from batchyard.backends.pacing.bucket import SAFETY_MARGIN, TokenBucket

LIMIT = 6000.0  # per minute: 100 per second
MARGIN = LIMIT * SAFETY_MARGIN


def test_an_unknown_limit_never_waits() -> None:
    bucket = TokenBucket(None, now=0.0)
    bucket.take(10**9, 0.0)
    assert bucket.wait(10**9, 0.0) == 0.0


def test_starts_full_and_refills_at_limit_per_minute() -> None:
    bucket = TokenBucket(LIMIT, now=0.0)
    assert bucket.wait(LIMIT - MARGIN, 0.0) == 0.0
    bucket.take(LIMIT, 0.0)
    assert bucket.wait(500, 0.0) == pytest.approx((500 + MARGIN) / 100)
    assert bucket.wait(500, 2.0) == pytest.approx((300 + MARGIN) / 100)
    assert bucket.wait(500, 10.0) == 0.0


def test_never_holds_more_than_the_limit() -> None:
    bucket = TokenBucket(LIMIT, now=0.0)
    assert bucket.wait(LIMIT * 2, 3600.0) == 0.0  # more than the limit: a full bucket will do
    bucket.take(1000, 3600.0)
    assert bucket.level == pytest.approx(LIMIT - 1000)


def test_settling_pays_back_an_overestimate_and_charges_debt() -> None:
    bucket = TokenBucket(LIMIT, now=0.0)
    bucket.take(LIMIT, 0.0)
    bucket.settle(reserved=400, actual=100, now=0.0)  # 300 unused come back
    assert bucket.level == pytest.approx(300)
    bucket.settle(reserved=100, actual=700, now=0.0)  # 600 more than reserved: debt
    assert bucket.level == pytest.approx(-300)
    assert bucket.wait(100, 0.0) == pytest.approx((400 + MARGIN) / 100)


def test_the_upstreams_remaining_only_ever_lowers_the_level() -> None:
    bucket = TokenBucket(LIMIT, now=0.0)
    bucket.cap(1000, 0.0)
    assert bucket.level == 1000
    bucket.cap(5000, 0.0)
    assert bucket.level == 1000


def test_a_learned_limit_replaces_the_old_one() -> None:
    bucket = TokenBucket(None, now=0.0)
    bucket.set_limit(LIMIT, 0.0)
    assert bucket.level == LIMIT  # a limit newly known starts full, like the upstream's
    bucket.set_limit(600, 0.0)
    assert bucket.level == 600
    bucket.take(600, 0.0)
    assert bucket.wait(100, 0.0) == pytest.approx((100 + 600 * SAFETY_MARGIN) / 10)
