"""Cost arithmetic and the ETA rule, on exact numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchyard.config import ConfigError, Price, load_settings
from batchyard.eta import estimate
from batchyard.pricing import cost_of, parse_cap
from batchyard.records import ProgressMarks, Usage


def test_cost_of_usage_at_batch_and_synchronous_prices() -> None:
    price = Price("m", input_per_1m=2.5, output_per_1m=10.0, batch_discount_factor=0.5)
    cost = cost_of(Usage(input_tokens=1_000_000, output_tokens=200_000), price)
    assert cost.sync_usd == pytest.approx(2.5 + 2.0)
    assert cost.batch_usd == pytest.approx(2.25)
    assert cost.savings_usd == pytest.approx(2.25)


def test_cached_input_has_its_own_price_when_given() -> None:
    usage = Usage(input_tokens=1_000_000, output_tokens=0, cached_tokens=400_000)
    plain = Price("m", input_per_1m=1.0, output_per_1m=0.0, batch_discount_factor=1.0)
    cached = Price("m", 1.0, 0.0, cached_input_per_1m=0.25, batch_discount_factor=1.0)
    assert cost_of(usage, plain).batch_usd == pytest.approx(1.0)
    assert cost_of(usage, cached).batch_usd == pytest.approx(0.6 + 0.1)


def test_tiny_costs_are_not_rounded_away() -> None:
    price = Price("m", input_per_1m=0.15, output_per_1m=0.6)
    assert cost_of(Usage(input_tokens=2, output_tokens=2), price).batch_usd == 7.5e-07


@pytest.mark.parametrize("bad", [{"input_per_1m": -1.0}, {"batch_discount_factor": 1.5}])
def test_prices_are_checked(bad: dict[str, float]) -> None:
    values = {"input_per_1m": 1.0, "output_per_1m": 1.0, **bad}
    with pytest.raises(ConfigError):
        Price("m", **values)


def test_cap_parsing() -> None:
    assert parse_cap(None) is None and parse_cap({"team": "x"}) is None
    assert parse_cap({"batchyard_max_cost_usd": "2.50"}) == 2.5
    for bad in ("ten", "-1", "nan", "inf"):
        with pytest.raises(ValueError):
            parse_cap({"batchyard_max_cost_usd": bad})


def test_eta_from_the_windowed_rate() -> None:
    marks = ProgressMarks(since_at=1000.0, since_finished=100, mark_at=1010.0, mark_finished=200)
    # 100 -> 300 lines in 20 s: 10 lines/s, 700 left: 70 s from now.
    est = estimate(
        total=1000, finished=300, in_progress_at=900, expires_at=2000, marks=marks, now=1020.0
    )
    assert (est.eta, est.at_risk, est.lines_per_second) == (1090, False, 10.0)
    late = estimate(
        total=1000, finished=300, in_progress_at=900, expires_at=1050, marks=marks, now=1020.0
    )
    assert late.at_risk is True


def test_eta_before_any_mark_and_before_any_line() -> None:
    est = estimate(
        total=100, finished=10, in_progress_at=1000, expires_at=5000, marks=None, now=1010.0
    )
    assert est.eta == 1100
    nothing = estimate(
        total=100, finished=0, in_progress_at=1000, expires_at=1001, marks=None, now=1010.0
    )
    assert (nothing.eta, nothing.at_risk) == (None, False)


def test_prices_in_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "batchyard.toml"
    models = '[[models]]\nname = "m"\nbackend = "mock"\n'
    config.write_text(models + '[[prices]]\nmodel = "m"\ninput_per_1m = 1\noutput_per_1m = 2\n')
    price = load_settings(config).price("m")
    assert price is not None and (price.input_per_1m, price.batch_discount_factor) == (1, 0.5)
    config.write_text(models + '[[prices]]\nmodel = "typo"\ninput_per_1m = 1\noutput_per_1m = 2\n')
    with pytest.raises(ConfigError, match="typo"):
        load_settings(config)
    config.write_text(models + "[monitor]\nbreaker_max_error_share = 1.0\n")
    with pytest.raises(ConfigError, match="breaker_max_error_share"):
        load_settings(config)
