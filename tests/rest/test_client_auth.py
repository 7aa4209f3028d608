# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""Authentication against the sandbox: OAuth 1.0a signatures, bearer tokens, admin tokens."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pytest
import requests
from magento2_rest import MagentoAuthError, MagentoNotFound, SearchCriteria
from magento2_rest.errors import error_from_response
from magento2_rest.urls import build_url
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256
from requests_oauthlib import OAuth1

from tests.rest.helpers import admin_client_for, answer_of, client_for

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox


ORDERS = SearchCriteria().order_by("entity_id").page(5)


def signer(sandbox: Sandbox, method: str = SIGNATURE_HMAC_SHA256, **extra: str) -> OAuth1:
    c = sandbox.credentials
    return OAuth1(
        c["consumer_key"],
        client_secret=c["consumer_secret"],
        resource_owner_key=c["access_token"],
        resource_owner_secret=c["access_token_secret"],
        signature_method=method,
        **extra,
    )


def explain(response: requests.Response, auth_method: str = "oauth1") -> str:
    error = error_from_response(
        answer_of(response), method="GET", route="/V1/orders", auth_method=auth_method
    )
    assert isinstance(error, MagentoAuthError)
    return str(error)


@pytest.mark.parametrize(
    ("field", "condition", "value"),
    [
        ("email", "eq", "a+b@x.com"),
        ("lastname", "like", "%Müller & Söhne = 1%"),
        ("firstname", "in", ["Zoë", "a b", "x=y&z"]),
    ],
)
def test_signed_search_keeps_reserved_and_non_ascii_values(
    sandbox: Sandbox, field: str, condition: str, value: object
) -> None:
    client = client_for(sandbox)
    criteria = SearchCriteria().where(field, condition, value).order_by("entity_id").page(10)  # type: ignore[arg-type]
    page = client.search("/customers/search", criteria)
    echoed = page.raw["search_criteria"]["filter_groups"][0]["filters"][0]
    expected = ",".join(value) if isinstance(value, list) else value
    # The store decoded exactly what was signed and sent: the signature was accepted (no 401)
    # and the filter value arrived intact, `+` included.
    assert echoed == {"field": field, "value": expected, "condition_type": condition}
    entry = sandbox.control.requests()[-1]
    assert (entry["auth"], entry["status"]) == ("oauth", 200)
    assert "+" not in entry["query"]


def test_ten_filter_groups_and_sort_orders_are_signed_right(sandbox: Sandbox) -> None:
    criteria = SearchCriteria()
    for n in range(10):
        criteria = criteria.where("entity_id", "gteq", n).order_by("entity_id")
    page = client_for(sandbox).search("/orders", criteria.page(3))
    assert len(page.raw["search_criteria"]["filter_groups"]) == 10
    assert len(page.items) == 3


def test_wrong_consumer_secret_is_explained(sandbox: Sandbox) -> None:
    client = client_for(sandbox, consumer_secret="not-the-secret")
    with pytest.raises(MagentoAuthError) as caught:
        client.search("/orders", ORDERS)
    message = str(caught.value)
    assert message.startswith("GET /V1/orders answered 401: The signature is invalid.")
    assert "consumer_secret" in message
    assert "X-Forwarded-Proto" in message
    assert "not-the-secret" not in message
    assert caught.value.status == 401
    # A 401 is not retried: one request reached the store.
    assert len(sandbox.control.requests()) == 1


def test_replayed_request_is_refused_for_its_nonce(sandbox: Sandbox) -> None:
    url = build_url(sandbox.url, "default", "V1", "/orders", ORDERS)
    prepared = requests.Request("GET", url, auth=signer(sandbox)).prepare()
    with requests.Session() as session:
        first = session.send(prepared)
        replay = session.send(prepared)
    assert first.status_code == 200
    assert replay.status_code == 401
    assert replay.json() == {
        "message": "The nonce is already being used by the consumer with ID %1",
        "parameters": ["1"],
    }
    message = explain(replay)
    assert "The nonce is already being used by the consumer with ID 1" in message
    assert "replayed" in message


def test_hmac_sha1_is_refused_and_explained(sandbox: Sandbox) -> None:
    url = build_url(sandbox.url, "default", "V1", "/orders", ORDERS)
    response = requests.get(url, auth=signer(sandbox, SIGNATURE_HMAC_SHA1), timeout=10)
    assert response.status_code == 400
    message = explain(response)
    assert "Signature method HMAC-SHA1 is not supported" in message
    assert "HMAC-SHA256" in message


def test_timestamp_ahead_of_the_store_is_explained_as_clock_skew(sandbox: Sandbox) -> None:
    # The store's clock (its Date header) runs 900 s behind this machine, and the request's
    # timestamp is an hour ahead: refused, and the skew is measured from the Date header.
    sandbox.control.set_clock(-900)
    url = build_url(sandbox.url, "default", "V1", "/orders", ORDERS)
    ahead = signer(sandbox, timestamp=str(int(time.time()) + 3600))
    response = requests.get(url, auth=ahead, timeout=10)
    assert response.status_code == 401
    message = explain(response)
    assert (
        "An error occurred validating the nonce - the store refused the OAuth timestamp" in message
    )
    assert re.search(r"this machine's clock is (899|900|901) s ahead of the store's", message)


def test_every_attempt_is_signed_afresh(sandbox: Sandbox) -> None:
    # The store authenticates the first GET (and records its nonce), runs it, then drops the
    # connection: the retry is refused as a replay unless it carries a new nonce.
    sandbox.control.update_settings(
        drop_after_commit={"route": "orders", "method": "GET", "count": 1}
    )
    page = client_for(sandbox).search("/orders", ORDERS)
    assert len(page.items) == 5
    log = sandbox.control.requests()
    assert [(entry["auth"], entry["status"]) for entry in log] == [("oauth", 0), ("oauth", 200)]


@pytest.mark.parametrize("suffix", ["/", "/index.php", "/index.php/"])
def test_base_url_with_trailing_slash_or_index_php(sandbox: Sandbox, suffix: str) -> None:
    client = client_for(sandbox, url=sandbox.url + suffix)
    assert len(client.search("/orders", ORDERS).items) == 5
    entry = sandbox.control.requests()[-1]
    assert (entry["path"], entry["status"], entry["auth"]) == (
        "/rest/default/V1/orders",
        200,
        "oauth",
    )


def test_admin_token_obtained_once_and_renewed_once_on_401(sandbox: Sandbox) -> None:
    client = admin_client_for(sandbox, "sandbox-admin-password1")
    assert client.settings.auth_method == "admin_token"
    client.search("/orders", ORDERS)
    client.search("/orders", ORDERS)
    # The store's clock moves past the token's 4 hours: the next call meets a 401.
    sandbox.control.set_clock(5 * 3600)
    client.search("/orders", ORDERS)
    calls = [
        (e["method"], e["path"].rsplit("/V1", 1)[1], e["status"])
        for e in sandbox.control.requests()
    ]
    assert calls == [
        ("POST", "/integration/admin/token", 200),
        ("GET", "/orders", 200),
        ("GET", "/orders", 200),
        ("GET", "/orders", 401),
        ("POST", "/integration/admin/token", 200),
        ("GET", "/orders", 200),
    ]


def test_wrong_admin_password_is_explained_and_not_retried(sandbox: Sandbox) -> None:
    client = admin_client_for(sandbox, "wrong-password")
    with pytest.raises(MagentoAuthError) as caught:
        client.search("/orders", ORDERS)
    message = str(caught.value)
    assert message.startswith("POST /V1/integration/admin/token answered 401: The account sign-in")
    assert "check username and password" in message
    assert "wrong-password" not in message
    assert len(sandbox.control.requests()) == 1


def test_bearer_integration_token_refused_unless_the_store_allows_it(sandbox: Sandbox) -> None:
    token = sandbox.credentials["access_token"]
    client = client_for(
        sandbox,
        consumer_key=None,
        consumer_secret=None,
        access_token_secret=None,
        access_token=token,
    )
    assert client.settings.auth_method == "bearer"
    with pytest.raises(MagentoAuthError) as caught:
        client.search("/orders", ORDERS)
    message = str(caught.value)
    assert "The consumer isn't authorized to access Magento_Sales::actions_view." in message
    assert "Allow OAuth Access Tokens to be used as standalone Bearer tokens" in message
    assert "OAuth 1.0a" in message
    assert token not in message

    sandbox.control.update_settings(bearer_integration_tokens=True)
    assert len(client.search("/orders", ORDERS).items) == 5
    assert sandbox.control.requests()[-1]["auth"] == "bearer_integration"


def test_admin_token_refused_by_two_factor_auth_says_so(sandbox: Sandbox) -> None:
    sandbox.control.update_settings(admin_2fa=True)
    client = admin_client_for(sandbox, "sandbox-admin-password1")
    with pytest.raises(MagentoAuthError) as caught:
        client.search("/orders", SearchCriteria().page(1))
    message = str(caught.value)
    assert "Please use the 2fa provider-specific endpoints to obtain a token." in message
    assert "admin two-factor authentication (Magento_TwoFactorAuth" in message
    assert "use an integration instead" in message
    assert "\n" not in message


def test_an_unknown_store_code_is_a_missing_route(sandbox: Sandbox) -> None:
    # Webapi's PathProcessor takes a first segment that is no store code as part of the route.
    with pytest.raises(MagentoNotFound) as caught:
        client_for(sandbox, store_code="no_such_view").search("/orders", SearchCriteria().page(1))
    assert caught.value.route_missing
