# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Shipments on MSI stores: the record's source_code is the source the shipped quantities are
deducted from; without it the default source (the only source of the sandbox website's stock)."""

from __future__ import annotations

import pytest
from magento2_rest import SearchCriteria

from tests.target.helpers import MODES, client, fresh_orders, stream_messages, top_items


def quantities(sb, sku: str) -> dict[str, float]:
    criteria = SearchCriteria().where("sku", "eq", sku).page(20)
    with client(sb) as api:
        items = api.search("/inventory/source-items", criteria).items
    return {i["source_code"]: float(i["quantity"]) for i in items}


def stock_up(sb, skus: list[str], quantity: float) -> None:
    items = [
        {"sku": sku, "source_code": code, "quantity": quantity, "status": 1}
        for sku in skus
        for code in ("default", "eu_warehouse")
    ]
    with client(sb) as api:
        api.request("POST", "/inventory/source-items", json={"sourceItems": items})


@pytest.mark.parametrize("mode", MODES)
def test_shipment_deducts_from_the_named_source(shop, make_config, run_target, mode):
    shop.control.update_settings(source_deduction=True)
    named, unnamed = fresh_orders(shop, 2)
    skus = sorted({i["sku"] for o in (named, unnamed) for i in top_items(o)})
    stock_up(shop, skus, 500)
    records = [
        {"order_id": named["entity_id"], "source_code": "eu_warehouse"},
        {"order_id": unnamed["entity_id"]},
    ]
    run = run_target(make_config(shop, api_type=mode), stream_messages("shipments", records))

    assert run.summary["shipments"]["written"] == 2, run.rejects
    shipped: dict[tuple[str, str], float] = {}
    for order, code in ((named, "eu_warehouse"), (unnamed, "default")):
        for item in top_items(order):
            key = (item["sku"], code)
            shipped[key] = shipped.get(key, 0.0) + float(item["qty_ordered"])
    for sku in skus:
        left = quantities(shop, sku)
        for code in ("default", "eu_warehouse"):
            assert left[code] == 500 - shipped.get((sku, code), 0.0), (sku, code)


@pytest.mark.parametrize("mode", MODES)
def test_shipment_from_a_source_without_the_item_is_refused(shop, make_config, run_target, mode):
    """SourceDeductionService fails inside ShipOrder's transaction: nothing is shipped and
    Magento answers only "Could not save a shipment, see error log for details"."""
    shop.control.update_settings(source_deduction=True)
    (target_order,) = fresh_orders(shop, 1)
    record = {"order_id": target_order["entity_id"], "source_code": "nowhere"}
    run = run_target(make_config(shop, api_type=mode), stream_messages("shipments", [record]))

    assert run.summary["shipments"]["refused"] == 1
    assert run.rejects[0]["message"] == "Could not save a shipment, see error log for details"
    with client(shop) as api:
        after = api.get(f"/orders/{target_order['entity_id']}")
    assert all(not float(i.get("qty_shipped") or 0) for i in top_items(after))
