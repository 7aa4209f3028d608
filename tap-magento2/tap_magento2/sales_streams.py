# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Sales documents: orders (with their items), invoices, shipments, credit memos.

All four routes search Magento's flat sales collections, whose `entity_id` is both the filter
field and the record field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from magento2_rest import timestamps

from tap_magento2.client import IncrementalStream
from tap_magento2.deletions import DeletionCheckedStream

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from singer_sdk.helpers.types import Context


class OrdersStream(DeletionCheckedStream):
    """GET /V1/orders. Also writes order_items from the same answers (no extra requests)."""

    name = "orders"
    route = "/orders"
    primary_keys = ("entity_id",)
    children_are_companions = True

    def order_items(self) -> OrderItemsStream | None:
        for child in self.child_streams:
            if isinstance(child, OrderItemsStream):
                return child
        return None

    def companions(self) -> list[IncrementalStream]:
        items = self.order_items()
        return [items] if items is not None and items.selected else []

    def generate_child_contexts(
        self,
        record: dict[str, Any],  # noqa: ARG002
        context: Context | None,  # noqa: ARG002
    ) -> Iterable[Context | None]:
        # order_items is written from each page while it is read (write_companions), not
        # synced once per order by the SDK: that would send a SCHEMA message per order.
        return ()

    def write_companions(
        self, row: dict[str, Any], companions: list[tuple[IncrementalStream, str | None]]
    ) -> None:
        key = row[self.replication_key]
        for companion, start in companions:
            if isinstance(companion, OrderItemsStream) and (start is None or key >= start):
                companion.write_order_items(row)

    def magento_fields(self) -> list[str] | None:
        wanted = super().magento_fields()
        items = self.order_items()
        if items is None or not items.selected:
            return wanted
        if wanted is None:
            return None
        if "items" in wanted:
            return wanted
        item_fields = items.magento_fields()
        wanted.append("items" if item_fields is None else f"items[{','.join(item_fields)}]")
        return wanted

    def selected_properties(self) -> list[str] | None:
        chosen = super().selected_properties()
        if not self.selected:
            # Only the cursor is needed from the orders themselves.
            return []
        return chosen


class OrderItemsStream(IncrementalStream):
    """The items of each order, taken from the orders answers; selectable on its own.

    Its bookmark is `order_updated_at`, the updated_at of the order the items came with:
    items are written in the orders' (updated_at, entity_id) order, so the bookmark is as
    resumable as the orders' one, and a run that reads only order_items still pages the orders
    route with the cursor from order_items' own bookmark.
    """

    name = "order_items"
    route = "/orders"
    primary_keys = ("item_id",)
    replication_key = "order_updated_at"
    parent_stream_type = OrdersStream
    derived_fields: ClassVar = {"order_updated_at": None}

    def required_fields(self) -> set[str]:
        return {"item_id", "order_id"}

    def write_order_items(self, order: dict[str, Any]) -> None:
        order_updated_at = timestamps.to_iso(order.get("updated_at"))
        for item in order.get("items") or ():
            record = self.shape(dict(item), None)
            record["order_updated_at"] = order_updated_at
            self.write_companion_record(record)

    def read(self, context: Context | None) -> Iterator[dict[str, Any]]:  # noqa: ARG002
        # Never synced on its own: the orders stream writes these records (see OrdersStream).
        return iter(())


class InvoicesStream(DeletionCheckedStream):
    name = "invoices"
    route = "/invoices"
    primary_keys = ("entity_id",)


class ShipmentsStream(DeletionCheckedStream):
    name = "shipments"
    route = "/shipments"
    primary_keys = ("entity_id",)


class CreditmemosStream(DeletionCheckedStream):
    name = "creditmemos"
    route = "/creditmemos"
    primary_keys = ("entity_id",)
