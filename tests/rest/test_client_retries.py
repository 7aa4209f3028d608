# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""Retries: what is repeated, after how long, and what never is."""

from __future__ import annotations

import logging
import socket
import time
from typing import TYPE_CHECKING

import pytest
from magento2_rest import (
    MagentoResponseError,
    MagentoTimeout,
    MagentoUnavailable,
    MagentoUnknownOutcome,
    MagentoUnreachable,
    SearchCriteria,
)

from tests.rest.helpers import client_for

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox

    from tests.rest.helpers import Watch

ORDERS = SearchCriteria().order_by("entity_id").page(5)
TOKEN_BODY = {"username": "admin", "password": "sandbox-admin-password1"}


def faults(sandbox: Sandbox, *kinds: str, **options: object) -> None:
    sandbox.control.update_settings(faults={"rate": 1.0, "kinds": list(kinds), **options})


def heal_after_first(sandbox: Sandbox, when_logged: Watch, status: int) -> None:
    """End the faults once the store has answered `status` (0 = dropped) once."""
    when_logged(
        sandbox,
        lambda entry: entry["status"] == status,
        lambda: sandbox.control.update_settings(faults={"rate": 0.0}),
    )


def test_429_waits_for_retry_after(
    sandbox: Sandbox, when_logged: Watch, caplog: pytest.LogCaptureFixture
) -> None:
    faults(sandbox, "429", retry_after=2)
    heal_after_first(sandbox, when_logged, 429)
    client = client_for(sandbox)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="magento2_rest"):
        page = client.search("/orders", ORDERS)
    elapsed = time.monotonic() - started
    assert len(page.items) == 5
    assert [entry["status"] for entry in sandbox.control.requests()] == [429, 200]
    # Without Retry-After the first wait would be 0.5-1 s; the store asked for 2.
    assert elapsed >= 2.0
    assert client.stats.retries == 1
    assert client.stats.requests == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "GET /V1/orders" in warnings[0]
    assert "429" in warnings[0]
    assert "retry 1 of 8 in 2.0 s" in warnings[0]


def test_post_is_not_repeated_after_a_dropped_connection(sandbox: Sandbox) -> None:
    faults(sandbox, "drop", methods=["POST"])
    client = client_for(sandbox)
    with pytest.raises(MagentoUnknownOutcome) as caught:
        client.request("POST", "/integration/admin/token", json=TOKEN_BODY)
    message = str(caught.value)
    assert message.startswith("POST /V1/integration/admin/token: the connection broke")
    assert "read the state back" in message
    log = sandbox.control.requests()
    assert [(entry["method"], entry["status"]) for entry in log] == [("POST", 0)]


def test_post_answered_503_is_an_unknown_outcome(sandbox: Sandbox) -> None:
    faults(sandbox, "503", methods=["POST"])
    with pytest.raises(MagentoUnknownOutcome) as caught:
        client_for(sandbox).request("POST", "/integration/admin/token", json=TOKEN_BODY)
    assert caught.value.status == 503
    assert "503 Service Unavailable" in str(caught.value)
    assert len(sandbox.control.requests()) == 1


def test_post_answered_429_is_retried_because_it_never_ran(
    sandbox: Sandbox, when_logged: Watch
) -> None:
    faults(sandbox, "429", methods=["POST"], retry_after=1)
    heal_after_first(sandbox, when_logged, 429)
    token = client_for(sandbox).request("POST", "/integration/admin/token", json=TOKEN_BODY)
    assert isinstance(token, str)
    assert token
    assert [entry["status"] for entry in sandbox.control.requests()] == [429, 200]


def test_post_to_a_closed_port_is_retried_because_it_never_ran() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    from magento2_rest import MagentoClient, MagentoSettings  # noqa: PLC0415

    client = MagentoClient(
        MagentoSettings.from_config(
            {"url": f"http://127.0.0.1:{port}", "access_token": "t", "max_retries": 1}
        )
    )
    with pytest.raises(MagentoUnavailable) as caught:
        client.request("POST", "/orders", json={})
    message = str(caught.value)
    assert message.startswith("POST /V1/orders: could not connect")
    assert "gave up after 2 attempts" in message
    assert client.stats.requests == 2


def test_get_is_retried_after_a_dropped_connection(sandbox: Sandbox, when_logged: Watch) -> None:
    faults(sandbox, "drop")
    heal_after_first(sandbox, when_logged, 0)
    page = client_for(sandbox).search("/orders", ORDERS)
    assert len(page.items) == 5
    assert [entry["status"] for entry in sandbox.control.requests()][-1] == 200


def test_get_answered_500_is_retried_twice_only(sandbox: Sandbox) -> None:
    faults(sandbox, "500")
    client = client_for(sandbox)
    with pytest.raises(MagentoUnavailable) as caught:
        client.search("/orders", ORDERS)
    message = str(caught.value)
    assert "GET /V1/orders answered 500: Internal Error." in message
    assert "gave up after 3 attempts" in message
    assert len(sandbox.control.requests()) == 3


def test_retry_after_beyond_max_retry_time_gives_up_at_once(sandbox: Sandbox) -> None:
    faults(sandbox, "429", retry_after=120)
    client = client_for(sandbox, max_retry_time=30)
    started = time.monotonic()
    with pytest.raises(MagentoUnavailable) as caught:
        client.search("/orders", ORDERS)
    assert time.monotonic() - started < 5
    assert "asked to wait 120 s, beyond max_retry_time (30 s)" in str(caught.value)
    assert len(sandbox.control.requests()) == 1


def test_retries_bounded_by_max_retries(sandbox: Sandbox) -> None:
    faults(sandbox, "503", retry_after=0)
    client = client_for(sandbox, max_retries=3)
    with pytest.raises(MagentoUnavailable) as caught:
        client.search("/orders", ORDERS)
    assert "gave up after 4 attempts" in str(caught.value)
    assert len(sandbox.control.requests()) == 4
    assert client.stats.retries == 3


def test_html_page_is_named_by_its_title(sandbox: Sandbox) -> None:
    # A challenge page may pass, so a read is asked again, twice, as after a 500; then named.
    faults(sandbox, "html")
    with pytest.raises(MagentoResponseError) as caught:
        client_for(sandbox).search("/orders", ORDERS)
    message = str(caught.value)
    assert message.startswith(
        "GET /V1/orders answered 200 with an HTML page titled 'Just a moment...' instead of JSON"
    )
    assert "allow-list this client's address there, or set user_agent" in message
    assert "<" not in message
    assert len(sandbox.control.requests()) == 3


def test_a_firewall_block_page_is_named_at_once(sandbox: Sandbox) -> None:
    faults(sandbox, "waf")
    with pytest.raises(MagentoResponseError) as caught:
        client_for(sandbox).search("/orders", ORDERS)
    assert str(caught.value) == (
        "GET /V1/orders answered 403 with an HTML page titled 'Attention Required! | "
        "Cloudflare' instead of JSON: a CDN, firewall or maintenance page stands in front of "
        "the store (allow-list this client's address there, or set user_agent to one it lets "
        "through), or url does not point at Magento"
    )
    assert len(sandbox.control.requests()) == 1  # a block is not retried


def test_html_503_page_is_named_after_the_retries(sandbox: Sandbox) -> None:
    faults(sandbox, "503", retry_after=0)
    with pytest.raises(MagentoUnavailable) as caught:
        client_for(sandbox, max_retries=1).search("/orders", ORDERS)
    message = str(caught.value)
    assert "answered 503 with an HTML page titled '503 Service Unavailable'" in message
    assert "<html" not in message


def test_truncated_body_is_retried_for_get_and_unknown_for_post(sandbox: Sandbox) -> None:
    # The sandbox sends half the body under the full Content-Length and closes the
    # connection: the client meets the cut at once (read_timeout is never waited out).
    cut = ("the answer was cut off (IncompleteRead(",)
    faults(sandbox, "truncate")
    client = client_for(sandbox, max_retries=1, read_timeout=30)
    with pytest.raises(MagentoUnavailable) as caught:
        client.search("/orders", ORDERS)
    message = str(caught.value)
    assert message.startswith("GET /V1/orders: ")
    assert any(reason in message for reason in cut), message
    assert "gave up after 2 attempts" in message
    with pytest.raises(MagentoUnknownOutcome) as unknown:
        client.request("POST", "/integration/admin/token", json=TOKEN_BODY)
    assert any(reason in str(unknown.value) for reason in cut), str(unknown.value)
    assert [entry["method"] for entry in sandbox.control.requests()] == ["GET", "GET", "POST"]


@pytest.mark.parametrize("cause", ["gateway", "read_timeout"])
def test_a_slow_answer_raises_timeout_at_once_when_asked(sandbox: Sandbox, cause: str) -> None:
    # A 504 from the gateway, or no answer within read_timeout: a reader that can ask for less
    # (a smaller page) hears of it after one request instead of after every retry.
    sandbox.control.update_settings(per_item_latency_ms=100)
    if cause == "gateway":
        sandbox.control.update_settings(gateway_timeout_s=0.3)
        client = client_for(sandbox)
    else:
        client = client_for(sandbox, read_timeout=0.3)
    with pytest.raises(MagentoTimeout) as raised:
        client.search("/orders", ORDERS, retry_timeouts=False)
    time.sleep(0.4)  # the store logs a request once it has answered it
    assert len(sandbox.control.requests()) == 1
    assert ("504" if cause == "gateway" else "read_timeout") in str(raised.value)
    # Smaller asks pass; by default a timeout is retried like any unavailability.
    assert len(client.search("/orders", ORDERS.page(1), retry_timeouts=False).items) == 1
    sandbox.control.clear_requests()
    with pytest.raises(MagentoTimeout):
        client_for(
            sandbox, max_retries=1, **({} if cause == "gateway" else {"read_timeout": 0.3})
        ).search("/orders", ORDERS)
    time.sleep(0.6)
    assert len(sandbox.control.requests()) == 2


def test_a_store_that_never_answered_is_unreachable_within_seconds(sandbox: Sandbox) -> None:
    port = sandbox.port
    sandbox.stop()  # nothing listens there now
    client = client_for(sandbox, url=f"http://127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(MagentoUnreachable) as caught:
        client.search("/orders", ORDERS)
    assert time.monotonic() - started < 15  # not max_retry_time's 300 s
    assert "the store has not answered once in this run: check url" in str(caught.value)
