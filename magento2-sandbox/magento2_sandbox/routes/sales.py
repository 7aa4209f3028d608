# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Sales reads: orders, invoices, shipments, credit memos (Magento_Sales webapi.xml)."""

from __future__ import annotations

from typing import Any

from magento2_sandbox.errors import NOT_FOUND, WebapiError
from magento2_sandbox.routing import Ctx, RawJson, route


def _one(ctx: Ctx, kind: str, key: str) -> RawJson:
    return ctx.one(kind, key, WebapiError(404, NOT_FOUND))


@route("GET", "/V1/orders")
def search_orders(ctx: Ctx) -> RawJson:
    return ctx.search("orders")


@route("GET", "/V1/orders/{id}")
def get_order(ctx: Ctx, id: str) -> RawJson:  # noqa: A002 - Magento's parameter name
    return _one(ctx, "orders", id)


def _comments(ctx: Ctx, kind: str, key: str, array: str) -> dict[str, Any]:
    """A document's comments as their repository lists them: Sales/Model/Service/InvoiceService
    (OrderService and ShipmentService alike) getCommentsList searches the
    comments with parent_id = id, so an unknown id answers an empty list, not 404."""
    doc = ctx.store.get(kind, key)
    comments = sorted((doc or {}).get(array) or [], key=lambda row: int(row["entity_id"]))
    return {
        "items": comments,
        "search_criteria": {
            "filter_groups": [{"filters": [{"field": "parent_id", "value": key}]}],
        },
        "total_count": len(comments),
    }


@route("GET", "/V1/orders/{id}/comments")
def order_comments(ctx: Ctx, id: str) -> dict[str, Any]:  # noqa: A002
    return _comments(ctx, "orders", id, "status_histories")


@route("GET", "/V1/invoices/{id}/comments")
def invoice_comments(ctx: Ctx, id: str) -> dict[str, Any]:  # noqa: A002
    return _comments(ctx, "invoices", id, "comments")


@route("GET", "/V1/shipment/{id}/comments")
def shipment_comments(ctx: Ctx, id: str) -> dict[str, Any]:  # noqa: A002
    return _comments(ctx, "shipments", id, "comments")


@route("GET", "/V1/creditmemo/{id}/comments")
def creditmemo_comments(ctx: Ctx, id: str) -> dict[str, Any]:  # noqa: A002
    return _comments(ctx, "creditmemos", id, "comments")


@route("GET", "/V1/invoices")
def search_invoices(ctx: Ctx) -> RawJson:
    return ctx.search("invoices")


@route("GET", "/V1/invoices/{id}")
def get_invoice(ctx: Ctx, id: str) -> RawJson:  # noqa: A002
    return _one(ctx, "invoices", id)


@route("GET", "/V1/shipments")
def search_shipments(ctx: Ctx) -> RawJson:
    return ctx.search("shipments")


@route("GET", "/V1/shipment/{id}")
def get_shipment(ctx: Ctx, id: str) -> RawJson:  # noqa: A002
    return _one(ctx, "shipments", id)


@route("GET", "/V1/creditmemos")
def search_creditmemos(ctx: Ctx) -> RawJson:
    return ctx.search("creditmemos")


@route("GET", "/V1/creditmemo/{id}")
def get_creditmemo(ctx: Ctx, id: str) -> RawJson:  # noqa: A002
    return _one(ctx, "creditmemos", id)
