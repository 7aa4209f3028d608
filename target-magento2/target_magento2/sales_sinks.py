# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Sales documents: invoices and shipments, exactly once.

Magento's `POST /V1/order/{id}/invoice` and `/ship` are not idempotent: a repeated call invoices or
ships twice, or fails (FACTS.md, Writing). So nothing is sent before the order is read as the store
has it, and only what is missing is sent:

- with a `reference`, the document carries it in a comment hidden from the shopper
  (`[ref:ERP-123]`); an invoice/shipment of the order holding that comment means the record is a
  replay: already done. Otherwise the record is a new document and is sent as given.
- without one, quantities decide, read as totals: an item asked with qty 2 is done once the
  order shows 2 invoiced (shipped); only the difference is sent. No items means "everything left"
  and is done when nothing is left. A shipment whose tracking number is already on the order is
  the same parcel: already done.
- a replayed shipment gets, with `POST /V1/shipment/track`, the record's tracks no shipment of
  the order carries yet; nothing else is sent.

After a lost answer (timeout, 5xx, dropped connection: `MagentoUnknownOutcome`) the order is read
again and only what is still missing is sent; in async mode the orders are read back after the
bulk operations completed, to confirm.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, ClassVar

from magento2_rest import SearchCriteria

from target_magento2.sinks import Entry, MagentoSink, Plan, Write, waves

ORDER_CHUNK = 50  # orders looked up per search (`in` list); keeps URLs short
QTY_EPSILON = 1e-6
TRACK_ROUTE = "/shipment/track"

OrderKey = tuple[str, Any]  # ("entity_id", 12) or ("increment_id", "000000012")


def reference_tag(reference: str) -> str:
    return f"[ref:{reference}]"


def order_key(data: dict[str, Any]) -> OrderKey:
    if "order_id" in data:
        return ("entity_id", int(data["order_id"]))
    return ("increment_id", str(data["order_increment_id"]))


def order_label(key: OrderKey) -> str:
    field_name, value = key
    return f"order_id {value}" if field_name == "entity_id" else f"order_increment_id {value!r}"


@dataclass
class OrderView:
    """An order as the store has it, with the references and tracking numbers of its documents."""

    order: dict[str, Any]
    # reference -> entity_id of the document holding it; tracking number -> its shipment
    references: dict[str, int] = field(default_factory=dict)
    track_numbers: dict[str, int] = field(default_factory=dict)
    # increment_id and entity_id (as text) of the order's invoices -> entity_id, when a record
    # names one (refunds through the invoice)
    invoices: dict[str, int] = field(default_factory=dict)

    @property
    def top_items(self) -> list[dict[str, Any]]:
        # Child rows of configurable/bundle items carry the parent's SKU too; documents name the
        # parent row (Sales/Model/Order/Item.php getParentItem).
        return [i for i in self.order.get("items") or [] if not i.get("parent_item_id")]


def _qty(item: dict[str, Any], name: str) -> float:
    return float(item.get(name) or 0)


class DocumentSink(MagentoSink):
    """Invoices and shipments share everything but the field names."""

    can_read_back = True

    MAX_SIZE_DEFAULT = 1000
    action: ClassVar[str]  # "invoice" or "ship"
    done_field: ClassVar[str]  # "qty_invoiced" or "qty_shipped"
    documents_route: ClassVar[str]
    comments_route: ClassVar[str]  # with {id}
    flight_noun = "order"

    def flight_key(self, body: dict[str, Any]) -> str | None:
        entity = body.get("entity")
        order_id = body.get("orderId")
        if order_id is None and isinstance(entity, dict):
            order_id = entity.get("order_id")  # a track added to a shipment
        return None if order_id is None else str(order_id)

    # ------------------------------------------------------------------------- item arithmetic

    def left(self, item: dict[str, Any]) -> float:
        raise NotImplementedError

    def body(self, data: dict[str, Any], items: dict[int, float]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "items": [{"order_item_id": i, "qty": q} for i, q in items.items()],
            "notify": bool(data.get("notify", False)),
        }
        text = data.get("comment", "")
        if "reference" in data:
            text = f"{text} {reference_tag(data['reference'])}".strip()
        if text:
            visible = bool(data.get("comment_visible_on_front", False))
            body["appendComment"] = visible and body["notify"]
            body["comment"] = {"comment": text, "is_visible_on_front": 1 if visible else 0}
        return body

    # ------------------------------------------------------------------------------- batching

    def write_batch(self, entries: list[Entry]) -> None:
        # Two records for the same order go in successive waves, the order being read again
        # between them, so the second one sees what the first one wrote. Waves are cut on the
        # order's entity_id, so an order named by id in one record and by increment id in another
        # is still one order.
        views = self.load_views(entries)
        entity: dict[int, Any] = {}
        for entry in entries:
            view = views.get(order_key(entry.data))
            entity[id(entry)] = (
                int(view.order["entity_id"]) if view is not None else order_key(entry.data)
            )
        for number, wave in enumerate(waves(entries, lambda e: entity[id(e)])):
            if number:
                views = self.load_views(wave)
            plans = []
            for entry in wave:
                key = order_key(entry.data)
                view = views.get(key)
                if view is None:
                    self.refuse(entry, f"the store has no order with {order_label(key)}")
                    continue
                decided = self.decide(entry, view)
                if isinstance(decided, str):
                    self.refuse(entry, decided)
                else:
                    plans.append(decided)
            self.run_plans(plans)

    def replan(self, entry: Entry) -> Plan | str:
        view = self.load_views([entry]).get(order_key(entry.data))
        if view is None:
            return f"the store has no order with {order_label(order_key(entry.data))}"
        return self.decide(entry, view)

    def replan_all(self, plans: list[Plan]) -> dict[int, Plan | None]:
        """The orders of all these plans read in one search per 50, then each decided again."""
        views = self.load_views([plan.entry for plan in plans])
        fresh: dict[int, Plan | None] = {}
        for plan in plans:
            view = views.get(order_key(plan.entry.data))
            decided = self.decide(plan.entry, view) if view is not None else plan
            # A message now means the order changed under us: send as planned, Magento decides.
            fresh[id(plan)] = plan if isinstance(decided, str) else decided
        return fresh

    def confirm(self, plans: list[Plan]) -> list[Plan]:
        views = self.load_views([plan.entry for plan in plans])
        missing = []
        for plan in plans:
            view = views.get(order_key(plan.entry.data))
            decided = self.decide(plan.entry, view) if view is not None else "order vanished"
            if isinstance(decided, str) or decided.writes:
                missing.append(plan)
        return missing

    # -------------------------------------------------------------------------------- reading

    def load_views(self, entries: list[Entry]) -> dict[OrderKey, OrderView]:
        """The orders of these records, two searches per 50 orders, plus their documents' comments
        where a reference has to be looked for."""
        wanted: dict[str, set[Any]] = defaultdict(set)
        for entry in entries:
            field_name, value = order_key(entry.data)
            wanted[field_name].add(value)
        searches = []
        for field_name, values in wanted.items():
            ordered = sorted(values, key=str)
            searches += [
                (field_name, ordered[start : start + ORDER_CHUNK])
                for start in range(0, len(ordered), ORDER_CHUNK)
            ]
        views: dict[OrderKey, OrderView] = {}
        for field_name, orders in self.workers.map(self.search_orders, searches):
            for order in orders:
                value = order[field_name]
                key = (field_name, int(value) if field_name == "entity_id" else str(value))
                views[key] = OrderView(order)
        # Documents are read only for orders that have some (something already invoiced/shipped)
        # and only when a record needs them: a reference to look for, or tracking numbers.
        needs: dict[int, set[str]] = defaultdict(set)
        for entry in entries:
            view = views.get(order_key(entry.data))
            if view is None or not self.has_documents(view):
                continue
            if "reference" in entry.data or entry.data.get("tracks"):
                needs[int(view.order["entity_id"])].add(entry.data.get("reference", ""))
        if needs:
            by_id = {int(v.order["entity_id"]): v for v in views.values()}
            self.read_documents(needs, by_id)
        return views

    def has_documents(self, view: OrderView) -> bool:
        """Whether the order may hold documents of this kind (its items show some done)."""
        return any(_qty(i, self.done_field) > 0 for i in view.top_items)

    def search_orders(self, search: tuple[str, list[Any]]) -> tuple[str, list[dict[str, Any]]]:
        field_name, chunk = search
        criteria = SearchCriteria().where(field_name, "in", chunk).order_by("entity_id")
        pages = self.magento.iter_pages("/orders", criteria, page_size=len(chunk))
        return field_name, [order for page in pages for order in page.items]

    def read_documents(self, needs: dict[int, set[str]], views: dict[int, OrderView]) -> None:
        order_ids = sorted(needs)
        chunks = [order_ids[i : i + ORDER_CHUNK] for i in range(0, len(order_ids), ORDER_CHUNK)]

        def read(chunk: list[int]) -> None:
            criteria = SearchCriteria().where("order_id", "in", chunk).order_by("entity_id")
            for page in self.magento.iter_pages(self.documents_route, criteria, page_size=100):
                for document in page.items:
                    order_id = int(document.get("order_id") or 0)
                    view = views.get(order_id)
                    if view is not None:
                        self.read_document(document, view, needs[order_id])

        # Each chunk holds other orders, so each view is filled by one thread only.
        self.workers.map(read, chunks)

    def read_document(self, document: dict[str, Any], view: OrderView, refs: set[str]) -> None:
        document_id = int(document["entity_id"])
        for track in document.get("tracks") or []:
            if track.get("track_number"):
                view.track_numbers.setdefault(str(track["track_number"]), document_id)
        refs = {r for r in refs if r}
        if not refs:
            return
        listed = document.get("comments")
        if not isinstance(listed, list):
            # Magento fills `comments` in search results too: Invoice::getComments() and
            # Shipment::getComments() load the comment collection when the data lacks it
            # (Sales/Model/Order/Invoice.php, Shipment.php). A store whose answer leaves them
            # out is asked on the document's own comments route.
            answer = self.magento.get(self.comments_route.format(id=document["entity_id"]))
            listed = (answer or {}).get("items") or []
        texts = [str(c.get("comment") or "") for c in listed]
        for ref in refs:
            if any(reference_tag(ref) in text for text in texts):
                view.references.setdefault(ref, document_id)

    # ------------------------------------------------------------------------------- deciding

    def decide(self, entry: Entry, view: OrderView) -> Plan | str:
        """The write this record still needs (none: already done), or why it cannot be written."""
        data = entry.data
        reference = data.get("reference")
        if reference is not None and reference in view.references:
            return self.replayed(entry, view, view.references[reference])
        tracks = {str(t["track_number"]) for t in data.get("tracks") or []}
        known = sorted(tracks & view.track_numbers.keys())
        if reference is None and known:
            return self.replayed(entry, view, view.track_numbers[known[0]])
        requested = self.requested(data, view, reference=reference)
        if isinstance(requested, str):
            return requested
        if data.get("items"):
            if not requested:
                return Plan(entry)
        elif reference is None and all(self.left(i) <= QTY_EPSILON for i in view.top_items):
            return Plan(entry)
        plan = Plan(entry, [self.document_write(data, view, requested)])
        plan.replan = lambda: self._fresh(plan)
        return plan

    def document_write(
        self, data: dict[str, Any], view: OrderView, items: dict[int, float]
    ) -> Write:
        """`POST /V1/order/{orderId}/<action>` with the record's body."""
        order_id = int(view.order["entity_id"])
        body = self.body(data, items)
        return Write(
            "POST",
            f"/order/{order_id}/{self.action}",
            body,
            f"/order/byOrderId/{self.action}",
            {"orderId": order_id, **body},
            idempotent=False,
        )

    def replayed(self, entry: Entry, view: OrderView, document_id: int) -> Plan:
        """The record's document is on the store already (document_id): nothing more to send."""
        _ = view, document_id
        return Plan(entry)

    def _fresh(self, plan: Plan) -> Plan:
        decided = self.replan(plan.entry)
        # The items resolved before the write, so a message now means the order changed under
        # us: treat the write as not confirmed.
        return plan if isinstance(decided, str) else decided

    def requested(
        self, data: dict[str, Any], view: OrderView, *, reference: str | None
    ) -> dict[int, float] | str:
        """Order item id -> qty to send ({} for "everything left"), or why it cannot be resolved.

        An SKU on several lines of the order (the same product added twice) is spread over them
        in order, each line taking what it has left; what no line has left stays on the last
        line, so Magento refuses it in its own words. Without a reference the record's qty is a
        total: what the lines already have is subtracted first.
        """
        label = view.order.get("increment_id") or view.order.get("entity_id")
        by_id = {int(i["item_id"]): i for i in view.order.get("items") or []}
        asked_lines: dict[tuple[str, Any], float] = defaultdict(float)
        for asked in data.get("items") or []:
            key = (
                ("id", int(asked["order_item_id"]))
                if "order_item_id" in asked
                else ("sku", asked["sku"])
            )
            asked_lines[key] += float(asked["qty"])
        send: dict[int, float] = defaultdict(float)
        for (how, value), total in asked_lines.items():
            if how == "id":
                if value not in by_id:
                    return f"order {label} has no item with order_item_id {value}"
                lines = [by_id[value]]
            else:
                lines = [i for i in view.top_items if i.get("sku") == value]
                if not lines:
                    return f"order {label} has no item with SKU {value!r}"
            qty = total
            if reference is None:
                qty -= sum(_qty(line, self.done_field) for line in lines)
            for position, line in enumerate(lines):
                if qty <= QTY_EPSILON:
                    break
                item_id = int(line["item_id"])
                room = max(0.0, self.left(line) - send[item_id])
                take = qty if position == len(lines) - 1 else min(qty, room)
                if take > QTY_EPSILON:
                    send[item_id] += take
                    qty -= take
        return dict(send)


class InvoicesSink(DocumentSink):
    """`POST /V1/order/{orderId}/invoice {capture, items, notify, appendComment, comment}`."""

    kind = "invoices"
    action = "invoice"
    done_field = "qty_invoiced"
    documents_route = "/invoices"
    comments_route = "/invoices/{id}/comments"
    flight_routes = (("POST", "/order/byOrderId/invoice"),)

    def left(self, item: dict[str, Any]) -> float:
        # Sales/Model/Order/Item.php getQtyToInvoice
        return _qty(item, "qty_ordered") - _qty(item, "qty_invoiced") - _qty(item, "qty_canceled")

    def body(self, data: dict[str, Any], items: dict[int, float]) -> dict[str, Any]:
        return {"capture": bool(data.get("capture", False)), **super().body(data, items)}


class ShipmentsSink(DocumentSink):
    """`POST /V1/order/{orderId}/ship {items, notify, appendComment, comment, tracks}`."""

    kind = "shipments"
    action = "ship"
    done_field = "qty_shipped"
    documents_route = "/shipments"
    comments_route = "/shipment/{id}/comments"
    flight_routes = (("POST", "/order/byOrderId/ship"), ("POST", TRACK_ROUTE))

    def left(self, item: dict[str, Any]) -> float:
        # Sales/Model/Order/Item.php getSimpleQtyToShip; virtual items are never shipped.
        if item.get("is_virtual"):
            return 0.0
        return (
            _qty(item, "qty_ordered")
            - _qty(item, "qty_shipped")
            - _qty(item, "qty_refunded")
            - _qty(item, "qty_canceled")
        )

    def body(self, data: dict[str, Any], items: dict[int, float]) -> dict[str, Any]:
        body = super().body(data, items)
        body["tracks"] = [
            {
                "track_number": t["track_number"],
                "carrier_code": t["carrier_code"],
                "title": t.get("title") or t["carrier_code"],
            }
            for t in data.get("tracks") or []
        ]
        if data.get("source_code"):
            # MSI: the source the shipped quantities are deducted from; without it Magento takes
            # the only source of the website's stock, else the default source (magento/inventory
            # InventoryShipping/Plugin/Sales/Shipment/AssignSourceCodeToShipmentPlugin.php).
            body["arguments"] = {"extension_attributes": {"source_code": data["source_code"]}}
        return body

    def replayed(self, entry: Entry, view: OrderView, document_id: int) -> Plan:
        """A shipment already on the store gets the record's tracks it lacks, one call each
        (`POST /V1/shipment/track`, not idempotent: a tracking number already on any shipment of
        the order is not added again)."""
        order_id = int(view.order["entity_id"])
        writes = []
        for track in entry.data.get("tracks") or []:
            if str(track["track_number"]) in view.track_numbers:
                continue
            body = {
                "entity": {
                    "order_id": order_id,
                    "parent_id": document_id,
                    "track_number": track["track_number"],
                    "carrier_code": track["carrier_code"],
                    "title": track.get("title") or track["carrier_code"],
                }
            }
            writes.append(Write("POST", TRACK_ROUTE, body, TRACK_ROUTE, body, idempotent=False))
        plan = Plan(entry, writes)
        if writes:
            plan.replan = lambda: self._fresh(plan)
        return plan
