"""A local HTTP server speaking Ollama's wire protocol, with its failure modes.

``/api/chat``: streaming NDJSON (``application/x-ndjson``, chunked), one object per token and a
final ``{"done": true, ...}`` object with token counts; or one JSON object when ``stream`` is false.
``/api/tags``: the installed models. A test sets ``server.mode`` to make it misbehave:

- ``ok``: answers ``server.reply`` token by token
- ``slow``: waits ``server.delay`` seconds before answering (longer than the client's timeout)
- ``trickle``: answers, but waits ``server.delay`` between tokens
- ``error500``: HTTP 500 with Ollama's ``{"error": ...}`` body
- ``missing_model``: HTTP 404, as Ollama answers for a model that is not pulled
- ``invalid_json``: a 200 stream whose lines are not JSON
- ``close_mid_stream``: a few tokens, then the connection is cut without the final chunk
- ``no_done``: a well-formed stream that ends without the ``done`` object
- ``wrong_shapes``: valid JSON of the wrong shape (a number, null, non-text content)
- ``echo_expected``: the reply is ``server.reply`` followed by ``server.echo`` (e.g. the step's answer)
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "llama3.2:1b"
DEFAULT_REPLY = "Look at your img tag: what does a screen reader say about it? [MRICT.WEB.A11Y.1]"


def _tokens(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeOllama

    def log_message(self, *args):  # keep test output clean
        pass

    # --- helpers ---------------------------------------------------------------------------
    def _json(self, status: int, body: dict) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _line(self, obj) -> None:
        self._chunk((obj if isinstance(obj, str) else json.dumps(obj)).encode() + b"\n")

    def _token_obj(self, token: str) -> dict:
        return {
            "model": self.server.model,
            "created_at": _now(),
            "message": {"role": "assistant", "content": token},
            "done": False,
        }

    def _done_obj(self, prompt_tokens: int, eval_tokens: int, content: str = "") -> dict:
        return {
            "model": self.server.model,
            "created_at": _now(),
            "message": {"role": "assistant", "content": content},
            "done": True,
            "done_reason": "stop",
            "total_duration": 1_234_000_000,
            "load_duration": 1_000_000,
            "prompt_eval_count": prompt_tokens,
            "prompt_eval_duration": 100_000_000,
            "eval_count": eval_tokens,
            "eval_duration": 1_000_000_000,
        }

    # --- routes ----------------------------------------------------------------------------
    def do_GET(self):
        self.server.record(self.command, self.path, None)
        if self.path == "/api/tags":
            if self.server.mode == "error500":
                return self._json(500, {"error": "internal error"})
            return self._json(
                200,
                {
                    "models": [
                        {
                            "name": self.server.model,
                            "model": self.server.model,
                            "modified_at": "2026-01-01T00:00:00Z",
                            "size": 1_321_098_329,
                            "digest": "baf6a787fdff" * 5,
                            "details": {"format": "gguf", "family": "llama", "parameter_size": "1.2B"},
                        }
                    ]
                },
            )
        if self.path == "/api/version":
            return self._json(200, {"version": "0.6.0"})
        return self._json(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self._json(400, {"error": "invalid JSON body"})
        self.server.record(self.command, self.path, body)
        if self.path != "/api/chat":
            return self._json(404, {"error": "not found"})
        mode = self.server.mode
        if mode == "slow":
            time.sleep(self.server.delay)
        if mode == "error500":
            return self._json(500, {"error": "llama runner process has terminated: signal: killed"})
        if mode == "missing_model" or body.get("model") != self.server.model:
            return self._json(404, {"error": f"model '{body.get('model')}' not found, try pulling it first"})
        reply = self.server.reply
        if mode == "echo_expected":
            reply = f"{reply}\n{self.server.echo}"
        prompt_tokens = sum(len(m.get("content", "").split()) for m in body.get("messages", []))
        tokens = _tokens(reply)
        if not body.get("stream", True):
            if mode == "invalid_json":
                raw = b"{not json"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
                return
            return self._json(200, self._done_obj(prompt_tokens, len(tokens), content=reply))

        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if mode == "wrong_shapes":
            self._line(self._token_obj("Hello "))
            for odd in ("123", "null", '{"message": {"content": 5}, "done": false}', '{"message": "x"}'):
                self._line(odd)
            self._line(self._done_obj(prompt_tokens, 1))
            return self._chunk(b"")
        if mode == "invalid_json":
            self._line("this is not json {")
            self._line("<html>502 Bad Gateway</html>")
            return self._chunk(b"")
        for number, token in enumerate(tokens):
            if mode == "close_mid_stream" and number == 3:
                self.close_connection = True
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if mode == "trickle":
                time.sleep(self.server.delay)
            try:
                self._line(self._token_obj(token))
            except (BrokenPipeError, ConnectionResetError):  # the client stopped listening
                self.server.abandoned_streams += 1
                self.close_connection = True
                return
        if mode != "no_done":
            self._line(self._done_obj(prompt_tokens, len(tokens)))
        self._chunk(b"")


class FakeOllama(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.model = MODEL
        self.requests: list[tuple[str, str, dict | None]] = []
        self._lock = threading.Lock()
        self.reset()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def reset(self) -> None:
        self.mode = "ok"
        self.reply = DEFAULT_REPLY
        self.echo = ""
        self.delay = 2.0
        self.abandoned_streams = 0  # replies cut short because the client hung up
        with self._lock:
            self.requests = []

    def record(self, method: str, path: str, body) -> None:
        with self._lock:
            self.requests.append((method, path, body))

    def chat_requests(self) -> list[dict]:
        with self._lock:
            return [body for method, path, body in self.requests if path == "/api/chat"]

    def start(self) -> FakeOllama:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
