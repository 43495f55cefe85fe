"""A fake HTTP SMS gateway on 127.0.0.1 for the tests: records every request, answers as told."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeGateway:
    """Start with ``with FakeGateway() as gw:``; ``gw.url``, ``gw.requests``, ``gw.keys()``.

    ``answers`` is a list of HTTP statuses to give in turn (then 200);
    ``delay`` seconds are spent on each request (to catch a worker mid-batch).
    """

    def __init__(self, *, answers=(), delay: float = 0.0):
        self.answers = list(answers)
        self.delay = delay
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                if gateway.delay:
                    time.sleep(gateway.delay)
                with gateway.lock:
                    status = gateway.answers.pop(0) if gateway.answers else 200
                    gateway.requests.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers),
                            "body": json.loads(raw or b"{}"),
                            "status": status,
                        }
                    )
                    n = len(gateway.requests)
                payload = json.dumps({"id": f"msg-{n}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def accepted(self) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["status"] == 200]

    def keys(self) -> list[str]:
        return [r["headers"].get("Idempotency-Key") for r in self.accepted()]
