# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Order status and comments from an ERP or WMS: hold, unhold, cancel, and a comment (with a
status), exactly once.

`POST /V1/orders/{id}/comments` adds a comment every time it is sent, so the order's status
history is read first: a comment already there (its `[ref:...]` tag, or without a reference the
same text) is a replay and is not sent. Hold, unhold and cancel are decided from the order's
state: an order already held is not held again. Cancel is checked before it is sent, as
Order::canCancel does, because Magento answers `true` to a cancel it did not do.
"""

from __future__ import annotations

from typing import Any

from magento2_rest import SearchCriteria

from target_magento2.sales_sinks import (
    ORDER_CHUNK,
    OrderKey,
    order_key,
    order_label,
    reference_tag,
)
from target_magento2.sinks import Entry, MagentoSink, Plan, Write, waves

ACTIONS = ("hold", "unhold", "cancel")
# Order::canCancel (Sales/Model/Order.php): no cancel from these states.
NOT_CANCELABLE = {"holded", "payment_review", "canceled", "complete", "closed"}


def _qty(item: dict[str, Any], name: str) -> float:
    return float(item.get(name) or 0)


def comment_text(data: dict[str, Any]) -> str:
    text = str(data.get("comment") or "")
    if "reference" in data:
        text = f"{text} {reference_tag(data['reference'])}".strip()
    return text


class OrderStatusSink(MagentoSink):
    """`POST /V1/orders/{id}/hold|unhold|cancel`, then `POST /V1/orders/{id}/comments
    {"statusHistory": {comment, status, is_customer_notified, is_visible_on_front, parent_id}}`."""

    kind = "order_status"
    can_read_back = True
    flight_routes = tuple(("POST", f"/orders/byId/{name}") for name in ("comments", *ACTIONS))
    flight_noun = "order"

    def flight_key(self, body: dict[str, Any]) -> str | None:
        return None if body.get("id") is None else str(body["id"])

    # ------------------------------------------------------------------------------ batching

    def write_batch(self, entries: list[Entry]) -> None:
        orders = self.load_orders(entries)
        entity = {
            id(e): int(o["entity_id"]) if (o := orders.get(order_key(e.data))) else id(e)
            for e in entries
        }
        for number, wave in enumerate(waves(entries, lambda e: entity[id(e)])):
            if number:
                orders = self.load_orders(wave)
            plans = []
            for entry in wave:
                decided = self.decide(entry, orders.get(order_key(entry.data)))
                if isinstance(decided, str):
                    self.refuse(entry, decided)
                else:
                    plans.append(decided)
            self.run_plans(plans)

    def load_orders(self, entries: list[Entry]) -> dict[OrderKey, dict[str, Any]]:
        """The orders these records name, as the store has them (`status_histories` included),
        one search per ORDER_CHUNK ids or increment ids."""
        keys = sorted({order_key(e.data) for e in entries}, key=str)
        found: dict[OrderKey, dict[str, Any]] = {}
        for field_name in ("entity_id", "increment_id"):
            values = [value for name, value in keys if name == field_name]
            for start in range(0, len(values), ORDER_CHUNK):
                chunk = values[start : start + ORDER_CHUNK]
                criteria = SearchCriteria().where(field_name, "in", chunk).order_by("entity_id")
                page = self.magento.search("/orders", criteria.page(len(chunk)))
                for order in page.items:
                    raw = order[field_name]
                    value = int(raw) if field_name == "entity_id" else str(raw)
                    found[(field_name, value)] = order
        return found

    # ------------------------------------------------------------------------------ deciding

    def decide(self, entry: Entry, order: dict[str, Any] | None) -> Plan | str:
        data = entry.data
        if order is None:
            return f"the store has no order with {order_label(order_key(data))}"
        order_id = int(order["entity_id"])
        state = str(order.get("state") or "")
        writes = []
        action = data.get("action")
        if action == "hold" and state != "holded":
            writes.append(self._write(order_id, "hold", {}))
        elif action == "unhold" and state == "holded":
            writes.append(self._write(order_id, "unhold", {}))
        elif action == "cancel" and state != "canceled":
            left = any(
                _qty(i, "qty_ordered") - _qty(i, "qty_invoiced") - _qty(i, "qty_canceled") > 0
                for i in order.get("items") or []
                if not i.get("parent_item_id")
            )
            if state in NOT_CANCELABLE or not left:
                return (
                    f"order {order.get('increment_id')} cannot be canceled in state {state!r} "
                    "with nothing left to invoice (Order::canCancel); Magento would answer true "
                    "and change nothing - credit it instead"
                )
            writes.append(self._write(order_id, "cancel", {}))
        text = comment_text(data)
        if text and not self.has_comment(order, data, text):
            history: dict[str, Any] = {
                "comment": text,
                "is_customer_notified": 1 if data.get("notify") else 0,
                "is_visible_on_front": 1 if data.get("is_visible_on_front") else 0,
                "parent_id": order_id,
            }
            if data.get("status"):
                history["status"] = data["status"]
            writes.append(self._write(order_id, "comments", {"statusHistory": history}))
        plan = Plan(entry, writes)
        if writes:
            plan.replan = lambda: self._fresh(plan)
        return plan

    @staticmethod
    def has_comment(order: dict[str, Any], data: dict[str, Any], text: str) -> bool:
        comments = [str(h.get("comment") or "") for h in order.get("status_histories") or []]
        if "reference" in data:
            tag = reference_tag(data["reference"])
            return any(tag in comment for comment in comments)
        return text in comments

    @staticmethod
    def _write(order_id: int, name: str, body: dict[str, Any]) -> Write:
        return Write(
            "POST",
            f"/orders/{order_id}/{name}",
            body,
            f"/orders/byId/{name}",
            {"id": order_id, **body},
            idempotent=False,
        )

    def decided(self, entries: list[Entry]) -> list[Plan | str]:
        """Each record decided again from what the store shows now (one read for all)."""
        orders = self.load_orders(entries)
        return [self.decide(entry, orders.get(order_key(entry.data))) for entry in entries]

    def _fresh(self, plan: Plan) -> Plan:
        (again,) = self.decided([plan.entry])
        # A message now means the order changed under us: the write is not confirmed.
        return plan if isinstance(again, str) else again

    def replan_all(self, plans: list[Plan]) -> dict[int, Plan | None]:
        again = self.decided([plan.entry for plan in plans])
        return {
            id(plan): plan if isinstance(now, str) else now
            for plan, now in zip(plans, again, strict=True)
        }

    def confirm(self, plans: list[Plan]) -> list[Plan]:
        again = self.decided([plan.entry for plan in plans])
        return [
            plan
            for plan, now in zip(plans, again, strict=True)
            if isinstance(now, str) or now.writes
        ]
