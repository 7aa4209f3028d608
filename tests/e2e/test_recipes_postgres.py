"""README recipe "ERP from PostgreSQL to Magento": `meltano run tap-postgres target-magento2`
(MeltanoLabs' tap-postgres) reads the ERP tables of target-magento2/samples/erp/postgres.sql from a
throwaway PostgreSQL and sets the store's stock per source, invoices the orders (lines from a
lines table, gathered by a view into jsonb) and ships them (lines and tracks in jsonb columns).
The same run again writes no document: each invoice and shipment is on the store once."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from magento2_sandbox import Sandbox

from tests.e2e.conftest import Postgres
from tests.e2e.meltano_runner import ROOT, needs_meltano, run_meltano

pytestmark = needs_meltano

SAMPLE = ROOT / "target-magento2" / "samples" / "erp"
DOCUMENT_POSTS = re.compile(r"^/rest/(?:[^/]+/)?V1/order/\d+/(?:invoice|ship)$")


def sample(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (SAMPLE / f"{name}.jsonl").read_text().splitlines()]


def documents(sandbox: Sandbox, kind: str) -> dict[str, list[dict[str, Any]]]:
    """The store's invoices (shipments) by the ERP reference their comments carry."""
    found: dict[str, list[dict[str, Any]]] = {}
    for row in sandbox.control.truth(kind):
        document = sandbox.control.entity(kind, row["id"])
        for comment in document.get("comments") or []:
            for reference in re.findall(r"\[ref:([^\]]+)\]", comment.get("comment") or ""):
                found.setdefault(reference, []).append(document)
    return found


def left(line: dict[str, Any], kind: str) -> float:
    """What an order line had left to invoice (ship) before the run: Magento's
    Sales/Model/Order/Item.php getQtyToInvoice (getSimpleQtyToShip)."""
    done = ("qty_invoiced",) if kind == "invoices" else ("qty_shipped", "qty_refunded")
    return float(line["qty_ordered"]) - sum(
        float(line.get(name) or 0) for name in (*done, "qty_canceled")
    )


def quantities(document: dict[str, Any]) -> dict[str, float]:
    return {item["sku"]: float(item["qty"]) for item in document["items"] if float(item["qty"])}


def test_erp_tables_from_postgres_into_magento_once(
    tmp_path: Path, postgres: Postgres, sandbox_factory: Callable[..., Sandbox]
) -> None:
    # The sample is made for this store (seed 1, 500 orders), the one `make sandbox` serves.
    sandbox = sandbox_factory(seed=1, orders=500)
    database = postgres.create_database(f"erp_{tmp_path.name[-8:].lower()}")
    postgres.psql((SAMPLE / "postgres.sql").read_text(), database)
    env = postgres.plugin_env("TAP_POSTGRES", database)
    invoices, shipments = sample("invoices"), sample("shipments")
    orders = {
        row["increment_id"]: row
        for row in (
            sandbox.control.entity("orders", item["id"]) for item in sandbox.control.truth("orders")
        )
    }

    run_meltano(tmp_path, sandbox, "run", "tap-postgres", "target-magento2", env=env)
    for item in sample("source_items"):
        stored = sandbox.control.entity("source_items", (item["sku"], item["source_code"]))
        assert stored["quantity"] == item["quantity"], item
        assert stored["status"] == item.get("status", 1), item
    for kind, records in (("invoices", invoices), ("shipments", shipments)):
        held = documents(sandbox, kind)
        assert set(held) == {record["reference"] for record in records}, kind
        for record in records:
            (document,) = held[record["reference"]]
            order = orders[record["order_increment_id"]]
            assert document["order_id"] == order["entity_id"], record
            # The lines the ERP gave, or (none) every line the order had left.
            expected = {line["sku"]: line["qty"] for line in record.get("items", [])} or {
                line["sku"]: left(line, kind)
                for line in order["items"]
                if not line.get("parent_item_id") and left(line, kind)
            }
            assert quantities(document) == expected, record
    tracks = {
        track["track_number"]
        for document in sandbox.control.truth("shipments")
        for track in sandbox.control.entity("shipments", document["id"]).get("tracks") or []
    }
    assert {track["track_number"] for record in shipments for track in record["tracks"]} <= tracks
    assert not (tmp_path / "rejects.jsonl").exists()

    # The same tables again (tap-postgres reads them whole every run): no invoice or shipment is
    # posted, each stays on the store once, the stock stays as set.
    sandbox.control.clear_requests()
    run_meltano(tmp_path, sandbox, "run", "tap-postgres", "target-magento2", env=env)
    posted = [
        entry["path"]
        for entry in sandbox.control.requests()
        if entry["method"] == "POST" and DOCUMENT_POSTS.match(entry["path"])
    ]
    assert posted == []
    for kind, records in (("invoices", invoices), ("shipments", shipments)):
        held = documents(sandbox, kind)
        assert {reference: len(found) for reference, found in held.items()} == {
            record["reference"]: 1 for record in records
        }, kind
    for item in sample("source_items"):
        stored = sandbox.control.entity("source_items", (item["sku"], item["source_code"]))
        assert stored["quantity"] == item["quantity"], item
    assert not (tmp_path / "rejects.jsonl").exists()
