"""An SMS provider's HTTP gateway for tests: a real HTTP server on 127.0.0.1 that records
each request and answers as the test tells it (SMS.ru's JSON by default)."""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class SmsGatewayServer:
    status: int = 200
    answer: str = json.dumps(
        {"status": "OK", "sms": {"79000000000": {"status": "OK", "sms_id": "000-100"}}}
    )
    received: list[dict[str, list[str]]] = field(default_factory=list)
    port: int = 0

    def url(self, path: str = "/sms/send") -> str:
        return f"http://127.0.0.1:{self.port}{path}?api_id=KEY&to={{phone}}&msg={{text}}&json=1"


def start() -> tuple[SmsGatewayServer, ThreadingHTTPServer]:
    state = SmsGatewayServer()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, query: str) -> None:
            state.received.append(urllib.parse.parse_qs(query))
            body = state.answer.encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self._answer(urllib.parse.urlsplit(self.path).query)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            self._answer(self.rfile.read(length).decode())

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
