# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""MSI reads (Magento_InventoryApi webapi.xml); 404 when the sandbox runs without MSI."""

from __future__ import annotations

from magento2_sandbox.errors import WebapiError
from magento2_sandbox.routing import Ctx, RawJson, route


@route("GET", "/V1/inventory/sources")
def search_sources(ctx: Ctx) -> RawJson:
    return ctx.search("inventory_sources")


@route("GET", "/V1/inventory/sources/{sourceCode}")
def get_source(ctx: Ctx, sourceCode: str) -> RawJson:  # noqa: N803
    # Inventory/Model/Source/Command/Get.php
    return ctx.one(
        "inventory_sources",
        sourceCode,
        WebapiError(404, 'Source with code "%value" does not exist.', {"value": sourceCode}),
    )


@route("GET", "/V1/inventory/stocks")
def search_stocks(ctx: Ctx) -> RawJson:
    return ctx.search("inventory_stocks")


@route("GET", "/V1/inventory/stocks/{stockId}")
def get_stock(ctx: Ctx, stockId: str) -> RawJson:  # noqa: N803
    # Inventory/Model/Stock/Command/Get.php
    return ctx.one(
        "inventory_stocks",
        stockId,
        WebapiError(404, 'Stock with id "%value" does not exist.', {"value": stockId}),
    )


@route("GET", "/V1/inventory/source-items")
def search_source_items(ctx: Ctx) -> RawJson:
    return ctx.search("source_items")
