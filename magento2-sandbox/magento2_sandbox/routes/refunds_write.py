# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Refund an order: `POST /V1/order/{orderId}/refund` (offline) and `POST /V1/invoice/{invoiceId}/
refund` (offline or, with `isOnline`, through the payment gateway) (Sales/Model/RefundOrder.php,
RefundInvoice.php).

Both answer the new credit memo's id. Neither is idempotent: a call repeated after a lost answer
refunds again, or is refused once nothing is left to refund. Items given are refunded as asked
(CreditmemoFactory::createByOrder takes the quantities as they are, the validators refuse what is
above what is left); no items: everything invoiced and not refunded yet. The shipping amount left
is refunded unless `arguments.shipping_amount` says otherwise (Creditmemo/Total/Shipping.php).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from magento2_sandbox.asyncbulk import as_int, body_of, webapi_input
from magento2_sandbox.errors import NOT_FOUND, WebapiError
from magento2_sandbox.routes.inventory_write import deduct_shipped
from magento2_sandbox.routes.sales_write import (
    DEFAULT_STATUS,
    EPSILON,
    _add,
    _comment,
    _has_comment,
    _is_dummy,
    _load_order,
    _money,
    _num,
    _requested,
    _resolve_state,
    _save_order,
    document_line,
)
from magento2_sandbox.routing import Ctx, route

if TYPE_CHECKING:
    from magento2_sandbox.store import Store

CREDITMEMO_ERRORS = "Creditmemo Document Validation Error(s):\n"
CREDITMEMO_STATE_REFUNDED = 2  # Sales/Model/Order/Creditmemo.php STATE_REFUNDED
# RefundOrder/RefundInvoice::execute: any failure while saving (the gateway's included).
NOT_SAVED = "Could not save a Creditmemo, see error log for details"
# Creditmemo/Total/Shipping.php collect(): a shipping amount above what is left to refund.
SHIPPING_TOO_HIGH = "Maximum shipping amount allowed to refund is: %1"
# Payment methods whose model can refund through the gateway (canRefund and
# canRefundPartialPerInvoice: Braintree's and PayPal's etc/config.xml). The offline methods
# (OfflinePayments: checkmo, banktransfer, cashondelivery, purchaseorder; free) keep
# AbstractMethod's `_canRefund = false`, so their invoices cannot be refunded through
# `/V1/invoice/{id}/refund` at all (magento2 #8813; the devdocs' refunds page says so).
GATEWAY_METHODS = {"braintree", "braintree_paypal", "paypal_express", "payflowpro"}
SERVICE_ORDER = "Magento\\Sales\\Model\\RefundOrder\\Interceptor::execute"
SERVICE_INVOICE = "Magento\\Sales\\Model\\RefundInvoice\\Interceptor::execute"
NOT_IN_ORDER = (
    "The return to stock argument contains product item that is not part of the original order."
)
ITEMS = {"items": "\\Magento\\Sales\\Api\\Data\\CreditmemoItemCreationInterface"}


def qty_to_refund(item: dict[str, Any]) -> float:
    """Order/Item.php getQtyToRefund: what is invoiced and not refunded (0 for a dummy)."""
    if _is_dummy(item):
        return 0.0
    return max(_num(item.get("qty_invoiced")) - _num(item.get("qty_refunded")), 0.0)


def _php_number(value: float) -> str:
    # A float rendered into a phrase the way PHP casts it to a string (precision 14).
    return f"{value:.14g}"


def _price(value: float) -> str:
    # Directory Currency::format of the base currency (the sandbox's stores use USD).
    return f"${value:,.2f}"


# -- building the credit memo (CreditmemoFactory, Creditmemo/Total/*) ---------------------


def _invoice_limits(store: Store, invoice: dict[str, Any]) -> dict[int, float]:
    """CreditmemoFactory::getInvoiceRefundLimitsQtyList: each invoice line's qty less what the
    credit memos of that invoice refunded already."""
    refunded: dict[int, float] = {}
    for memo in store.find("creditmemos", order_id=invoice.get("order_id")):
        if memo.get("invoice_id") == invoice["entity_id"]:
            for line in memo.get("items") or []:
                key = as_int(line.get("order_item_id"))
                refunded[key] = refunded.get(key, 0.0) + _num(line.get("qty"))
    return {
        as_int(line.get("order_item_id")): _num(line.get("qty"))
        - refunded.get(as_int(line.get("order_item_id")), 0.0)
        for line in invoice.get("items") or []
    }


def _lines(
    order: dict[str, Any], wanted: dict[int, float], limits: dict[int, float] | None
) -> list[tuple[dict[str, Any], float]]:
    """createByOrder / createByInvoice: the order's (or the invoice's) items with the quantity
    asked, all that is left when no items are given, 0 for those not asked; on an invoice, no
    more than the invoice has left of each."""
    lines = []
    for item in order.get("items", []):
        item_id = as_int(item.get("item_id"))
        if _is_dummy(item) or (limits is not None and item_id not in limits):
            continue
        if limits is not None and limits[item_id] <= 0:
            continue
        if item_id in wanted:
            qty = wanted[item_id]
        elif not wanted:
            qty = qty_to_refund(item)
        else:
            qty = 0.0
        if limits is not None:
            qty = min(qty, limits[item_id])
        lines.append((item, qty))
    return lines


def _shipping(
    order: dict[str, Any], arguments: dict[str, Any], invoice: dict[str, Any] | None
) -> tuple[float, float]:
    """Creditmemo/Total/Shipping.php: the shipping amount (and its tax) this memo refunds."""
    allowed = _num(order.get("base_shipping_amount")) - _num(order.get("base_shipping_refunded"))
    desired = arguments.get("shipping_amount")
    if desired is None and invoice is not None:
        # createByInvoice: no more than the invoice carried.
        desired = min(allowed, _num(invoice.get("base_shipping_amount")))
    original = _num(order.get("base_shipping_amount"))
    if desired is None:
        amount = allowed
    else:
        desired = round(_num(desired), 2)
        if desired >= round(allowed, 2) + EPSILON:
            raise WebapiError(400, SHIPPING_TOO_HIGH, [_price(allowed)])
        amount = allowed if desired > allowed - EPSILON else desired
    ratio = amount / original if original > 0 else 0.0
    return _money(amount), _money(_num(order.get("shipping_tax_amount")) * ratio)


def _part(item: dict[str, Any], invoiced: str, refunded: str, qty: float) -> float:
    """Creditmemo/Item.php calcRowTotal (and the Tax and Discount totals alike): what is invoiced
    and not refunded of an amount, in the share of the quantity asked to what is left - so a
    quantity above what is left asks for more money than was paid."""
    left = _num(item.get("qty_invoiced")) - _num(item.get("qty_refunded"))
    if abs(left) < EPSILON:
        return 0.0
    return _money((_num(item.get(invoiced)) - _num(item.get(refunded))) * qty / left)


def _memo_items(
    lines: list[tuple[dict[str, Any], float]],
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """The memo's items (numbered once it is valid) and their totals."""
    totals = dict.fromkeys(("subtotal", "tax", "discount"), 0.0)
    rows = []
    for item, qty in lines:
        if qty <= 0:
            continue  # RefundOperation deletes the memo's items of qty 0
        row = _part(item, "row_invoiced", "amount_refunded", qty)
        base_row = _part(item, "base_row_invoiced", "base_amount_refunded", qty)
        tax = _part(item, "tax_invoiced", "tax_refunded", qty)
        base_tax = _part(item, "base_tax_invoiced", "base_tax_refunded", qty)
        discount = _part(item, "discount_invoiced", "discount_refunded", qty)
        base_discount = _part(item, "base_discount_invoiced", "base_discount_refunded", qty)
        amounts = (tax, base_tax, discount, base_discount)
        rows.append(document_line(item, qty, row, base_row, amounts))
        totals["subtotal"] += row
        totals["tax"] += tax
        totals["discount"] += discount
    return rows, totals


def _memo_discount(order: dict[str, Any], totals: dict[str, float]) -> float:
    """Creditmemo/Total/Discount.php: the items' discounts, negative on the memo. Where the order
    keeps its discount at order level only (as the invoice then spreads it: sales_write
    _invoice_discount), the part of what was invoiced and not refunded in the share of the
    subtotal left that this memo refunds."""
    if any(_num(item.get("discount_amount")) > EPSILON for item in order.get("items", [])):
        return _money(-totals["discount"])
    left = _num(order.get("subtotal_invoiced")) - _num(order.get("subtotal_refunded"))
    discount_left = _num(order.get("discount_invoiced")) - _num(order.get("discount_refunded"))
    if left <= EPSILON:
        return 0.0
    return _money(discount_left * min(1.0, totals["subtotal"] / left))


# -- validation (Order/Validation/RefundOrder.php, RefundInvoice.php) -----------------------


def _order_messages(order: dict[str, Any]) -> list[str]:
    """Order/Validation/CanRefund.php."""
    messages = []
    if order.get("state") in {"payment_review", "holded", "canceled", "closed"}:
        messages.append(
            f"A creditmemo can not be created when an order has a status of {order.get('status')}"
        )
    elif not any(qty_to_refund(i) > 0 or _is_dummy(i) for i in order.get("items", [])):
        messages.append("The order does not allow a creditmemo to be created.")
    if abs(round(_num(order.get("total_paid")), 2) - _num(order.get("total_refunded"))) < EPSILON:
        messages.append("We can't create creditmemo for the order.")
    return messages


def _memo_messages(
    order: dict[str, Any],
    lines: list[tuple[dict[str, Any], float]],
    limits: dict[int, float] | None,
    base_grand: float,
) -> list[str]:
    """Creditmemo/Validation/QuantityValidator.php, then TotalsValidator.php."""
    messages = []
    total_qty = 0.0
    for item, qty in lines:
        limit_ok = limits is None or limits.get(as_int(item.get("item_id")), 1.0) > 0
        if not limit_ok or qty > qty_to_refund(item) + EPSILON:
            messages.append(
                "The quantity to creditmemo must not be greater than the unrefunded quantity"
                f' for product SKU "{item.get("sku")}".'
            )
        else:
            total_qty += qty
    shipping_left = abs(
        round(_num(order.get("shipping_amount")), 2) - _num(order.get("shipping_refunded"))
    )
    if base_grand <= 0:
        messages.append("The credit memo's total must be positive.")
    elif total_qty <= 0 and shipping_left < EPSILON:
        messages.append("You can't create a creditmemo without products.")
    paid = _num(order.get("base_total_paid"))
    refunded = _num(order.get("base_total_refunded"))
    if round(refunded + base_grand, 2) > round(paid, 2):
        messages.append(f"The most money available to refund is {_php_number(paid - refunded)}.")
    return messages


def _item_messages(order: dict[str, Any], wanted: dict[int, float]) -> list[str]:
    """Creditmemo/Item/Validation/CreationQuantityValidator.php, per item asked."""
    by_id = {as_int(i.get("item_id")): i for i in order.get("items", [])}
    messages = []
    for item_id, qty in wanted.items():
        item = by_id.get(item_id)
        if item is None:
            messages.append(
                "The creditmemo contains product item that is not part of the original order."
            )
        elif qty > qty_to_refund(item) + EPSILON and not _is_dummy(item):
            messages.append(
                "The quantity to refund must not be greater than the unrefunded quantity."
            )
    return messages


def _invoice_messages(order: dict[str, Any], invoice: dict[str, Any]) -> list[str]:
    """Order/Invoice/Validation/CanRefund.php: a paid invoice with something left, of a method
    that refunds partially per invoice (or in full, once)."""
    payment = order.get("payment") or {}
    can_refund = payment.get("method") in GATEWAY_METHODS
    partial = can_refund and _num(payment.get("amount_paid")) > _num(payment.get("amount_refunded"))
    full = can_refund and not invoice.get("is_used_for_refund")
    left = abs(_num(invoice.get("base_grand_total")) - _num(invoice.get("base_total_refunded")))
    if invoice.get("state") == 2 and left >= EPSILON and (partial or full):  # noqa: PLR2004 - paid
        return []
    return ["We can't create creditmemo for the invoice."]


def _return_messages(
    order: dict[str, Any], returned: list[int], memo_items: list[dict[str, Any]]
) -> list[str]:
    """SalesInventory/Model/Order/ReturnValidator.php (the OrderRefundCreationArguments and
    InvoiceRefundCreationArguments plugins add its one message)."""
    in_memo = {as_int(i.get("order_item_id")) for i in memo_items}
    by_id = {as_int(i.get("item_id")): i for i in order.get("items", [])}
    for item_id in returned:
        if item_id not in by_id:
            return [NOT_IN_ORDER]
        if item_id not in in_memo:
            return [
                f'The "{by_id[item_id].get("sku")}" product is not part of the current creditmemo.'
            ]
    return []


# -- refunding (Creditmemo/RefundOperation.php, Order/Payment.php refund) -------------------


def _register(order: dict[str, Any], memo: dict[str, Any], *, online: bool) -> None:
    by_id = {as_int(i.get("item_id")): i for i in order.get("items", [])}
    for line in memo["items"]:
        # Creditmemo/Item.php register()
        item = by_id[as_int(line["order_item_id"])]
        item["qty_refunded"] = _num(item.get("qty_refunded")) + line["qty"]
        for field, value in (("amount_refunded", line["row_total"]),
                             ("base_amount_refunded", line["base_row_total"]),
                             ("tax_refunded", line["tax_amount"]),
                             ("base_tax_refunded", line["base_tax_amount"]),
                             ("discount_refunded", line["discount_amount"]),
                             ("base_discount_refunded", line["base_discount_amount"])):  # fmt: skip
            _add(item, field, value)
    for order_field, memo_field in (
        ("total_refunded", "grand_total"),
        ("base_total_refunded", "base_grand_total"),
        ("subtotal_refunded", "subtotal"),
        ("base_subtotal_refunded", "base_subtotal"),
        ("tax_refunded", "tax_amount"),
        ("base_tax_refunded", "base_tax_amount"),
        ("shipping_refunded", "shipping_amount"),
        ("base_shipping_refunded", "base_shipping_amount"),
        ("shipping_tax_refunded", "shipping_tax_amount"),
        ("base_shipping_tax_refunded", "base_shipping_tax_amount"),
        ("adjustment_positive", "adjustment_positive"),
        ("base_adjustment_positive", "base_adjustment_positive"),
        ("adjustment_negative", "adjustment_negative"),
        ("base_adjustment_negative", "base_adjustment_negative"),
        ("discount_refunded", "discount_amount"),
        ("base_discount_refunded", "base_discount_amount"),
        ("total_online_refunded" if online else "total_offline_refunded", "grand_total"),
        (
            "base_total_online_refunded" if online else "base_total_offline_refunded",
            "base_grand_total",
        ),
    ):
        _add(order, order_field, _num(memo.get(memo_field)))
    payment = order.get("payment")
    if isinstance(payment, dict):
        # Payment::refund _updateTotals
        _add(payment, "amount_refunded", memo["grand_total"])
        _add(payment, "base_amount_refunded", memo["base_grand_total"])
        if online:
            _add(payment, "base_amount_refunded_online", memo["base_grand_total"])
        _add(payment, "shipping_refunded", memo["shipping_amount"])
        _add(payment, "base_shipping_refunded", memo["base_shipping_amount"])


def _return_to_stock(
    ctx: Ctx, order: dict[str, Any], memo: dict[str, Any], returned: list[int]
) -> None:
    """MSI: InventorySales/Plugin/SalesInventory/ProcessReturnQtyOnCreditMemoPlugin.php and
    Model/ReturnProcessor/ProcessRefundItems.php (magento/inventory). Of each item asked back
    (`return_to_stock_items`; auto return is off, the default), what is invoiced and was not
    shipped goes back to the salable quantity only (a reservation); the rest goes back to the
    source its shipments deducted it from (InventoryShipping/Model/ReturnProcessor/
    GetShippedItemsPerSourceByPriority.php: all of a SKU to the first source that shipped it)."""
    store = ctx.store
    if not returned or not ctx.settings.source_deduction or not store.find("inventory_sources"):
        return
    by_id = {as_int(i.get("item_id")): i for i in order.get("items", [])}
    asked: dict[str, tuple[float, float]] = {}
    for line in memo["items"]:
        if as_int(line["order_item_id"]) not in returned:
            continue
        item = by_id[as_int(line["order_item_id"])]
        sku = str(item.get("sku"))
        # Already registered: qty_refunded includes this memo.
        processed = _num(item.get("qty_invoiced")) - _num(item.get("qty_refunded")) + line["qty"]
        qty, before = asked.get(sku, (0.0, 0.0))
        asked[sku] = (qty + line["qty"], before + processed)
    shipped: dict[str, tuple[str, float]] = {}  # sku -> (first source that shipped it, qty)
    for shipment in store.find("shipments", order_id=order["entity_id"]):
        source = (shipment.get("extension_attributes") or {}).get("source_code") or "default"
        for line in shipment.get("items") or []:
            sku = str(line.get("sku"))
            first, total = shipped.get(sku, (source, 0.0))
            shipped[sku] = (first, total + _num(line.get("qty")))
    back: dict[str, list[tuple[str, float]]] = {}
    for sku, (qty, processed) in asked.items():
        source, deducted = shipped.get(sku, ("", 0.0))
        left = processed - deducted
        to_source = qty - left if left > 0 else qty
        if deducted > 0 and to_source > EPSILON:
            back.setdefault(source, []).append((sku, -min(deducted, to_source)))
    for source, items in back.items():
        deduct_shipped(store, source, items)


def _returned(body: dict[str, Any]) -> list[int]:
    """arguments.extension_attributes.return_to_stock_items: the order item ids to put back."""
    arguments = body.get("arguments")
    extension = arguments.get("extension_attributes") if isinstance(arguments, dict) else None
    items = extension.get("return_to_stock_items") if isinstance(extension, dict) else None
    return [as_int(i) for i in items or []]


def _collect(
    store: Store, order: dict[str, Any], body: dict[str, Any], invoice: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, float], list[str]]:
    """CreditmemoDocumentFactory, then the validators: the memo's items, its totals and what the
    validators say of it (nothing: it may be saved)."""
    wanted = _requested(body)
    given = body.get("arguments")
    arguments: dict[str, Any] = given if isinstance(given, dict) else {}
    limits = _invoice_limits(store, invoice) if invoice is not None else None
    lines = _lines(order, wanted, limits)
    items, sums = _memo_items(lines)
    shipping, shipping_tax = _shipping(order, arguments, invoice)
    positive = _money(_num(arguments.get("adjustment_positive")))
    negative = _money(_num(arguments.get("adjustment_negative")))
    subtotal, discount = _money(sums["subtotal"]), _memo_discount(order, sums)
    tax = _money(sums["tax"] + shipping_tax)
    grand = _money(subtotal + tax + shipping + discount + positive - negative)
    totals: dict[str, float] = {
        "adjustment": _money(positive - negative),
        "adjustment_negative": negative,
        "adjustment_positive": positive,
        "discount_amount": discount,
        "grand_total": grand,
        "shipping_amount": shipping,
        "shipping_incl_tax": _money(shipping + shipping_tax),
        "shipping_tax_amount": shipping_tax,
        "subtotal": subtotal,
        "subtotal_incl_tax": _money(subtotal + sums["tax"]),
        "tax_amount": tax,
    }
    # The sandbox's stores have one currency: base amounts equal the order's.
    totals.update({f"base_{name}": value for name, value in list(totals.items())})
    messages = _order_messages(order) + _memo_messages(order, lines, limits, grand)
    if invoice is not None:
        messages += _invoice_messages(order, invoice)
    messages += _item_messages(order, wanted) + _return_messages(order, _returned(body), items)
    return items, totals, messages


def _history(store: Store, order: dict[str, Any], memo: dict[str, Any], *, notify: bool) -> None:
    """Payment::refund: "We refunded %1 offline." (online: with the gateway's transaction id),
    with the status the order ends in."""
    online = "transaction_id" in memo
    text = f"We refunded {_price(memo['base_grand_total'])} {'online' if online else 'offline'}."
    if online:
        text += f' Transaction ID: "{memo["transaction_id"]}"'
    order.setdefault("status_histories", []).insert(
        0,
        {
            "comment": text,
            "created_at": memo["created_at"],
            "entity_id": store.next_nested_id("orders", "status_histories"),
            "entity_name": "order",
            "is_customer_notified": 1 if notify else 0,
            "is_visible_on_front": 0,
            "parent_id": order["entity_id"],
            "status": order["status"],
        },
    )


def _refund(
    ctx: Ctx,
    order: dict[str, Any],
    body: dict[str, Any],
    *,
    invoice: dict[str, Any] | None = None,
    online: bool = False,
) -> int:
    store = ctx.store
    items, totals, messages = _collect(store, order, body, invoice)
    if messages:
        # ValidatorResultMerger::merge keeps each message once.
        raise WebapiError(400, CREDITMEMO_ERRORS + "\n".join(dict.fromkeys(messages)))
    if online and not (invoice or {}).get("transaction_id"):
        # Payment::refund: the gateway has no capture to refund ("If the invoice was created
        # offline, try creating an offline credit memo."), which RefundInvoice::execute turns
        # into NOT_SAVED.
        raise WebapiError(400, NOT_SAVED)
    now = store.now()
    memo_id = store.next_id("creditmemos")
    for row in items:
        row["entity_id"] = store.next_nested_id("creditmemos", "items")
        row["parent_id"] = memo_id
    memo = {**_document(order, memo_id, items, now), **totals}
    if invoice is not None:
        memo["invoice_id"] = invoice["entity_id"]
        if online:
            # The sandbox's gateway refunds the capture: Payment::refund keeps its answer's id.
            memo["transaction_id"] = f"{invoice['transaction_id']}-refund"
    if _has_comment(body):
        notified = bool(body.get("appendComment")) and bool(body.get("notify"))
        comment_id = store.next_nested_id("creditmemos", "comments")
        memo["comments"].append(_comment(body, notified, memo_id, comment_id, now))
    if body.get("notify"):
        memo["email_sent"] = 1
    _register(order, memo, online=online)
    if invoice is not None:
        # RefundInvoice::execute (offline), Payment::refund (online, the capture is used).
        invoice["is_used_for_refund"] = 1
        _add(invoice, "base_total_refunded", memo["base_grand_total"])
        store.put("invoices", invoice)
    # Payment::refund moves the order to processing with its comment; RefundOrder then sets
    # the state the resolver gives (complete, or closed once all that was paid is refunded).
    order["state"] = "processing"
    order["state"] = _resolve_state(order)
    order["status"] = DEFAULT_STATUS.get(order["state"], order.get("status"))
    _history(store, order, memo, notify=bool(body.get("notify")))
    store.put("creditmemos", {k: v for k, v in memo.items() if v is not None})
    _save_order(store, order, now)
    # SalesInventory ReturnToStockOrder / ReturnToStockInvoice: after the refund is saved.
    _return_to_stock(ctx, order, memo, _returned(body))
    return memo_id


def _document(
    order: dict[str, Any], memo_id: int, items: list[dict[str, Any]], now: str
) -> dict[str, Any]:
    return {
        "base_currency_code": order.get("base_currency_code"),
        "base_discount_tax_compensation_amount": 0,
        "base_to_global_rate": order.get("base_to_global_rate"),
        "base_to_order_rate": order.get("base_to_order_rate"),
        "billing_address_id": order.get("billing_address_id"),
        "created_at": now,
        "creditmemo_status": CREDITMEMO_STATE_REFUNDED,
        "discount_tax_compensation_amount": 0,
        "entity_id": memo_id,
        "global_currency_code": order.get("global_currency_code"),
        "increment_id": f"{memo_id:09d}",
        "order_currency_code": order.get("order_currency_code"),
        "order_id": order["entity_id"],
        "shipping_address_id": order.get("shipping_address_id") or order.get("billing_address_id"),
        "state": CREDITMEMO_STATE_REFUNDED,
        "store_currency_code": order.get("store_currency_code"),
        "store_id": order.get("store_id"),
        "store_to_base_rate": order.get("store_to_base_rate"),
        "store_to_order_rate": order.get("store_to_order_rate"),
        "updated_at": now,
        "items": items,
        "comments": [],
    }


@route("POST", "/V1/order/{orderId}/refund")
@webapi_input(
    integers=("orderId",), path_params={"orderId": None}, service=SERVICE_ORDER, arrays=ITEMS
)
def refund_order(ctx: Ctx, orderId: str) -> int:  # noqa: N803 - Magento's parameter name
    body = body_of(ctx)
    with ctx.store.transaction():
        return _refund(ctx, _load_order(ctx, orderId), body)


@route("POST", "/V1/invoice/{invoiceId}/refund")
@webapi_input(
    integers=("invoiceId",),
    path_params={"invoiceId": None},
    service=SERVICE_INVOICE,
    arrays=ITEMS,
)
def refund_invoice(ctx: Ctx, invoiceId: str) -> int:  # noqa: N803 - Magento's parameter name
    body = body_of(ctx)
    online = body.get("isOnline", body.get("is_online")) in {True, "1", "true"}
    with ctx.store.transaction():
        invoice = ctx.store.get("invoices", as_int(invoiceId))
        if invoice is None:
            # Sales/Model/Order/InvoiceRepository.php get()
            raise WebapiError(404, NOT_FOUND)
        order = _load_order(ctx, str(invoice["order_id"]))
        return _refund(ctx, order, body, invoice=invoice, online=online)
