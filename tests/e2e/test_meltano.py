"""End to end: the real `meltano run` of this repository's meltano.yml against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
from magento2_sandbox import Sandbox

from tests.e2e.meltano_runner import ROOT, needs_meltano, run_meltano

pytestmark = needs_meltano


def jsonl_rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_tap_to_jsonl_then_incremental(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(seed=3, orders=120)
    run_meltano(tmp_path, sandbox, "run", "tap-magento2", "target-jsonl")
    orders = jsonl_rows(tmp_path / "jsonl" / "orders.jsonl")
    truth = sandbox.control.truth("orders")
    assert {row["entity_id"] for row in orders} == {row["id"] for row in truth}
    assert (tmp_path / "jsonl" / "order_items.jsonl").stat().st_size > 0

    # The store changes; the second run brings exactly the changed rows, plus at most the rows
    # that share the first run's last second (the bookmark is inclusive by design).
    last_second = max(row["updated_at"] for row in truth)
    boundary = {row["id"] for row in truth if row["updated_at"] == last_second}
    changed = set(sandbox.control.mass_update("orders", count=7)["ids"])
    (tmp_path / "jsonl" / "orders.jsonl").unlink()
    run_meltano(tmp_path, sandbox, "run", "tap-magento2", "target-jsonl")
    second = {row["entity_id"] for row in jsonl_rows(tmp_path / "jsonl" / "orders.jsonl")}
    assert changed <= second
    assert second <= changed | boundary


def test_tap_to_duckdb(tmp_path: Path, sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(seed=4, orders=80)
    run_meltano(tmp_path, sandbox, "run", "tap-magento2", "target-duckdb")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as connection:
        count = connection.execute("select count(*) from magento.orders").fetchone()
        customers = connection.execute("select count(*) from magento.customers").fetchone()
    assert count is not None
    assert count[0] == len(sandbox.control.truth("orders"))
    assert customers is not None
    assert customers[0] == len(sandbox.control.truth("customers"))


def test_erp_sample_into_magento_exactly_once(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    # The sample in target-magento2/samples/erp/ is made for this seed and size.
    sandbox = sandbox_factory(seed=1, orders=500)
    invoices_before = len(sandbox.control.truth("invoices"))
    shipments_before = len(sandbox.control.truth("shipments"))
    memos_before = len(sandbox.control.truth("creditmemos"))

    run_meltano(tmp_path, sandbox, "run", "erp-to-magento")
    invoiced = len(sandbox.control.truth("invoices")) - invoices_before
    shipped = len(sandbox.control.truth("shipments")) - shipments_before
    refunded = len(sandbox.control.truth("creditmemos")) - memos_before
    sample = ROOT / "target-magento2" / "samples" / "erp"
    assert invoiced == len(jsonl_rows(sample / "invoices.jsonl"))
    assert shipped == len(jsonl_rows(sample / "shipments.jsonl"))
    assert refunded == len(jsonl_rows(sample / "refunds.jsonl"))
    first_source_item = jsonl_rows(sample / "source_items.jsonl")[0]
    stored = sandbox.control.entity(
        "source_items", (first_source_item["sku"], first_source_item["source_code"])
    )
    assert stored["quantity"] == first_source_item["quantity"]
    assert not (tmp_path / "rejects.jsonl").exists()
    emails = sorted(str(row["email"]) for row in jsonl_rows(sample / "customers.jsonl"))

    def crm_customers() -> list[str]:
        found = sandbox.store.find("customers")
        return sorted(str(c["email"]) for c in found if c["email"] in emails)

    assert crm_customers() == emails

    # The same files again (tap-jsonl re-reads them on a full refresh): nothing is written twice.
    run_meltano(tmp_path, sandbox, "run", "--full-refresh", "erp-to-magento")
    assert len(sandbox.control.truth("invoices")) - invoices_before == invoiced
    assert len(sandbox.control.truth("shipments")) - shipments_before == shipped
    assert crm_customers() == emails
    assert len(sandbox.control.truth("creditmemos")) - memos_before == refunded
