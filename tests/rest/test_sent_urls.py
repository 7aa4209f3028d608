# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""A URL build_url made is sent as requests would have sent it (magento2_rest.client.BuiltRequest
skips requests' re-quoting only where it would change nothing)."""

from __future__ import annotations

import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from magento2_rest.client import BUILT_URL, BuiltRequest
from magento2_rest.urls import build_url, path_segment

TRICKY = " +&=/%#?[]{}\"'\\;:,@!$*()<>|^`~éüßø中文🙂"
TEXT = st.text(
    alphabet=st.sampled_from(TRICKY)
    | st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    max_size=16,
)
BASES = st.sampled_from(
    [
        "https://shop.example.com",
        "http://127.0.0.1:8765",
        "http://localhost/magento",
        "https://bücher.example/shop",  # not ASCII: requests prepares it (IDNA)
        "https://Shop.Example.COM",  # requests writes the host in lower case
    ]
)


def prepared_by_requests(url: str) -> str:
    return str(requests.Request("GET", url).prepare().url)


@settings(max_examples=300, deadline=None)
@given(
    base=BASES,
    segment=TEXT,
    params=st.lists(st.tuples(TEXT, TEXT), max_size=6),
)
def test_a_built_url_is_sent_as_requests_would_send_it(base, segment, params):
    url = build_url(base, "default", "V1", f"/products/{path_segment(segment)}", params)
    # Every URL to an ASCII host is sent as it was built.
    assert bool(BUILT_URL.fullmatch(url)) == base.isascii()
    ours = BuiltRequest()
    ours.prepare(method="GET", url=url)

    # Host names are case-blind (RFC 3986 3.2.2); requests writes them in lower case.
    sent = str(ours.url).replace("Shop.Example.COM", "shop.example.com")
    assert sent == prepared_by_requests(url)
