# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Benchmark of tap-magento2 against the sandbox: speed, CPU per record, peak memory.

    python bench/tap_bench.py            # 10,000 and 100,000 orders (seeding 100k takes minutes)
    python bench/tap_bench.py --quick    # 2,000 and 10,000 orders

Measured in one run and printed, for the orders stream (page_size 300, order_items not selected):
- records per second with the store answering at once (0 ms), and at 100 ms per request plus
  1 ms per returned order (the sandbox's latency_ms / per_item_latency_ms), against the ceiling
  of sequential paging at that latency;
- the tap's CPU time per record (user + system of the tap process, less the same process
  reading no records: start-up, imports, discovery of settings) against the floor of
  `json.loads` + `json.dumps` of the same records in this process;
- the tap process's peak resident memory at both sizes.

The tap runs as a child process (`python -m tap_magento2`), so its CPU time and memory are its
own; the sandbox serves from a thread of this process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from magento2_sandbox import Sandbox

PAGE_SIZE = 300
RECORD_PREFIX = b'{"type":"RECORD"'
FLOOR_SAMPLE = 10_000

# Runs the tap's CLI and, at exit, writes the process's peak resident memory (VmHWM) to the file
# named by TAP_BENCH_HWM. getrusage's ru_maxrss will not do on Linux: exec keeps the high-water
# mark of the forking parent (this process, which holds the sandbox), VmHWM belongs to the new
# image only.
LAUNCHER = """
import atexit, os, runpy, sys

def report():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                with open(os.environ["TAP_BENCH_HWM"], "w") as out:
                    out.write(line.split()[1])

atexit.register(report)
sys.argv = ["tap-magento2", *sys.argv[1:]]
runpy.run_module("tap_magento2", run_name="__main__")
"""


@dataclass
class TapRun:
    records: int
    wall: float
    cpu: float
    peak_rss_mb: float
    sample: list[bytes]


def orders_catalog(config_path: Path) -> dict[str, Any]:
    """The tap's discovered catalog with only the orders stream selected."""
    answer = subprocess.run(
        [sys.executable, "-m", "tap_magento2", "--config", str(config_path), "--discover"],
        capture_output=True,
        check=True,
    )
    catalog: dict[str, Any] = json.loads(answer.stdout)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if not item["breadcrumb"]:
                item["metadata"]["selected"] = entry["tap_stream_id"] == "orders"
    return catalog


def run_tap(sandbox: Sandbox, workdir: Path, extra: dict[str, Any] | None = None) -> TapRun:
    """One sync of the orders stream in a child process; its own CPU time and peak memory."""
    config = {"url": sandbox.url, **sandbox.credentials, "page_size": PAGE_SIZE, **(extra or {})}
    config_path = workdir / "config.json"
    config_path.write_text(json.dumps(config))
    catalog_path = workdir / "catalog.json"
    if not catalog_path.exists():
        catalog_path.write_text(json.dumps(orders_catalog(config_path)))
    hwm_path = workdir / "hwm"
    command = [
        sys.executable,
        "-c",
        LAUNCHER,
        "--config",
        str(config_path),
        "--catalog",
        str(catalog_path),
    ]
    sample: list[bytes] = []
    records = 0
    started = time.perf_counter()
    env = {**os.environ, "TAP_BENCH_HWM": str(hwm_path)}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(RECORD_PREFIX):
                records += 1
                if len(sample) < FLOOR_SAMPLE:
                    sample.append(line)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"the tap failed with exit code {child.returncode}")
    return TapRun(
        records=records,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=int(hwm_path.read_text()) / 1024,  # VmHWM is in KiB
        sample=sample,
    )


def floor_seconds_per_record(sample: list[bytes]) -> float:
    """CPU seconds of json.loads + json.dumps per record, on the records the tap wrote."""
    texts = [json.dumps(json.loads(line)["record"]) for line in sample]
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for text in texts:
            json.dumps(json.loads(text))
        best = min(best, time.process_time() - started)
    return best / len(texts)


def start_sandbox(orders: int) -> Sandbox:
    started = time.perf_counter()
    sandbox = Sandbox(seed=1, orders=orders, b2b=False, msi=False).start()
    print(f"  (sandbox with {orders:,} orders seeded in {time.perf_counter() - started:.0f} s)")
    return sandbox


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000 orders")
    args = parser.parse_args()
    small, large = (2_000, 10_000) if args.quick else (10_000, 100_000)
    latency_orders = 1_500 if args.quick else 6_000

    results: dict[int, TapRun] = {}
    baseline_cpu = baseline_wall = 0.0
    floor = 0.0
    for orders in (small, large):
        print(f"orders: {orders:,}")
        sandbox = start_sandbox(orders)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                workdir = Path(tmp)
                run = run_tap(sandbox, workdir)
                if run.records != orders:
                    raise SystemExit(f"the tap wrote {run.records} orders of {orders}")
                results[orders] = run
                if orders == small:
                    # The same process reading nothing: start-up and one empty page.
                    empty = run_tap(sandbox, workdir, {"end_date": "2000-01-01 00:00:00"})
                    baseline_cpu, baseline_wall = empty.cpu, empty.wall
                    floor = floor_seconds_per_record(run.sample)
        finally:
            sandbox.stop()

    print(f"latency: 100 ms per request + 1 ms per order, {latency_orders:,} orders")
    sandbox = start_sandbox(latency_orders)
    try:
        sandbox.control.update_settings(latency_ms=100, per_item_latency_ms=1)
        with tempfile.TemporaryDirectory() as tmp:
            slow = run_tap(sandbox, Path(tmp))
    finally:
        sandbox.stop()

    print()
    print("results (this run)")
    fast = results[large]
    print(f"  start-up of the tap process (a run reading nothing): {baseline_wall:.2f} s")
    print(
        f"  records/s at 0 ms ({large:,} orders): {fast.records / fast.wall:,.0f} "
        f"({fast.records / (fast.wall - baseline_wall):,.0f} after start-up)"
    )
    ceiling = PAGE_SIZE / (0.100 + PAGE_SIZE * 0.001)
    rate = slow.records / (slow.wall - baseline_wall)
    print(
        f"  records/s at 100 ms + 1 ms/order ({slow.records:,} orders): "
        f"{slow.records / slow.wall:,.0f} ({rate:,.0f} after start-up; one request at a time "
        f"cannot pass {ceiling:,.0f}/s with pages of {PAGE_SIZE}: {rate / ceiling:.0%} of that)"
    )
    for orders, run in results.items():
        per_record = (run.cpu - baseline_cpu) / run.records
        print(
            f"  CPU per record at {orders:,} orders: {per_record * 1e6:,.0f} µs "
            f"(floor json.loads+dumps {floor * 1e6:,.0f} µs, ratio {per_record / floor:.1f}x; "
            f"start-up {baseline_cpu:.2f} s CPU excluded)"
        )
    for orders, run in results.items():
        print(f"  peak memory at {orders:,} orders: {run.peak_rss_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
