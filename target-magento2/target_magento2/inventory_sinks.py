# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Stock: MSI source items (many per request) and legacy single-source stock items."""

from __future__ import annotations

from typing import Any

from magento2_rest import MagentoError, MagentoInputLimitError, path_segment

from target_magento2.rejects import error_label, is_refusal
from target_magento2.sinks import Entry, MagentoSink, Plan, Write

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


class SourceItemsSink(MagentoSink):
    """`POST /V1/inventory/source-items {"sourceItems": [...]}`: quantities are set, not added,
    so a repeated request is harmless and the client may retry it.
    """

    kind = "source_items"
    MAX_SIZE_DEFAULT = 10000

    @property
    def batch_size(self) -> int:
        # Magento's input limits cap arrays in a synchronous body (20 when on, FACTS.md,
        # Searching): the learned limit survives from one batch to the next.
        return int(
            self.magento_target.learned_limits.get(self.kind, self.config.get("batch_size", 100))
        )

    def plan(self, entry: Entry) -> Plan:
        item = source_item(entry.data)
        return Plan(
            entry,
            [
                Write(
                    "POST",
                    SOURCE_ITEMS_ROUTE,
                    {"sourceItems": [item]},
                    SOURCE_ITEMS_ROUTE,
                    {"sourceItems": [item]},
                )
            ],
        )

    def run_plans(self, plans: list[Plan]) -> None:
        if self.dry_run or self.async_mode:
            # One bulk operation per record, so each result maps back to its record.
            super().run_plans(plans)
            return
        self._write_items([plan.entry for plan in plans])

    def _write_items(self, entries: list[Entry]) -> None:
        """Send the items in requests of `batch_size`; split, never drop, what the store refuses."""
        pending = [entries]
        while pending:
            part = pending.pop(0)
            size = self.batch_size
            if len(part) > size:
                pending[0:0] = [part[i : i + size] for i in range(0, len(part), size)]
                continue
            try:
                self.magento.request(
                    "POST",
                    SOURCE_ITEMS_ROUTE,
                    json={"sourceItems": [source_item(e.data) for e in part]},
                    idempotent=True,
                )
            except MagentoInputLimitError as error:
                if len(part) == 1:
                    self.refuse(part[0], error.message or str(error), route=error_label(error))
                    continue
                limit = min(error.max or len(part) // 2, len(part) - 1)
                self.logger.warning(
                    "%s: the store takes %d items per request at most (%s); splitting the batch",
                    self.stream_name,
                    limit,
                    error.message,
                )
                self.magento_target.learned_limits[self.kind] = max(1, limit)
                pending.insert(0, part)
                continue
            except MagentoError as error:
                if not is_refusal(error):
                    raise
                if len(part) == 1:
                    self.refuse(part[0], error.message or str(error), route=error_label(error))
                    continue
                # One bad item refuses the whole request (MSI validates the batch as a whole):
                # halve until the refused items stand alone, so the others are still written.
                half = len(part) // 2
                pending[0:0] = [part[:half], part[half:]]
                continue
            for entry in part:
                self.settle(entry, "written")


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
