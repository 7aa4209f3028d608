# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Order status routes: comments with a status of the order's state, hold, unhold, cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from magento2_sandbox.routes.orders_write import STATUS_NOT_IN_STATE

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox

    from .conftest import Api


def _order(sandbox: Sandbox, state: str) -> dict:
    return next(o for o in sandbox.store.find("orders") if o["state"] == state)


def test_comment_hold_unhold_and_their_refusals(sandbox: Sandbox, api: Api) -> None:
    order = _order(sandbox, "processing")
    oid = order["entity_id"]
    answer = api.post(f"/orders/{oid}/comments", {"statusHistory": {"comment": "ERP note",
                      "status": "fraud", "is_visible_on_front": 1}})  # fmt: skip
    assert (answer.status_code, answer.json()) == (200, True)
    stored = api.json(f"/orders/{oid}")
    assert stored["status"] == "fraud"
    assert stored["status_histories"][0]["comment"] == "ERP note"
    wrong = api.post(f"/orders/{oid}/comments", {"statusHistory": {"comment": "x",
                     "status": "complete"}})  # fmt: skip
    assert wrong.status_code == 400
    assert wrong.json() == {
        "message": STATUS_NOT_IN_STATE,
        "parameters": ["complete"],
    }

    assert api.post(f"/orders/{oid}/hold", None).json() is True
    assert api.json(f"/orders/{oid}")["state"] == "holded"
    again = api.post(f"/orders/{oid}/hold", None)
    assert (again.status_code, again.json()["message"]) == (400, "A hold action is not available.")
    assert api.post(f"/orders/{oid}/unhold", None).json() is True
    assert (api.json(f"/orders/{oid}")["state"], api.json(f"/orders/{oid}")["status"]) == (
        "processing",
        "fraud",
    )
    refused = api.post(f"/orders/{oid}/unhold", None)
    assert (refused.status_code, refused.json()["message"]) == (400, "You cannot remove the hold.")


def test_cancel_answers_true_even_when_nothing_can_be_canceled(sandbox: Sandbox, api: Api) -> None:
    complete = _order(sandbox, "complete")
    answer = api.post(f"/orders/{complete['entity_id']}/cancel", None)
    assert (answer.status_code, answer.json()) == (200, True)
    assert api.json(f"/orders/{complete['entity_id']}")["state"] == "complete"
    fresh = _order(sandbox, "new")
    assert api.post(f"/orders/{fresh['entity_id']}/cancel", None).json() is True
    canceled = api.json(f"/orders/{fresh['entity_id']}")
    assert canceled["state"] == "canceled"
    missing = api.post("/orders/999999/cancel", None)
    assert missing.status_code == 404
