"""Schemathesis fuzzes every operation of the app's own OpenAPI schema (issue 19).

Bounded and seeded (derandomized) so that it is fast enough for the default suite
and the same on every run: a failure names the operation and the check. Checked:
no 5xx, and every response matches the schema the app publishes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from batchyard.api import create_app
from batchyard.blobs import LocalBlobStore
from batchyard.config import Settings
from batchyard.store import Store

EXAMPLES = 25  # an operation; ~35 operations x 25 runs in a few seconds in-process
CHECKS = (not_a_server_error, response_schema_conformance)


def test_every_operation_survives_the_fuzzer(store: Store, tmp_path: Path) -> None:
    config = Settings(data_dir=tmp_path)
    app = create_app(config, store, LocalBlobStore(config.blob_dir), wake_engine=lambda: None)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: dict[tuple[str, str, int], str] = {}
    statuses: set[int] = set()
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 20

    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def fuzz(case: Any) -> None:
            response = case.call(headers={"Authorization": "Bearer test"})
            statuses.add(response.status_code)
            for check in CHECKS:
                try:
                    case.validate_response(response, checks=[check])
                except AssertionError as exc:
                    key = (case.operation.label, check.__name__, response.status_code)
                    failures.setdefault(key, str(exc)[:400])

        fuzz()
    assert 200 in statuses and 401 not in statuses  # the key was sent and accepted
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())
