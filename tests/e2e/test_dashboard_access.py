"""The dashboard's access rules over HTTP, on a real `batchyard serve`: sessions, CSRF,
the key kept out of pages and logs, and zero cross-project reads on every route.

Each isolation probe runs with the owner's session first (it must see the object,
so the probe can fail) and then with another project's (it must be the 404 an
unknown id gets), in the style of test_isolation.py.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
from bench.fake_upstream import FakeSettings
from tests.e2e.conftest import Server, ServerFactory, chat_lines, wait_for
from tests.e2e.dashboard_support import (
    MODELS,
    create_key,
    dashboard_url,
    failed_batch,
    login_token,
    sign_in,
)
from tests.e2e.test_isolation import ALL_EVENTS, WEBHOOKS, batch, upload
from tests.e2e.test_pacing import FakeThread, chat_batch
from tests.receiver import Receiver

from batchyard.dashboard.session import COOKIE
from batchyard.testing import WorkerProcess


def test_no_project_sees_anothers_batches_or_files(make_server: ServerFactory) -> None:
    server = make_server(models=MODELS)
    alpha_key, beta_key = create_key(server, "alpha"), create_key(server, "beta")
    alpha_api = server.client(alpha_key)
    done = failed_batch(alpha_api)
    running = alpha_api.batches.create(
        input_file_id=upload(alpha_api, chat_lines(300, model="slow")),
        endpoint="/v1/chat/completions",
        completion_window="24h",
    )
    server.client(beta_key).files.create(file=("b.jsonl", chat_lines(1)), purpose="batch")
    alpha, alpha_csrf = sign_in(server, alpha_key)
    beta, beta_csrf = sign_in(server, beta_key)
    alpha_ids = [done.id, running.id, done.input_file_id, done.output_file_id, done.error_file_id]

    gets = [f"/batches/{b}{tail}" for b in (done.id, running.id) for tail in ("", "/summary")]
    gets += [f"/batches/{done.id}/errors"]
    gets += [f"/files/{f}/content" for f in (done.input_file_id, done.output_file_id)]
    gets += [f"/files/{done.error_file_id}/content"]
    for path in gets:
        assert alpha.get(path).status_code == 200, path
        intruder = beta.get(path)
        assert intruder.status_code == 404, path
        target = next(i for i in alpha_ids if i in path)
        unknown = beta.get(path.replace(target, "batch_0" if "batch" in target else "file-0"))
        assert unknown.status_code == 404  # the same answer as for an id nobody has
        assert intruder.text.replace(target, "X") == unknown.text.replace(
            "batch_0" if "batch" in target else "file-0", "X"
        ), path
    for path in ("/batches", "/batches/rows", "/files", "/queue", "/queue/body"):
        owner, intruder = alpha.get(path), beta.get(path)
        assert owner.status_code == intruder.status_code == 200, path
        assert not any(i in intruder.text for i in alpha_ids), path
    assert done.id in alpha.get("/batches").text and done.input_file_id in alpha.get("/files").text
    assert 'data-model="slow"' in alpha.get("/queue").text

    for path in (f"/batches/{running.id}/cancel", f"/batches/{done.id}/retry"):
        assert beta.post(path, data={"csrf_token": beta_csrf}).status_code == 404, path
    assert alpha_api.batches.retrieve(running.id).status == "in_progress"
    assert len(alpha_api.batches.list().data) == 2
    assert server.client(beta_key).batches.list().data == []

    cancelled = alpha.post(f"/batches/{running.id}/cancel", data={"csrf_token": alpha_csrf})
    assert cancelled.status_code == 303
    assert alpha_api.batches.retrieve(running.id).status in ("cancelling", "cancelled")
    retried = alpha.post(f"/batches/{done.id}/retry", data={"csrf_token": alpha_csrf})
    assert retried.status_code == 303
    new_id = retried.headers["location"].rsplit("/", 1)[1]
    assert alpha_api.batches.retrieve(new_id).metadata == {
        "team": "night",
        "batchyard_retry_of": done.id,
    }


def test_sessions_cookies_csrf_and_the_key_kept_out_of_sight(make_server: ServerFactory) -> None:
    server = make_server(models=MODELS)
    key = create_key(server, "alpha")
    api = server.client(key)
    batch = wait_for(
        api,
        api.batches.create(
            input_file_id=upload(api, chat_lines(2)),
            endpoint="/v1/chat/completions",
            completion_window="24h",
        ).id,
        {"completed"},
    )
    with httpx.Client(base_url=dashboard_url(server), timeout=30) as anonymous:
        assert anonymous.get("/batches").headers["location"] == "/dashboard/login"
        assert anonymous.get("/batches/rows", headers={"hx-request": "true"}).status_code == 401
        forged = anonymous.post("/login", data={"api_key": key})  # no sign-in form seen
        assert forged.status_code == 403 and COOKIE not in forged.cookies
        token = login_token(anonymous)
        stale = anonymous.post("/login", data={"api_key": key, "csrf_token": "forged"})
        assert stale.status_code == 403 and COOKIE not in stale.cookies
        token = login_token(anonymous)
        wrong = anonymous.post("/login", data={"api_key": key + "x", "csrf_token": token})
        assert wrong.status_code == 401 and key not in wrong.text
        assert "set-cookie" not in wrong.headers
        signed = anonymous.post("/login", data={"api_key": key, "csrf_token": token})
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/dashboard" in cookie
    assert "secure" not in cookie  # plain HTTP on loopback; over TLS it is set
    assert key.lower() not in cookie

    http, csrf = sign_in(server, key)
    pages = ["/batches", f"/batches/{batch.id}", f"/batches/{batch.id}/errors", "/queue", "/files"]
    for path in pages:
        page = http.get(path)
        assert page.status_code == 200 and key not in page.text and key not in str(page.url)
    refused = http.post(f"/batches/{batch.id}/retry")
    assert refused.status_code == 403
    assert http.post(f"/batches/{batch.id}/retry", data={"csrf_token": "forged"}).status_code == 403
    out = http.post("/logout", data={"csrf_token": csrf})
    assert out.status_code == 303
    assert http.get("/batches").status_code == 303  # the session is gone with the sign-out
    assert key not in server.log.read_text()


def test_revoked_key_ends_its_session(make_server: ServerFactory) -> None:
    from click.testing import CliRunner

    from batchyard.cli import cli

    server = make_server(models=MODELS)
    key = create_key(server, "alpha")
    http, _ = sign_in(server, key)
    assert server.client(key).batches.list().data == []
    listed = CliRunner().invoke(cli, ["keys", "list", "--config", str(server.config)])
    ident = next(w for w in listed.output.split() if w.startswith("key_"))
    revoked = CliRunner().invoke(cli, ["keys", "revoke", ident, "--config", str(server.config)])
    assert revoked.exit_code == 0, revoked.output
    assert http.get("/batches").status_code == 303


def test_a_session_holds_on_every_serve_of_the_database(make_server: ServerFactory) -> None:
    # Two `serve` processes on one database, as behind a load balancer.
    first = make_server(models=MODELS)
    second = make_server(models=MODELS)
    key = create_key(first, "alpha")
    http, csrf = sign_in(first, key)
    token = http.cookies[COOKIE]
    with httpx.Client(base_url=dashboard_url(second), timeout=30) as other:
        other.cookies.set(COOKIE, token)
        page = other.get("/batches")
        assert page.status_code == 200 and "project <b>alpha</b>" in page.text
        assert token not in page.text
        second.stop()
        second.start()  # a restart signs nobody out
        assert other.get("/batches").status_code == 200
        # Signing out on one ends the session on the other.
        assert http.post("/logout", data={"csrf_token": csrf}).status_code == 303
        assert other.get("/batches").status_code == 303


def test_open_server_without_keys_and_no_dashboard_flag(make_server: ServerFactory) -> None:
    server = make_server(models=MODELS)
    with httpx.Client(base_url=dashboard_url(server), timeout=30) as http:
        page = http.get("/batches", follow_redirects=True)
        assert page.status_code == 200 and "project <b>default</b>" in page.text
    off = make_server(models=MODELS, args=["--no-dashboard"])
    assert httpx.get(f"{dashboard_url(off)}/batches").status_code == 404
    assert httpx.get(f"{dashboard_url(off)}/static/htmx.min.js").status_code == 404


def test_webhook_deliveries_and_the_pacer_on_the_pages(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    # A real receiver for the deliveries, and the bench's fake OpenAI as an `openai`
    # upstream whose key starts used up: its first answer is a 429 with its limits.
    # The engine is a separate `batchyard worker`: its pacer reaches the page of a
    # `serve --no-worker` only through the store.
    limits = FakeSettings(mode="rate", rpm=6000, tpm=600_000, start_empty=True)
    with (
        Receiver().running() as alpha_inbox,
        Receiver().running() as beta_inbox,
        FakeThread(limits) as upstream,
    ):
        paced = {"name": "gpt-4o-mini", "backend": "openai", "max_concurrency": 16,
                 "base_url": upstream.url}  # fmt: skip
        server = make_server(models=[*MODELS, paced], webhooks=WEBHOOKS, args=["--no-worker"])
        worker = WorkerProcess(server.config, tmp_path / "data", tmp_path / "worker.log")
        with worker:
            _deliveries_and_pacer(server, upstream.url, alpha_inbox, beta_inbox)
        # A worker that stops takes its report with it.
        alpha, _ = sign_in(server, create_key(server, "alpha"))
        assert "data-url=" not in alpha.get("/queue/body").text


def _deliveries_and_pacer(
    server: Server, upstream: str, alpha_inbox: Receiver, beta_inbox: Receiver
) -> None:
    alpha_key, beta_key = create_key(server, "alpha"), create_key(server, "beta")
    a, b = server.client(alpha_key), server.client(beta_key)
    a.webhooks.create(name="alpha-hook", url=alpha_inbox.url, event_types=ALL_EVENTS)
    b.webhooks.create(name="beta-hook", url=beta_inbox.url, event_types=ALL_EVENTS)
    a_batch = wait_for(a, batch(a, upload(a, chat_batch(10))), {"completed"})
    b_batch = wait_for(b, batch(b, upload(b, chat_lines(2))), {"completed"})
    alpha_inbox.wait(lambda: len(alpha_inbox.accepted()) >= 1)
    beta_inbox.wait(lambda: len(beta_inbox.accepted()) >= 1)
    a_delivery = alpha_inbox.accepted()[0].webhook_id
    b_delivery = beta_inbox.accepted()[0].webhook_id
    alpha, _ = sign_in(server, alpha_key)
    beta, _ = sign_in(server, beta_key)

    def shown(http: httpx.Client, path: str, wanted: str) -> str:
        deadline = time.monotonic() + 20
        while True:  # the outbox row settles, and the pacer reports, a moment later
            text = http.get(path).text
            if wanted in text or time.monotonic() > deadline:
                return text
            time.sleep(0.1)

    for path in (f"/batches/{a_batch.id}", f"/batches/{a_batch.id}/webhooks"):
        page = shown(alpha, path, ">delivered<")
        assert f'data-delivery="{a_delivery}"' in page and "alpha-hook" in page, path
        assert "batch.completed" in page and ">delivered<" in page and "HTTP 200" in page
        assert b_delivery not in page and "beta-hook" not in page
        assert beta.get(path).status_code == 404, path  # another project's batch
    own = shown(beta, f"/batches/{b_batch.id}/webhooks", ">delivered<")
    assert f'data-delivery="{b_delivery}"' in own
    assert a_delivery not in own and "alpha-hook" not in own and alpha_inbox.url not in own

    # The worker's pacer as it paced the batch: the URL healthy, the limits learned
    # from the upstream's headers (none declared), the 429 counted.
    for http in (alpha, beta):  # the model's state, the same for every project
        queue = shown(http, "/queue/body", '<td class="rpm">6000</td>')
        assert f'data-url="{upstream}"' in queue
        row = queue.split(f'data-url="{upstream}"', 1)[1].split("</tr>", 1)[0]
        assert "healthy" in row
        assert '<td class="rpm">6000</td>' in row and '<td class="tpm">600000</td>' in row
        rate_limited = re.search(r'class="rate-limited">(\d+)<', queue)
        assert rate_limited is not None and int(rate_limited.group(1)) >= 1
        assert a_batch.id not in queue and b_batch.id not in queue
    assert "alpha-hook" not in beta.get("/queue").text
