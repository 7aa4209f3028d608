# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Invoice and ship through the sandbox: the documents made, the order's quantities, totals,
state and history, and Magento's refusals word for word."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import requests

from .conftest import Api, criteria

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox

NOT_FOUND = "The entity that was requested doesn't exist. Verify the entity and try again."


def _post(api: Api, route: str, body: Any) -> requests.Response:
    return requests.post(api.url(route), json=body, auth=api.auth, timeout=30)


def _orders(sandbox: Sandbox, state: str) -> list[dict[str, Any]]:
    return [order for order in sandbox.store.find("orders") if order["state"] == state]


def _lines(order: dict[str, Any]) -> list[dict[str, Any]]:
    """The items that carry quantities and prices (a configurable's child does not)."""
    return [item for item in order["items"] if item.get("parent_item_id") is None]


def _new_order_with(sandbox: Sandbox, test: Any) -> dict[str, Any]:
    for order in _orders(sandbox, "new"):
        if test(order):
            return order
    pytest.skip("the seeded store has no new order of the kind this test needs")
    raise AssertionError  # pragma: no cover - pytest.skip raises


def test_invoice_of_everything_left_pays_the_order_and_moves_it_to_processing(
    sandbox: Sandbox, api: Api
) -> None:
    # A configurable line when there is one: its child follows the parent's quantities.
    news = _orders(sandbox, "new")
    order = next((o for o in news if any(i.get("parent_item_id") for i in o["items"])), news[0])
    before = order["updated_at"]
    answer = _post(
        api,
        f"/order/{order['entity_id']}/invoice",
        {"capture": True, "notify": True, "appendComment": True,
         "comment": {"comment": "Paid by cheque", "is_visible_on_front": 1}},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    invoice_id = answer.json()
    assert isinstance(invoice_id, int)

    invoice = api.json(f"/invoices/{invoice_id}")
    assert invoice["order_id"] == order["entity_id"]
    assert invoice["state"] == 2  # paid
    assert invoice["grand_total"] == pytest.approx(order["grand_total"])
    assert invoice["shipping_amount"] == pytest.approx(order["shipping_amount"])
    assert {(i["order_item_id"], i["qty"]) for i in invoice["items"]} == {
        (i["item_id"], i["qty_ordered"]) for i in _lines(order)
    }
    assert invoice["comments"][0]["comment"] == "Paid by cheque"
    assert invoice["comments"][0]["is_customer_notified"] == 1
    assert invoice["comments"][0]["is_visible_on_front"] == 1
    assert sandbox.control.entity("invoices", invoice_id)["increment_id"] == f"{invoice_id:09d}"

    saved = api.json(f"/orders/{order['entity_id']}")
    assert (saved["state"], saved["status"]) == ("processing", "processing")
    assert all(item["qty_invoiced"] == item["qty_ordered"] for item in saved["items"])
    assert saved["total_invoiced"] == pytest.approx(order["grand_total"])
    assert saved["total_paid"] == pytest.approx(order["grand_total"])
    assert saved["total_due"] == 0
    assert saved["updated_at"] > before  # seeded times are before today; the write is now
    found = api.search("/invoices", criteria([("order_id", order["entity_id"], "eq")]))
    assert [item["entity_id"] for item in found["items"]] == [invoice_id]


def test_partial_invoices_add_up_to_the_order(sandbox: Sandbox, api: Api) -> None:
    order = _new_order_with(sandbox, lambda o: sum(i["qty_ordered"] for i in _lines(o)) >= 2)
    first_line = max(_lines(order), key=lambda item: item["qty_ordered"])
    first = _post(
        api,
        f"/order/{order['entity_id']}/invoice",
        {"items": [{"order_item_id": first_line["item_id"], "qty": 1}]},
    )
    assert first.status_code == 200, first.text
    partly = api.json(f"/orders/{order['entity_id']}")
    invoiced = {item["item_id"]: item["qty_invoiced"] for item in partly["items"]}
    assert invoiced[first_line["item_id"]] == 1
    assert sum(invoiced.values()) == 1 + sum(
        1 for i in order["items"] if i.get("parent_item_id") == first_line["item_id"]
    )
    assert partly["state"] == "processing"

    rest = _post(api, f"/order/{order['entity_id']}/invoice", {})
    assert rest.status_code == 200, rest.text
    invoices = [api.json(f"/invoices/{first.json()}"), api.json(f"/invoices/{rest.json()}")]
    # The first invoice carries the shipping; both together are the order's grand total.
    assert invoices[0]["shipping_amount"] == pytest.approx(order["shipping_amount"])
    assert invoices[1]["shipping_amount"] == 0
    assert sum(i["grand_total"] for i in invoices) == pytest.approx(order["grand_total"])
    done = api.json(f"/orders/{order['entity_id']}")
    assert all(item["qty_invoiced"] == item["qty_ordered"] for item in done["items"])
    assert done["total_paid"] == pytest.approx(order["grand_total"])


def test_invoice_refusals_carry_magentos_words(sandbox: Sandbox, api: Api) -> None:
    order = _orders(sandbox, "new")[0]
    line = _lines(order)[0]
    over = _post(
        api,
        f"/order/{order['entity_id']}/invoice",
        {"items": [{"order_item_id": line["item_id"], "qty": line["qty_ordered"] + 5}]},
    )
    # Service/InvoiceService.php setInvoiceItemQuantity, before any validator.
    assert over.status_code == 400
    assert over.json() == {
        "message": 'We found an invalid quantity to invoice item "%1".',
        "parameters": [line["name"]],
    }
    assert _post(api, f"/order/{order['entity_id']}/invoice", {}).status_code == 200
    again = _post(api, f"/order/{order['entity_id']}/invoice", {})
    assert again.status_code == 400
    assert again.json()["message"] == (
        "Invoice Document Validation Error(s):\n"
        "You can't create an invoice without products.\n"
        "The order does not allow an invoice to be created."
    )

    canceled = _orders(sandbox, "canceled")[0]
    refused = _post(api, f"/order/{canceled['entity_id']}/invoice", {})
    assert refused.status_code == 400
    assert refused.json()["message"].endswith(
        "An invoice cannot be created when an order has a status of canceled"
    )
    assert api.json(f"/orders/{canceled['entity_id']}")["updated_at"] == canceled["updated_at"]

    missing = _post(api, "/order/999999/invoice", {})
    assert (missing.status_code, missing.json()) == (404, {"message": NOT_FOUND})
    typed = _post(api, "/order/abc/invoice", {})
    assert typed.status_code == 400
    assert typed.json()["parameters"] == {"value": "abc", "type": "int"}


def test_ship_completes_an_invoiced_order_and_is_found_by_order_id(
    sandbox: Sandbox, api: Api
) -> None:
    order = _orders(sandbox, "new")[0]
    assert _post(api, f"/order/{order['entity_id']}/invoice", {}).status_code == 200
    answer = _post(
        api,
        f"/order/{order['entity_id']}/ship",
        {"notify": False, "appendComment": True,
         "comment": {"comment": "Left the warehouse", "is_visible_on_front": 0},
         "tracks": [{"track_number": "1Z999", "title": "UPS", "carrier_code": "ups"}]},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    shipment_id = answer.json()

    found = api.search("/shipments", criteria([("order_id", order["entity_id"], "eq")]))
    assert found["total_count"] == 1
    shipment = found["items"][0]
    assert shipment["entity_id"] == shipment_id
    assert {(i["order_item_id"], i["qty"]) for i in shipment["items"]} == {
        (i["item_id"], i["qty_ordered"]) for i in _lines(order)
    }
    assert shipment["tracks"][0]["track_number"] == "1Z999"
    assert shipment["tracks"][0]["parent_id"] == shipment_id
    assert shipment["comments"][0]["comment"] == "Left the warehouse"
    assert shipment["comments"][0]["is_customer_notified"] == 0

    saved = api.json(f"/orders/{order['entity_id']}")
    assert (saved["state"], saved["status"]) == ("complete", "complete")
    assert all(item["qty_shipped"] == item["qty_ordered"] for item in saved["items"])
    # ResourceModel/Order/Handler/State.php adds an empty comment when it changes the state.
    assert saved["status_histories"][0]["status"] == "complete"
    assert saved["status_histories"][0]["comment"] == ""


def test_ship_of_a_new_order_moves_it_to_processing_and_clamps_quantities(
    sandbox: Sandbox, api: Api
) -> None:
    order = _orders(sandbox, "new")[0]
    line = _lines(order)[0]
    answer = _post(
        api,
        f"/order/{order['entity_id']}/ship",
        {"items": [{"order_item_id": line["item_id"], "qty": line["qty_ordered"] + 3}]},
    )
    # Order/ShipmentFactory.php prepareItems ships min(asked, left): no refusal.
    assert answer.status_code == 200, answer.text
    shipment = api.json(f"/shipment/{answer.json()}")
    assert shipment["items"][0]["qty"] == line["qty_ordered"]
    saved = api.json(f"/orders/{order['entity_id']}")
    assert (saved["state"], saved["status"]) == ("processing", "processing")


def test_ship_refusals_carry_magentos_words(sandbox: Sandbox, api: Api) -> None:
    complete = _orders(sandbox, "complete")[0]
    done = _post(api, f"/order/{complete['entity_id']}/ship", {})
    assert done.status_code == 400
    assert done.json() == {
        "message": "Shipment Document Validation Error(s):\n"
        "The order does not allow a shipment to be created.\n"
        "You can't create a shipment without products."
    }
    holded = _orders(sandbox, "holded")[0]
    held = _post(api, f"/order/{holded['entity_id']}/ship", {})
    assert held.status_code == 400
    assert held.json()["message"] == (
        "Shipment Document Validation Error(s):\n"
        "A shipment cannot be created when an order has a status of holded"
    )
    new = _orders(sandbox, "new")[0]
    untracked = _post(api, f"/order/{new['entity_id']}/ship", {"tracks": [{"title": "UPS"}]})
    assert untracked.status_code == 400
    assert untracked.json()["message"] == (
        "Shipment Document Validation Error(s):\nPlease enter a tracking number."
    )
    assert sandbox.store.find("shipments", order_id=new["entity_id"]) == []


def _nested_ids(sandbox: Sandbox, kind: str, array: str) -> list[int]:
    return [row["entity_id"] for doc in sandbox.store.find(kind) for row in doc.get(array) or []]


def test_rows_of_new_documents_get_ids_no_seeded_row_has(sandbox: Sandbox, api: Api) -> None:
    arrays = [
        ("invoices", "items"),
        ("shipments", "items"),
        ("shipments", "tracks"),
        ("orders", "status_histories"),
    ]
    seeded = {array: _nested_ids(sandbox, *array) for array in arrays}
    assert all(seeded.values())
    order = _orders(sandbox, "new")[0]
    invoice_id = _post(api, f"/order/{order['entity_id']}/invoice", {}).json()
    track = {"track_number": "1Z1", "title": "UPS", "carrier_code": "ups"}
    shipment_id = _post(api, f"/order/{order['entity_id']}/ship", {"tracks": [track]}).json()
    new = {
        ("invoices", "items"): api.json(f"/invoices/{invoice_id}")["items"],
        ("shipments", "items"): api.json(f"/shipment/{shipment_id}")["items"],
        ("shipments", "tracks"): api.json(f"/shipment/{shipment_id}")["tracks"],
        # The shipment completes the order: State.php adds a history row.
        ("orders", "status_histories"): api.json(f"/orders/{order['entity_id']}")[
            "status_histories"
        ][:1],
    }
    for array in arrays:
        ids = [row["entity_id"] for row in new[array]]
        assert ids, array
        assert min(ids) > max(seeded[array]), array
        assert len(set(ids)) == len(ids), array
    assert len(set(_nested_ids(sandbox, "orders", "status_histories"))) == len(
        _nested_ids(sandbox, "orders", "status_histories")
    )


def test_comment_lists_of_invoices_shipments_and_orders(sandbox: Sandbox, api: Api) -> None:
    order = _orders(sandbox, "new")[0]
    comment = {"appendComment": True, "comment": {"comment": "Noted", "is_visible_on_front": 1}}
    invoice_id = _post(api, f"/order/{order['entity_id']}/invoice", comment).json()
    shipment_id = _post(api, f"/order/{order['entity_id']}/ship", comment).json()
    for route, parent_id in (
        (f"/invoices/{invoice_id}/comments", invoice_id),
        (f"/shipment/{shipment_id}/comments", shipment_id),
    ):
        listed = api.json(route)
        assert listed["total_count"] == 1
        assert [(c["comment"], c["parent_id"]) for c in listed["items"]] == [("Noted", parent_id)]
    histories = api.json(f"/orders/{order['entity_id']}/comments")
    ids = [row["entity_id"] for row in histories["items"]]
    assert ids == sorted(ids)
    assert histories["total_count"] == len(ids) >= 2  # placed, then complete
    assert histories["items"][-1]["status"] == "complete"
    # InvoiceService::getCommentsList searches by parent_id: an unknown id lists nothing.
    assert api.json("/invoices/999999/comments")["items"] == []
    assert api.json("/orders/999999/comments")["total_count"] == 0
