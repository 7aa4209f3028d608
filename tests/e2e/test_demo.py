"""`make demo` says what happened: its printed facts are checked against the store and DuckDB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.e2e.meltano_runner import ROOT, needs_meltano

pytestmark = needs_meltano


def test_demo_output_is_true(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), "--output", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    shown = done.stdout
    summary = json.loads((tmp_path / "demo-summary.json").read_text())

    # Narration, not Meltano's log: the log is in its own file.
    assert len(shown.splitlines()) < 150
    assert "[info     ]" not in shown
    assert "Run completed" in (tmp_path / "demo-meltano.log").read_text()

    # The first report is the warehouse's; the second run brought the changed orders and no
    # other than those of the bookmark's second; the deleted product's row is gone.
    second = summary["second"]
    assert second["warehouse_orders"] == second["store_orders"]
    changes = summary["changes"]
    brought = set(second["orders_brought"])
    assert set(changes["updated"]) | set(changes["created"]) <= brought
    assert brought - set(changes["updated"]) - set(changes["created"]) <= set(second["boundary"])
    assert second["extra"] == []
    assert second["product_removed"] is True
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as connection:
        skus = {sku for (sku,) in connection.execute("select sku from magento.products").fetchall()}
        orders = connection.execute("select count(*) from magento.orders").fetchone()
    assert changes["deleted"] not in skus
    assert orders == (second["store_orders"],)
    assert f"{len(changes['created'])} new orders" in shown

    # The write-back did its work once; the replay made no invoice, shipment or credit change.
    back = summary["write_back"]
    sample = ROOT / "target-magento2" / "samples" / "erp"
    assert back["invoices_created"] == len((sample / "invoices.jsonl").read_text().splitlines())
    assert back["shipments_created"] == len((sample / "shipments.jsonl").read_text().splitlines())
    assert back["creditmemos_created"] == len((sample / "refunds.jsonl").read_text().splitlines())
    assert back["balances_changed"] > 0
    assert back["replay_invoices_created"] == 0
    assert back["replay_shipments_created"] == 0
    assert back["replay_creditmemos_created"] == 0
    assert back["replay_balances_changed"] == 0
    assert back["replay_stock_changed"] == 0
    for stream in ("invoices", "shipments", "refunds", "company_credits"):
        assert back["replay"][stream]["written"] == 0, stream
        assert back["replay"][stream]["already_done"] == back["first"][stream]["written"]
    assert "Invoices created: 0; shipments created: 0" in shown
