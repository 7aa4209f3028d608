"""POST /V1/shipment/track adds a track to an existing shipment (TrackRepository::save)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from .conftest import Api

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox


def test_a_track_is_added_to_its_shipment_and_only_there(sandbox: Sandbox, api: Api) -> None:
    shipment = sandbox.store.find("shipments")[0]
    tracks_before = len(shipment.get("tracks") or [])
    answer = requests.post(
        api.url("/shipment/track"),
        json={
            "entity": {
                "order_id": shipment["order_id"],
                "parent_id": shipment["entity_id"],
                "track_number": "1Z-ADDED-1",
                "carrier_code": "ups",
                "title": "UPS",
            }
        },
        auth=api.auth,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    track = answer.json()
    assert track["parent_id"] == shipment["entity_id"]
    assert track["track_number"] == "1Z-ADDED-1"

    stored = api.json(f"/shipment/{shipment['entity_id']}")
    numbers = [t["track_number"] for t in stored["tracks"]]
    assert len(numbers) == tracks_before + 1
    assert numbers[-1] == "1Z-ADDED-1"
    # Saving a track writes sales_shipment_track only: the shipment's updated_at stays.
    assert stored["updated_at"] == shipment["updated_at"]


def test_a_track_for_no_shipment_of_that_order_is_refused(sandbox: Sandbox, api: Api) -> None:
    shipment = sandbox.store.find("shipments")[0]
    answer = requests.post(
        api.url("/shipment/track"),
        json={"entity": {"order_id": shipment["order_id"] + 1, "parent_id": shipment["entity_id"],
                         "track_number": "X", "carrier_code": "ups", "title": "UPS"}},
        auth=api.auth,
        timeout=30,
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["message"] == "Could not save the shipment tracking."


def test_a_track_without_its_order_id_is_refused(sandbox: Sandbox, api: Api) -> None:
    """TrackRepository::save (2.4.7) looks for the shipment by order_id and parent_id: without
    order_id none matches."""
    shipment = sandbox.store.find("shipments")[0]
    before = len(shipment.get("tracks") or [])
    answer = requests.post(
        api.url("/shipment/track"),
        json={"entity": {"parent_id": shipment["entity_id"], "track_number": "NO-ORDER",
                         "carrier_code": "ups", "title": "UPS"}},
        auth=api.auth,
        timeout=30,
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["message"] == "Could not save the shipment tracking."
    stored = sandbox.store.get("shipments", shipment["entity_id"]) or {}
    assert len(stored.get("tracks") or []) == before
