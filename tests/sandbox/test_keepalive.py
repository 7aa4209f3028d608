# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""The sandbox keeps connections alive as nginx in front of a store does (serving.py)."""

from __future__ import annotations

import logging
import re
import socket
import time
from typing import TYPE_CHECKING

import pytest
import requests

from tests.sandbox.conftest import Api

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento2_sandbox import Sandbox

ROUTE = "/store/storeViews"


def connections(sandbox: Sandbox) -> list[int]:
    """The connection each logged REST request came on, in order."""
    return [entry["connection"] for entry in sandbox.control.requests()]


def session_gets(sandbox: Sandbox, count: int) -> list[requests.Response]:
    api = Api(sandbox)
    with requests.Session() as session:
        answers = [session.get(api.url(ROUTE), auth=api.auth, timeout=30) for _ in range(count)]
    assert [answer.status_code for answer in answers] == [200] * count
    return answers


def test_requests_of_one_client_share_a_connection(sandbox: Sandbox) -> None:
    session_gets(sandbox, 5)
    numbers = connections(sandbox)
    assert len(numbers) == 5
    assert len(set(numbers)) == 1
    assert isinstance(numbers[0], int)


def test_the_last_answer_a_connection_may_carry_closes_it(sandbox: Sandbox) -> None:
    sandbox.control.update_settings(keepalive_requests=3)
    answers = session_gets(sandbox, 5)
    assert [answer.headers.get("Connection") for answer in answers] == [
        None,
        None,
        "close",
        None,
        None,
    ]
    first, second = connections(sandbox)[0], connections(sandbox)[3]
    assert connections(sandbox) == [first, first, first, second, second]
    assert second != first


def test_no_keepalive_closes_every_connection(sandbox: Sandbox) -> None:
    sandbox.control.update_settings(keepalive_timeout_s=0)
    answers = session_gets(sandbox, 3)
    assert {answer.headers.get("Connection") for answer in answers} == {"close"}
    assert len(set(connections(sandbox))) == 3


def test_an_idle_connection_is_closed_and_the_next_request_opens_another(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.control.update_settings(keepalive_timeout_s=0.3)
    api = Api(sandbox)
    with caplog.at_level(logging.DEBUG), requests.Session() as session:
        assert session.get(api.url(ROUTE), auth=api.auth, timeout=30).status_code == 200
        time.sleep(0.8)
        assert session.get(api.url(ROUTE), auth=api.auth, timeout=30).status_code == 200
    first, second = connections(sandbox)
    assert first != second
    # Closed without a word, as nginx does: http.server would log "Request timed out".
    assert not [record for record in caplog.records if "timed out" in record.getMessage()]


def test_a_body_is_read_whole_so_the_next_request_on_the_connection_is_answered(
    sandbox: Sandbox,
) -> None:
    # Byte for byte on one socket: a POST with a body Magento refuses unread by any route
    # (a 404), a chunked POST, then a GET; each answered, on the one connection.
    host, port = sandbox.host, sandbox.port
    body = b'{"entity": {"name": "' + b"x" * 5000 + b'"}}'
    plain = (
        b"POST /rest/V1/no/such/route HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    chunked = (
        b"POST /rest/V1/no/such/route HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
        + f"{len(body):x}".encode()
        + b"\r\n"
        + body
        + b"\r\n0\r\n\r\n"
    )
    get = b"GET /rest/V1/store/storeViews HTTP/1.1\r\nHost: h\r\n\r\n"
    with socket.create_connection((host, port), timeout=30) as conn:
        conn.sendall(plain + chunked + get)
        received = b""
        while received.count(b"HTTP/1.1 ") < 3:
            data = conn.recv(65536)
            assert data, f"the connection closed after {received!r}"
            received += data
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", received)
    # Unsigned: the route Magento has not is a 404 before any auth, the real one a 401.
    assert statuses == [b"404", b"404", b"401"]
    assert len(set(connections(sandbox))) == 1


def test_stopping_the_store_ends_the_connections_it_kept(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(seed=1, orders=5)
    api = Api(sandbox)
    session = requests.Session()
    assert session.get(api.url(ROUTE), auth=api.auth, timeout=30).status_code == 200
    sandbox.stop()
    with pytest.raises(requests.ConnectionError):
        session.get(api.url(ROUTE), auth=api.auth, timeout=5)
    session.close()


def test_a_body_of_unknown_length_ends_the_connection(sandbox: Sandbox) -> None:
    # Content-Length that is no number: where the next request starts is unknown, so the
    # bytes after it are never read as one.
    bad = (
        b"POST /rest/V1/no/such/route HTTP/1.1\r\nHost: h\r\nContent-Length: many\r\n\r\n"
        b"GET /rest/V1/store/storeViews HTTP/1.1\r\nHost: h\r\n\r\n"
    )
    with socket.create_connection((sandbox.host, sandbox.port), timeout=30) as conn:
        conn.sendall(bad)
        received = b""
        while data := conn.recv(65536):
            received += data
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", received) == [b"404"]
