# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""OAuth 1.0a as Magento verifies it, checked against requests_oauthlib's signatures."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
import requests
from magento2_sandbox.oauth import natural_key, rawurlencode
from oauthlib.oauth1 import Client

from .conftest import Api, oauth

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox

SIGNATURE_INVALID = "The signature is invalid. Verify and try again."


def encoded(pairs: list[tuple[str, str]]) -> str:
    """A query string the way Magento wants it: every value percent-encoded, space as %20."""
    return "&".join(f"{key}={quote(value, safe='')}" for key, value in pairs)


def test_tricky_values_are_signed_and_decoded(api: Api) -> None:
    value = "a b+c&d=e/é€"
    pairs = [
        ("searchCriteria[filter_groups][0][filters][0][field]", "customer_lastname"),
        ("searchCriteria[filter_groups][0][filters][0][value]", value),
        ("searchCriteria[filter_groups][0][filters][0][condition_type]", "eq"),
        ("searchCriteria[pageSize]", "5"),
    ]
    answer = requests.get(api.url("/orders") + "?" + encoded(pairs), auth=api.auth, timeout=30)
    assert answer.status_code == 200, answer.text
    echo = answer.json()["search_criteria"]["filter_groups"][0]["filters"][0]
    assert echo == {"field": "customer_lastname", "value": value, "condition_type": "eq"}
    assert answer.json()["total_count"] == 0


def test_non_ascii_filter_value_matches(api: Api) -> None:
    everything = api.search("/customers/search")["items"]
    accented = next(c for c in everything if not c["lastname"].isascii())
    pairs = [
        ("searchCriteria[filter_groups][0][filters][0][field]", "lastname"),
        ("searchCriteria[filter_groups][0][filters][0][value]", accented["lastname"]),
    ]
    answer = requests.get(
        api.url("/customers/search") + "?" + encoded(pairs), auth=api.auth, timeout=30
    )
    assert answer.status_code == 200, answer.text
    names = {c["lastname"] for c in answer.json()["items"]}
    assert names == {accented["lastname"]}


def test_plus_as_space_breaks_the_signature(api: Api) -> None:
    # requests encodes a space as '+'; oauthlib signs it as a space, Magento rawurldecodes
    # the '+' and signs a plus: the signatures differ (FACTS: send spaces as %20).
    params = {"searchCriteria[filter_groups][0][filters][0][value]": "a b"}
    answer = requests.get(api.url("/orders"), params=params, auth=api.auth, timeout=30)
    assert answer.request.url is not None
    assert answer.request.url.endswith("=a+b")
    assert answer.status_code == 401
    assert answer.json() == {"message": SIGNATURE_INVALID}


def test_signature_over_store_code_and_index_php(sandbox: Sandbox) -> None:
    auth = oauth(sandbox)
    for prefix in ("/rest/default/V1", "/index.php/rest/V1", "/rest/all/V1", "/rest/fr/V1"):
        answer = requests.get(f"{sandbox.url}{prefix}/store/websites", auth=auth, timeout=30)
        assert answer.status_code == 200, (prefix, answer.text)
        assert {site["code"] for site in answer.json()} == {"admin", "base"}


def test_tampered_signature_is_refused(api: Api) -> None:
    prepared = requests.Request("GET", api.url("/orders/1"), auth=api.auth).prepare()
    raw = prepared.headers["Authorization"]
    header = raw.decode() if isinstance(raw, bytes) else raw
    start = header.index('oauth_signature="') + len('oauth_signature="')
    flipped = "A" if header[start] != "A" else "B"
    prepared.headers["Authorization"] = header[:start] + flipped + header[start + 1 :]
    answer = requests.Session().send(prepared, timeout=30)
    assert answer.status_code == 401
    assert answer.json() == {"message": SIGNATURE_INVALID}


def test_tampered_query_is_refused(api: Api) -> None:
    prepared = requests.Request(
        "GET", api.url("/orders") + "?searchCriteria[pageSize]=1", auth=api.auth
    ).prepare()
    assert prepared.url is not None
    assert prepared.url.endswith("=1")
    prepared.url = prepared.url[:-1] + "2"
    answer = requests.Session().send(prepared, timeout=30)
    assert answer.status_code == 401
    assert answer.json()["message"] == SIGNATURE_INVALID


def test_replayed_nonce_is_refused(api: Api) -> None:
    prepared = requests.Request("GET", api.url("/orders/1"), auth=api.auth).prepare()
    session = requests.Session()
    assert session.send(prepared, timeout=30).status_code == 200
    again = session.send(prepared, timeout=30)
    assert again.status_code == 401
    assert again.json() == {
        "message": "The nonce is already being used by the consumer with ID %1",
        "parameters": ["1"],
    }


def test_hmac_sha1_is_refused_with_magentos_message(sandbox: Sandbox) -> None:
    answer = requests.get(
        f"{sandbox.url}/rest/V1/orders/1", auth=oauth(sandbox, "HMAC-SHA1"), timeout=30
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "message": "Signature method %1 is not supported",
        "parameters": ["HMAC-SHA1"],
    }


def test_timestamp_far_in_the_future_is_refused(sandbox: Sandbox) -> None:
    c = sandbox.credentials
    client = Client(
        c["consumer_key"],
        client_secret=c["consumer_secret"],
        resource_owner_key=c["access_token"],
        resource_owner_secret=c["access_token_secret"],
        signature_method="HMAC-SHA256",
        timestamp=str(int(time.time()) + 3600),
    )
    url, headers, _ = client.sign(f"{sandbox.url}/rest/V1/orders/1")
    answer = requests.get(url, headers=headers, timeout=30)
    assert answer.status_code == 401
    # Nonce/Generator.php turns its own timestamp error into this message.
    assert answer.json() == {"message": "An error occurred validating the nonce"}
    client.timestamp = str(int(time.time()) - 3 * 86400)  # an old timestamp is accepted
    url, headers, _ = client.sign(f"{sandbox.url}/rest/V1/orders/1")
    assert requests.get(url, headers=headers, timeout=30).status_code == 200


def test_wrong_secret_and_unknown_consumer(sandbox: Sandbox) -> None:
    c = dict(sandbox.credentials)
    wrong_secret = Client(
        c["consumer_key"],
        client_secret="not-the-secret",
        resource_owner_key=c["access_token"],
        resource_owner_secret=c["access_token_secret"],
        signature_method="HMAC-SHA256",
    )
    url, headers, _ = wrong_secret.sign(f"{sandbox.url}/rest/V1/orders/1")
    answer = requests.get(url, headers=headers, timeout=30)
    assert (answer.status_code, answer.json()["message"]) == (401, SIGNATURE_INVALID)
    stranger = Client(
        "someone-else",
        client_secret=c["consumer_secret"],
        resource_owner_key=c["access_token"],
        resource_owner_secret=c["access_token_secret"],
        signature_method="HMAC-SHA256",
    )
    url, headers, _ = stranger.sign(f"{sandbox.url}/rest/V1/orders/1")
    answer = requests.get(url, headers=headers, timeout=30)
    assert answer.status_code == 401
    assert answer.json() == {"message": "A consumer having the specified key does not exist"}


def test_keys_sort_in_php_natural_order(sandbox: Sandbox) -> None:
    # Laminas sorts with strnatcmp, RFC 5849 (oauthlib) byte-wise: with an index of 10 beside
    # an index of 2 the two orders differ and Magento refuses the signature.
    keys = ["a%5B10%5D", "a%5B2%5D"]
    assert sorted(keys, key=natural_key) == ["a%5B2%5D", "a%5B10%5D"]
    assert sorted(keys) == ["a%5B10%5D", "a%5B2%5D"]
    auth = oauth(sandbox)
    base = f"{sandbox.url}/rest/V1/orders?"
    pairs = [(f"searchCriteria[sortOrders][{index}][field]", "entity_id") for index in (2, 10)]
    answer = requests.get(base + encoded(pairs), auth=auth, timeout=30)
    assert answer.status_code == 401
    pairs = [(f"searchCriteria[sortOrders][{index}][field]", "entity_id") for index in (2, 9)]
    assert requests.get(base + encoded(pairs), auth=auth, timeout=30).status_code == 200


def test_rawurlencode_matches_php() -> None:
    assert rawurlencode("a b+c~*é") == "a%20b%2Bc~%2A%C3%A9"


def test_no_authorization_is_refused_with_the_resource(sandbox: Sandbox) -> None:
    answer = requests.get(f"{sandbox.url}/rest/V1/products", timeout=30)
    assert answer.status_code == 401
    assert answer.json() == {
        "message": "The consumer isn't authorized to access %resources.",
        "parameters": {"resources": "Magento_Catalog::products"},
    }


def test_integration_token_as_bearer_only_when_enabled(sandbox: Sandbox) -> None:
    headers = {"Authorization": f"Bearer {sandbox.credentials['access_token']}"}
    url = f"{sandbox.url}/rest/V1/orders/1"
    refused = requests.get(url, headers=headers, timeout=30)
    assert refused.status_code == 401
    assert refused.json()["message"] == "The consumer isn't authorized to access %resources."
    sandbox.control.update_settings(bearer_integration_tokens=True)
    assert requests.get(url, headers=headers, timeout=30).status_code == 200


def test_admin_token_lasts_four_hours(sandbox: Sandbox) -> None:
    token_url = f"{sandbox.url}/rest/V1/integration/admin/token"
    wrong = requests.post(token_url, json={"username": "admin", "password": "nope"}, timeout=30)
    assert wrong.status_code == 401
    assert wrong.json() == {
        "message": "The account sign-in was incorrect or your account is disabled temporarily. "
        "Please wait and try again later."
    }
    answer = requests.post(
        token_url, json={"username": "admin", "password": "sandbox-admin-password1"}, timeout=30
    )
    assert answer.status_code == 200
    token = answer.json()
    assert isinstance(token, str)
    assert len(token) == 32
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{sandbox.url}/rest/V1/orders/1"
    assert requests.get(url, headers=headers, timeout=30).json()["entity_id"] == 1
    sandbox.control.set_clock(4 * 3600 + 1)
    assert requests.get(url, headers=headers, timeout=30).status_code == 401


@pytest.mark.parametrize("header", ["OAuth ", "Bearer ", "Basic YWRtaW46YWRtaW4="])
def test_malformed_authorization_is_refused(sandbox: Sandbox, header: str) -> None:
    answer = requests.get(
        f"{sandbox.url}/rest/V1/orders/1", headers={"Authorization": header}, timeout=30
    )
    assert answer.status_code in {400, 401}
    assert "message" in answer.json()


def test_form_body_is_signed(sandbox: Sandbox) -> None:
    # Request.php signs a body only when it is application/x-www-form-urlencoded.
    url = f"{sandbox.url}/rest/V1/integration/admin/token"
    form = {"username": "admin", "password": "x/y=z&é"}
    signed = requests.post(url, data=form, auth=oauth(sandbox), timeout=30)
    assert signed.status_code != 401, signed.text
    prepared = requests.Request("POST", url, data=form, auth=oauth(sandbox)).prepare()
    prepared.body = "username=admin&password=other"
    prepared.headers["Content-Length"] = str(len(prepared.body))
    tampered = requests.Session().send(prepared, timeout=30)
    assert tampered.status_code == 401
    assert tampered.json()["message"] == SIGNATURE_INVALID
