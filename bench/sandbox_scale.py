# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""The sandbox at scale: build time, memory and disk for N orders, how fast it serves a
300-order page (the page size a tap asks for) and how fast it invoices and ships an order.

Every figure printed is measured in this run (about 1.5 minutes on 2 CPUs):

    .venv/bin/python bench/sandbox_scale.py [--orders 100000] [--pages 30] [--quick]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import requests
from magento2_sandbox import Sandbox
from requests_oauthlib import OAuth1

LIMIT_MB = 1024


def query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{key}={quote(value, safe='')}" for key, value in pairs)


def writes(url: str, auth: OAuth1) -> None:
    """The first invoice and shipment of a large store: new item ids come from the seed's
    ranges, not from reading every document."""
    pairs = [
        ("searchCriteria[filter_groups][0][filters][0][field]", "state"),
        ("searchCriteria[filter_groups][0][filters][0][value]", "new"),
        ("searchCriteria[pageSize]", "1"),
    ]
    found = requests.get(f"{url}/rest/V1/orders?{query(pairs)}", auth=auth, timeout=120)
    found.raise_for_status()
    order_id = found.json()["items"][0]["entity_id"]
    timings = []
    for action in ("invoice", "ship"):
        tick = time.monotonic()
        answer = requests.post(
            f"{url}/rest/V1/order/{order_id}/{action}", json={}, auth=auth, timeout=120
        )
        timings.append(f"{action} {(time.monotonic() - tick) * 1000:.0f} ms")
        answer.raise_for_status()
    print(f"first writes of order {order_id}: " + ", ".join(timings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="10 pages of each kind")
    args = parser.parse_args()
    if args.quick:
        args.pages = 10
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "store.sqlite"
        started = time.monotonic()
        sandbox = Sandbox(seed=1, orders=args.orders, db=db).start()
        built = time.monotonic() - started
        try:
            rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            # The largest worker process of a parallel build (0 when it built in-process).
            worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            files = [Path(f"{db}{suffix}") for suffix in ("", "-wal", "-shm")]
            disk_mb = sum(file.stat().st_size for file in files if file.exists()) / 2**20
            counts = sandbox.control.info()["counts"]
            print(
                f"orders: {args.orders}  (invoices {counts['invoices']}, shipments "
                f"{counts['shipments']}, credit memos {counts['creditmemos']}, customers "
                f"{counts['customers']}, products {counts['products']})"
            )
            print(f"build: {built:.1f} s")
            total_mb = rss_mb + worker_mb + disk_mb
            print(
                f"peak RSS: {rss_mb:.0f} MB (+ largest build worker {worker_mb:.0f} MB), "
                f"SQLite on disk: {disk_mb:.0f} MB, together {total_mb:.0f} MB "
                f"({'under' if total_mb < LIMIT_MB else 'OVER'} the {LIMIT_MB} MB budget)"
            )
            print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            c = sandbox.credentials
            auth = OAuth1(
                c["consumer_key"],
                c["consumer_secret"],
                c["access_token"],
                c["access_token_secret"],
                signature_method="HMAC-SHA256",
            )
            last_page = max(1, args.orders // 300)
            for label, extra in (
                ("300-order page", []),
                (
                    "300-order page, fields filter",
                    [("fields", "items[entity_id,updated_at],total_count")],
                ),
            ):
                seconds, sizes = [], []
                for index in range(args.pages):
                    page = 1 + (index * 7919) % last_page
                    pairs = [
                        ("searchCriteria[filter_groups][0][filters][0][field]", "updated_at"),
                        (
                            "searchCriteria[filter_groups][0][filters][0][value]",
                            "2000-01-01 00:00:00",
                        ),
                        ("searchCriteria[filter_groups][0][filters][0][condition_type]", "gteq"),
                        ("searchCriteria[sortOrders][0][field]", "entity_id"),
                        ("searchCriteria[sortOrders][0][direction]", "ASC"),
                        ("searchCriteria[pageSize]", "300"),
                        ("searchCriteria[currentPage]", str(page)),
                        *extra,
                    ]
                    url = f"{sandbox.url}/rest/V1/orders?{query(pairs)}"
                    tick = time.monotonic()
                    answer = requests.get(url, auth=auth, timeout=120)
                    seconds.append(time.monotonic() - tick)
                    answer.raise_for_status()
                    assert len(answer.json()["items"]) == min(300, args.orders)
                    sizes.append(len(answer.content))
                seconds.sort()
                print(
                    f"{label}: median {statistics.median(seconds) * 1000:.0f} ms, "
                    f"p95 {seconds[int(len(seconds) * 0.95) - 1] * 1000:.0f} ms, "
                    f"{statistics.mean(sizes) / 1024:.0f} KB each ({args.pages} pages)"
                )
            writes(sandbox.url, auth)
        finally:
            sandbox.stop()


if __name__ == "__main__":
    main()
