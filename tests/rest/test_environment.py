# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""The client reads the proxy settings of its environment (HTTP_PROXY, NO_PROXY...) once, when
it is made, and every request goes the way they say."""

from __future__ import annotations

import http.server
import threading
import urllib.request
from typing import TYPE_CHECKING

import pytest

from tests.rest.helpers import client_for

if TYPE_CHECKING:
    from collections.abc import Iterator

    from magento2_sandbox import Sandbox


class ForwardProxy(http.server.BaseHTTPRequestHandler):
    """A plain-http forward proxy that passes GET requests on and counts them."""

    forwarded: list[str] = []  # noqa: RUF012 - one list per test, set by the fixture

    def do_GET(self) -> None:
        self.forwarded.append(self.path)
        upstream = urllib.request.Request(self.path, headers=dict(self.headers))
        with urllib.request.urlopen(upstream) as answer:
            body = answer.read()
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                if name.lower() not in {"transfer-encoding", "connection", "content-length"}:
                    self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[str]]]:
    forwarded: list[str] = []
    handler = type("Proxy", (ForwardProxy,), {"forwarded": forwarded})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", forwarded
    server.shutdown()
    server.server_close()


def test_requests_go_through_the_proxy_the_environment_names(
    sandbox: Sandbox, proxy: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    address, forwarded = proxy
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", address)
    client = client_for(sandbox)
    monkeypatch.delenv("HTTP_PROXY")  # read once: what counts is the client's making

    assert client.get("/store/storeViews")
    assert client.get("/store/websites")
    assert [path.split("?")[0].rsplit("/V1", 1)[1] for path in forwarded] == [
        "/store/storeViews",
        "/store/websites",
    ]


def test_no_proxy_sends_requests_straight_to_the_store(
    sandbox: Sandbox, proxy: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    address, forwarded = proxy
    monkeypatch.setenv("HTTP_PROXY", address)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = client_for(sandbox)

    assert client.get("/store/storeViews")
    assert forwarded == []
