# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Order status and comments: `POST /V1/orders/{id}/comments`, `/hold`, `/unhold`, `/cancel`
(Sales/Model/Service/OrderService.php, Sales/Model/Order.php).

Each answers `true`. A comment is added every time it is sent (no idempotence); hold and unhold
refuse an order they cannot act on; cancel of an order that cannot be canceled answers `true`
and changes nothing (Order::cancel returns the order whatever canCancel said).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from magento2_sandbox.asyncbulk import body_of, webapi_input
from magento2_sandbox.errors import WebapiError
from magento2_sandbox.routes.sales_write import (
    DEFAULT_STATUS,
    _load_order,
    _num,
    _qty_to_invoice,
    _qty_to_ship,
    _sync_items,
)
from magento2_sandbox.routing import Ctx, route

if TYPE_CHECKING:
    from collections.abc import Callable

SERVICE = "Magento\\Sales\\Model\\Service\\OrderService\\Interceptor::"
# Sales/etc/config.xml order_statuses/states: the statuses assigned to each state (a store may
# assign more in the admin; the sandbox has the defaults).
STATE_STATUSES = {
    **{state: {status} for state, status in DEFAULT_STATUS.items()},
    "processing": {"processing", "fraud"},
    "payment_review": {"payment_review", "fraud"},
}
# OrderService::addComment (2.4: the status given must belong to the order's state;
# Sales/Test/Unit/Model/Service/OrderServiceTest.php testAddCommentWithStatus).
STATUS_NOT_IN_STATE = (
    'Unable to add comment: The status "%1" is not part of the order status history.'
)
# Sales/Model/Order.php hold() and unhold().
HOLD_NOT_AVAILABLE = "A hold action is not available."
UNHOLD_NOT_AVAILABLE = "You cannot remove the hold."


def _flag(value: Any) -> int:
    return 1 if value in {True, "1", "true"} else 0


@route("POST", "/V1/orders/{id}/comments")
@webapi_input(
    required=("statusHistory",),
    integers=("id",),
    path_params={"id": None},
    service=SERVICE + "addComment",
)
def add_comment(ctx: Ctx, id: str) -> bool:  # noqa: A002 - Magento's parameter name
    history = body_of(ctx).get("statusHistory")
    history = history if isinstance(history, dict) else {}
    store = ctx.store
    with store.transaction():
        order = _load_order(ctx, id)
        status = history.get("status") or order.get("status")
        if history.get("status") and status not in STATE_STATUSES.get(
            str(order.get("state")), set()
        ):
            raise WebapiError(400, STATUS_NOT_IN_STATE, [str(status)])
        order["status"] = status
        # Order::addStatusHistory puts the new entry first (the order's status history is
        # answered newest first).
        order.setdefault("status_histories", []).insert(
            0,
            {
                "comment": str(history.get("comment") or ""),
                "created_at": store.now(),
                "entity_id": store.next_nested_id("orders", "status_histories"),
                "entity_name": "order",
                "is_customer_notified": _flag(history.get("is_customer_notified")),
                "is_visible_on_front": _flag(history.get("is_visible_on_front")),
                "parent_id": order["entity_id"],
                "status": status,
            },
        )
        store.put("orders", order)
    return True


def _can_hold(order: dict[str, Any]) -> bool:
    return order.get("state") not in {
        "payment_review",
        "canceled",
        "complete",
        "closed",
        "holded",
    }


def _set_state(ctx: Ctx, order_id: str, change: Callable[[dict[str, Any]], None]) -> bool:
    store = ctx.store
    with store.transaction():
        order = _load_order(ctx, order_id)
        change(order)
        store.put("orders", order)
    return True


def _hold(order: dict[str, Any]) -> None:
    if not _can_hold(order):
        raise WebapiError(400, HOLD_NOT_AVAILABLE)
    order["hold_before_state"] = order.get("state")
    order["hold_before_status"] = order.get("status")
    order["state"], order["status"] = "holded", DEFAULT_STATUS["holded"]


def _unhold(order: dict[str, Any]) -> None:
    if order.get("state") != "holded":
        raise WebapiError(400, UNHOLD_NOT_AVAILABLE)
    order["state"] = order.pop("hold_before_state", None) or "new"
    order["status"] = order.pop("hold_before_status", None) or DEFAULT_STATUS[order["state"]]


@route("POST", "/V1/orders/{id}/hold")
@webapi_input(integers=("id",), path_params={"id": None}, service=SERVICE + "hold")
def hold(ctx: Ctx, id: str) -> bool:  # noqa: A002 - Magento's parameter name
    return _set_state(ctx, id, _hold)


@route("POST", "/V1/orders/{id}/unhold")
@webapi_input(integers=("id",), path_params={"id": None}, service=SERVICE + "unHold")
def unhold(ctx: Ctx, id: str) -> bool:  # noqa: A002 - Magento's parameter name
    return _set_state(ctx, id, _unhold)


def _can_cancel(order: dict[str, Any]) -> bool:
    """Order::canCancel: not held or in payment review, something left to invoice, not canceled,
    complete or closed."""
    if order.get("state") in {"holded", "payment_review", "canceled", "complete", "closed"}:
        return False
    return any(_qty_to_invoice(item) > 0 for item in order.get("items", []))


def _cancel(order: dict[str, Any]) -> None:
    """Order::registerCancellation: each item cancels what is neither invoiced nor shipped
    (Order/Item.php getQtyToCancel = min(to invoice, to ship)); the order is canceled, or stays
    processing (complete) when something invoiced is left to ship (to refund)."""
    if not _can_cancel(order):
        return  # Order::cancel does nothing and OrderService still answers (bool) $order
    state = "canceled"
    for item in order.get("items", []):
        invoiced_left = _num(item.get("qty_invoiced")) - _num(item.get("qty_refunded"))
        if state != "processing" and invoiced_left > 0:
            state = "processing" if _qty_to_ship(item) > 0 else "complete"
        to_cancel = min(_qty_to_invoice(item), _qty_to_ship(item) or _qty_to_invoice(item))
        if to_cancel > 0:
            item["qty_canceled"] = _num(item.get("qty_canceled")) + to_cancel
    order["state"], order["status"] = state, DEFAULT_STATUS[state]
    _sync_items(order)


@route("POST", "/V1/orders/{id}/cancel")
@webapi_input(integers=("id",), path_params={"id": None}, service=SERVICE + "cancel")
def cancel(ctx: Ctx, id: str) -> bool:  # noqa: A002 - Magento's parameter name
    return _set_state(ctx, id, _cancel)
