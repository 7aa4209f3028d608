# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""target-magento2 against the sandbox at 100 ms per request: 10,000 source-item updates and 1,000
invoices, synchronous (V1) and asynchronous (async/V1).

For each run it prints the wall time, the requests the store received (its request log) and their
ratio to one request per record. Every figure printed is measured in this run.

    .venv/bin/python bench/target_bench.py [--latency-ms 100] [--source-items N] [--invoices N]
    .venv/bin/python bench/target_bench.py --quick    # 2,000 source items, 200 invoices
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from magento2_rest import MagentoClient, MagentoSettings, SearchCriteria
from magento2_sandbox import Sandbox
from target_magento2.records import kind_schema
from target_magento2.target import TargetMagento2

# Seed 1 puts about one order in eight in state `new` (nothing invoiced yet).
ORDERS_PER_FRESH = 10


def messages(stream: str, records: list[dict[str, Any]]) -> str:
    schema = {"type": "object", "properties": kind_schema(stream)["properties"]}
    lines = [{"type": "SCHEMA", "stream": stream, "schema": schema, "key_properties": []}]
    lines += [{"type": "RECORD", "stream": stream, "record": r} for r in records]
    lines.append({"type": "STATE", "value": {"bench": stream}})
    return "".join(json.dumps(line) + "\n" for line in lines)


def source_item_records(sandbox: Sandbox, count: int) -> list[dict[str, Any]]:
    settings = MagentoSettings.from_config({"url": sandbox.url, **sandbox.credentials})
    with MagentoClient(settings) as api:
        criteria = SearchCriteria().order_by("sku")
        pairs = [
            (i["sku"], i["source_code"])
            for page in api.iter_pages("/inventory/source-items", criteria, 300)
            for i in page.items
        ]
    return [
        {
            "sku": pairs[n % len(pairs)][0],
            "source_code": pairs[n % len(pairs)][1],
            "quantity": n % 97,
        }
        for n in range(count)
    ]


def invoice_records(sandbox: Sandbox, count: int) -> list[dict[str, Any]]:
    settings = MagentoSettings.from_config({"url": sandbox.url, **sandbox.credentials})
    with MagentoClient(settings) as api:
        criteria = SearchCriteria().where("state", "eq", "new").order_by("entity_id")
        orders = [o for page in api.iter_pages("/orders", criteria, 300) for o in page.items]
    fresh = [
        o
        for o in orders
        if all(
            not i.get("is_virtual") and not float(i.get("qty_invoiced") or 0)
            for i in o.get("items") or []
        )
    ]
    if len(fresh) < count:
        msg = f"the sandbox has {len(fresh)} orders to invoice, {count} needed: raise --orders"
        raise SystemExit(msg)
    return [
        {"order_increment_id": o["increment_id"], "reference": f"BENCH-{o['increment_id']}"}
        for o in fresh[:count]
    ]


def run(
    sandbox: Sandbox, mode: str, stream: str, records: list[dict[str, Any]], rejects: Path
) -> dict[str, Any]:
    config = {
        "url": sandbox.url,
        **sandbox.credentials,
        "api_type": mode,
        "rejects_file": str(rejects),
        "bulk_poll_interval": 0.5,
        "batch_size_rows": 10000,
    }
    sandbox.control.clear_requests()
    target = TargetMagento2(config=config)
    started = time.monotonic()
    with contextlib.redirect_stdout(io.StringIO()):
        target.process_lines(io.StringIO(messages(stream, records)))
        target.process_endofpipe()
    seconds = time.monotonic() - started
    log = sandbox.control.requests()
    outcome = target.ledger.summary()[stream]
    if outcome["written"] != len(records):
        msg = f"{stream} in {mode}: {outcome} - not every record was written, see {rejects}"
        raise SystemExit(msg)
    return {
        "stream": stream,
        "mode": mode,
        "records": len(records),
        "seconds": seconds,
        "requests": len(log),
        "by_method": dict(Counter(r["method"] for r in log)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--source-items", type=int, default=10_000)
    parser.add_argument("--invoices", type=int, default=1_000)
    parser.add_argument(
        "--orders", type=int, default=0, help="orders in the store (default: enough)"
    )
    parser.add_argument(
        "--modes", nargs="+", default=["V1", "async/V1"], choices=["V1", "async/V1"]
    )
    parser.add_argument("--quick", action="store_true", help="2,000 source items and 200 invoices")
    args = parser.parse_args()
    if args.quick:
        args.source_items, args.invoices = 2_000, 200
    orders = args.orders or args.invoices * ORDERS_PER_FRESH + 500
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode in args.modes:
            # A fresh store per mode: the second mode must find the orders still to invoice.
            with Sandbox(seed=1, orders=orders) as sandbox:
                items = source_item_records(sandbox, args.source_items)
                invoices = invoice_records(sandbox, args.invoices)
                sandbox.control.update_settings(latency_ms=args.latency_ms)
                rejects = Path(tmp) / f"rejects-{mode.replace('/', '-')}.jsonl"
                results.append(run(sandbox, mode, "source_items", items, rejects))
                results.append(run(sandbox, mode, "invoices", invoices, rejects))
    print(f"target-magento2 against the sandbox, {args.latency_ms:g} ms per request")
    header = f"{'stream':<14}{'mode':<10}{'records':>9}{'seconds':>10}{'requests':>10}"
    print(f"{header}{'per record':>12}  methods")
    for r in results:
        print(
            f"{r['stream']:<14}{r['mode']:<10}{r['records']:>9}{r['seconds']:>10.1f}"
            f"{r['requests']:>10}{r['requests'] / r['records']:>12.3f}  {r['by_method']}"
        )


if __name__ == "__main__":
    main()
