"""Two projects on one real server: every route, every object, zero cross-project reads,
and webhook endpoints and events that stay in their project.

Each probe is run with the owner's key first (it must succeed, so the probe can
see something) and then with the other project's key (it must be a 404, as for
an id that does not exist). Keys are made with the CLI while the server runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import openai
from click.testing import CliRunner
from tests.e2e.conftest import Server, ServerFactory, chat_lines, wait_for
from tests.receiver import Receiver

from batchyard.cli import cli

MODELS = [
    {"name": "batchyard-mock", "backend": "mock", "max_concurrency": 64},
    {"name": "slow", "backend": "mock", "max_concurrency": 1, "latency_ms": 100, "max_group": 1},
]
Probe = Callable[[openai.OpenAI], Any]


def create_key(server: Server, project: str) -> str:
    result = CliRunner().invoke(
        cli, ["keys", "create", "--project", project, "--config", str(server.config)]
    )
    assert result.exit_code == 0, result.output
    key: str = result.stdout.strip()
    return key


def upload(client: openai.OpenAI, data: bytes, name: str = "in.jsonl", **kw: Any) -> str:
    kw.setdefault("purpose", "batch")
    return client.files.create(file=(name, data), **kw).id


def batch(client: openai.OpenAI, file_id: str) -> str:
    return client.batches.create(
        input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h"
    ).id


def partial_results(batch_id: str) -> Probe:
    def probe(client: openai.OpenAI) -> bytes:
        response = client.get(f"/batches/{batch_id}/output", cast_to=httpx.Response)
        return response.content

    return probe


def test_no_project_reads_or_touches_anothers_objects(make_server: ServerFactory) -> None:
    server = make_server(models=MODELS)
    a = server.client(create_key(server, "alpha"))
    b = server.client(create_key(server, "beta"))

    a_input = upload(a, chat_lines(3))
    a_done = batch(a, a_input)
    finished = wait_for(a, a_done, {"completed"})
    a_output = finished.output_file_id
    a_running = batch(a, upload(a, chat_lines(200, model="slow")))
    while not partial_results(a_running)(a):  # some lines are durable already
        time.sleep(0.1)
    a_image = upload(a, b"\x89PNG", "cat.png", purpose="vision")
    b_input = upload(b, chat_lines(2))
    b_done = batch(b, b_input)
    a_ids = {a_input, a_output, a_image, a_done, a_running}

    reads: dict[str, tuple[Probe, Probe]] = {}  # name: (owner's probe, intruder's probe)
    for name, file_id in [("input", a_input), ("output", a_output), ("image", a_image)]:
        reads[f"files.retrieve({name})"] = (
            lambda c, f=file_id: c.files.retrieve(f),
            lambda c, f=file_id: c.files.retrieve(f),
        )
    for name, file_id in [("input", a_input), ("output", a_output), ("image", a_image)]:
        reads[f"files.content({name})"] = (
            lambda c, f=file_id: c.files.content(f).content,
            lambda c, f=file_id: c.files.content(f).content,
        )
    for name, batch_id in [("done", a_done), ("running", a_running)]:
        reads[f"batches.retrieve({name})"] = (
            lambda c, x=batch_id: c.batches.retrieve(x),
            lambda c, x=batch_id: c.batches.retrieve(x),
        )
        reads[f"batches/{{id}}/output({name})"] = (
            partial_results(batch_id),
            partial_results(batch_id),
        )
    reads["files.retrieve(beta's file, by alpha)"] = (
        lambda c: b.files.retrieve(b_input),
        lambda c: a.files.retrieve(b_input),
    )
    reads["batches.retrieve(beta's batch, by alpha)"] = (
        lambda c: b.batches.retrieve(b_done),
        lambda c: a.batches.retrieve(b_done),
    )

    leaks: list[str] = []
    for name, (owner_probe, intruder_probe) in reads.items():
        assert owner_probe(a), name  # the probe reads something real
        try:
            intruder_probe(b)
            leaks.append(name)
        except openai.NotFoundError:
            pass

    # Lists: nothing of alpha's in beta's pages, and alpha's ids are not cursors for beta.
    listed = {f.id for f in b.files.list()} | {x.id for x in b.batches.list()}
    listed |= {f.id for f in b.files.list(purpose="batch_output")}
    leaks += [f"listed {x}" for x in listed & a_ids]
    assert b_input in listed and b_done in listed
    for cursor in (a_input, a_image):
        leaks += [f"files.list(after={cursor})" for _ in b.files.list(after=cursor).data]
    leaks += [f"batches.list(after={a_done})" for _ in b.batches.list(after=a_done).data]
    assert a.batches.list(after=a_running).data  # the same cursor works for its owner

    # Writes: beta can neither delete alpha's files nor cancel alpha's batches.
    for file_id in (a_input, a_output, a_image):
        try:
            b.files.delete(file_id)
            leaks.append(f"files.delete({file_id})")
        except openai.NotFoundError:
            pass
    try:
        b.batches.cancel(a_running)
        leaks.append("batches.cancel(running)")
    except openai.NotFoundError:
        pass
    assert {a.files.retrieve(f).id for f in (a_input, a_output, a_image)} == {
        a_input,
        a_output,
        a_image,
    }
    assert a.batches.retrieve(a_running).status == "in_progress"

    # A batch in beta naming alpha's file fails validation: the file does not exist for beta.
    stolen = wait_for(b, batch(b, a_input), {"failed", "completed"})
    if stolen.status != "failed":
        leaks.append(f"beta's batch ran alpha's file ({stolen.status})")
    assert leaks == []
    assert stolen.errors is not None and stolen.errors.data is not None
    message = stolen.errors.data[0].message or ""
    assert message.startswith(f"Cannot find file {a_input}"), message
    assert len(reads) == 12
    a.batches.cancel(a_running)
    wait_for(a, a_running, {"cancelled"})


WEBHOOKS = {
    "retry_base_seconds": 0.2,
    "retry_max_seconds": 0.5,
    "poll_seconds": 0.05,
    "allowed_networks": ["127.0.0.0/8"],  # the receivers are on loopback
}
ALL_EVENTS: Any = ["batch.completed", "batch.failed", "batch.expired", "batch.cancelled"]


def test_webhook_endpoints_and_events_stay_in_their_project(make_server: ServerFactory) -> None:
    with Receiver().running() as alpha_inbox, Receiver().running() as beta_inbox:
        server = make_server(webhooks=WEBHOOKS)
        a = server.client(create_key(server, "alpha"))
        b = server.client(create_key(server, "beta"))
        a_hook = a.webhooks.create(name="a", url=alpha_inbox.url, event_types=ALL_EVENTS)
        b_hook = b.webhooks.create(name="b", url=beta_inbox.url, event_types=ALL_EVENTS)

        intrusions: dict[str, Probe] = {
            "retrieve": lambda c: c.webhooks.retrieve(a_hook.id),
            "update": lambda c: c.webhooks.update(a_hook.id, name="taken"),
            "rotate_secret": lambda c: c.webhooks.rotate_secret(a_hook.id),
            "test": lambda c: c.webhooks.test(a_hook.id, event_type="batch.completed"),
            "delete": lambda c: c.webhooks.delete(a_hook.id),
        }
        leaks = []
        for name, probe in intrusions.items():
            try:
                probe(b)
                leaks.append(f"webhooks.{name}")
            except openai.NotFoundError:
                pass
        leaks += [f"listed {e.id}" for e in b.webhooks.list() if e.id != b_hook.id]
        assert leaks == []
        kept = a.webhooks.retrieve(a_hook.id)
        assert (kept.name, kept.signing_secret_hint) == ("a", a_hook.signing_secret_hint)
        assert alpha_inbox.deliveries == []  # beta's `test` reached nobody

        a_batch = batch(a, upload(a, chat_lines(2)))
        b_batch = batch(b, upload(b, chat_lines(2)))
        for client, batch_id in ((a, a_batch), (b, b_batch)):
            wait_for(client, batch_id, {"completed"})
        alpha_inbox.wait(lambda: len(alpha_inbox.accepted()) >= 1)
        beta_inbox.wait(lambda: len(beta_inbox.accepted()) >= 1)
        time.sleep(0.5)  # room for a stray delivery to arrive, if one were coming
        for inbox, own, other in ((alpha_inbox, a_batch, b_batch), (beta_inbox, b_batch, a_batch)):
            bodies = [d.body for d in inbox.deliveries]
            assert len(bodies) == 1 and own.encode() in bodies[0]
            assert not any(other.encode() in body for body in bodies)
