"""A local HTTP server speaking the OpenAI Chat Completions protocol, with its failure modes.

``POST /v1/chat/completions``: with ``stream`` true, server-sent events (``data: {chunk}`` lines,
one per token, a chunk with ``finish_reason``, a usage chunk when asked, then ``data: [DONE]``);
else one JSON object. ``GET /v1/models``: the served model. ``server.mode``:

- ``ok``: answers ``server.reply`` token by token
- ``rate_limited``: HTTP 429 with ``Retry-After: server.retry_after`` for the first
  ``server.failures`` requests, then ``ok``
- ``error500``: HTTP 500 with an OpenAI-style error body
- ``no_done``: a stream that ends (cleanly) without ``[DONE]``
- ``length``: the reply is cut at ``server.cut`` characters with ``finish_reason: length``
- ``garbage``: ``data:`` lines that are not JSON
- ``flood``: ``server.flood`` tokens without end, as a server ignoring ``max_tokens`` would
- ``not_llm``: every path answers an HTML page (a URL that points at some other web server)
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "smollm2-135m-instruct"
DEFAULT_REPLY = "Look at your img tag: what does a screen reader say about it? [MRICT.WEB.A11Y.1]"


def _tokens(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeOpenAI

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, body: dict, headers: dict | None = None) -> None:
        self._send(status, json.dumps(body).encode(), "application/json", headers)

    def _event(self, data: str) -> None:
        raw = f"data: {data}\n\n".encode()
        self.wfile.write(f"{len(raw):x}\r\n".encode() + raw + b"\r\n")
        self.wfile.flush()

    def _chunk(self, delta: dict, finish_reason=None) -> str:
        return json.dumps(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": self.server.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
            }
        )

    def do_GET(self):
        self.server.record("GET", self.path, None)
        if self.server.mode == "not_llm":
            return self._send(200, b"<html><body>It works!</body></html>", "text/html")
        if self.path == "/v1/models":
            return self._json(200, {"object": "list", "data": [{"id": self.server.model, "object": "model"}]})
        return self._json(404, {"error": {"message": "not found"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.record("POST", self.path, body)
        mode = self.server.mode
        if mode == "not_llm":
            return self._send(200, b"<html><body>It works!</body></html>", "text/html")
        if self.path != "/v1/chat/completions":
            return self._json(404, {"error": {"message": "not found"}})
        if mode == "rate_limited" and self.server.take_failure():
            return self._json(
                429,
                {"error": {"message": "Too many requests", "type": "rate_limit"}},
                {"Retry-After": str(self.server.retry_after)},
            )
        if mode == "error500":
            return self._json(500, {"error": {"message": "the model crashed", "type": "server_error"}})
        reply, finish = self.server.reply, "stop"
        if mode == "length":
            reply, finish = reply[: self.server.cut], "length"
        tokens = _tokens(reply)
        usage = {"prompt_tokens": 321, "completion_tokens": len(tokens), "total_tokens": 321 + len(tokens)}
        if not body.get("stream"):
            message = {"role": "assistant", "content": reply}
            return self._json(
                200,
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "model": self.server.model,
                    "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                    "usage": usage,
                },
            )
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            if mode == "garbage":
                self._event("this is not json {")
                self._event("[DONE]")
                return self.wfile.write(b"0\r\n\r\n")
            self._event(self._chunk({"role": "assistant", "content": ""}))
            if mode == "flood":
                for _ in range(self.server.flood):
                    self._event(self._chunk({"content": "more "}))
            for token in tokens:
                self._event(self._chunk({"content": token}))
            self._event(self._chunk({}, finish_reason=finish))
            if (body.get("stream_options") or {}).get("include_usage"):
                self._event(json.dumps({"id": "chatcmpl-1", "choices": [], "usage": usage}))
            if mode != "no_done":
                self._event("[DONE]")
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.server.abandoned_streams += 1
            self.close_connection = True


class FakeOpenAI(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.model = MODEL
        self._lock = threading.Lock()
        self.reset()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def reset(self) -> None:
        self.mode = "ok"
        self.reply = DEFAULT_REPLY
        self.retry_after = "1"
        self.failures = 1
        self.cut = 40
        self.flood = 10_000
        self.abandoned_streams = 0
        with self._lock:
            self.requests: list[tuple[str, str, dict | None]] = []

    def take_failure(self) -> bool:
        with self._lock:
            if self.failures > 0:
                self.failures -= 1
                return True
            return False

    def record(self, method: str, path: str, body) -> None:
        with self._lock:
            self.requests.append((method, path, body))

    def chat_requests(self) -> list[dict]:
        with self._lock:
            return [body for method, path, body in self.requests if path.endswith("/chat/completions")]

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
