# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""SearchCriteria, query encoding and Magento's placeholders, without a store."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

import pytest
from magento2_rest import Filter, SearchCriteria, path_segment
from magento2_rest.errors import fill_placeholders
from magento2_rest.urls import build_url, encode_query

if TYPE_CHECKING:
    from collections.abc import Callable


def test_criteria_to_params_in_magento_names() -> None:
    criteria = (
        SearchCriteria()
        .where("updated_at", "gteq", "2025-01-01 00:00:00")
        .any_of(Filter("status", "eq", "pending"), Filter("entity_id", "in", [1, 2, 3]))
        .order_by("updated_at", "ASC")
        .order_by("entity_id")
        .page(100, 2)
    )
    prefix = "searchCriteria[filter_groups]"
    assert criteria.to_params() == [
        (f"{prefix}[0][filters][0][field]", "updated_at"),
        (f"{prefix}[0][filters][0][value]", "2025-01-01 00:00:00"),
        (f"{prefix}[0][filters][0][condition_type]", "gteq"),
        (f"{prefix}[1][filters][0][field]", "status"),
        (f"{prefix}[1][filters][0][value]", "pending"),
        (f"{prefix}[1][filters][0][condition_type]", "eq"),
        (f"{prefix}[1][filters][1][field]", "entity_id"),
        (f"{prefix}[1][filters][1][value]", "1,2,3"),
        (f"{prefix}[1][filters][1][condition_type]", "in"),
        ("searchCriteria[sortOrders][0][field]", "updated_at"),
        ("searchCriteria[sortOrders][0][direction]", "ASC"),
        ("searchCriteria[sortOrders][1][field]", "entity_id"),
        ("searchCriteria[sortOrders][1][direction]", "ASC"),
        ("searchCriteria[pageSize]", "100"),
        ("searchCriteria[currentPage]", "2"),
    ]


def test_criteria_is_immutable() -> None:
    base = SearchCriteria().where("a", "eq", "1")
    paged = base.page(10)
    assert base.page_size is None
    assert paged.page_size == 10
    assert paged.filter_groups == base.filter_groups
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.page_size = 5  # type: ignore[misc]


def test_empty_criteria_still_sends_search_criteria() -> None:
    assert SearchCriteria().to_params() == [("searchCriteria", "")]


def test_null_condition_sends_no_value() -> None:
    keys = [key for key, _ in SearchCriteria().where("customer_id", "null").to_params()]
    assert not any(key.endswith("[value]") for key in keys)


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: Filter("a", "bogus", "1"), "is not one of Magento's"),  # type: ignore[arg-type]
        (lambda: Filter("a", "eq"), "needs a value"),
        (lambda: Filter("a", "eq", [1, 2]), "a list value needs condition_type in"),
        (lambda: Filter("", "eq", "x"), "non-empty string"),
        (lambda: SearchCriteria().order_by("a", "asc"), "is not ASC or DESC"),  # type: ignore[arg-type]
        (lambda: SearchCriteria().page(0), "pageSize 0 must be 1 or more"),
    ],
)
def test_invalid_criteria_refused(make: Callable[[], object], fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        make()


def test_indexes_stay_below_ten() -> None:
    criteria = SearchCriteria()
    for n in range(10):
        criteria = criteria.where(f"field_{n}", "eq", n)
    assert len(criteria.filter_groups) == 10
    with pytest.raises(ValueError, match="at most 10") as caught:
        criteria.where("one_more", "eq", 1)
    assert "signature" in str(caught.value)
    with pytest.raises(ValueError, match="at most 10"):
        SearchCriteria().any_of(*(Filter("entity_id", "eq", n) for n in range(11)))


def test_query_encoding_is_what_magento_rawurldecodes() -> None:
    query = encode_query([("searchCriteria[x]", "a+b c&d=e/%Müller~")])
    assert query == "searchCriteria%5Bx%5D=a%2Bb%20c%26d%3De%2F%25M%C3%BCller~"
    assert "+" not in query
    key, value = query.split("=")
    assert (unquote(key), unquote(value)) == ("searchCriteria[x]", "a+b c&d=e/%Müller~")


def test_build_url_places_store_code_and_api() -> None:
    base = "https://shop.example.com/index.php"
    assert build_url(base, "default", "V1", "/orders") == f"{base}/rest/default/V1/orders"
    assert (
        build_url(base, "fr", "async/bulk/V1", "/products/bySku", {"fields": "sku"})
        == f"{base}/rest/fr/async/bulk/V1/products/bySku?fields=sku"
    )
    for route in ("orders", "/V1/orders", "/orders?x=1", "/rest/V1/orders"):
        with pytest.raises(ValueError, match="route"):
            build_url(base, "default", "V1", route)
    with pytest.raises(ValueError, match="api 'V2'"):
        build_url(base, "default", "V2", "/orders")  # type: ignore[arg-type]


def test_path_segment_keeps_a_sku_in_one_segment() -> None:
    assert path_segment("24-MB01/blue ü") == "24-MB01%2Fblue%20%C3%BC"
    assert path_segment(12) == "12"


@pytest.mark.parametrize(
    ("message", "parameters", "filled"),
    [
        (
            "Maximum SearchCriteria pageSize is %max",
            {"max": 300},
            "Maximum SearchCriteria pageSize is 300",
        ),
        ("%1 of %2, not %10", list("abcdefghij"), "a of b, not j"),
        ('"%fieldName" is required.', {"fieldName": "sku"}, '"sku" is required.'),
        ("No %placeholders here", None, "No %placeholders here"),
        ("%1 keeps %2", ["%2"], "%2 keeps %2"),  # strtr never rescans a replacement
        ("Ids %1", [[1, 2]], "Ids [1, 2]"),
    ],
)
def test_placeholders_filled_like_magento(message: str, parameters: object, filled: str) -> None:
    expected = filled.replace("Maximum ...", "Maximum SearchCriteria pageSize")
    assert fill_placeholders(message, parameters) == expected
