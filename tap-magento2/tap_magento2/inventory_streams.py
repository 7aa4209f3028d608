# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Multi-Source Inventory: sources, stocks, source items. A store without MSI answers 404."""

from __future__ import annotations

from tap_magento2.client import FullTableStream


class MSIStream(FullTableStream):
    module = "MSI"


class InventorySourcesStream(MSIStream):
    name = "inventory_sources"
    route = "/inventory/sources"
    primary_keys = ("source_code",)


class InventoryStocksStream(MSIStream):
    name = "inventory_stocks"
    route = "/inventory/stocks"
    primary_keys = ("stock_id",)


class SourceItemsStream(MSIStream):
    """Source items have no id of their own: (sku, source_code) is the key and the sort."""

    name = "source_items"
    route = "/inventory/source-items"
    primary_keys = ("sku", "source_code")
