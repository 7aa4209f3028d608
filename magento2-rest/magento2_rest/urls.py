# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""Magento REST URLs, with the query encoded exactly as Magento decodes and signs it."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any, Literal, get_args
from urllib.parse import quote

from magento2_rest.search import SearchCriteria

__all__ = ["Api", "Params", "build_url", "encode_query", "path_segment", "route_label"]

Api = Literal["V1", "async/V1", "async/bulk/V1"]

Params = SearchCriteria | Mapping[str, Any] | Iterable[tuple[str, Any]] | None

# RFC 3986 unreserved characters: the only ones left as they are. Magento reads the query with
# rawurldecode (lib/internal/Magento/Framework/Oauth/Helper/Request.php), so `+` must be sent as
# %2B and a space as %20, never `+`. Brackets are encoded too: oauthlib refuses a query holding
# raw `[` `]` (oauthlib.common.urldecode), PHP decodes %5B...%5D into the same array keys, and
# urllib3 leaves %XX as it is, so the signed URL is the sent URL (tests/rest/test_sent_urls.py).
_UNRESERVED = "-._~"


@functools.lru_cache(maxsize=4096)
def encode_component(value: str) -> str:
    # Cached: a search's parameter names, and most of its values, repeat from page to page.
    return quote(value, safe=_UNRESERVED, encoding="utf-8", errors="strict")


# A segment that is only "." or ".." is a dot-segment, which URL parsers remove (RFC 3986 5.2.4;
# requests did before sending, as browsers do), so an SKU "." would name /products/ and ".." the
# route above. Encoded, it goes on the wire as a name (tests/rest/test_sent_urls.py). A server
# that decodes %2E before removing dot-segments (RFC 3986 6.2.2.2 allows it) would still not
# find such a product: no source says whether nginx in front of Magento does.
_DOT_SEGMENTS = {".": "%2E", "..": "%2E%2E"}


def path_segment(value: str | int) -> str:
    """One path parameter (an SKU, an order id), encoded so `/` or `?` cannot split the route
    and `.` or `..` cannot be read as a dot-segment."""
    text = str(value)
    return _DOT_SEGMENTS.get(text) or encode_component(text)


def query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return ""
    return str(value)


def query_pairs(params: Params) -> list[tuple[str, str]]:
    if params is None:
        return []
    if isinstance(params, SearchCriteria):
        return params.to_params()
    items: Iterable[tuple[Any, Any]] = params.items() if isinstance(params, Mapping) else params
    return [(str(key), query_value(value)) for key, value in items]


def encode_query(params: Params) -> str:
    """`key=value&...` with every character but the unreserved ones percent-encoded (UTF-8)."""
    return "&".join(
        f"{encode_component(key)}={encode_component(value)}" for key, value in query_pairs(params)
    )


def check_route(route: str) -> str:
    if not route.startswith("/"):
        raise ValueError(f"route {route!r} must start with '/', such as '/orders'")
    if "?" in route or "#" in route:
        raise ValueError(f"route {route!r} must not carry a query: pass params instead")
    first = route.split("/", 2)[1]
    if first in {"V1", "rest", "async"}:
        raise ValueError(
            f"route {route!r} must be the path after the API prefix, such as '/orders': "
            "the client adds /rest/<store_code>/<api>"
        )
    return route


def build_url(base: str, store_code: str, api: Api, route: str, params: Params = None) -> str:
    """`{base}/rest/{store_code}/{api}{route}?{query}`; `base` is the settings' normalised url."""
    if api not in get_args(Api):
        raise ValueError(f"api {api!r} is not one of {', '.join(get_args(Api))}")
    url = f"{base}/rest/{encode_component(store_code)}/{api}{check_route(route)}"
    query = encode_query(params)
    return f"{url}?{query}" if query else url


def route_label(api: Api, route: str) -> str:
    """The short name of a call in logs and errors: `/V1/orders` (no host, store or query)."""
    return f"/{api}{route}"
