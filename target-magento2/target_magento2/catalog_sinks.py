# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Catalog: products, created or updated by SKU, through `all` unless a store view is named.

ProductRepository::save takes the store id of the URL's store code: a save through
`/rest/default/V1` (or `/rest/V1`) writes the store-scoped fields as overrides of store view 1,
which then no longer follows the global value (magento2 #9186, #17284, #7612). The global
values are written through `/rest/all/V1`; a record's `store_code` (or the
`products_store_code` setting) names a store view to write its own values.
"""

from __future__ import annotations

from typing import Any

from target_magento2.sinks import Entry, MagentoSink, Plan, Write

PRODUCTS_ROUTE = "/products"


def product_body(data: dict[str, Any]) -> dict[str, Any]:
    """Magento's product from the record: every field but `store_code`, attributes as a list."""
    product = {k: v for k, v in data.items() if k != "store_code"}
    attributes = product.get("custom_attributes")
    if isinstance(attributes, dict):
        product["custom_attributes"] = [
            {"attribute_code": code, "value": value} for code, value in attributes.items()
        ]
    return product


class ProductsSink(MagentoSink):
    """`POST /V1/products {"product": {...}, "saveOptions": true}` creates or updates by SKU.

    Only the fields given change: ProductRepository::save loads the stored product and merges the
    given data into it. The values are set, not added, so the client may repeat the call.
    """

    kind = "products"

    def store_code(self, entry: Entry) -> str:
        return str(entry.data.get("store_code") or self.config.get("products_store_code") or "all")

    def wave_key(self, entry: Entry) -> Any:
        # By SKU alone: ProductRepository::save loads the stored product, merges the given fields
        # and saves the whole entity (Catalog/Model/ProductRepository.php), so two saves of one
        # SKU at once race on the same rows even when they name two store views.
        return entry.data["sku"]

    def plan(self, entry: Entry) -> Plan:
        body = {"product": product_body(entry.data), "saveOptions": True}
        return Plan(
            entry,
            [
                Write(
                    "POST",
                    PRODUCTS_ROUTE,
                    body,
                    PRODUCTS_ROUTE,
                    body,
                    store_code=self.store_code(entry),
                )
            ],
        )
