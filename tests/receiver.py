"""A real webhook receiver on loopback for tests: records every delivery, answers as told.

`answer` decides each reply from the delivery so far: an HTTP status, or a pause
longer than the sender's timeout. Verification is left to the test, which uses
the openai SDK's own `client.webhooks.unwrap`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered (0: it stalled past the sender's timeout)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


Answer = Callable[[Delivery, int], int | float]
"""(delivery, how many came before it) -> a status code, or a float: seconds to stall."""


class Receiver:
    def __init__(self, answer: Answer | None = None) -> None:
        self.answer: Answer = answer or (lambda _delivery, _count: 200)
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                delivery = Delivery({k.lower(): v for k, v in self.headers.items()}, body, 0)
                with receiver._lock:
                    count = len(receiver.deliveries)
                    receiver.deliveries.append(delivery)
                reply = receiver.answer(delivery, count)
                if isinstance(reply, float):
                    time.sleep(reply)
                    return
                delivery.status = reply
                self.send_response(reply)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def accepted(self) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if 200 <= d.status < 300]

    def wait(self, predicate: Callable[[], bool], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"receiver timed out; got {len(self.deliveries)} deliveries")
            time.sleep(0.05)

    @contextmanager
    def running(self) -> Iterator[Receiver]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
