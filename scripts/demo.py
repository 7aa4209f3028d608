"""`make demo`: start the sandbox store, run real Meltano pipelines against it, stop it.

1. `meltano run tap-magento2 target-duckdb` reads the whole store into output/warehouse.duckdb;
   a short report is read from that file.
2. The store changes (orders updated by a mass action, new orders, a product deleted through
   DELETE /V1/products/{sku}); the same command runs again and the demo shows what it brought:
   the changed rows, the rows of the bookmark's last second, and the deleted product's row gone.
3. `meltano run erp-to-magento` (a job of meltano.yml) writes ERP stock, products, invoices,
   shipments and B2B credit from JSON-lines files into the store; the demo shows what changed in
   the store, then replays the files and shows that no invoice, shipment or credit change is
   made twice (stock and product values are set again to the values they already have).

Meltano's own logs go to output/demo-meltano.log; a summary of the facts shown is written to
output/demo-summary.json (tests/e2e/test_demo.py checks them).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
from magento2_rest import MagentoClient, MagentoSettings
from magento2_sandbox import SandboxControl
from magento2_sandbox.control import SandboxControlError

ROOT = Path(__file__).resolve().parents[1]
ERP = ROOT / "target-magento2" / "samples" / "erp"
# The ERP sample in target-magento2/samples/erp/ is made for seed 1 with 500 orders.
SEED = 1
ORDERS = 500
CREDENTIALS = {
    "consumer_key": "sandbox-consumer-key",
    "consumer_secret": "sandbox-consumer-secret",
    "access_token": "sandbox-access-token",
    "access_token_secret": "sandbox-access-token-secret",
}
# The demo's own choices, on top of the sandbox environment of meltano.yml: deletes of products
# reach DuckDB (the tap's deletion check, target-duckdb's hard_delete), and every row says which
# run wrote it (_sdc_batched_at).
DEMO_ENV = {
    "TAP_MAGENTO2_DELETION_CHECK_STREAMS": '["products"]',
    "TAP_MAGENTO2_DELETION_CHECK_INTERVAL_HOURS": "0",
    "TARGET_DUCKDB_ADD_METADATA_COLUMNS": "true",
    "TARGET_DUCKDB_HARD_DELETE": "true",
}
# Tables whose rows the second run may bring, and their keys.
KEYS = {
    "orders": ["entity_id"],
    "order_items": ["item_id"],
    "invoices": ["entity_id"],
    "shipments": ["entity_id"],
    "creditmemos": ["entity_id"],
    "customers": ["id"],
    "products": ["id", "store_code"],
    "categories": ["id"],
    "source_items": ["sku", "source_code"],
}


class Demo:
    def __init__(self, url: str, log: Path, database: Path) -> None:
        self.url = url
        self.log = log
        self.database = database
        self.store = SandboxControl(url)
        self.api = MagentoClient(MagentoSettings.from_config({"url": url, **CREDENTIALS}))
        self.env = {
            **os.environ,
            **DEMO_ENV,
            "MAGENTO_SANDBOX_URL": url,
            "TARGET_DUCKDB_FILEPATH": str(database),
            # The demo's state in a database of its own: each demo starts from nothing.
            "MELTANO_DATABASE_URI": f"sqlite:///{database.parent / 'demo-meltano.db'}",
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        }

    def meltano(self, *args: str) -> str:
        """Run meltano, its output appended to the log; answer this run's part of the log."""
        command = ["meltano", "--environment=sandbox", *args]
        print(f"  $ {' '.join(command)}", end=" ", flush=True)
        started = time.monotonic()
        with self.log.open("a") as log, run_lock():
            log.write(f"\n===== $ {' '.join(command)}\n")
            log.flush()
            start = log.tell()
            done = subprocess.run(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, check=False
            )
        text = self.log.read_text()[start:]
        if done.returncode:
            print("failed")
            sys.exit(f"meltano exited with status {done.returncode}: see {self.log}")
        print(f"({time.monotonic() - started:.0f} s)", flush=True)
        return text

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return connection.execute(sql).fetchall()

    def batches(self) -> dict[str, dict[tuple[Any, ...], Any]]:
        """Each table's rows by key, with the time of the batch that last wrote them."""
        tables = {name for (name,) in self.query(
            "select table_name from information_schema.tables where table_schema = 'magento'"
        )}  # fmt: skip
        return {
            table: {
                tuple(row[:-1]): row[-1]
                for row in self.query(
                    f"select {', '.join(keys)}, _sdc_batched_at from magento.{table}"
                )
            }
            for table, keys in KEYS.items()
            if table in tables
        }


@contextmanager
def run_lock() -> Iterator[None]:
    """Meltano shares .meltano/run/<plugin>/ between runs: one at a time with the tests'."""
    lock = ROOT / ".meltano" / "e2e.lock"
    lock.parent.mkdir(exist_ok=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(
    store: SandboxControl, process: subprocess.Popen[bytes], seconds: float = 120
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the sandbox exited with status {process.returncode} before it was ready")
        try:
            store.settings()
        except OSError:
            time.sleep(0.3)
        else:
            return
    sys.exit(f"the sandbox did not answer on {store.url} within {seconds:.0f} s")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "    ") -> str:
    cells = [[fmt(value) for value in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines += [
        "  ".join(
            c.rjust(w) if is_number(c) else c.ljust(w) for c, w in zip(row, widths, strict=True)
        )
        for row in cells
    ]
    return "\n".join(indent + line.rstrip() for line in lines)


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


def is_number(text: str) -> bool:
    return bool(re.fullmatch(r"-?[\d,]+(\.\d+)?", text))


DAY = "cast(substr(cast(created_at as varchar), 1, 10) as date)"
# The first run's report: a title, the columns and the query of each table.
REPORT = [
    (
        "Orders and revenue per day and status (the five latest days with orders)",
        ["day", "status", "orders", "revenue"],
        (
            f"select {DAY} as day, status, count(*), round(sum(base_grand_total), 2)"
            f" from magento.orders where {DAY} in"
            f" (select distinct {DAY} from magento.orders order by 1 desc limit 5)"
            " group by all order by day desc, status"
        ),
    ),
    (
        "Top products by revenue",
        ["sku", "name", "units", "revenue"],
        (
            "select sku, any_value(name), sum(qty_ordered)::int as units,"
            " round(sum(base_row_total), 2) as revenue from magento.order_items"
            " where parent_item_id is null group by sku order by revenue desc limit 5"
        ),
    ),
    (
        "Customers per group",
        ["group", "customers"],
        (
            "select g.code, count(c.id) from magento.customer_groups g"
            " left join magento.customers c on c.group_id = g.id group by g.code order by 2 desc"
        ),
    ),
    (
        "B2B credit per company",
        ["company", "limit", "used", "available"],
        (
            "select co.company_name, cc.credit_limit, -cc.balance as used, cc.available_limit"
            " from magento.company_credits cc join magento.companies co on co.id = cc.company_id"
            " order by co.company_name"
        ),
    ),
]


def report(demo: Demo) -> dict[str, Any]:
    """The first run's report, read from DuckDB; answers the figures for the summary."""
    for title, headers, sql in REPORT:
        print(f"\n  {title}:")
        print(table(headers, demo.query(sql)))
    totals = demo.query("select count(*), round(sum(base_grand_total), 2) from magento.orders")[0]
    companies = demo.query("select count(*) from magento.company_credits")[0][0]
    return {"orders": totals[0], "revenue": totals[1], "companies": companies}


def change_store(demo: Demo) -> dict[str, Any]:
    """Update orders by a mass action, add new ones, delete a product no ERP file names."""
    updated = demo.store.mass_update("orders", count=20)["ids"]
    demo.store.start_mutator(rate_per_s=20, kinds=["orders"], create_ratio=1.0, seed=SEED)
    time.sleep(0.4)
    created = demo.store.stop_mutator()["created"]["orders"]
    erp_skus = {json.loads(line).get("sku") for path in ERP.glob("*.jsonl") for line in path.open()}
    product = next(
        demo.store.entity("products", row["id"])
        for row in demo.store.truth("products")
        if demo.store.entity("products", row["id"])["sku"] not in erp_skus
    )
    demo.api.request("DELETE", f"/products/{product['sku']}")
    print(
        f"\n  The store changed: {len(updated)} orders updated by a mass action, "
        f"{len(created)} new orders, product {product['sku']} deleted "
        f"(DELETE /V1/products/{product['sku']})."
    )
    return {"updated": sorted(updated), "created": sorted(created), "deleted": product}


def second_run(
    demo: Demo, before: dict[str, dict[tuple[Any, ...], Any]], changes: dict[str, Any]
) -> dict[str, Any]:
    # Each incremental table's rows of the first run's last second: its bookmark is inclusive.
    at_bookmark = {
        name: {
            tuple(row)
            for row in demo.query(
                f"select {', '.join(keys)} from magento.{name}"
                f" where updated_at = (select max(updated_at) from magento.{name})"
            )
        }
        for name, keys in KEYS.items()
        if name not in {"order_items", "source_items"}
    }
    boundary = {key[0] for key in at_bookmark["orders"]}
    demo.meltano("run", "tap-magento2", "target-duckdb")
    after = demo.batches()
    brought = {
        name: {key for key, batch in rows.items() if before[name].get(key) != batch}
        for name, rows in after.items()
    }
    removed = {name: set(before[name]) - set(rows) for name, rows in after.items()}
    why = {
        "orders": "changed in the store, and the rows of the last second",
        "order_items": "the items of those orders",
        "source_items": "full table: read whole every run",
    }
    rows = []
    for name in after:
        if not (brought[name] or removed[name]):
            continue
        reason = why.get(name, "")
        if name not in why:
            rest = brought[name] - at_bookmark[name]
            reason = "the rows of the last second" if not rest else f"{len(rest)} changed"
        if removed[name]:
            reason = (reason + "; " if brought[name] - removed[name] else "") + "deleted"
        rows.append((name, len(brought[name]), len(removed[name]), reason))
    print("\n  What the second run brought (rows new or written again, rows removed):")
    print(table(["table", "written", "removed", "why"], rows))
    orders = {key[0] for key in brought["orders"]}
    updated, created = set(changes["updated"]), set(changes["created"])
    extra = orders - updated - created
    print(
        f"    orders: {len(orders & updated)} of the {len(updated)} updated, "
        f"{len(orders & created)} of the {len(created)} new, and {len(extra & boundary)} "
        "of the first run's last second (the bookmark is inclusive), nothing else."
    )
    sample = demo.query(
        "select increment_id, status, round(base_grand_total, 2), updated_at from magento.orders"
        f" where entity_id in ({', '.join(map(str, sorted(orders)))})"
        " order by updated_at desc, entity_id desc limit 6"
    )
    print(table(["order", "status", "total", "updated_at"], sample, indent="      "))
    deleted = changes["deleted"]
    gone = {key for key in removed["products"] if key[0] == deleted["id"]}
    print(
        f"    products: the row of {deleted['sku']} is gone (the tap's deletion check wrote "
        "_sdc_deleted_at; target-duckdb's hard_delete removed it)."
        if gone
        else f"    products: the row of {deleted['sku']} is still there."
    )
    return {
        "orders_brought": sorted(orders),
        "boundary": sorted(boundary),
        "extra": sorted(extra - boundary),
        "product_removed": bool(gone),
        "warehouse_orders": demo.query("select count(*) from magento.orders")[0][0],
        "store_orders": len(demo.store.truth("orders")),
    }


def quantity(demo: Demo, sku: str, source: str) -> float | None:
    try:
        return float(demo.store.entity("source_items", (sku, source))["quantity"])
    except SandboxControlError:  # not assigned to that source yet
        return None


def store_state(demo: Demo) -> dict[str, Any]:
    source_items = [json.loads(line) for line in (ERP / "source_items.jsonl").open()]
    credits_ = {
        doc["company_id"]: doc
        for doc in (
            demo.store.entity("company_credits", row["id"])
            for row in demo.store.truth("company_credits")
        )
    }
    return {
        "stock": {
            (item["sku"], item["source_code"]): quantity(demo, item["sku"], item["source_code"])
            for item in source_items
        },
        "invoices": len(demo.store.truth("invoices")),
        "shipments": len(demo.store.truth("shipments")),
        "creditmemos": len(demo.store.truth("creditmemos")),
        "balance": {company: doc["balance"] for company, doc in credits_.items()},
    }


def target_summary(log: str) -> dict[str, dict[str, int]]:
    """The target's own count of what it did per stream, summed over the job's tasks."""
    totals: dict[str, dict[str, int]] = {}
    decoder = json.JSONDecoder()
    for match in re.finditer(r"summary json: ", log):
        found, _ = decoder.raw_decode(log, match.end())
        for stream, tally in found.items():
            for outcome, count in tally.items():
                totals.setdefault(stream, {}).setdefault(outcome, 0)
                totals[stream][outcome] += count
    return totals


def print_summary(totals: dict[str, dict[str, int]]) -> None:
    rows = [
        (stream, *(tally.get(name, 0) for name in ("written", "already_done", "refused")))
        for stream, tally in sorted(totals.items())
    ]
    print(table(["stream", "written", "already done", "refused"], rows))


def write_back(demo: Demo) -> dict[str, Any]:
    before = store_state(demo)
    log = demo.meltano("run", "erp-to-magento")
    first = target_summary(log)
    after = store_state(demo)
    print("\n  target-magento2's count per stream:")
    print_summary(first)
    moved = [
        (sku, source, before["stock"][key], quantity)
        for key, quantity in after["stock"].items()
        if before["stock"][key] != quantity
        for sku, source in [key]
    ]
    print(f"\n  Stock per source ({len(moved)} of {len(after['stock'])} quantities changed):")
    print(table(["sku", "source", "before", "after"], moved[:8]))
    if len(moved) > 8:  # noqa: PLR2004
        print(f"    ... and {len(moved) - 8} more")
    print(
        f"\n  Invoices created: {after['invoices'] - before['invoices']}; "
        f"shipments created: {after['shipments'] - before['shipments']}; "
        f"credit memos created: {after['creditmemos'] - before['creditmemos']}."
    )
    balances = [
        (company, before["balance"].get(company), balance)
        for company, balance in sorted(after["balance"].items())
        if before["balance"].get(company) != balance
    ]
    print("  Company credit balance:")
    print(table(["company_id", "before", "after"], balances))

    print("\n  The same files again, as a scheduler retrying the job would send them:")
    log = demo.meltano("run", "--full-refresh", "erp-to-magento")
    second = target_summary(log)
    replay = store_state(demo)
    print_summary(second)
    balances_changed = sum(replay["balance"][c] != b for c, b in after["balance"].items())
    stock_changed = sum(replay["stock"][k] != q for k, q in after["stock"].items())
    print(
        f"  Invoices created: {replay['invoices'] - after['invoices']}; shipments created: "
        f"{replay['shipments'] - after['shipments']}; credit memos created: "
        f"{replay['creditmemos'] - after['creditmemos']}; credit balances changed: "
        f"{balances_changed}; stock quantities changed: {stock_changed}."
    )
    print(
        "  Invoices, shipments, credit memos and balance changes are found in the store and\n"
        "  not made again (already done); stock and product values are sets, sent again with\n"
        "  the values the store already has, so they count as written and change nothing."
    )
    return {
        "first": first,
        "replay": second,
        "invoices_created": after["invoices"] - before["invoices"],
        "shipments_created": after["shipments"] - before["shipments"],
        "creditmemos_created": after["creditmemos"] - before["creditmemos"],
        "stock_changed": len(moved),
        "balances_changed": len(balances),
        "replay_invoices_created": replay["invoices"] - after["invoices"],
        "replay_shipments_created": replay["shipments"] - after["shipments"],
        "replay_creditmemos_created": replay["creditmemos"] - after["creditmemos"],
        "replay_balances_changed": balances_changed,
        "replay_stock_changed": stock_changed,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "output", help="default: output/")
    options = parser.parse_args(argv)
    if shutil.which("meltano") is None or shutil.which("magento2-sandbox") is None:
        sys.exit("meltano is not on PATH: run the demo with `make demo`")
    output: Path = options.output.resolve()
    output.mkdir(parents=True, exist_ok=True)
    database = output / "warehouse.duckdb"
    log = output / "demo-meltano.log"
    for path in (database, log, output / "demo-meltano.db"):
        path.unlink(missing_ok=True)
    started = time.monotonic()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    print(f"Starting the sandbox store on {url} ({ORDERS} orders, seed {SEED}).")
    print(f"Meltano's logs go to {shown(log)}.", flush=True)
    sandbox = subprocess.Popen(
        ["magento2-sandbox", "serve", "--port", str(port), "--seed", str(SEED),
         "--orders", str(ORDERS)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    summary: dict[str, Any] = {}
    try:
        demo = Demo(url, log, database)
        wait_ready(demo.store, sandbox)
        print("\n1. The whole store into DuckDB")
        demo.meltano("run", "tap-magento2", "target-duckdb")
        summary["report"] = report(demo)
        before = demo.batches()

        print("\n2. The store changes, the same pipeline runs again")
        changes = change_store(demo)
        summary["changes"] = {**changes, "deleted": changes["deleted"]["sku"]}
        summary["second"] = second_run(demo, before, changes)

        print("\n3. ERP data back into the store: meltano run erp-to-magento")
        summary["write_back"] = write_back(demo)
    finally:
        sandbox.send_signal(signal.SIGTERM)
        try:
            sandbox.wait(timeout=30)
        except subprocess.TimeoutExpired:
            sandbox.kill()
    (output / "demo-summary.json").write_text(json.dumps(summary, indent=2, default=str))
    print(
        f"\nDone in {time.monotonic() - started:.0f} s; the sandbox is stopped.\n"
        f"The warehouse: {shown(database)}; Meltano's logs: {shown(log)}."
    )


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


if __name__ == "__main__":
    main()
