"""The dashboard in a real browser: Debian's chromium driven by Python playwright.

Skipped, saying why, when playwright or chromium is missing (.ci/run installs
both: `apt-get install -y chromium`, and playwright comes with the `dev` extra).
Screenshots go to $BATCHYARD_ARTIFACTS (else a pytest temp folder), printed.
SQLite only: the store reads behind the pages are proven on both databases by
test_dashboard_access.py; here the browser is what is under test.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bench.fake_upstream import FakeSettings
from sqlalchemy import insert
from tests.e2e.conftest import ServerFactory, chat_lines, wait_for
from tests.e2e.dashboard_support import MODELS, create_key, dashboard_url, failed_batch
from tests.e2e.test_isolation import ALL_EVENTS, WEBHOOKS, batch, upload
from tests.e2e.test_pacing import FakeThread, chat_batch
from tests.receiver import Receiver

from batchyard.records import BatchRecord, BatchStatus
from batchyard.store import Store
from batchyard.store.rows import batch_values
from batchyard.store.schema import batches

CHROMIUM = os.environ.get("BATCHYARD_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'batchyard.db'}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
    )
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install -y chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("BATCHYARD_ARTIFACTS", tmp_path / "artifacts")) / "dashboard"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"dashboard artifacts: {folder}")
    return folder


def sign_in(browser: Any, url: str, key: str) -> Any:
    page = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    tab = page.new_page()
    tab.goto(f"{url}/batches")
    assert tab.url.endswith("/dashboard/login")
    tab.fill("input[name=api_key]", key)
    tab.click("button[type=submit]")  # click 1
    tab.wait_for_url(f"{url}/batches")
    return tab


def finished_of(tab: Any) -> int:
    return int(tab.get_attribute("#summary .bar", "data-finished"))


def test_sign_in_errors_download_progress_cancel(
    make_server: ServerFactory, browser: Any, artifacts: Path
) -> None:
    with (
        Receiver().running() as inbox,
        FakeThread(FakeSettings(mode="rate", rpm=6000, tpm=600_000)) as upstream,
    ):
        _run_the_tour(make_server, browser, artifacts, inbox, upstream.url)


def _run_the_tour(
    make_server: ServerFactory, browser: Any, artifacts: Path, inbox: Receiver, upstream: str
) -> None:
    paced = {"name": "gpt-4o-mini", "backend": "openai", "max_concurrency": 16}
    paced["base_url"] = upstream
    server = make_server(models=[*MODELS, paced], webhooks=WEBHOOKS)
    alpha_key, beta_key = create_key(server, "alpha"), create_key(server, "beta")
    api = server.client(alpha_key)
    api.webhooks.create(name="ops", url=inbox.url, event_types=ALL_EVENTS)
    wait_for(api, batch(api, upload(api, chat_batch(5))), {"completed"})  # paced upstream
    done = failed_batch(api)
    running = api.batches.create(
        input_file_id=upload(api, chat_lines(300, model="slow")),
        endpoint="/v1/chat/completions",
        completion_window="24h",
    )
    url = dashboard_url(server)

    tab = sign_in(browser, url, alpha_key)
    assert tab.locator(f"tr[data-batch='{done.id}']").is_visible()
    tab.screenshot(path=artifacts / "batches.png", full_page=True)
    tab.click(f"a[href='/dashboard/batches/{done.id}']")  # click 2: the error groups load
    tab.wait_for_selector(".error-group")
    groups = tab.locator(".error-group")
    assert groups.count() >= 1
    counted = sum(int(groups.nth(i).locator(".count").inner_text()) for i in range(groups.count()))
    assert counted == done.request_counts.failed
    assert "line " in groups.first.inner_text()  # samples name their input line
    tab.screenshot(path=artifacts / "batch-errors.png", full_page=True)
    with tab.expect_download() as download:
        tab.click("#download-output")
    saved = artifacts / "output.jsonl"
    download.value.save_as(saved)
    assert saved.read_bytes() == api.files.content(done.output_file_id).content

    tab.goto(f"{url}/batches/{running.id}")
    first = finished_of(tab)
    tab.wait_for_function(
        f"() => +document.querySelector('#summary .bar').dataset.finished > {first}",
        timeout=30_000,
    )
    assert finished_of(tab) > first  # advanced by htmx polling, no reload
    tab.screenshot(path=artifacts / "batch-running.png", full_page=True)
    tab.on("dialog", lambda dialog: dialog.accept())
    tab.click("#cancel")
    tab.wait_for_function(
        "() => ['cancelling', 'cancelled'].includes(document.querySelector('#status').textContent)",
        timeout=30_000,
    )
    assert api.batches.retrieve(running.id).status in ("cancelling", "cancelled")
    # Its batch.cancelled event reaches the receiver, and the page shows it, no reload.
    tab.wait_for_selector("#deliveries .delivery-delivered", timeout=30_000)
    assert "batch.cancelled" in tab.inner_text("#deliveries")
    tab.screenshot(path=artifacts / "batch-cancelled.png", full_page=True)
    for name in ("queue", "files"):
        tab.goto(f"{url}/{name}")
        tab.screenshot(path=artifacts / f"{name}.png", full_page=True)
        if name == "queue":
            assert "healthy" in tab.inner_text(f"tr[data-url='{upstream}']")

    intruder = sign_in(browser, url, beta_key)
    paths = [f"/batches/{done.id}", f"/batches/{done.id}/summary", f"/batches/{done.id}/errors"]
    paths += [f"/files/{f}/content" for f in (done.input_file_id, done.output_file_id)]
    for path in paths:
        response = intruder.goto(f"{url}{path}")
        assert response.status == 404, path
        assert "No such" in intruder.inner_text("body")
    intruder.goto(f"{url}/batches")
    assert intruder.locator("tr[data-batch]").count() == 0
    intruder.screenshot(path=artifacts / "other-project.png", full_page=True)


def test_first_paint_of_the_batches_page_with_10000_batches(
    make_server: ServerFactory, database_url: str, browser: Any, artifacts: Path
) -> None:
    server = make_server(models=MODELS, args=["--no-worker"])
    now = int(time.time())
    rows = []
    for i in range(10_000):
        record = BatchRecord.new(
            project="default",
            endpoint="/v1/chat/completions",
            input_file_id=f"file-{i}",
            completion_window="24h",
            now=now - 10_000 + i,
            metadata={"n": str(i)},
        )
        record.status, record.model = BatchStatus.COMPLETED, "batchyard-mock"
        record.total, record.completed, record.failed = 100, 97, 3
        rows.append(batch_values(record))
    store = Store.open(database_url)
    with store.engine.begin() as conn:
        conn.execute(insert(batches), rows)
    store.close()

    tab = browser.new_page()
    start = time.perf_counter()
    tab.goto(f"{dashboard_url(server)}/batches")
    tab.wait_for_selector("tr[data-batch]")
    wall = time.perf_counter() - start
    paint = tab.evaluate(
        "() => Object.fromEntries(performance.getEntriesByType('paint')"
        ".map(e => [e.name, e.startTime]))"
    )
    assert tab.locator("tr[data-batch]").count() == 25
    figures = {"batches": 10_000, "wall_to_rows_s": round(wall, 3), **paint}
    print(f"batches page, 10,000 batches: {json.dumps(figures)}")
    (artifacts / "first-paint.json").write_text(json.dumps(figures, indent=2))
    tab.screenshot(path=artifacts / "batches-10000.png")
    docs = os.environ.get("BATCHYARD_DOCS_SCREENSHOTS")
    if docs:  # refresh docs/dashboard-*.png: BATCHYARD_DOCS_SCREENSHOTS=docs
        for shot in artifacts.glob("*.png"):
            shutil.copy(shot, Path(docs) / f"dashboard-{shot.name}")
