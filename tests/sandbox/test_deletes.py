# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Deleting entities: Magento's REST DELETE routes and the control route `POST /_sandbox/delete`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import requests
from magento2_sandbox import SandboxControlError

from .conftest import Api, criteria

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox


def delete(api: Api, route: str) -> requests.Response:
    return requests.delete(api.url(route), auth=api.auth, timeout=30)


def test_delete_product_by_sku(sandbox: Sandbox, api: Api) -> None:
    product = api.search("/products", criteria(pageSize=1))["items"][0]
    sku, product_id = product["sku"], product["id"]
    source_items_before = api.search("/inventory/source-items", criteria([("sku", sku, "eq")]))

    answer = delete(api, f"/products/{sku}")
    assert answer.status_code == 200
    assert answer.json() is True
    assert api.get(f"/products/{sku}").status_code == 404
    for store in ("default", "fr"):
        found = api.search("/products", criteria([("entity_id", product_id, "eq")]), store=store)
        assert found["total_count"] == 0
    assert product_id not in {row["id"] for row in sandbox.control.truth("products")}
    assert not [r for r in sandbox.control.truth("stock_items") if r["id"] == product_id]
    # MSI cleans its source items up later, from a queue (DeleteSourceItemsPlugin): still there.
    source_items_after = api.search("/inventory/source-items", criteria([("sku", sku, "eq")]))
    assert source_items_after["total_count"] == source_items_before["total_count"]

    again = delete(api, f"/products/{sku}")
    assert again.status_code == 404
    assert again.json()["message"].startswith("The product that was requested doesn't exist.")


def test_delete_customer(sandbox: Sandbox, api: Api) -> None:
    before = {row["id"]: row["updated_at"] for row in sandbox.control.truth("customers")}
    answer = delete(api, "/customers/3")
    assert answer.status_code == 200
    assert answer.json() is True
    after = {row["id"]: row["updated_at"] for row in sandbox.control.truth("customers")}
    assert after == {key: value for key, value in before.items() if key != 3}

    again = delete(api, "/customers/3")
    assert again.status_code == 404
    assert again.json() == {
        "message": "No such entity with %fieldName = %fieldValue",
        "parameters": {"fieldName": "customerId", "fieldValue": "3"},
    }


def test_delete_category_takes_its_subtree_and_roots_are_refused(
    sandbox: Sandbox, api: Api
) -> None:
    categories = {row["id"]: row for row in api.search("/categories/list", criteria())["items"]}
    parent = next(
        c for c in categories.values() if c["parent_id"] not in (0, 1, None) and c["parent_id"] != 2
    )["parent_id"]
    subtree = {parent}
    for category in sorted(categories.values(), key=lambda c: c["level"]):
        if category["parent_id"] in subtree:
            subtree.add(category["id"])
    assert len(subtree) > 1

    answer = delete(api, f"/categories/{parent}")
    assert answer.status_code == 200
    assert answer.json() is True
    left = {row["id"] for row in sandbox.control.truth("categories")}
    assert left == set(categories) - subtree

    for root in (1, 2):  # the tree's root and the store group's root category
        refused = delete(api, f"/categories/{root}")
        assert refused.status_code == 400
        assert refused.json() == {
            "message": "Cannot delete category with id %1",
            "parameters": [str(root)],
        }
    assert delete(api, f"/categories/{parent}").status_code == 404


def test_control_delete_removes_rows_and_nothing_else(sandbox: Sandbox) -> None:
    control = sandbox.control
    orders_before = control.truth("orders")
    source_items = [row["id"] for row in control.truth("source_items")][:3]
    pairs = [(item["sku"], item["source_code"]) for item in source_items]

    answer = control.delete("source_items", [*pairs, ("NO-SUCH-SKU", "default")])
    assert answer["deleted"] == [list(pair) for pair in pairs]
    assert answer["missing"] == [["NO-SUCH-SKU", "default"]]
    left = {(row["id"]["sku"], row["id"]["source_code"]) for row in control.truth("source_items")}
    assert not left & set(pairs)

    assert control.delete("companies", [1, 2, 999]) == {
        "kind": "companies",
        "deleted": [1, 2],
        "missing": [999],
    }
    assert {row["id"] for row in control.truth("companies")}.isdisjoint({1, 2})

    assert control.delete("orders", [orders_before[0]["id"]])["deleted"] == [orders_before[0]["id"]]
    assert control.truth("orders") == orders_before[1:]  # no other order's updated_at moved

    with pytest.raises(SandboxControlError, match="unknown kind 'widgets'"):
        control.delete("widgets", [1])
    with pytest.raises(SandboxControlError, match='give "ids"'):
        control._call("POST", "delete", {"kind": "orders"})
