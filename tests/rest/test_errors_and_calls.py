# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""Error mapping of answers built by hand, Retry-After, the admin token's age, API prefixes."""

from __future__ import annotations

from decimal import Decimal
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import pytest
from magento2_rest import (
    MagentoAuthError,
    MagentoError,
    MagentoInputLimitError,
    MagentoNotFound,
    MagentoResponseError,
    SearchCriteria,
    path_segment,
)
from magento2_rest.auth import ADMIN_TOKEN_RENEW_AFTER, AdminTokenAuth
from magento2_rest.client import parse_retry_after
from magento2_rest.errors import Answer, error_from_response
from urllib3 import HTTPHeaderDict

from tests.rest.helpers import client_for

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox


LIMIT = {"type": "items", "max": 20}


def answer(status: int, body: bytes, **headers: str) -> Answer:
    """An HTTP answer as the client reads it (a value, no network)."""
    fields = HTTPHeaderDict({key.replace("_", "-"): value for key, value in headers.items()})
    return Answer(status, fields, body, "http://127.0.0.1/rest/default/V1/orders")


def explain(response: Answer, auth_method: str | None = "oauth1") -> MagentoError:
    return error_from_response(response, method="GET", route="/V1/orders", auth_method=auth_method)


def test_broken_json_quotes_the_first_80_characters() -> None:
    body = b'{"message": "The store answered with a long message that was cut ' + b"x" * 200
    error = explain(answer(502, body, Content_Type="application/json"))
    assert isinstance(error, MagentoResponseError)
    text = str(error)
    assert text.startswith("GET /V1/orders answered 502 with a body that is not JSON (")
    quoted = text[text.index("(") + 1 : -1]
    assert quoted == body.decode()[:80] + "…"


def test_html_without_content_type_is_still_recognised() -> None:
    page = b"<!DOCTYPE html>\n<html><head><title>\n  Attention Required! | Cloudflare\n</title>"
    error = explain(answer(403, page + b"<body>" + b"x" * 5000 + b"</body></html>"))
    assert str(error) == (
        "GET /V1/orders answered 403 with an HTML page titled 'Attention Required! | Cloudflare' "
        "instead of JSON: a CDN, firewall or maintenance page stands in front of the store "
        "(allow-list this client's address there, or set user_agent to one it lets through), or "
        "url does not point at Magento"
    )


@pytest.mark.parametrize(
    ("status", "body", "kind", "text"),
    [
        (
            404,
            {"message": "The entity that was requested doesn't exist."},
            MagentoNotFound,
            "GET /V1/orders answered 404: The entity that was requested doesn't exist.",
        ),
        (
            400,
            {
                "message": 'Maximum items of type "%type" is %max',
                "parameters": {"type": "items", "max": 20},
            },
            MagentoInputLimitError,
            'GET /V1/orders answered 400: Maximum items of type "items" is 20 - ',
        ),
        (
            400,
            {"message": "%1 and %2", "parameters": ["one", "two"]},
            MagentoError,
            "GET /V1/orders answered 400: one and two",
        ),
        (
            401,
            {"message": "A consumer having the specified key does not exist"},
            MagentoAuthError,
            "GET /V1/orders answered 401: A consumer having the specified key does not exist - ",
        ),
    ],
)
def test_magento_errors_by_kind(status: int, body: Any, kind: type, text: str) -> None:
    import json  # noqa: PLC0415

    error = explain(answer(status, json.dumps(body).encode()))
    assert type(error) is kind
    assert str(error).startswith(text)
    if isinstance(error, MagentoInputLimitError):
        assert error.max == 20


def test_timestamp_refusal_reports_the_skew_from_the_date_header() -> None:
    from datetime import datetime, timedelta, timezone  # noqa: PLC0415

    store_clock = datetime.now(timezone.utc) - timedelta(seconds=900)
    body = b'{"message": "An error occurred validating the nonce"}'
    error = explain(answer(401, body, Date=format_datetime(store_clock, usegmt=True)))
    assert isinstance(error, MagentoAuthError)
    assert "this machine's clock is 900 s ahead of the store's" in str(error) or (
        "this machine's clock is 901 s ahead of the store's" in str(error)
    )


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    assert parse_retry_after(answer(429, b"", Retry_After="7")) == 7
    assert parse_retry_after(answer(429, b"")) is None
    assert parse_retry_after(answer(429, b"", Retry_After="soon")) is None
    date = answer(
        503,
        b"",
        Date="Wed, 21 Oct 2015 07:28:00 GMT",
        Retry_After="Wed, 21 Oct 2015 07:29:30 GMT",
    )
    # Measured against the store's Date header, not this machine's clock.
    assert parse_retry_after(date) == 90


def test_admin_token_renewed_before_it_expires() -> None:
    now = [0.0]
    tokens = iter(["first", "second"])
    auth = AdminTokenAuth(lambda: next(tokens), clock=lambda: now[0])
    assert auth.renew() is False  # nothing to renew before a token was ever obtained
    assert auth.token() == "first"
    now[0] = ADMIN_TOKEN_RENEW_AFTER - 1
    assert auth.token() == "first"
    now[0] = ADMIN_TOKEN_RENEW_AFTER
    assert auth.token() == "second"
    assert auth.fetches == 2
    assert 3 * 3600 < ADMIN_TOKEN_RENEW_AFTER < 4 * 3600


def test_store_code_placed_by_the_client(sandbox: Sandbox) -> None:
    client = client_for(sandbox, store_code="fr")
    client.search("/orders", SearchCriteria().page(1))
    client.search("/orders", SearchCriteria().page(1), store_code="default")
    log = sandbox.control.requests()
    assert [(entry["path"], entry["store_code"], entry["status"]) for entry in log] == [
        ("/rest/fr/V1/orders", "fr", 200),
        ("/rest/default/V1/orders", "default", 200),
    ]


def test_async_prefix_placed_by_the_client(sandbox: Sandbox) -> None:
    product = {"sku": "magento2-rest-async", "name": "Async", "attribute_set_id": 4, "price": 1}
    accepted = client_for(sandbox).request(
        "POST", "/products", json={"product": product}, api="async/V1"
    )
    assert accepted["errors"] is False
    assert [item["status"] for item in accepted["request_items"]] == ["accepted"]
    entry = sandbox.control.requests()[-1]
    assert (entry["path"], entry["status"]) == ("/rest/default/async/V1/products", 202)


def test_decimal_body_and_a_sku_with_slash_space_and_umlaut(sandbox: Sandbox) -> None:
    sku = "rest test/ü"
    product = {
        "sku": sku,
        "name": "Decimal price",
        "attribute_set_id": 4,
        "type_id": "simple",
        "price": Decimal("12.50"),
    }
    client = client_for(sandbox)
    saved = client.request("POST", "/products", json={"product": product})
    assert (saved["sku"], saved["price"]) == (sku, 12.5)
    read = client.get(f"/products/{path_segment(sku)}")
    assert (read["sku"], read["price"]) == (sku, 12.5)
    assert (
        sandbox.control.requests()[-1]["path"] == "/rest/default/V1/products/rest%20test%2F%C3%BC"
    )
