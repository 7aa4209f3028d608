# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Refunds (credit memos) from an ERP, exactly once.

`POST /V1/order/{orderId}/refund` (offline) and `POST /V1/invoice/{invoiceId}/refund` (with
`isOnline`, through the payment gateway) are not idempotent: a repeated call refunds twice, or is
refused once nothing is left (Sales/Model/RefundOrder.php, RefundInvoice.php). They reconcile as
invoices do (sales_sinks.DocumentSink): a `reference` tagged into the memo's comment and looked for
on the order's credit memos, or without one the quantities, read as totals of what the order
shows refunded (`qty_refunded`); no items means "everything left" and is done when nothing
invoiced is left to refund.
"""

from __future__ import annotations

from typing import Any

from magento2_rest import MagentoError, SearchCriteria

from target_magento2.sales_sinks import ORDER_CHUNK, DocumentSink, OrderKey, OrderView, order_key
from target_magento2.sinks import Entry, Write

AMOUNTS = ("shipping_amount", "adjustment_positive", "adjustment_negative")
INVOICE_ROUTE = "/invoice/byInvoiceId/refund"


def _qty(item: dict[str, Any], name: str) -> float:
    return float(item.get(name) or 0)


class RefundsSink(DocumentSink):
    """`POST /V1/order/{orderId}/refund {items, notify, appendComment, comment, arguments}`, or
    `POST /V1/invoice/{invoiceId}/refund {..., isOnline}` when the record names an invoice."""

    kind = "refunds"
    action = "refund"
    done_field = "qty_refunded"
    documents_route = "/creditmemos"
    comments_route = "/creditmemo/{id}/comments"
    flight_routes = (("POST", "/order/byOrderId/refund"), ("POST", INVOICE_ROUTE))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # invoice entity_id -> its order's entity_id: the in-flight check of the invoice route
        self.invoice_orders: dict[int, int] = {}

    def left(self, item: dict[str, Any]) -> float:
        # Sales/Model/Order/Item.php getQtyToRefund: invoiced and not refunded yet.
        return max(0.0, _qty(item, "qty_invoiced") - _qty(item, "qty_refunded"))

    def has_documents(self, view: OrderView) -> bool:
        # A memo may refund shipping or an adjustment alone: no item shows it, the totals do.
        return float(view.order.get("total_refunded") or 0) > 0 or super().has_documents(view)

    # ---------------------------------------------------------------------- in-flight check

    def flight_key(self, body: dict[str, Any]) -> str | None:
        """The order an operation refunds; an invoice's order is read once when not known."""
        if body.get("orderId") is not None:
            return str(body["orderId"])
        if body.get("invoiceId") is None:
            return None
        invoice_id = int(body["invoiceId"])
        if invoice_id not in self.invoice_orders:
            try:
                invoice = self.magento.get(f"/invoices/{invoice_id}") or {}
            except MagentoError:
                return None  # cannot tell: the operation is waited for
            self.invoice_orders[invoice_id] = int(invoice.get("order_id") or 0)
        return str(self.invoice_orders[invoice_id])

    # -------------------------------------------------------------------------------- reading

    def load_views(self, entries: list[Entry]) -> dict[OrderKey, OrderView]:
        """The orders, and the invoices of those whose records name one."""
        views = super().load_views(entries)
        order_ids = sorted(
            {
                int(view.order["entity_id"])
                for entry in entries
                if ("invoice_id" in entry.data or "invoice_increment_id" in entry.data)
                and (view := views.get(order_key(entry.data))) is not None
            }
        )
        by_id = {int(v.order["entity_id"]): v for v in views.values()}
        chunks = [order_ids[i : i + ORDER_CHUNK] for i in range(0, len(order_ids), ORDER_CHUNK)]

        def read(chunk: list[int]) -> None:
            criteria = SearchCriteria().where("order_id", "in", chunk).order_by("entity_id")
            for page in self.magento.iter_pages("/invoices", criteria, page_size=100):
                for invoice in page.items:
                    invoice_id, order_id = int(invoice["entity_id"]), int(invoice["order_id"])
                    view = by_id[order_id]
                    view.invoices[str(invoice["increment_id"])] = invoice_id
                    view.invoices[str(invoice_id)] = invoice_id
                    self.invoice_orders[invoice_id] = order_id

        # Each chunk holds other orders, so each view is filled by one thread only.
        self.workers.map(read, chunks)
        return views

    # ------------------------------------------------------------------------------- writing

    def requested(
        self, data: dict[str, Any], view: OrderView, *, reference: str | None
    ) -> dict[int, float] | str:
        invoice = data.get("invoice_id", data.get("invoice_increment_id"))
        if invoice is not None and str(invoice) not in view.invoices:
            field_name = "invoice_id" if "invoice_id" in data else "invoice_increment_id"
            return (
                f"order {view.order.get('increment_id')} has no invoice with {field_name} "
                f"{invoice!r}: name one of its invoices, or leave it out to refund offline"
            )
        requested = super().requested(data, view, reference=reference)
        if requested or isinstance(requested, str) or not data.get("return_to_stock"):
            return requested
        # Everything left, named line by line: return_to_stock_items lists what is refunded.
        return {int(i["item_id"]): left for i in view.top_items if (left := self.left(i)) > 0}

    def body(self, data: dict[str, Any], items: dict[int, float]) -> dict[str, Any]:
        body = super().body(data, items)
        arguments: dict[str, Any] = {name: data[name] for name in AMOUNTS if name in data}
        if data.get("return_to_stock"):
            arguments["extension_attributes"] = {"return_to_stock_items": list(items)}
        if arguments:
            body["arguments"] = arguments
        return body

    def document_write(
        self, data: dict[str, Any], view: OrderView, items: dict[int, float]
    ) -> Write:
        """The order's route, or the invoice's when the record names one (`isOnline`)."""
        invoice = data.get("invoice_id", data.get("invoice_increment_id"))
        if invoice is None:
            return super().document_write(data, view, items)
        invoice_id = view.invoices[str(invoice)]
        body = {**self.body(data, items), "isOnline": bool(data.get("online", True))}
        return Write(
            "POST",
            f"/invoice/{invoice_id}/refund",
            body,
            INVOICE_ROUTE,
            {"invoiceId": invoice_id, **body},
            idempotent=False,
        )
