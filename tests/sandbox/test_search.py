# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""searchCriteria: every condition type, OR within a group, AND across groups, sorting,
paging in both past-the-end modes, input limits and the `fields` filter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from .conftest import Api, criteria

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox


@pytest.fixture
def orders(api: Api) -> list[dict[str, Any]]:
    everything = api.search("/orders")
    assert everything["total_count"] == 60
    assert len(everything["items"]) == 60
    return list(everything["items"])


def ids(answer: dict[str, Any], key: str = "entity_id") -> list[Any]:
    return [item[key] for item in answer["items"]]


CASES = [
    ("status", "complete", "eq", lambda o: o["status"] == "complete"),
    ("status", "complete", "neq", lambda o: o["status"] != "complete"),
    ("entity_id", "40", "gt", lambda o: o["entity_id"] > 40),
    ("entity_id", "40", "gteq", lambda o: o["entity_id"] >= 40),
    ("entity_id", "9", "lt", lambda o: o["entity_id"] < 9),
    ("entity_id", "9", "lteq", lambda o: o["entity_id"] <= 9),
    ("grand_total", "150.5", "gt", lambda o: o["grand_total"] > 150.5),
    ("grand_total", "99", "lteq", lambda o: o["grand_total"] <= 99),
    ("status", "canceled,holded", "in", lambda o: o["status"] in {"canceled", "holded"}),
    ("status", "canceled,holded", "nin", lambda o: o["status"] not in {"canceled", "holded"}),
    ("entity_id", "3,5,8", "in", lambda o: o["entity_id"] in {3, 5, 8}),
    ("customer_email", "%example.net", "like", lambda o: o["customer_email"].endswith(".net")),
    ("customer_email", "%example.net", "nlike", lambda o: not o["customer_email"].endswith(".net")),
    ("customer_id", None, "null", lambda o: "customer_id" not in o),
    ("customer_id", None, "notnull", lambda o: "customer_id" in o),
    (
        "created_at",
        "2025-06-01 00:00:00",
        "from",
        lambda o: o["created_at"] >= "2025-06-01 00:00:00",
    ),
    ("created_at", "2025-06-01 00:00:00", "to", lambda o: o["created_at"] <= "2025-06-01 00:00:00"),
    (
        "updated_at",
        "2025-06-01 00:00:00",
        "moreq",
        lambda o: o["updated_at"] >= "2025-06-01 00:00:00",
    ),
    ("shipping_description", "Flat Rate - Fixed", "eq", lambda _: True),
    ("customer_is_guest", "1", "eq", lambda o: o["customer_is_guest"] == 1),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_condition_types(api: Api, orders: list[dict[str, Any]], case: tuple[Any, ...]) -> None:
    field, value, condition, expected = case
    answer = api.search("/orders", criteria([(field, value, condition)]))
    want = [o["entity_id"] for o in orders if expected(o)]
    assert ids(answer) == want
    assert answer["total_count"] == len(want)
    assert 0 < len(want) <= 60 or condition in {"eq", "neq"}


def test_finset_and_nfinset(api: Api) -> None:
    categories = api.search("/categories/list")["items"]
    answer = api.search("/categories/list", criteria([("children", "5", "finset")]))
    assert ids(answer, "id") == [3]
    answer = api.search("/categories/list", criteria([("children", "5", "nfinset")]))
    # MySQL: NOT FIND_IN_SET('5', '') is true, so categories without children match too.
    want = [c["id"] for c in categories if "5" not in c["children"].split(",")]
    assert ids(answer, "id") == want


def test_or_within_a_group_across_fields(api: Api, orders: list[dict[str, Any]]) -> None:
    answer = api.search(
        "/orders", criteria([("status", "canceled", "eq"), ("customer_is_guest", "1", "eq")])
    )
    want = [o["entity_id"] for o in orders if o["status"] == "canceled" or o["customer_is_guest"]]
    assert ids(answer) == want


def test_and_across_groups(api: Api, orders: list[dict[str, Any]]) -> None:
    answer = api.search(
        "/orders",
        criteria(
            [("status", "complete", "eq"), ("status", "closed", "eq")],
            [("entity_id", "20", "gt")],
        ),
    )
    want = [
        o["entity_id"]
        for o in orders
        if o["status"] in {"complete", "closed"} and o["entity_id"] > 20
    ]
    assert ids(answer) == want


def test_camel_case_names_are_accepted(api: Api, orders: list[dict[str, Any]]) -> None:
    params = {
        "searchCriteria[filterGroups][0][filters][0][field]": "entity_id",
        "searchCriteria[filterGroups][0][filters][0][value]": "50",
        "searchCriteria[filterGroups][0][filters][0][conditionType]": "gteq",
        "searchCriteria[sortOrders][0][field]": "entity_id",
        "searchCriteria[sortOrders][0][direction]": "ASC",
        "searchCriteria[pageSize]": "5",
        "searchCriteria[currentPage]": "2",
    }
    answer = api.search("/orders", params)
    assert ids(answer) == [55, 56, 57, 58, 59]
    assert answer["total_count"] == 11
    assert answer["search_criteria"] == {
        "filter_groups": [
            {"filters": [{"field": "entity_id", "value": "50", "condition_type": "gteq"}]}
        ],
        "sort_orders": [{"field": "entity_id", "direction": "ASC"}],
        "current_page": 2,
    }


def test_sort_is_desc_unless_asc(api: Api, orders: list[dict[str, Any]]) -> None:
    by_total = sorted(orders, key=lambda o: o["grand_total"])
    for direction, reverse in (("ASC", False), ("desc", True), ("", True)):
        params = {"searchCriteria[sortOrders][0][field]": "grand_total"}
        if direction:
            params["searchCriteria[sortOrders][0][direction]"] = direction
        totals = [o["grand_total"] for o in api.search("/orders", params)["items"]]
        want = [o["grand_total"] for o in (by_total[::-1] if reverse else by_total)]
        assert totals == want, direction


def test_an_invalid_sort_direction_is_refused(api: Api) -> None:
    # Framework/Api/SortOrder.php validateDirectionIsAscOrDesc
    params = {
        "searchCriteria[sortOrders][0][field]": "grand_total",
        "searchCriteria[sortOrders][0][direction]": "up",
    }
    answer = api.get("/orders", params)
    assert answer.status_code == 400
    assert answer.json() == {
        "message": "The sort order has to be specified as %1 for ascending order or %2 for "
        "descending order.",
        "parameters": ["ASC", "DESC"],
    }


@pytest.mark.parametrize("route", ["/products", "/customers/search", "/categories/list"])
def test_eav_routes_refuse_a_filter_on_id_and_drop_a_sort_on_it(api: Api, route: str) -> None:
    answer = api.get(route, criteria([("id", "3", "eq")]))
    assert answer.status_code == 400
    assert answer.json() == {"message": "Invalid attribute name: %1", "parameters": ["id"]}
    # entity_id is the static field they filter and sort on.
    assert [
        item["id"] for item in api.search(route, criteria([("entity_id", "3", "eq")]))["items"]
    ] == [3]
    plain = ids(api.search(route, criteria(pageSize=50)), "id")
    by_entity_desc = ids(
        api.search(
            route,
            {
                "searchCriteria[sortOrders][0][field]": "entity_id",
                "searchCriteria[sortOrders][0][direction]": "DESC",
                "searchCriteria[pageSize]": "50",
            },
        ),
        "id",
    )
    assert by_entity_desc == sorted(plain, reverse=True)
    # A sort on a field that is no attribute is dropped without a word (addAttributeToSort).
    by_id_desc = api.search(
        route,
        {
            "searchCriteria[sortOrders][0][field]": "id",
            "searchCriteria[sortOrders][0][direction]": "DESC",
            "searchCriteria[pageSize]": "50",
        },
    )
    assert ids(by_id_desc, "id") == plain


def test_flat_routes_answer_a_masked_500_for_an_unknown_field(api: Api) -> None:
    for params in (
        criteria([("no_such_column", "1", "eq")]),
        {"searchCriteria[sortOrders][0][field]": "no_such_column"},
    ):
        answer = api.get("/orders", params)
        assert answer.status_code == 500
        assert answer.json()["message"].startswith(
            "Internal Error. Details are available in Magento log file. Report ID: webapi-"
        )


def test_sort_on_two_fields(api: Api, orders: list[dict[str, Any]]) -> None:
    params = {
        "searchCriteria[sortOrders][0][field]": "status",
        "searchCriteria[sortOrders][0][direction]": "ASC",
        "searchCriteria[sortOrders][1][field]": "entity_id",
        "searchCriteria[sortOrders][1][direction]": "DESC",
    }
    want = sorted(orders, key=lambda o: (o["status"], -o["entity_id"]))
    assert ids(api.search("/orders", params)) == [o["entity_id"] for o in want]


def test_paging_repeats_the_last_page_past_the_end_in_repeat_mode(
    sandbox: Sandbox, api: Api
) -> None:
    sandbox.control.update_settings(past_end_mode="repeat")  # Magento 2.3
    pages = [
        api.search("/orders", criteria(pageSize=25, currentPage=page)) for page in (1, 2, 3, 4, 9)
    ]
    assert [len(page["items"]) for page in pages] == [25, 25, 10, 10, 10]
    assert {page["total_count"] for page in pages} == {60}
    assert ids(pages[0]) + ids(pages[1]) + ids(pages[2]) == list(range(1, 61))
    assert ids(pages[3]) == ids(pages[2]) == ids(pages[4])
    assert "page_size" not in pages[0]["search_criteria"]  # magento2 #35310


def test_paging_past_the_end_is_empty_by_default(api: Api) -> None:
    # Magento 2.4 REST (magento2 #26986): no items, the real total_count.
    answer = api.search("/orders", criteria(pageSize=25, currentPage=4))
    assert answer["items"] == []
    assert answer["total_count"] == 60
    assert len(api.search("/orders", criteria(pageSize=25, currentPage=3))["items"]) == 10


def test_no_page_size_returns_everything_unless_input_limits(sandbox: Sandbox, api: Api) -> None:
    assert len(api.search("/orders")["items"]) == 60
    sandbox.control.update_settings(input_limits=True)
    answer = api.search("/orders")
    assert len(answer["items"]) == 20
    assert answer["total_count"] == 60
    assert len(api.search("/orders", criteria(pageSize=300))["items"]) == 60
    refused = api.get("/orders", criteria(pageSize=301))
    assert refused.status_code == 400
    assert refused.json() == {
        "message": "Maximum SearchCriteria pageSize is %max",
        "parameters": {"max": 300},
    }


def test_input_limit_on_body_arrays(sandbox: Sandbox, api: Api) -> None:
    import requests  # noqa: PLC0415

    sandbox.control.update_settings(input_limits=True)
    order = sandbox.store.find("orders", state="new")[0]
    tracks = [{"track_number": f"T{n}", "title": "UPS", "carrier_code": "ups"} for n in range(21)]
    url = api.url(f"/order/{order['entity_id']}/ship")
    refused = requests.post(url, json={"tracks": tracks}, auth=api.auth, timeout=30)
    # Framework/Webapi/Validator/EntityArrayValidator.php names the items' class.
    assert refused.status_code == 400
    assert refused.json() == {
        "message": 'Maximum items of type "%type" is %max',
        "parameters": {
            "type": "\\Magento\\Sales\\Api\\Data\\ShipmentTrackCreationInterface",
            "max": 20,
        },
    }
    assert sandbox.store.find("shipments", order_id=order["entity_id"]) == []
    # Only arrays of data objects the service takes are limited: an unknown key is ignored.
    token = f"{sandbox.url}/rest/V1/integration/admin/token"
    body = {"username": "admin", "password": "sandbox-admin-password1", "extra": list(range(21))}
    assert requests.post(token, json=body, timeout=30).status_code == 200
    accepted = requests.post(url, json={"tracks": tracks[:20]}, auth=api.auth, timeout=30)
    assert accepted.status_code == 200, accepted.text
    assert len(api.json(f"/shipment/{accepted.json()}")["tracks"]) == 20


def test_timestamps_compare_as_strings(api: Api, orders: list[dict[str, Any]]) -> None:
    bound = sorted(o["updated_at"] for o in orders)[30]
    answer = api.search("/orders", criteria([("updated_at", bound, "gt")]))
    assert ids(answer) == [o["entity_id"] for o in orders if o["updated_at"] > bound]


def test_fields_filter(api: Api) -> None:
    answer = api.json(
        "/orders",
        {
            "searchCriteria[pageSize]": "2",
            "fields": "items[entity_id,updated_at,items[sku]],total_count",
        },
    )
    assert set(answer) == {"items", "total_count"}
    assert answer["total_count"] == 60
    first = answer["items"][0]
    assert set(first) == {"entity_id", "updated_at", "items"}
    assert all(set(item) == {"sku"} for item in first["items"])
    single = api.json("/orders/3", {"fields": "entity_id,billing_address[city]"})
    assert set(single) == {"entity_id", "billing_address"}
    assert set(single["billing_address"]) == {"city"}
    assert api.json("/orders/3", {"fields": "entity_id[,"}) == []


def test_custom_attribute_filter(api: Api) -> None:
    products = api.search("/products")["items"]
    black = [
        p["sku"]
        for p in products
        if {"attribute_code": "color", "value": "49"} in p["custom_attributes"]
    ]
    assert black
    answer = api.search("/products", criteria([("color", "49", "eq")]))
    assert [p["sku"] for p in answer["items"]] == black


def test_unknown_condition_and_bad_field_are_refused(api: Api) -> None:
    answer = api.get("/orders", criteria([("status", "x", "between")]))
    assert answer.status_code == 400
    answer = api.get("/orders", criteria([("status') OR 1=1 --", "x", "eq")]))
    assert answer.status_code == 400
    assert (
        answer.json()["message"] == 'Invalid value of "%value" provided for the %fieldName field.'
    )
