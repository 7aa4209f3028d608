# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Benchmark of tap-magento2 against the sandbox: speed, concurrency, CPU per record, memory.

    python bench/tap_bench.py            # 10,000 and 100,000 orders (seeding 100k takes a minute)
    python bench/tap_bench.py --quick    # 2,000 and 10,000 orders

Measured in one run and printed (the tap's page sizes: 300 a page, customers and MSI source
items 1,000;
order_items not selected; commit_lag_seconds 0:
the sandbox commits at once; it keeps connections alive as nginx does, its default):
- records per second of the orders stream on the large store at 100 ms per request plus 1 ms per
  returned order (the sandbox's latency_ms / per_item_latency_ms) with 8 PHP workers (its
  max_concurrency), at max_concurrency 1 and at the tap's default, their ratio, and the share of
  what such a store can serve (8 x 300 / (100 ms + 300 x 1 ms) = 6,000 orders/s);
- the tap's CPU time per record at 0 ms (user + system of the tap process, as the slope between
  a small and a large run, so start-up, imports and per-run costs cancel) against the floor of
  `json.loads` + `json.dumps` of the same records in this process, for orders (large records)
  and for customers and MSI source items (small ones: the least CPU of three runs of each, on
  stores of 5,000 and 50,000 customers, 4,000 and 50,000 products), and for both at page_size
  300 too (much of a small record's CPU is its share of its page's request, hence the tap's
  larger pages for them: tap_magento2.tap.DEFAULT_STREAM_PAGE_SIZES);
- the tap process's peak resident memory reading the small and the large store at the default
  concurrency, and their ratio.

The tap runs as a child process (`python -m tap_magento2`), so its CPU time and memory are its
own; the sandbox is served by another process (bench/served.py says why).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from served import ServedSandbox
from tap_magento2.tap import DEFAULT_PAGE_SIZE, DEFAULT_READ_CONCURRENCY, DEFAULT_STREAM_PAGE_SIZES

PAGE_SIZE = DEFAULT_PAGE_SIZE
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


def stream_catalog(config_path: Path, stream: str) -> dict[str, Any]:
    """The tap's discovered catalog with only `stream` selected."""
    answer = subprocess.run(
        [sys.executable, "-m", "tap_magento2", "--config", str(config_path), "--discover"],
        capture_output=True,
        check=True,
    )
    catalog: dict[str, Any] = json.loads(answer.stdout)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if not item["breadcrumb"]:
                item["metadata"]["selected"] = entry["tap_stream_id"] == stream
    return catalog


def run_tap(
    sandbox: ServedSandbox,
    workdir: Path,
    extra: dict[str, Any] | None = None,
    stream: str = "orders",
) -> TapRun:
    """One sync of `stream` in a child process; its own CPU time and peak memory."""
    config = {
        "url": sandbox.url,
        **sandbox.credentials,
        "commit_lag_seconds": 0,
        **(extra or {}),
    }
    config_path = workdir / "config.json"
    config_path.write_text(json.dumps(config))
    catalog_path = workdir / f"catalog-{stream}.json"
    if not catalog_path.exists():
        catalog_path.write_text(json.dumps(stream_catalog(config_path, stream)))
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


@dataclass
class CpuFigure:
    """CPU per record as the slope between a small and a large run: fixed costs cancel."""

    stream: str
    runs: tuple[TapRun, TapRun]

    @property
    def per_record(self) -> float:
        small, large = self.runs
        return (large.cpu - small.cpu) / (large.records - small.records)

    @functools.cached_property
    def floor(self) -> float:
        # Measured once: its figure and the ratio printed beside it are of one measurement.
        return floor_seconds_per_record(self.runs[1].sample)


def order_runs(small: int, large: int) -> tuple[dict[int, TapRun], dict[int, float], float]:
    """Orders at 0 ms on both stores (speed, CPU, memory), and on the large one at 100 ms +
    1 ms per order with 8 PHP workers, one request at a time and at the default."""
    memory: dict[int, TapRun] = {}
    rates: dict[int, float] = {}
    baseline_wall = 0.0
    for orders in (small, large):
        print(f"orders: {orders:,}")
        with ServedSandbox(orders) as sandbox, tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            if orders == small:
                # The same process reading nothing: start-up and one empty page.
                empty = run_tap(sandbox, workdir, {"end_date": "2000-01-01 00:00:00"})
                baseline_wall = empty.wall
            run = run_tap(sandbox, workdir)
            if run.records != orders:
                raise SystemExit(f"the tap wrote {run.records} orders of {orders}")
            memory[orders] = run
            if orders == large:
                print("  at 100 ms per request + 1 ms per order, 8 PHP workers")
                sandbox.control.update_settings(
                    latency_ms=100, per_item_latency_ms=1, max_concurrency=8
                )
                for workers in (1, DEFAULT_READ_CONCURRENCY):
                    slow = run_tap(sandbox, workdir, {"max_concurrency": workers})
                    rates[workers] = slow.records / (slow.wall - baseline_wall)
    return memory, rates, baseline_wall


# Runs of each small-record sync; the one that cost the least CPU counts. A small record costs
# a few microseconds, so on a shared machine one run's noise is as large as the difference.
SMALL_RECORD_RUNS = 3


# The page of the extra small-record figures: the tap's page_size, which customers and source
# items are read at where a config sets it.
SMALL_PAGE = PAGE_SIZE
# (label, stream, page_size given or None: the tap's built-in size) of each small-record figure.
SMALL_RECORD_SYNCS = [
    (f"{stream} (pages of {DEFAULT_STREAM_PAGE_SIZES[stream]:,})", stream, None)
    for stream in ("customers", "source_items")
] + [
    (f"{stream} at page_size {SMALL_PAGE:,}", stream, SMALL_PAGE)
    for stream in ("customers", "source_items")
]


def small_record_figures(sizes: tuple[tuple[int, int], ...]) -> list[CpuFigure]:
    """CPU per record of customers and MSI source items (one to two per product), at the tap's
    built-in page size for them and at page_size SMALL_PAGE."""
    runs: dict[str, list[TapRun]] = {label: [] for label, _, _ in SMALL_RECORD_SYNCS}
    for customers, products in sizes:
        served = ServedSandbox(50, customers=customers, products=products)
        with served as sandbox, tempfile.TemporaryDirectory() as tmp:
            for label, stream, page_size in SMALL_RECORD_SYNCS:
                extra = None if page_size is None else {"page_size": page_size}
                tries = [
                    run_tap(sandbox, Path(tmp), extra, stream=stream)
                    for _ in range(SMALL_RECORD_RUNS)
                ]
                runs[label].append(min(tries, key=lambda run: run.cpu))
    return [CpuFigure(label, (done[0], done[1])) for label, done in runs.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000 orders")
    args = parser.parse_args()
    small, large = (2_000, 10_000) if args.quick else (10_000, 100_000)
    sizes = ((2_000, 1_000), (8_000, 4_000)) if args.quick else ((5_000, 4_000), (50_000, 50_000))
    memory, rates, baseline_wall = order_runs(small, large)
    figures = [CpuFigure("orders", (memory[small], memory[large])), *small_record_figures(sizes)]

    print()
    print("results (this run)")
    print(f"  start-up of the tap process (a run reading nothing): {baseline_wall:.2f} s")
    fast = memory[large]
    print(
        f"  records/s at 0 ms ({large:,} orders, max_concurrency {DEFAULT_READ_CONCURRENCY}): "
        f"{fast.records / (fast.wall - baseline_wall):,.0f} after start-up"
    )
    serves = 8 * PAGE_SIZE / (0.100 + PAGE_SIZE * 0.001)
    one, default = rates[1], rates[DEFAULT_READ_CONCURRENCY]
    print(
        f"  records/s at 100 ms + 1 ms/order, 8 workers ({large:,} orders): {one:,.0f} at "
        f"max_concurrency 1, {default:,.0f} at {DEFAULT_READ_CONCURRENCY} (the default): "
        f"{default / one:.1f}x; the store can serve {serves:,.0f}/s: {default / serves:.0%} of it"
    )
    for figure in figures:
        counts = " and ".join(f"{run.records:,}" for run in figure.runs)
        print(
            f"  CPU per record, {figure.stream} (slope between runs of {counts}, 0 ms): "
            f"{figure.per_record * 1e6:,.1f} µs against json.loads+dumps "
            f"{figure.floor * 1e6:,.1f} µs: {figure.per_record / figure.floor:.2f}x"
        )
    for orders, run in memory.items():
        print(f"  peak memory at {orders:,} orders: {run.peak_rss_mb:,.0f} MB")
    ratio = memory[large].peak_rss_mb / memory[small].peak_rss_mb
    print(f"  peak memory, {large:,} against {small:,} orders: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
