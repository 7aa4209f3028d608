# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""The sandbox's HTTP server: werkzeug's threaded server, with connections kept alive.

A store is reached through nginx (or Varnish, a CDN) in front of PHP-FPM, and nginx keeps a
client's connection open between requests: `keepalive_timeout 75s` and `keepalive_requests 1000`
by default (nginx.org, ngx_http_core_module; 1000 since nginx 1.19.10), so a client that pools
its connections pays the TCP set-up once per connection, not once per request. werkzeug's
development server answers every request with `Connection: close` and then drains the socket
for 10 ms (werkzeug/serving.py, WSGIRequestHandler.run_wsgi: http.server cannot tell where an
unread request body ends). `KeepAliveHandler` reads each request's body whole before the
application runs, so the next request starts exactly where it ends, answers with a
Content-Length, and keeps the connection for the next request until the store's keep-alive
settings (Settings.keepalive_timeout_s, keepalive_requests) say to close it, as nginx does:
after the idle timeout without a word, or with `Connection: close` on the last answer it allows.

`Server` remembers the connections it holds open, so stopping the sandbox closes them: a stopped
store must not go on answering on a connection a client kept.
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
from traceback import format_exc
from typing import TYPE_CHECKING, Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from werkzeug.serving import WSGIEnvironment

# The WSGI environ key of the connection's number (1 for the server's first connection, ...).
CONNECTION_KEY = "magento2_sandbox.connection"
# What an answer that failed inside the application says (werkzeug's server answers the same).
_INTERNAL_ERROR = b"Internal Server Error"


# The store's keep-alive settings, read live for each connection and answer: the idle timeout
# in seconds (0: close after every answer) and the answers one connection may carry (0: any).
KeepAlive = tuple[float, int]


class Server(ThreadedWSGIServer):
    """werkzeug's threaded server that can close the connections it keeps open."""

    def __init__(self, *args: Any, keepalive: Callable[[], KeepAlive], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keepalive = keepalive
        self.open_connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        # Connections accepted so far: the number of the latest.
        self.accepted = 0

    def close_connections(self) -> None:
        """End every kept-alive connection: each handler then meets end of file and stops."""
        with self.connections_lock:
            held = list(self.open_connections)
        for connection in held:
            with contextlib.suppress(OSError):  # closed meanwhile
                connection.shutdown(socket.SHUT_RDWR)


class KeepAliveHandler(WSGIRequestHandler):
    """One connection: requests answered one after another until the store closes it."""

    server: Server
    # http.server's keep-alive: the connection stays open unless an answer says otherwise.
    protocol_version = "HTTP/1.1"
    # nginx's `tcp_nodelay on` (its default, for kept-alive connections): without it the body,
    # written after the headers, waits for the client's delayed ACK, some 40 ms an answer.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        # The idle timeout applies to waiting for the next request (and to a slow client).
        self.connection.settimeout(self.server.keepalive()[0] or None)
        self.answered = 0
        with self.server.connections_lock:
            self.server.open_connections.add(self.connection)
            self.server.accepted += 1
            self.number = self.server.accepted

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.open_connections.discard(self.connection)
        super().finish()

    def make_environ(self) -> WSGIEnvironment:
        environ = super().make_environ()
        # The request log tells which requests came on one connection (CONNECTION_KEY).
        environ[CONNECTION_KEY] = self.number
        return environ

    def run_wsgi(self) -> None:
        environ = self.make_environ()
        body = self._read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        status = "500 Internal Server Error"
        headers: list[tuple[str, str]] = []

        def start_response(
            given_status: str, given_headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            nonlocal status, headers
            del exc_info  # nothing is sent before the application returns
            status, headers = given_status, list(given_headers)
            return self._refuse_write

        try:
            answer = self._run(environ, start_response)
        except Exception:
            if self.server.passthrough_errors:
                raise
            self.server.log(
                "error", "Error on request %s %s:\n%s", self.command, self.path, format_exc()
            )
            status, headers, answer = (
                "500 Internal Server Error",
                [("Content-Type", "text/plain; charset=utf-8")],
                _INTERNAL_ERROR,
            )
            self.close_connection = True
        self._answer(status, headers, answer)

    def _run(
        self,
        environ: WSGIEnvironment,
        start_response: Callable[..., Callable[[bytes], None]],
    ) -> bytes:
        chunks: Iterable[bytes] = self.server.app(environ, start_response)
        try:
            return b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    @staticmethod
    def _refuse_write(data: bytes) -> None:
        del data
        raise RuntimeError("the sandbox's application returns its body; it never calls write()")

    def _read_body(self, environ: WSGIEnvironment) -> bytes:
        """The whole request body: by Content-Length, or de-chunked (make_environ wraps it)."""
        if environ.get("wsgi.input_terminated"):
            return bytes(environ["wsgi.input"].read())
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:
            # Where the body ends is unknown, so where the next request starts is too: this
            # connection carries no more (as a server must do, RFC 9112 6.3).
            self.close_connection = True
            return b""
        return self.rfile.read(length) if length else b""

    def _answer(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        code, _, message = status.partition(" ")
        idle_timeout, most = self.server.keepalive()
        self.answered += 1
        names = {name.lower() for name, _ in headers}
        last = (
            not idle_timeout
            or (most and self.answered >= most)
            or self.headers.get("Connection", "").lower() == "close"
        )
        try:
            self.send_response(int(code), message)
            for name, value in headers:
                # send_header takes a `Connection: close` of the answer's own (a cut answer
                # says so) and closes the connection after it.
                self.send_header(name, value)
            if "content-length" not in names and self.command != "HEAD":
                self.send_header("Content-Length", str(len(body)))
            if last and "connection" not in names:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            self.wfile.flush()
        except (ConnectionError, TimeoutError):
            # The application dropped the connection (a "drop" fault) or the client left.
            self.close_connection = True
