# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""CPU per request of the shared client: client.search of a 300-row page of MSI source items.

    python bench/client_bench.py

The client's own process time (user + system) per page, over kept-alive connections to a
sandbox served by another process (bench/served.py), best of 3 runs of 200 requests: small
records cost the tap little more than this per page, so it is the client's share of their CPU.
"""

from __future__ import annotations

import time

from magento2_rest import MagentoClient, MagentoSettings, SearchCriteria
from served import ServedSandbox

ROUTE = "/inventory/source-items"
REQUESTS = 200
RUNS = 3


def main() -> int:
    criteria = SearchCriteria().order_by("source_item_id", "ASC").page(300, 2)
    with ServedSandbox(50, customers=2000, products=2000) as sandbox:
        config = {"url": sandbox.url, **sandbox.credentials}
        with MagentoClient(MagentoSettings.from_config(config)) as client:
            rows = len(client.search(ROUTE, criteria).items)
            size = client.stats.bytes
            times = []
            for _ in range(RUNS):
                started = time.process_time()
                for _ in range(REQUESTS):
                    client.search(ROUTE, criteria)
                times.append((time.process_time() - started) / REQUESTS)
    runs = ", ".join(f"{seconds * 1000:.2f}" for seconds in times)
    print(
        f"client.search of {rows} source items ({size / 1000:.0f} KB): "
        f"{min(times) * 1000:.2f} ms CPU per request (best of {RUNS} x {REQUESTS}: {runs})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
