# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""The client's OAuth 1.0a signer (magento2_rest.auth.OAuth1Auth) writes oauthlib's own
Authorization header, byte for byte, for any method, store URL, path and query the client can
send: the same nonce and timestamp give the same signature. (That Magento accepts it is shown
by every test against the sandbox, which verifies signatures as Magento does.)"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from magento2_rest.auth import OAuth1Auth
from magento2_rest.urls import build_url, path_segment
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, Client

TRICKY = " +&=/%#?[]{}\"'\\;:,@!$*()<>|^`~éüßø中文🙂"
TEXT = st.text(
    alphabet=st.sampled_from(TRICKY)
    | st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    max_size=16,
)
SECRETS = st.text(alphabet=st.sampled_from("ab9+/=&% é"), min_size=1, max_size=12)
BASES = st.sampled_from(
    [
        "https://shop.example.com",
        "https://Shop.Example.COM:443",
        "http://127.0.0.1:8765",
        "http://localhost:80/magento",
        "https://[::1]:8443/sub dir",
    ]
)


CASES = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["GET", "POST", "PUT", "DELETE", "get"]),
        "base": BASES,
        "store": st.sampled_from(["default", "all", "fr_ch"]),
        "segment": TEXT,
        "params": st.lists(st.tuples(TEXT, TEXT), max_size=6),
        "secrets": st.tuples(SECRETS, SECRETS),
        "token": st.sampled_from(["sandbox-access-token", ""]),
        "nonce": st.text(alphabet="0123456789abcdef", min_size=1, max_size=30),
        "timestamp": st.integers(min_value=0, max_value=2**33).map(str),
    }
)


@settings(max_examples=300, deadline=None)
@given(case=CASES)
def test_the_header_is_oauthlib_s(case: dict[str, Any]) -> None:
    method, nonce, timestamp = case["method"], case["nonce"], case["timestamp"]
    url = build_url(
        case["base"],
        case["store"],
        "V1",
        f"/products/{path_segment(case['segment'])}",
        case["params"],
    )
    consumer_secret, token_secret = case["secrets"]
    token = case["token"]
    ours = OAuth1Auth("key", consumer_secret, token, token_secret)
    theirs = Client(
        "key",
        client_secret=consumer_secret,
        resource_owner_key=token or None,
        resource_owner_secret=token_secret,
        signature_method=SIGNATURE_HMAC_SHA256,
        nonce=nonce,
        timestamp=timestamp,
    )
    _, headers, _ = theirs.sign(url, method, None, {"Content-Type": "application/json"})

    assert ours.authorization(method, url, nonce, timestamp) == headers["Authorization"]
