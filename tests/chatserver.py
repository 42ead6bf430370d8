"""A real OpenAI-compatible chat-completions server on 127.0.0.1 that answers from a script.

`script` maps a word found in the prompt to what to do: a text (answered as the model's
content), or one of the misbehaviours: SLOW (no answer before the client's timeout), TRICKLE,
"500",
"429", GARBAGE (not JSON), NO_CHOICES (JSON without choices). Every request is recorded with
its path, headers and JSON body, so tests can check exactly what was sent.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.feedserver import Served

SLOW = "<slow>"
GARBAGE = "<garbage>"
NO_CHOICES = "<no choices>"
TRICKLE = "<trickle>"  # a whole answer, one byte every 0.1 s: each read is quick, the answer is not


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        return "\n".join(m["content"] for m in self.body.get("messages", []))


@dataclass
class ChatServer(Served):
    script: dict[str, str] = field(default_factory=dict)
    default: str = ""  # the answer when no word of the script is in the prompt
    slow_for: float = 3.0  # seconds SLOW waits before answering
    delay: float = 0.0  # seconds every answer waits, so that concurrent requests overlap
    requests: list[Request] = field(default_factory=list)
    busiest: int = 0  # the most requests it was answering at once

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._inflight = 0
        self._serve(self._handler())

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def answer_for(self, prompt: str) -> str:
        for word, answer in self.script.items():
            if word in prompt:
                return answer
        return self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                request = Request(self.path, dict(self.headers.items()), body)
                with server._lock:
                    server.requests.append(request)
                    server._inflight += 1
                    server.busiest = max(server.busiest, server._inflight)
                self._counted = True
                try:
                    self._answer(request)
                finally:
                    self._done()

            def _done(self) -> None:
                """No longer answering: said before the answer is written, since the client
                may send its next request as soon as it has read it."""
                if self._counted:
                    self._counted = False
                    with server._lock:
                        server._inflight -= 1

            def _answer(self, request: Request) -> None:
                body = request.body
                if self.path != "/v1/chat/completions":
                    return self._send(404, b'{"error": "not found"}')
                answer = server.answer_for(request.prompt)
                time.sleep(server.delay)
                if answer == SLOW:
                    time.sleep(server.slow_for)
                    answer = "Trop tard."
                if answer in ("500", "429"):
                    return self._send(int(answer), b'{"error": "busy"}')
                if answer == GARBAGE:
                    return self._send(200, b"<html>this is not JSON")
                if answer == NO_CHOICES:
                    return self._send(200, b'{"object": "chat.completion", "choices": []}')
                data = {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "model": body.get("model"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": answer},
                            "finish_reason": "stop",
                        }
                    ],
                }
                self._send(200, json.dumps(data).encode(), trickle=answer == TRICKLE)

            def _send(self, status: int, payload: bytes, trickle: bool = False) -> None:
                if not trickle:  # a trickled answer is still being answered while it trickles
                    self._done()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if not trickle:
                        self.wfile.write(payload)
                    for i in range(len(payload) if trickle else 0):
                        self.wfile.write(payload[i : i + 1])
                        self.wfile.flush()
                        time.sleep(0.1)
                except OSError:
                    pass  # the client gave up (the timeout tests)

        return Handler
