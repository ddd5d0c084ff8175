"""Schemathesis fuzzes every operation of the app's own OpenAPI schema (issue 19).

Bounded and seeded (derandomized) so that it is fast enough for the default suite
and the same on every run: a failure names the operation and the check. Checked:
no 5xx, and every response matches the schema the app publishes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
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


def test_every_post_that_reads_json_describes_its_body(raw: httpx.Client) -> None:
    """Routes read their JSON by hand; the schema must still say what to send."""
    paths = raw.get("/openapi.json").json()["paths"]
    json_posts = [
        "/v1/batches",
        "/v1/webhook_endpoints",
        "/v1/webhook_endpoints/{endpoint_id}",
        "/v1/webhook_endpoints/{endpoint_id}/rotate_secret",
        "/v1/webhook_endpoints/{endpoint_id}/test",
        "/v1/embeddings",
        "/v1/chat/completions",
        "/v1/completions",
    ]
    for path in json_posts:
        body = paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body["type"] == "object", path
        assert "$ref" not in str(body), path  # inlined: pydantic's $defs do not resolve here
    batch = paths["/v1/batches"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(batch["required"]) == {"input_file_id", "endpoint", "completion_window"}
    assert batch["properties"]["output_expires_after"]["anyOf"][0]["properties"]["anchor"]


def test_every_operation_says_what_it_answers(raw: httpx.Client) -> None:
    """A 200 schema for each (the SDK's types where upstream has the object), the error
    envelope as `default`, and no 422: a bad parameter is a 400 in OpenAI's envelope."""
    document = raw.get("/openapi.json").json()
    operations = [(m, p, op) for p, ops in document["paths"].items() for m, op in ops.items()]
    assert len(operations) >= 20
    for method, path, operation in operations:
        responses = operation["responses"]
        assert "422" not in responses, (method, path)
        ok = responses["200"]["content"]
        schema = next(iter(ok.values()))["schema"]
        assert schema.get("properties") or schema.get("format") == "binary", (method, path)
        error = responses["default"]["content"]["application/json"]["schema"]
        assert error["required"] == ["error"], (method, path)
    assert "HTTPValidationError" not in document.get("components", {}).get("schemas", {})
    batch = document["paths"]["/v1/batches/{batch_id}"]["get"]["responses"]["200"]
    properties = batch["content"]["application/json"]["schema"]["properties"]
    assert {"request_counts", "output_file_id", "errors", "usage"} <= set(properties)
    bad = raw.get("/v1/batches", params={"limit": "0"}, headers={"Authorization": "Bearer t"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "limit"
