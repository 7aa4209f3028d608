# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Read routes: answers, Magento's 404 bodies, store-view scoping, stores without B2B/MSI,
and seeded data that is consistent (quantities, states, timestamps)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from .conftest import Api, criteria, oauth

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento2_sandbox import Sandbox

NO_ROUTE = {"message": "Request does not match any route."}
PRODUCT_NOT_FOUND = (
    "The product that was requested doesn't exist. Verify the product and try again."
)
PRODUCT_NOT_FOUND = (
    "The product that was requested doesn't exist. Verify the product and try again."
)
NOT_FOUND = "The entity that was requested doesn't exist. Verify the entity and try again."


@pytest.mark.parametrize(
    ("route", "kind", "key"),
    [
        ("/orders", "orders", "entity_id"),
        ("/invoices", "invoices", "entity_id"),
        ("/shipments", "shipments", "entity_id"),
        ("/creditmemos", "creditmemos", "entity_id"),
        ("/customers/search", "customers", "id"),
        ("/customerGroups/search", "customer_groups", "id"),
        ("/products", "products", "id"),
        ("/products/attributes", "product_attributes", "attribute_id"),
        ("/categories/list", "categories", "id"),
        ("/inventory/sources", "inventory_sources", "source_code"),
        ("/inventory/stocks", "inventory_stocks", "stock_id"),
        ("/company/", "companies", "id"),
        ("/companyCredits/", "company_credits", "id"),
        ("/companyCredits/history", "credit_history", "id"),
    ],
)
def test_search_routes_answer_every_entity(
    sandbox: Sandbox, api: Api, route: str, kind: str, key: str
) -> None:
    answer = api.search(route)
    truth = sandbox.control.truth(kind)
    assert answer["total_count"] == len(truth) > 0
    assert [item[key] for item in answer["items"]] == [item["id"] for item in truth]
    if "updated_at" in truth[0]:
        assert [i["updated_at"] for i in answer["items"]] == [t["updated_at"] for t in truth]


def test_source_items_are_keyed_by_sku_and_source(sandbox: Sandbox, api: Api) -> None:
    answer = api.search("/inventory/source-items")
    truth = sandbox.control.truth("source_items")
    got = sorted((item["sku"], item["source_code"]) for item in answer["items"])
    assert got == sorted((t["id"]["sku"], t["id"]["source_code"]) for t in truth)
    one = answer["items"][0]
    assert sandbox.control.entity("source_items", (one["sku"], one["source_code"])) == one


@pytest.mark.parametrize(
    ("route", "status", "body"),
    [
        ("/orders/999999", 404, {"message": NOT_FOUND}),
        ("/invoices/999999", 404, {"message": NOT_FOUND}),
        ("/shipment/999999", 404, {"message": NOT_FOUND}),
        ("/creditmemo/999999", 404, {"message": NOT_FOUND}),
        ("/orders/abc", 404, {"message": NOT_FOUND}),
        (
            "/customers/999999",
            404,
            {
                "message": "No such entity with %fieldName = %fieldValue",
                "parameters": {"fieldName": "customerId", "fieldValue": "999999"},
            },
        ),
        (
            "/products/NO-SUCH-SKU",
            404,
            {"message": PRODUCT_NOT_FOUND},
        ),
        (
            "/stockItems/NO-SUCH-SKU",
            404,
            {"message": PRODUCT_NOT_FOUND},
        ),
        (
            "/inventory/sources/nowhere",
            404,
            {
                "message": 'Source with code "%value" does not exist.',
                "parameters": {"value": "nowhere"},
            },
        ),
        ("/no/such/route", 404, NO_ROUTE),
    ],
)
def test_not_found_bodies(api: Api, route: str, status: int, body: dict[str, Any]) -> None:
    answer = api.get(route)
    assert answer.status_code == status
    assert answer.json() == body


def test_single_entity_routes(sandbox: Sandbox, api: Api) -> None:
    order = api.json("/orders/7")
    assert order == sandbox.control.entity("orders", 7)
    invoice = api.search("/invoices")["items"][0]
    assert api.json(f"/invoices/{invoice['entity_id']}") == invoice
    shipment = api.search("/shipments")["items"][0]
    assert api.json(f"/shipment/{shipment['entity_id']}") == shipment
    memo = api.search("/creditmemos")["items"][0]
    assert api.json(f"/creditmemo/{memo['entity_id']}") == memo
    assert api.json("/customers/3")["id"] == 3
    assert api.json("/customerGroups/1")["code"] == "General"
    assert api.json("/customerGroups/default")["id"] == 1
    product = api.search("/products")["items"][0]
    assert api.json(f"/products/{product['sku']}") == product
    stock = api.json(f"/stockItems/{product['sku']}")
    assert stock == product["extension_attributes"]["stock_item"]
    assert api.json("/products/attributes/color")["attribute_id"] == 93
    assert api.json("/categories/3")["name"] == "Gear"
    assert api.json("/inventory/sources/default")["name"] == "Default Source"
    assert api.json("/inventory/stocks/1")["name"] == "Default Stock"
    company = api.json("/company/1")
    assert company["id"] == 1
    credit = api.json("/companyCredits/company/1")
    assert credit["company_id"] == 1
    assert api.json(f"/companyCredits/{credit['id']}") == credit


def test_store_structure(api: Api) -> None:
    views = api.json("/store/storeViews")
    assert [view["code"] for view in views] == ["admin", "default", "fr"]
    assert [group["id"] for group in api.json("/store/storeGroups")] == [0, 1]
    assert [site["code"] for site in api.json("/store/websites")] == ["admin", "base"]


def test_category_tree(api: Api) -> None:
    tree = api.json("/categories")
    assert (tree["id"], tree["name"]) == (2, "Default Category")
    names = [child["name"] for child in tree["children_data"]]
    assert names == ["Gear", "Men", "Women", "Sale", "What's New"]
    gear = tree["children_data"][0]
    assert [c["name"] for c in gear["children_data"]] == ["Bags", "Fitness Equipment", "Watches"]
    assert sum(c["product_count"] for c in gear["children_data"]) > 0
    shallow = api.json("/categories", {"depth": "1"})
    assert all(child["children_data"] == [] for child in shallow["children_data"])


def test_products_answer_the_store_views_values(api: Api) -> None:
    default = {p["sku"]: p for p in api.search("/products")["items"]}
    french = {p["sku"]: p for p in api.search("/products", store="fr")["items"]}
    assert default.keys() == french.keys()
    assert all(french[sku]["name"] != default[sku]["name"] for sku in default)
    assert any(french[sku]["status"] != default[sku]["status"] for sku in default)
    assert all(french[sku]["updated_at"] == default[sku]["updated_at"] for sku in default)
    assert api.search("/products", store="all")["items"] == list(default.values())
    assert api.search("/products", store="default")["items"] == list(default.values())
    sku, product = next(iter(french.items()))
    assert api.json(f"/products/{sku}", store="fr") == product
    named = api.search("/products", criteria([("name", product["name"], "eq")]), store="fr")
    assert [p["sku"] for p in named["items"]] == [sku]
    assert api.search("/products", criteria([("name", product["name"], "eq")]))["items"] == []


def test_unknown_store_code_matches_no_route(sandbox: Sandbox) -> None:
    answer = requests.get(f"{sandbox.url}/rest/nowhere/V1/orders", auth=oauth(sandbox), timeout=30)
    assert answer.status_code == 404
    assert answer.json() == NO_ROUTE


def test_trailing_slash_is_the_same_route(api: Api) -> None:
    assert api.search("/company/")["items"] == api.search("/company")["items"]


@pytest.mark.parametrize(
    ("options", "routes"),
    [
        (
            {"b2b": False},
            ["/company/", "/company/1", "/companyCredits/", "/companyCredits/history"],
        ),
        ({"msi": False}, ["/inventory/sources", "/inventory/source-items", "/inventory/stocks"]),
    ],
)
def test_store_without_module_answers_no_route(
    sandbox_factory: Callable[..., Sandbox], options: dict[str, bool], routes: list[str]
) -> None:
    sandbox = sandbox_factory(seed=1, orders=5, **options)
    api = Api(sandbox)
    for route in routes:
        answer = api.get(route)
        assert answer.status_code == 404, route
        assert answer.json() == NO_ROUTE
    assert api.get("/orders").status_code == 200
    counts = sandbox.control.info()["counts"]
    if "b2b" in options:
        assert counts["companies"] == 0
    else:
        assert counts["source_items"] == 0


def test_same_seed_same_data_other_seed_other_data(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    first = Api(sandbox_factory(seed=7, orders=20)).search("/orders")
    again = Api(sandbox_factory(seed=7, orders=20)).search("/orders")
    other = Api(sandbox_factory(seed=8, orders=20)).search("/orders")
    assert first == again
    assert first["items"] != other["items"]


def quantities(api: Api, route: str) -> Counter[int]:
    counter: Counter[int] = Counter()
    for document in api.search(route)["items"]:
        for item in document["items"]:
            counter[item["order_item_id"]] += item["qty"]
    return counter


def test_quantities_and_states_agree_with_documents(api: Api) -> None:
    orders = api.search("/orders")["items"]
    invoiced = quantities(api, "/invoices")
    shipped = quantities(api, "/shipments")
    refunded = quantities(api, "/creditmemos")
    states = Counter(order["state"] for order in orders)
    assert set(states) <= {"new", "processing", "complete", "closed", "canceled", "holded"}
    assert len(states) >= 4
    for order in orders:
        lines = [item for item in order["items"] if "parent_item_id" not in item]
        for line in lines:
            assert line["qty_invoiced"] == invoiced[line["item_id"]]
            assert line["qty_shipped"] == shipped[line["item_id"]]
            assert line["qty_refunded"] == refunded[line["item_id"]]
        ordered = all(line["qty_invoiced"] == line["qty_ordered"] for line in lines)
        state = order["state"]
        if state in {"new", "holded"}:
            assert all(line["qty_invoiced"] == 0 for line in lines)
        if state == "complete":
            assert ordered
            assert all(line["qty_shipped"] == line["qty_ordered"] for line in lines)
        if state == "closed":
            assert all(line["qty_refunded"] == line["qty_ordered"] for line in lines)
        if state == "canceled":
            assert all(line["qty_canceled"] == line["qty_ordered"] for line in lines)
        for child in (item for item in order["items"] if "parent_item_id" in item):
            assert child["parent_item"]["item_id"] == child["parent_item_id"]
            assert child["product_type"] == "simple"
            assert child["parent_item"]["product_type"] == "configurable"
        assert order["created_at"] <= order["updated_at"]


def test_rows_share_one_updated_at_second(api: Api) -> None:
    seconds = Counter(order["updated_at"] for order in api.search("/orders")["items"])
    assert max(seconds.values()) >= 5


def test_large_store_mass_action_and_parallel_build(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    options = {"seed": 3, "orders": 5100, "customers": 50, "products": 40}
    parallel = sandbox_factory(**options, build_workers=2)
    serial = sandbox_factory(**options, build_workers=1)
    seconds = Counter(item["updated_at"] for item in parallel.control.truth("orders"))
    assert max(seconds.values()) >= 1000
    # Chunks built in worker processes give the same store as one process does.
    for kind in ("orders", "invoices", "shipments", "creditmemos"):
        assert parallel.control.truth(kind) == serial.control.truth(kind)
    assert parallel.control.entity("orders", 5100) == serial.control.entity("orders", 5100)


# A new process: its first requests arrive at once, before any route is loaded.
FIRST_REQUESTS_AT_ONCE = """
import sys, threading
import requests
from magento2_sandbox import Sandbox
from tests.sandbox.conftest import Api

with Sandbox(seed=2, orders=30, b2b=False, msi=False) as sandbox:
    api = Api(sandbox)
    statuses = []
    def get(page):
        criteria = {"searchCriteria[pageSize]": 1, "searchCriteria[currentPage]": page}
        answer = api.get("/orders", criteria)
        statuses.append(answer.status_code)
    threads = [threading.Thread(target=get, args=(page,)) for page in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(sorted(statuses))
"""


def test_the_first_requests_of_a_new_store_at_once_all_find_their_route() -> None:
    answer = subprocess.run(
        [sys.executable, "-c", FIRST_REQUESTS_AT_ONCE],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    assert answer.stdout.strip() == str([200] * 8), answer.stderr
