# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""target-magento2 against the sandbox at 100 ms per request, 1 ms per entity answered and 8
PHP-FPM workers: 10,000 source items (V1 with input limits off and on, async/V1) against one
request per item, and 1,000 invoices + 1,000 shipments, max_concurrency 8 against 1, with the
proof from the sandbox's request log that no order was written twice or by two requests at once;
and a price list of 2,000 SKUs through the price API against one product save per SKU.

Every figure printed is measured in this run, with the sandbox settings it ran at.

    .venv/bin/python bench/target_bench.py                 # the full run (about 6 minutes)
    .venv/bin/python bench/target_bench.py --quick         # 2,000 source items, 200 documents
    .venv/bin/python bench/target_bench.py --only source_items   (or: documents, prices)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from magento2_rest import MagentoClient, MagentoSettings, SearchCriteria
from magento2_sandbox.control import SandboxControl, requests_at_once
from magento2_sandbox.sandbox import DEFAULT_CREDENTIALS
from target_magento2.records import kind_schema
from target_magento2.target import TargetMagento2

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

# Seed 1 puts about one order in seven in state `new` (nothing invoiced or shipped yet).
ORDERS_PER_FRESH = 8
# Products per source item wanted: seed 1 gives some products a second source.
PRODUCTS_PER_ITEM = 0.72
# Products per simple product wanted (seed 1 makes some configurable parents and bundles).
SIMPLE_SHARE = 1.3
ORDER_WRITE = re.compile(r"/V1/order/(\d+)/(invoice|ship)$")


class StoreProcess:
    """The sandbox served by `magento2-sandbox serve` in a process of its own, as a store runs on
    a machine of its own: in this process its Python work would share one interpreter lock with
    the target's, and the figures would measure that lock."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url
        self.credentials = dict(DEFAULT_CREDENTIALS)
        self.control = SandboxControl(url)


@contextlib.contextmanager
def store_process(**options: Any) -> Iterator[StoreProcess]:
    executable = shutil.which("magento2-sandbox", path=str(Path(sys.executable).parent))
    command = [executable or "magento2-sandbox", "serve", "--port", "0"]
    for name, value in options.items():
        command += [f"--{name}", str(value)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        lines: Iterable[str] = process.stdout or []
        url = next((line[len("url: ") :].strip() for line in lines if "url: " in line), "")
        if not url:
            msg = f"the sandbox did not start: {' '.join(command)}"
            raise SystemExit(msg)
        yield StoreProcess(process, url)
    finally:
        process.terminate()
        process.wait(timeout=60)


def messages(stream: str, records: list[dict[str, Any]]) -> str:
    schema = {"type": "object", "properties": kind_schema(stream)["properties"]}
    lines = [{"type": "SCHEMA", "stream": stream, "schema": schema, "key_properties": []}]
    lines += [{"type": "RECORD", "stream": stream, "record": r} for r in records]
    lines.append({"type": "STATE", "value": {"bench": stream}})
    return "".join(json.dumps(line) + "\n" for line in lines)


def api_of(sandbox: StoreProcess) -> MagentoClient:
    return MagentoClient(MagentoSettings.from_config({"url": sandbox.url, **sandbox.credentials}))


def source_item_records(sandbox: StoreProcess, count: int) -> list[dict[str, Any]]:
    """`count` distinct (sku, source) pairs of the store, each set to a new quantity."""
    with api_of(sandbox) as api:
        criteria = SearchCriteria().order_by("sku").order_by("source_code")
        pairs = [
            (i["sku"], i["source_code"])
            for page in api.iter_pages("/inventory/source-items", criteria, 300)
            for i in page.items
        ]
    if len(pairs) < count:
        msg = f"the sandbox has {len(pairs)} source items, {count} needed"
        raise SystemExit(msg)
    return [
        {"sku": sku, "source_code": source, "quantity": 1000 + n % 97}
        for n, (sku, source) in enumerate(pairs[:count])
    ]


def fresh_orders(sandbox: StoreProcess, count: int) -> list[dict[str, Any]]:
    """Orders in state `new` with nothing invoiced or shipped and no virtual item."""
    with api_of(sandbox) as api:
        criteria = SearchCriteria().where("state", "eq", "new").order_by("entity_id")
        orders = [o for page in api.iter_pages("/orders", criteria, 300) for o in page.items]
    fresh = [
        o
        for o in orders
        if all(
            not i.get("is_virtual")
            and not float(i.get("qty_invoiced") or 0)
            and not float(i.get("qty_shipped") or 0)
            for i in o.get("items") or []
        )
    ]
    if len(fresh) < count:
        msg = f"the sandbox has {len(fresh)} orders to invoice and ship, {count} needed"
        raise SystemExit(msg)
    return fresh[:count]


def run_target(
    sandbox: StoreProcess,
    stream: str,
    records: list[dict[str, Any]],
    rejects: Path,
    *,
    expect: str = "written",
    **settings: Any,
) -> dict[str, Any]:
    """One run of the target in this process; its time, outcomes and the store's request log."""
    config = {
        "url": sandbox.url,
        **sandbox.credentials,
        "rejects_file": str(rejects),
        "bulk_poll_interval": 0.5,
        "batch_size_rows": len(records),
        **settings,
    }
    sandbox.control.clear_requests()
    target = TargetMagento2(config=config)
    started = time.monotonic()
    with contextlib.redirect_stdout(io.StringIO()):
        target.process_lines(io.StringIO(messages(stream, records)))
        target.process_endofpipe()
    seconds = time.monotonic() - started
    outcome = target.ledger.summary()[stream]
    if outcome[expect] != len(records):
        msg = f"{stream} {settings}: {outcome} - not every record was written, see {rejects}"
        raise SystemExit(msg)
    return {"seconds": seconds, "log": sandbox.control.requests()}


def statuses(log: list[dict[str, Any]]) -> str:
    counts = Counter(f"{r['method']} {r['status']}" for r in log)
    return ", ".join(f"{n} {key}" for key, n in sorted(counts.items()))


# ------------------------------------------------------------------------------ source items


def bench_source_items(args: argparse.Namespace, knobs: dict[str, Any], tmp: Path) -> None:
    products = int(args.source_items * PRODUCTS_PER_ITEM) + 200
    print(f"\n## {args.source_items:,} source items (POST /V1/inventory/source-items)")
    with store_process(seed=1, orders=200, products=products) as sandbox:
        records = source_item_records(sandbox, args.source_items)
        sample = records[: args.sample]
        sandbox.control.update_settings(**knobs)
        # One request per item, one at a time: measured on a sample, and its floor for all
        # items (each request costs at least latency_ms): the ratios below are to that floor.
        one = run_target(
            sandbox, "source_items", sample, tmp / "r.jsonl", batch_size=1, max_concurrency=1
        )
        per_item = one["seconds"] / len(sample)
        floor = args.source_items * knobs["latency_ms"] / 1000
        print(
            f"one request per item, one at a time: {len(sample)} items in {one['seconds']:.1f} s "
            f"({per_item * 1000:.0f} ms each, {len(one['log'])} requests): "
            f"{args.source_items:,} items would take {per_item * args.source_items:.0f} s; "
            f"floor at {knobs['latency_ms']:g} ms per request: {floor:.0f} s"
        )
        print(
            f"{'mode':<10}{'input limits':<14}{'seconds':>8}{'requests':>10}{'items/request':>15}"
            f"{'x floor':>9}{'x measured':>12}  requests by answer"
        )
        for mode, limits in (("V1", False), ("V1", True), ("async/V1", False)):
            sandbox.control.update_settings(input_limits=limits)
            run = run_target(
                sandbox,
                "source_items",
                records,
                tmp / "r.jsonl",
                api_type=mode,
                max_concurrency=args.concurrency,
            )
            writes = [r for r in run["log"] if r["method"] == "POST"]
            accepted = [r for r in writes if r["status"] in {200, 202}]
            items = sum(r["body_items"] for r in accepted)
            per_request = (
                f"{items / len(accepted):.0f}"
                if mode == "V1"
                else f"{args.source_items / max(1, len(accepted)):.0f} (bulk)"
            )
            print(
                f"{mode:<10}{'on (20)' if limits else 'off':<14}{run['seconds']:>8.1f}"
                f"{len(run['log']):>10}{per_request:>15}{floor / run['seconds']:>9.0f}"
                f"{per_item * args.source_items / run['seconds']:>12.0f}  {statuses(run['log'])}"
            )


# ---------------------------------------------------------------------------------- prices


def bench_prices(args: argparse.Namespace, knobs: dict[str, Any], tmp: Path) -> None:
    """An ERP price list: base prices through the price API against one product save per SKU
    (the `products` kind: POST /V1/products, ProductRepository::save as PUT /V1/products/{sku}
    does), on one store at the same settings; the replay of the price list after them."""
    print(f"\n## a price list of {args.prices:,} SKUs: POST /V1/products/base-prices")
    with store_process(
        seed=1, orders=200, products=int(args.prices * SIMPLE_SHARE) + 200
    ) as sandbox:
        with api_of(sandbox) as api:
            criteria = SearchCriteria().where("type_id", "eq", "simple").order_by("entity_id")
            skus = [p["sku"] for page in api.iter_pages("/products", criteria, 300)
                    for p in page.items][: args.prices]  # fmt: skip
        if len(skus) < args.prices:
            msg = f"the sandbox has {len(skus)} simple products, {args.prices} needed"
            raise SystemExit(msg)
        sandbox.control.update_settings(**knobs)
        print(
            f"{'how':<44}{'seconds':>8}{'requests':>10}{'writes':>8}{'SKUs/request':>14}"
            "  requests by answer"
        )
        figures = {}
        for label, stream, price, settings in (
            ("one product save per SKU (products)", "products", 20.0, {}),
            ("price API, V1 (base_prices)", "base_prices", 21.0, {}),
            ("price API, async/V1 (base_prices)", "base_prices", 22.0, {"api_type": "async/V1"}),
            ("price API replay, V1 (base_prices)", "base_prices", 22.0, {}),
        ):
            records = [{"sku": sku, "price": price + n % 7} for n, sku in enumerate(skus)]
            run = run_target(
                sandbox, stream, records, tmp / "r.jsonl", max_concurrency=args.concurrency,
                expect="already_done" if "replay" in label else "written", **settings,
            )  # fmt: skip
            writes = [r for r in run["log"] if re.search(r"/products(/base-prices)?$", r["path"])]
            figures[label] = (run["seconds"], len(run["log"]))
            print(
                f"{label:<44}{run['seconds']:>8.1f}{len(run['log']):>10}{len(writes):>8}"
                f"{len(skus) / max(1, len(run['log'])):>14.1f}  {statuses(run['log'])}"
            )
        saves, prices = (
            figures["one product save per SKU (products)"],
            figures["price API, V1 (base_prices)"],
        )
        print(
            f"price API against one save per SKU: {prices[1] / len(skus):.3f} requests per SKU "
            f"against {saves[1] / len(skus):.3f}, {saves[1] / prices[1]:.0f}x fewer requests, "
            f"{saves[0] / prices[0]:.1f}x faster (V1, batch_size 100, the reads included)"
        )


# --------------------------------------------------------------------- invoices and shipments


def check_orders(
    sandbox: StoreProcess, log: list[dict[str, Any]], orders: list[dict[str, Any]]
) -> dict[str, int]:
    """From the request log: writes per order and kind, overlapping writes for one order; from
    the store: each order's invoices and shipments."""
    per_order: dict[int, list[dict[str, Any]]] = defaultdict(list)
    accepted: Counter[tuple[int, str]] = Counter()
    for entry in log:
        found = ORDER_WRITE.search(entry["path"])
        if entry["method"] != "POST" or found is None:
            continue
        order_id, action = int(found.group(1)), found.group(2)
        per_order[order_id].append(entry)
        if 200 <= entry["status"] < 300:
            accepted[order_id, action] += 1
    overlapping = sum(1 for own in per_order.values() if requests_at_once(own) > 1)
    sandbox.control.update_settings(latency_ms=0, per_item_latency_ms=0)
    documents: dict[str, Counter[int]] = {}
    with api_of(sandbox) as api:
        for route in ("/invoices", "/shipments"):
            criteria = SearchCriteria().order_by("entity_id")
            documents[route] = Counter(
                int(d["order_id"])
                for page in api.iter_pages(route, criteria, 300)
                for d in page.items
            )
    ids = [int(o["entity_id"]) for o in orders]
    return {
        "twice": sum(1 for n in accepted.values() if n > 1),
        "overlapping": overlapping,
        "peak": requests_at_once([e for own in per_order.values() for e in own]),
        "one_invoice": sum(1 for i in ids if documents["/invoices"][i] == 1),
        "one_shipment": sum(1 for i in ids if documents["/shipments"][i] == 1),
    }


def bench_documents(args: argparse.Namespace, knobs: dict[str, Any], tmp: Path) -> None:
    count = args.documents
    print(f"\n## {count:,} invoices, then {count:,} shipments of the same orders (V1)")
    print(
        f"{'max_concurrency':<17}{'invoices s':>11}{'shipments s':>12}{'requests':>10}"
        f"{'twice':>7}{'overlap':>9}{'peak':>6}{'1 invoice':>11}{'1 shipment':>12}"
    )
    seconds: dict[int, float] = {}
    for concurrency in (1, args.concurrency):
        # A fresh store for each: both find the same orders still to invoice and ship.
        with store_process(seed=1, orders=count * ORDERS_PER_FRESH + 500) as sandbox:
            orders = fresh_orders(sandbox, count)
            invoices = [
                {"order_increment_id": o["increment_id"], "reference": f"INV-{o['increment_id']}"}
                for o in orders
            ]
            shipments = [
                {
                    "order_increment_id": o["increment_id"],
                    "reference": f"PCL-{o['increment_id']}",
                    "tracks": [{"track_number": f"T{o['increment_id']}", "carrier_code": "ups"}],
                }
                for o in orders
            ]
            sandbox.control.update_settings(**knobs)
            rejects = tmp / "r.jsonl"
            invoiced = run_target(
                sandbox, "invoices", invoices, rejects, max_concurrency=concurrency
            )
            shipped = run_target(
                sandbox, "shipments", shipments, rejects, max_concurrency=concurrency
            )
            log = invoiced["log"] + shipped["log"]
            proof = check_orders(sandbox, log, orders)
        seconds[concurrency] = invoiced["seconds"] + shipped["seconds"]
        print(
            f"{concurrency:<17}{invoiced['seconds']:>11.1f}{shipped['seconds']:>12.1f}"
            f"{len(log):>10}{proof['twice']:>7}{proof['overlapping']:>9}{proof['peak']:>6}"
            f"{proof['one_invoice']:>11}{proof['one_shipment']:>12}"
        )
        print(f"{'':<17}requests by answer: {statuses(log)}")
    print(
        f"max_concurrency {args.concurrency} against 1: "
        f"{seconds[1] / seconds[args.concurrency]:.1f}x faster"
    )
    print(
        "twice: orders with two accepted POSTs of one kind; overlap: orders with two POSTs whose "
        "spans (arrival to answer, in the sandbox's log) meet; peak: most order POSTs at once; "
        f"1 invoice / 1 shipment: orders of the {count:,} the store shows exactly one of"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--per-item-latency-ms", type=float, default=1)
    parser.add_argument("--workers", type=int, default=8, help="the sandbox's max_concurrency")
    parser.add_argument("--concurrency", type=int, default=8, help="the target's max_concurrency")
    parser.add_argument("--source-items", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=200, help="items sent one per request")
    parser.add_argument("--documents", type=int, default=1_000)
    parser.add_argument("--prices", type=int, default=2_000, help="SKUs in the price list")
    parser.add_argument("--only", choices=["source_items", "documents", "prices"])
    parser.add_argument(
        "--quick", action="store_true", help="2,000 source items, 200 documents, 500 prices"
    )
    args = parser.parse_args()
    if args.quick:
        args.source_items, args.documents, args.sample, args.prices = 2_000, 200, 100, 500
    knobs = {
        "latency_ms": args.latency_ms,
        "per_item_latency_ms": args.per_item_latency_ms,
        "max_concurrency": args.workers,
    }
    print(
        f"target-magento2 against the sandbox on {platform.machine()} with {os.cpu_count()} "
        f"cores, Python {platform.python_version()}; sandbox settings: {json.dumps(knobs)} "
        f"(input_limits as shown); target max_concurrency {args.concurrency}"
    )
    print(f"load average before: {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in {None, "source_items"}:
            bench_source_items(args, knobs, Path(tmp))
        if args.only in {None, "documents"}:
            bench_documents(args, knobs, Path(tmp))
        if args.only in {None, "prices"}:
            bench_prices(args, knobs, Path(tmp))
    busy = max(os.getloadavg()) > (os.cpu_count() or 1)
    note = " (above the number of cores: other work shared the machine)" if busy else ""
    print(f"\nload average after: {load()}{note}")


def load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


if __name__ == "__main__":
    main()
