"""A local stand-in for 17TRACK's API (gettrackinfo), for benchmarks and fault tests: a fixed latency per request,
and a rate limit it enforces itself (429) so that a client going too fast shows in the figures."""

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeCarrier:
    def __init__(self, *, latency: float = 0.15, rate: float = 3.0, events: int = 3):
        self.latency, self.rate, self.events = latency, rate, events
        self.requests = 0
        self.received = 0  # requests that arrived, answered or not yet
        self.refused = 0
        self.codes_answered = 0
        self.news: dict[str, list[dict]] = {}  # extra events per code, added while running
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FakeCarrier":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def _allowed(self) -> bool:
        """At most `rate` requests in any one-second window (with 5% slack for clock jitter)."""
        with self._lock:
            now = time.monotonic()
            while self._recent and now - self._recent[0] > 0.95:
                self._recent.popleft()
            if len(self._recent) >= self.rate:
                self.refused += 1
                return False
            self._recent.append(now)
            self.requests += 1
            return True

    def answer(self, numbers: list[str]) -> dict:
        accepted = []
        for number in numbers:
            events = [
                {
                    "time_iso": f"2026-10-{day:02d}T10:00:00+08:00",
                    "description": f"Event {day}",
                    "location": "Shenzhen",
                    "stage": "",
                    "sub_status": "InTransit_Other",
                }
                for day in range(1, self.events + 1)
            ] + self.news.get(number, [])
            accepted.append(
                {
                    "number": number,
                    "track_info": {
                        "tracking": {"providers": [{"provider": {"name": "Fake"}, "events": events}]}
                    },
                }
            )
        return {"code": 0, "data": {"accepted": accepted, "rejected": []}}

    def _handler(self):
        carrier = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                carrier.received += 1
                time.sleep(carrier.latency)
                if not carrier._allowed():
                    self._send(429, b"slow down", {"Retry-After": "1"})
                    return
                numbers = [item["number"] for item in json.loads(body or b"[]")]
                carrier.codes_answered += len(numbers)
                self._send(
                    200, json.dumps(carrier.answer(numbers)).encode(), {"Content-Type": "application/json"}
                )

            def _send(self, status, body, headers):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
