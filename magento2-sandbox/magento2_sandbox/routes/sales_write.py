# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Invoice and ship an order: `POST /V1/order/{orderId}/invoice` and `/V1/order/{orderId}/ship`
(Sales/Model/InvoiceOrder.php, Sales/Model/ShipOrder.php).

Both answer the new document's id. Neither is idempotent: a call repeated after a lost answer
invoices or ships what is left, or is refused once nothing is left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from magento2_sandbox.asyncbulk import as_int, body_of, webapi_input
from magento2_sandbox.errors import NOT_FOUND, WebapiError
from magento2_sandbox.routes.inventory_write import deduct_shipped, shipment_source_code
from magento2_sandbox.routing import Ctx, route

if TYPE_CHECKING:
    from magento2_sandbox.store import Store

# Sales/etc/config.xml: the default status of each order state.
DEFAULT_STATUS = {
    "new": "pending",
    "pending_payment": "pending_payment",
    "payment_review": "payment_review",
    "processing": "processing",
    "complete": "complete",
    "closed": "closed",
    "canceled": "canceled",
    "holded": "holded",
}
INVOICE_STATE_PAID = 2  # Sales/Model/Order/Invoice.php STATE_PAID
INVOICE_ERRORS = "Invoice Document Validation Error(s):\n"
SHIPMENT_ERRORS = "Shipment Document Validation Error(s):\n"
EPSILON = 0.0001


# -- the order model (Sales/Model/Order.php, Sales/Model/Order/Item.php) ------------------


def _num(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _money(value: float) -> float:
    # Sales amounts are DECIMAL(20,4) columns.
    return round(value + 0.0, 4)


def _is_dummy(item: dict[str, Any]) -> bool:
    """Order/Item.php isDummy(): a configurable's child carries no price and no quantity of its
    own; its parent is invoiced and shipped (children neither calculated nor shipped apart)."""
    return item.get("parent_item_id") is not None


def _qty_to_invoice(item: dict[str, Any]) -> float:
    if _is_dummy(item):
        return 0.0
    left = _num(item.get("qty_ordered")) - _num(item.get("qty_invoiced"))
    return max(0.0, left - _num(item.get("qty_canceled")))


def _qty_to_ship(item: dict[str, Any]) -> float:
    if _is_dummy(item) or item.get("is_virtual"):
        return 0.0
    left = _num(item.get("qty_ordered")) - _num(item.get("qty_shipped"))
    left -= _num(item.get("qty_refunded")) + _num(item.get("qty_canceled"))
    return max(0.0, left)


def _blocked(order: dict[str, Any]) -> bool:
    """canUnhold() or isPaymentReview(): nothing moves until the order is released."""
    return order.get("state") in {"holded", "payment_review"}


def _can_invoice(order: dict[str, Any]) -> bool:
    if _blocked(order) or order.get("state") in {"canceled", "complete", "closed"}:
        return False
    return any(
        _qty_to_invoice(item) > 0 and not item.get("locked_do_invoice")
        for item in order.get("items", [])
    )


def _can_ship(order: dict[str, Any]) -> bool:
    if _blocked(order) or order.get("is_virtual") or order.get("state") == "canceled":
        return False
    return any(
        _qty_to_ship(item) > 0 and not item.get("locked_do_ship") for item in order.get("items", [])
    )


def _can_creditmemo(order: dict[str, Any]) -> bool:
    if _blocked(order) or order.get("state") in {"canceled", "closed"}:
        return False
    return abs(_num(order.get("total_paid")) - _num(order.get("total_refunded"))) >= EPSILON


def _resolve_state(order: dict[str, Any]) -> str:
    """Order/StateResolver.php getStateForOrder(order, [IN_PROGRESS])."""
    state = "processing" if order.get("state") == "processing" else "new"
    if order.get("state") != "canceled" and not (
        _blocked(order) or _can_invoice(order) or _can_ship(order)
    ):
        if _num(order.get("base_grand_total")) == 0 or _can_creditmemo(order):
            state = "complete"
        elif _num(order.get("total_refunded")):
            state = "closed"
    if order.get("state") == "new":
        state = "processing"
    return state


def _check_state(order: dict[str, Any]) -> bool:
    """ResourceModel/Order/Handler/State.php check(), run when the order is saved; True when it
    changed the state or status (it then adds an empty status history comment)."""
    before = (order.get("state"), order.get("status"))
    if order.get("state") == "new":  # the order is in process once a document is registered
        order["state"], order["status"] = "processing", DEFAULT_STATUS["processing"]
    state = order.get("state")
    if state != "canceled" and not _blocked(order) and not _can_invoice(order):
        if (
            state in {"processing", "complete"}
            and not _can_creditmemo(order)
            and not _can_ship(order)
            and not order.get("is_virtual")
        ):
            order["state"], order["status"] = "closed", DEFAULT_STATUS["closed"]
        elif state == "processing" and not _can_ship(order):
            order["state"], order["status"] = "complete", DEFAULT_STATUS["complete"]
    return (order.get("state"), order.get("status")) != before


def _save_order(store: Store, order: dict[str, Any], now: str) -> None:
    if _check_state(order):
        order.setdefault("status_histories", []).insert(
            0,
            {
                "comment": "",
                "created_at": now,
                "entity_id": store.next_nested_id("orders", "status_histories"),
                "entity_name": "order",
                # Order::addStatusHistoryComment sets no is_customer_notified (the column stays
                # NULL) and the required getter answers it as null (DataObjectProcessor).
                "is_customer_notified": None,
                "is_visible_on_front": 0,
                "parent_id": order["entity_id"],
                "status": order.get("status"),
            },
        )
    _sync_items(order)
    store.put("orders", order)


def _sync_items(order: dict[str, Any]) -> None:
    """Children carry a copy of their parent item, and the shipping assignment a copy of the
    items: keep them equal to the items themselves."""
    items = order.get("items", [])
    by_id = {item.get("item_id"): item for item in items}
    for item in items:
        parent = by_id.get(item.get("parent_item_id"))
        if parent is not None:
            item["qty_invoiced"] = parent.get("qty_invoiced", 0)
            item["qty_shipped"] = parent.get("qty_shipped", 0)
            item["qty_refunded"] = parent.get("qty_refunded", 0)
            if "parent_item" in item:
                item["parent_item"] = {k: v for k, v in parent.items() if k != "parent_item"}
    for assignment in (order.get("extension_attributes") or {}).get("shipping_assignments", []):
        if isinstance(assignment, dict) and "items" in assignment:
            assignment["items"] = items


def _load_order(ctx: Ctx, order_id: str) -> dict[str, Any]:
    order = ctx.store.get("orders", as_int(order_id))
    if order is None:
        # Sales/Model/OrderRepository.php get()
        raise WebapiError(404, NOT_FOUND)
    return order


def _requested(body: dict[str, Any]) -> dict[int, float]:
    """items [{order_item_id, qty}] as order item id -> qty (a repeated id: the last wins)."""
    wanted: dict[int, float] = {}
    for entry in body.get("items") or []:
        if not isinstance(entry, dict):
            continue
        item_id = entry.get("order_item_id", entry.get("orderItemId"))
        if item_id is None:
            continue
        wanted[as_int(item_id)] = _num(entry.get("qty"))
    return wanted


def _comment(
    body: dict[str, Any], notified: bool, parent_id: int, entity_id: int, now: str
) -> dict[str, Any]:
    comment = body.get("comment") or {}
    return {
        "comment": str(comment.get("comment") or ""),
        "created_at": now,
        "entity_id": entity_id,
        "is_customer_notified": 1 if notified else 0,
        "is_visible_on_front": 1 if comment.get("is_visible_on_front") else 0,
        "parent_id": parent_id,
    }


def _has_comment(body: dict[str, Any]) -> bool:
    comment = body.get("comment")
    return isinstance(comment, dict) and bool(comment.get("comment"))


def _shipping_address_id(order: dict[str, Any]) -> Any:
    for assignment in (order.get("extension_attributes") or {}).get("shipping_assignments", []):
        address = ((assignment or {}).get("shipping") or {}).get("address") or {}
        if address.get("entity_id") is not None:
            return address["entity_id"]
    return None


# -- invoice ---------------------------------------------------------------------------------


def _invoice_lines(
    order: dict[str, Any], wanted: dict[int, float]
) -> list[tuple[dict[str, Any], float]]:
    """Service/InvoiceService.php prepareInvoice(): every item that can be invoiced, with the
    quantity asked (all that is left when no items are given, 0 for those not asked)."""
    lines = []
    for item in order.get("items", []):
        if _is_dummy(item) or _qty_to_invoice(item) <= 0 or item.get("locked_do_invoice"):
            continue
        item_id = as_int(item.get("item_id"))
        if item_id in wanted:
            qty = max(0.0, wanted[item_id])
            if not item.get("is_qty_decimal"):
                qty = float(int(qty))
            # InvoiceService::setInvoiceItemQuantity refuses it before any validator runs
            # (magento2 #22743 shows it since 2.3).
            if qty > _qty_to_invoice(item) + EPSILON:
                raise WebapiError(
                    400, 'We found an invalid quantity to invoice item "%1".', [item.get("name")]
                )
        elif not wanted:
            qty = _qty_to_invoice(item)
        else:
            qty = 0.0
        lines.append((item, qty))
    return lines


def _validate_invoice(order: dict[str, Any], lines: list[tuple[dict[str, Any], float]]) -> None:
    """Order/Validation/InvoiceOrder.php: InvoiceQuantityValidator, then CanInvoice."""
    messages = []
    if sum(qty for _, qty in lines) <= 0:
        messages.append("You can't create an invoice without products.")
    if order.get("state") in {"payment_review", "holded", "canceled", "complete", "closed"}:
        messages.append(
            f"An invoice cannot be created when an order has a status of {order.get('status')}"
        )
    elif not _can_invoice(order):
        messages.append("The order does not allow an invoice to be created.")
    if messages:
        raise WebapiError(400, INVOICE_ERRORS + "\n".join(messages))


def _share(item: dict[str, Any], field: str, done: str, qty: float, last: bool) -> float:
    """The part of an item amount this invoice carries; the last invoice takes what is left,
    so rounding never leaves cents behind (Invoice/Total collectors)."""
    total = _num(item.get(field))
    if last:
        return _money(total - _num(item.get(done)))
    ordered = _num(item.get("qty_ordered")) or 1.0
    return _money(total * qty / ordered)


def document_line(
    item: dict[str, Any],
    qty: float,
    row: float,
    base_row: float,
    amounts: tuple[float, float, float, float],
) -> dict[str, Any]:
    """An invoice's or credit memo's line for `qty` of an order item: its row total and
    (tax, base tax, discount, base discount) as this document carries them."""
    tax, base_tax, discount, base_discount = amounts
    return {
        "base_cost": 0,
        "base_discount_amount": base_discount,
        "base_price": item.get("base_price"),
        "base_price_incl_tax": item.get("base_price_incl_tax"),
        "base_row_total": base_row,
        "base_row_total_incl_tax": _money(base_row + base_tax),
        "base_tax_amount": base_tax,
        "discount_amount": discount,
        "name": item.get("name"),
        "order_item_id": item.get("item_id"),
        "price": item.get("price"),
        "price_incl_tax": item.get("price_incl_tax"),
        "product_id": item.get("product_id"),
        "qty": qty,
        "row_total": row,
        "row_total_incl_tax": _money(row + tax),
        "sku": item.get("sku"),
        "tax_amount": tax,
    }


@route("POST", "/V1/order/{orderId}/invoice")
@webapi_input(
    integers=("orderId",),
    path_params={"orderId": None},
    service="Magento\\Sales\\Model\\InvoiceOrder\\Interceptor::execute",
    arrays={"items": "\\Magento\\Sales\\Api\\Data\\InvoiceItemCreationInterface"},
)
def invoice_order(ctx: Ctx, orderId: str) -> int:  # noqa: N803 - Magento's parameter name
    body = body_of(ctx)
    store = ctx.store
    with store.transaction():
        order = _load_order(ctx, orderId)
        lines = _invoice_lines(order, _requested(body))
        _validate_invoice(order, lines)
        now = store.now()
        invoice_id = store.next_id("invoices")
        lines = [(item, qty) for item, qty in lines if qty > 0]
        invoice_items = []
        totals = dict.fromkeys(("subtotal", "base_subtotal", "tax", "base_tax", "discount",
                                "base_discount", "incl_tax", "base_incl_tax"), 0.0)  # fmt: skip
        for item, qty in lines:
            last = qty >= _qty_to_invoice(item) - EPSILON
            row = _share(item, "row_total", "row_invoiced", qty, last)
            base_row = _share(item, "base_row_total", "base_row_invoiced", qty, last)
            tax = _share(item, "tax_amount", "tax_invoiced", qty, last)
            base_tax = _share(item, "base_tax_amount", "base_tax_invoiced", qty, last)
            discount = _share(item, "discount_amount", "discount_invoiced", qty, last)
            base_discount = _share(
                item, "base_discount_amount", "base_discount_invoiced", qty, last
            )
            invoice_items.append(
                {
                    **document_line(
                        item, qty, row, base_row, (tax, base_tax, discount, base_discount)
                    ),
                    "entity_id": store.next_nested_id("invoices", "items"),
                    "parent_id": invoice_id,
                }
            )
            # Order/Invoice/Item.php register()
            item["qty_invoiced"] = _num(item.get("qty_invoiced")) + qty
            for field, value in (("row_invoiced", row), ("base_row_invoiced", base_row),
                                 ("tax_invoiced", tax), ("base_tax_invoiced", base_tax),
                                 ("discount_invoiced", discount),
                                 ("base_discount_invoiced", base_discount)):  # fmt: skip
                item[field] = _money(_num(item.get(field)) + value)
            totals["subtotal"] += row
            totals["base_subtotal"] += base_row
            totals["tax"] += tax
            totals["base_tax"] += base_tax
            totals["discount"] += discount
            totals["base_discount"] += base_discount
        invoice = _invoice_document(order, invoice_id, invoice_items, totals, now)
        if _has_comment(body):
            notified = bool(body.get("appendComment")) and bool(body.get("notify"))
            comment_id = store.next_nested_id("invoices", "comments")
            invoice["comments"].append(_comment(body, notified, invoice_id, comment_id, now))
        if body.get("notify"):
            invoice["email_sent"] = 1
        _pay(order, invoice)
        # InvoiceOrder::createInvoice: the state the resolver gives, its default status.
        order["state"] = _resolve_state(order)
        order["status"] = DEFAULT_STATUS.get(order["state"], order.get("status"))
        # DataObjectProcessor leaves null fields out of answers: store what is set.
        store.put("invoices", {k: v for k, v in invoice.items() if v is not None})
        _save_order(store, order, now)
    return invoice_id


def _invoice_document(
    order: dict[str, Any],
    invoice_id: int,
    items: list[dict[str, Any]],
    totals: dict[str, float],
    now: str,
) -> dict[str, Any]:
    last = not any(_qty_to_invoice(item) > 0 for item in order.get("items", []))
    # Invoice/Total/Shipping.php: the first invoice carries the whole shipping amount.
    shipping = base_shipping = shipping_tax = base_shipping_tax = 0.0
    if abs(_num(order.get("shipping_invoiced"))) < EPSILON:
        shipping = _num(order.get("shipping_amount"))
        base_shipping = _num(order.get("base_shipping_amount"))
        shipping_tax = _num(order.get("shipping_tax_amount"))
        base_shipping_tax = _num(order.get("base_shipping_tax_amount"))
    discount, base_discount = _invoice_discount(order, totals, last=last)
    subtotal, base_subtotal = _money(totals["subtotal"]), _money(totals["base_subtotal"])
    tax = _money(totals["tax"] + shipping_tax)
    base_tax = _money(totals["base_tax"] + base_shipping_tax)
    grand = _money(subtotal + shipping + tax + discount)
    base_grand = _money(base_subtotal + base_shipping + base_tax + base_discount)
    return {
        "base_currency_code": order.get("base_currency_code"),
        "base_discount_amount": base_discount,
        "base_grand_total": base_grand,
        "base_discount_tax_compensation_amount": 0,
        "base_shipping_amount": base_shipping,
        "base_shipping_incl_tax": _money(base_shipping + base_shipping_tax),
        "base_shipping_tax_amount": base_shipping_tax,
        "base_subtotal": base_subtotal,
        "base_subtotal_incl_tax": _money(base_subtotal + totals["base_tax"]),
        "base_tax_amount": base_tax,
        "base_to_global_rate": order.get("base_to_global_rate"),
        "base_to_order_rate": order.get("base_to_order_rate"),
        "billing_address_id": order.get("billing_address_id"),
        "can_void_flag": 0,
        "created_at": now,
        "discount_amount": discount,
        "entity_id": invoice_id,
        "global_currency_code": order.get("global_currency_code"),
        "grand_total": grand,
        "discount_tax_compensation_amount": 0,
        "increment_id": f"{invoice_id:09d}",
        "is_used_for_refund": 0,
        "order_currency_code": order.get("order_currency_code"),
        "order_id": order["entity_id"],
        "shipping_address_id": _shipping_address_id(order),
        "shipping_amount": shipping,
        "shipping_discount_tax_compensation_amount": 0,
        "shipping_incl_tax": _money(shipping + shipping_tax),
        "shipping_tax_amount": shipping_tax,
        "state": INVOICE_STATE_PAID,
        "store_currency_code": order.get("store_currency_code"),
        "store_id": order.get("store_id"),
        "store_to_base_rate": order.get("store_to_base_rate"),
        "store_to_order_rate": order.get("store_to_order_rate"),
        "subtotal": subtotal,
        "subtotal_incl_tax": _money(subtotal + totals["tax"]),
        "tax_amount": tax,
        "total_qty": sum(item["qty"] for item in items),
        "updated_at": now,
        "items": items,
        "comments": [],
    }


def _invoice_discount(
    order: dict[str, Any], totals: dict[str, float], *, last: bool
) -> tuple[float, float]:
    """Invoice/Total/Discount.php sums the items' discounts (negative on the invoice). Where
    the order keeps its discount at order level only, it is spread over the subtotal and the
    last invoice takes what is left."""
    if any(_num(item.get("discount_amount")) > EPSILON for item in order.get("items", [])):
        return _money(-totals["discount"]), _money(-totals["base_discount"])
    if last:
        return (
            _money(_num(order.get("discount_amount")) - _num(order.get("discount_invoiced"))),
            _money(
                _num(order.get("base_discount_amount")) - _num(order.get("base_discount_invoiced"))
            ),
        )
    share = totals["subtotal"] / (_num(order.get("subtotal")) or 1.0)
    return (
        _money(_num(order.get("discount_amount")) * share),
        _money(_num(order.get("base_discount_amount")) * share),
    )


def _add(doc: dict[str, Any], field: str, value: float) -> None:
    doc[field] = _money(_num(doc.get(field)) + value)


def _pay(order: dict[str, Any], invoice: dict[str, Any]) -> None:
    """Order/Invoice/PayOperation.php: the order's invoiced totals; then Invoice::pay(), which
    offline methods (checkmo, banktransfer, purchaseorder) reach with or without `capture`."""
    for order_field, invoice_field in (
        ("total_invoiced", "grand_total"),
        ("base_total_invoiced", "base_grand_total"),
        ("subtotal_invoiced", "subtotal"),
        ("base_subtotal_invoiced", "base_subtotal"),
        ("tax_invoiced", "tax_amount"),
        ("base_tax_invoiced", "base_tax_amount"),
        ("shipping_tax_invoiced", "shipping_tax_amount"),
        ("base_shipping_tax_invoiced", "base_shipping_tax_amount"),
        ("shipping_invoiced", "shipping_amount"),
        ("base_shipping_invoiced", "base_shipping_amount"),
        ("discount_invoiced", "discount_amount"),
        ("base_discount_invoiced", "base_discount_amount"),
        ("total_paid", "grand_total"),
        ("base_total_paid", "base_grand_total"),
    ):
        _add(order, order_field, _num(invoice.get(invoice_field)))
    order.setdefault("base_total_invoiced_cost", 0)
    due = _num(order.get("grand_total")) - _num(order.get("total_paid"))
    base_due = _num(order.get("base_grand_total")) - _num(order.get("base_total_paid"))
    order["total_due"] = _money(max(0.0, due - _num(order.get("total_canceled"))))
    order["base_total_due"] = _money(max(0.0, base_due - _num(order.get("base_total_canceled"))))
    payment = order.get("payment")
    if isinstance(payment, dict):
        # Order/Payment.php pay(): _updateTotals
        _add(payment, "amount_paid", _num(invoice.get("grand_total")))
        _add(payment, "base_amount_paid", _num(invoice.get("base_grand_total")))
        _add(payment, "shipping_captured", _num(invoice.get("shipping_amount")))
        _add(payment, "base_shipping_captured", _num(invoice.get("base_shipping_amount")))


# -- ship ------------------------------------------------------------------------------------


def _shipment_lines(
    order: dict[str, Any], wanted: dict[int, float]
) -> list[tuple[dict[str, Any], float]]:
    """Order/ShipmentFactory.php prepareItems(): without items, all that is left; an item asked
    for more than is left ships what is left (min); items left to ship 0 are skipped."""
    lines = []
    for item in order.get("items", []):
        if _is_dummy(item) or item.get("is_virtual") or item.get("locked_do_ship"):
            continue
        left = _qty_to_ship(item)
        if left <= 0:
            continue
        item_id = as_int(item.get("item_id"))
        if wanted:
            if wanted.get(item_id, 0) <= 0:
                continue
            qty = min(wanted[item_id], left)
        else:
            qty = left
        if not item.get("is_qty_decimal"):
            qty = float(int(qty))
        if qty > 0:
            lines.append((item, qty))
    return lines


def _validate_shipment(
    order: dict[str, Any], lines: list[tuple[dict[str, Any], float]], tracks: list[Any]
) -> None:
    """Order/Validation/ShipOrder.php: CanShip, then the shipment's QuantityValidator and
    TrackValidator."""
    messages = []
    if order.get("state") in {"payment_review", "holded", "canceled"} or order.get("is_virtual"):
        messages.append(
            f"A shipment cannot be created when an order has a status of {order.get('status')}"
        )
    elif not _can_ship(order):
        messages.append("The order does not allow a shipment to be created.")
    if sum(qty for _, qty in lines) <= 0:
        messages.append("You can't create a shipment without products.")
    messages += [
        "Please enter a tracking number."
        for track in tracks
        if not (isinstance(track, dict) and track.get("track_number"))
    ]
    if messages:
        raise WebapiError(400, SHIPMENT_ERRORS + "\n".join(messages))


@route("POST", "/V1/order/{orderId}/ship")
@webapi_input(
    integers=("orderId",),
    path_params={"orderId": None},
    service="Magento\\Sales\\Model\\ShipOrder\\Interceptor::execute",
    arrays={
        "items": "\\Magento\\Sales\\Api\\Data\\ShipmentItemCreationInterface",
        "tracks": "\\Magento\\Sales\\Api\\Data\\ShipmentTrackCreationInterface",
        "packages": "\\Magento\\Sales\\Api\\Data\\ShipmentPackageCreationInterface",
    },
)
def ship_order(ctx: Ctx, orderId: str) -> int:  # noqa: N803 - Magento's parameter name
    body = body_of(ctx)
    store = ctx.store
    tracks = body.get("tracks") or []
    with store.transaction():
        order = _load_order(ctx, orderId)
        lines = _shipment_lines(order, _requested(body))
        _validate_shipment(order, lines, tracks)
        source_code = shipment_source_code(store, body)
        if source_code is not None and ctx.settings.source_deduction:
            deduct_shipped(store, source_code, [(str(i.get("sku")), q) for i, q in lines])
        now = store.now()
        shipment_id = store.next_id("shipments")
        items: list[dict[str, Any]] = []
        for item, qty in lines:
            items.append(
                {
                    "entity_id": store.next_nested_id("shipments", "items"),
                    "name": item.get("name"),
                    "order_item_id": item.get("item_id"),
                    "parent_id": shipment_id,
                    "price": item.get("price"),
                    "product_id": item.get("product_id"),
                    "qty": qty,
                    "row_total": item.get("row_total"),
                    "sku": item.get("sku"),
                    "weight": item.get("weight"),
                }
            )
            # Order/Shipment/Item.php register()
            item["qty_shipped"] = _num(item.get("qty_shipped")) + qty
        shipment = {
            "billing_address_id": order.get("billing_address_id"),
            "created_at": now,
            "customer_id": order.get("customer_id"),
            "email_sent": 1 if body.get("notify") else None,
            "entity_id": shipment_id,
            "increment_id": f"{shipment_id:09d}",
            "order_id": order["entity_id"],
            "packages": [p for p in body.get("packages") or [] if isinstance(p, dict)],
            "shipping_address_id": _shipping_address_id(order),
            "store_id": order.get("store_id"),
            "total_qty": sum(item["qty"] for item in items),
            "total_weight": _money(sum(_num(i.get("weight")) * i["qty"] for i in items)) or None,
            "updated_at": now,
            "items": items,
            "tracks": [
                {
                    "order_id": order["entity_id"],
                    "created_at": now,
                    "entity_id": store.next_nested_id("shipments", "tracks"),
                    "parent_id": shipment_id,
                    "updated_at": now,
                    "weight": track.get("weight"),
                    "qty": track.get("qty"),
                    "description": track.get("description"),
                    "track_number": str(track.get("track_number")),
                    "title": track.get("title"),
                    "carrier_code": track.get("carrier_code"),
                }
                for track in tracks
                if isinstance(track, dict)
            ],
            "comments": [],
        }
        if source_code is not None:
            shipment["extension_attributes"] = {"source_code": source_code}
        if _has_comment(body):
            notified = bool(body.get("appendComment")) and bool(body.get("notify"))
            comment_id = store.next_nested_id("shipments", "comments")
            shipment["comments"].append(_comment(body, notified, shipment_id, comment_id, now))
        # ShipOrder::createShipment: a new order moves to the state the resolver gives.
        if order.get("state") == "new":
            order["state"] = _resolve_state(order)
            order["status"] = DEFAULT_STATUS.get(order["state"], order.get("status"))
        store.put("shipments", {k: v for k, v in shipment.items() if v is not None})
        _save_order(store, order, now)
    return shipment_id


@route("POST", "/V1/shipment/track")
@webapi_input(
    required=("entity",),
    service="Magento\\Sales\\Model\\Order\\Shipment\\TrackRepository::save",
)
def save_shipment_track(ctx: Ctx) -> dict[str, Any]:
    """Add a track to an existing shipment (Sales/Model/Order/Shipment/TrackRepository.php save:
    no shipment with that parent_id and order_id - either missing, or the shipment of another
    order - is "Could not save the shipment tracking.", as is any failure of the resource
    save; the log alone says "The shipment doesn't belong to the order.")."""
    entity = body_of(ctx).get("entity")
    if not isinstance(entity, dict):
        raise WebapiError(
            400, '"%fieldName" is required. Enter and try again.', {"fieldName": "entity"}
        )
    store = ctx.store
    with store.transaction():
        # TrackRepository::save (2.4.7) looks for a shipment with both the entity's order_id
        # and parent_id (a missing one filters on NULL and finds none) before saving.
        shipment = store.get("shipments", as_int(entity.get("parent_id")))
        if (
            shipment is None
            or entity.get("order_id") is None
            or as_int(entity.get("order_id")) != shipment.get("order_id")
        ):
            raise WebapiError(400, "Could not save the shipment tracking.")
        now = store.now()
        track = {
            "order_id": shipment.get("order_id"),
            "created_at": now,
            "entity_id": store.next_nested_id("shipments", "tracks"),
            "parent_id": shipment["entity_id"],
            "updated_at": now,
            "weight": entity.get("weight"),
            "qty": entity.get("qty"),
            "description": entity.get("description"),
            "track_number": None
            if entity.get("track_number") is None
            else str(entity["track_number"]),
            "title": entity.get("title"),
            "carrier_code": entity.get("carrier_code"),
        }
        shipment.setdefault("tracks", []).append({k: v for k, v in track.items() if v is not None})
        # Adding a track saves only sales_shipment_track: the shipment's own updated_at stays.
        store.put("shipments", shipment, touch=False)
    return track
