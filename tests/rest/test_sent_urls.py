# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""What the client puts on the wire is the URL build_url made, byte for byte, and it decodes
back to the path parameter and the query it was made of: urllib3 re-encodes nothing, and no
segment can be read as a dot-segment (RFC 3986 5.2.4)."""

from __future__ import annotations

import http.server
import threading
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from magento2_rest import MagentoClient, MagentoSettings, path_segment
from magento2_rest.urls import build_url, query_pairs

from tests.rest.helpers import client_for

if TYPE_CHECKING:
    from collections.abc import Iterator

    from magento2_sandbox import Sandbox

TRICKY = " +&=/%#?[]{}\"'\\;:,@!$*()<>|^`~.éüßø中文🙂"
TEXT = st.text(
    alphabet=st.sampled_from(TRICKY)
    | st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    max_size=16,
)
# The store's url may carry a path of its own (Magento in a folder).
PREFIXES = ("", "/magento", "/shop/m2")


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers `{}` to any GET and keeps each request target as it came (not decoded)."""

    protocol_version = "HTTP/1.1"  # keeps the connection alive, as a store does
    targets: list[str] = []  # noqa: RUF012 - one list per test module, set by the fixture

    def do_GET(self) -> None:
        self.targets.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def recorder() -> Iterator[tuple[dict[str, MagentoClient], list[str]]]:
    targets: list[str] = []
    handler = type("Recording", (Recorder,), {"targets": targets})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    clients = {
        prefix: MagentoClient(
            MagentoSettings.from_config({"url": origin + prefix, "access_token": "t"})
        )
        for prefix in PREFIXES
    }
    yield clients, targets
    for client in clients.values():
        client.close()
    server.shutdown()
    server.server_close()


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from(PREFIXES),
    segment=st.sampled_from([".", "..", "a.", ".a", "..."]) | TEXT,
    params=st.lists(st.tuples(TEXT, TEXT), max_size=6),
)
def test_the_built_url_is_what_goes_on_the_wire(
    recorder: tuple[dict[str, MagentoClient], list[str]],
    prefix: str,
    segment: str,
    params: list[tuple[str, str]],
) -> None:
    clients, targets = recorder
    client = clients[prefix]
    route = f"/products/{path_segment(segment)}"
    assert client.request("GET", route, params=params) == {}

    sent = targets[-1]
    built = build_url(client.settings.url, "default", "V1", route, params)
    assert sent == built[built.index("/", len("http://")) :]
    path, _, query = sent.partition("?")
    segments = path.split("/")
    # No dot-segment a server or proxy could remove, and the parameter is one segment.
    assert "." not in segments
    assert ".." not in segments
    assert path == f"{prefix}/rest/default/V1/products/{segments[-1]}"
    assert unquote(segments[-1]) == segment
    # The query decodes (as Magento's rawurldecode does) to exactly the pairs given.
    assert parse_qsl(query, keep_blank_values=True) == query_pairs(params)


@pytest.mark.parametrize("sku", [".", "..", "a/b", "50% off"])
def test_a_sku_of_dots_names_that_product_in_the_store(sandbox: Sandbox, sku: str) -> None:
    client = client_for(sandbox)
    route = f"/products/{path_segment(sku)}"
    product = {"sku": sku, "name": f"Named {sku}", "price": 3.0, "attribute_set_id": 4}
    saved = client.request("PUT", route, json={"product": product})
    assert saved["sku"] == sku
    assert client.get(route)["name"] == f"Named {sku}"
    assert [p["name"] for p in sandbox.store.find("products", sku=sku)] == [f"Named {sku}"]
    # Not the product list, nor the route above it: the sandbox read the one product.
    assert sandbox.control.requests()[-1]["path"].endswith(path_segment(sku))
