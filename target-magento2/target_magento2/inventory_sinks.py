# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Stock: MSI source items (many per request) and legacy single-source stock items."""

from __future__ import annotations

from typing import Any

from magento2_rest import path_segment

from target_magento2.sinks import ArraySink, Entry, MagentoSink, Plan, Write

SOURCE_ITEMS_ROUTE = "/inventory/source-items"


def source_item(data: dict[str, Any]) -> dict[str, Any]:
    status = data.get("status")
    if status is None:
        status = 1 if data["quantity"] > 0 else 0
    return {
        "sku": data["sku"],
        "source_code": data["source_code"],
        "quantity": data["quantity"],
        "status": status,
    }


class SourceItemsSink(ArraySink):
    """`POST /V1/inventory/source-items {"sourceItems": [...]}`: quantities are set, not added,
    so a repeated request is harmless and the client may retry it.
    """

    kind = "source_items"
    MAX_SIZE_DEFAULT = 10000
    array_route = SOURCE_ITEMS_ROUTE
    array_field = "sourceItems"

    def wave_key(self, entry: Entry) -> Any:
        # No two requests in flight hold one SKU: two saves of one SKU at once race on its rows
        # (its source items, the legacy stock item the default source is copied to, its stock
        # index), and a save that fails that way - a deadlock - comes back as 400 "Could not save
        # Source Item", as any failure of the save does (Inventory/Model/SourceItem/Command/
        # Handler/SourceItemsSaveHandler.php). A later record of a SKU goes in the next wave, so
        # it also lands last.
        return entry.data["sku"]

    def item(self, entry: Entry) -> dict[str, Any]:
        return source_item(entry.data)


class StockItemsSink(MagentoSink):
    """`PUT /V1/products/{sku}/stockItems/{itemId} {"stockItem": {...}}` (single-source stores).

    Magento ignores `{itemId}`: StockRegistry::updateStockItemBySku takes the SKU and the body only
    and loads the product's stock item itself (CatalogInventory/Model/StockRegistry.php), so no
    read is spent on finding it; a record's `item_id` is used when given.
    """

    kind = "stock_items"

    def wave_key(self, entry: Entry) -> Any:
        return entry.data["sku"]

    def plan(self, entry: Entry) -> Plan:
        data = entry.data
        stock_item = {k: v for k, v in data.items() if k not in {"sku", "item_id"}}
        stock_item.setdefault("is_in_stock", data["qty"] > 0)
        item_id = data.get("item_id", 1)
        route = f"/products/{path_segment(data['sku'])}/stockItems/{item_id}"
        return Plan(
            entry,
            [
                Write(
                    "PUT",
                    route,
                    {"stockItem": stock_item},
                    "/products/byProductSku/stockItems/byItemId",
                    # A bulk entry carries {itemId} as the entity's id, not at the top level
                    # (ParamsOverrider::overrideRequestBodyIdWithPathParam).
                    {"productSku": data["sku"], "stockItem": {**stock_item, "item_id": item_id}},
                )
            ],
        )
