# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Killed (SIGKILL) at a seeded random point, then run again from the last STATE it emitted, as
Meltano resumes a pipeline: every invoice, shipment, order comment, balance change, refund and
new customer is on the store exactly once, nothing missing, and the STATE the killed run left
never covered a write the store did not have.

Two kill points: mid-batch (after k writes of the batch were answered, others in flight) and
between a write and its confirmation (the store committed it, its answer not yet read: the
sandbox commits first and then waits out the rest of `latency_ms` before it answers).

The rerun's input is what a tap resuming from that STATE sends: the records after it. Each seed
picks its own mix of records, mode (V1, async/V1) and max_concurrency (1, 4). Seed 0 of each kill
point runs in `make test`; seeds 1 to 19 are `long` (`make test-long`).
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from tests.target.helpers import (
    CONCURRENCY,
    MODES,
    WRITE_STREAMS,
    balances,
    fresh_orders,
    landed,
    mixed_writes,
    posts_to,
    schema_message,
    summary_of,
)

if TYPE_CHECKING:
    from pathlib import Path

POINTS = ["mid_batch", "after_write"]
SEEDS = [
    pytest.param(point, seed, id=f"{point}-{seed}", marks=[pytest.mark.long] if seed else [])
    for point in POINTS
    for seed in range(20)
]
WRITES = r"/(invoice|ship|comments|increaseBalance|refund|customers)$"
LATENCY_MS = 150


def singer_input(mix: list[tuple[str, dict[str, Any]]], after: int) -> str:
    """Every stream's SCHEMA, then the records after the `after`-th, each followed by a STATE
    holding its position (a tap's bookmark)."""
    lines = [schema_message(stream) for stream in WRITE_STREAMS]
    for position, (stream, record) in enumerate(mix, start=1):
        if position > after:
            lines.append({"type": "RECORD", "stream": stream, "record": record})
            lines.append({"type": "STATE", "value": {"position": position}})
    return "".join(json.dumps(line) + "\n" for line in lines)


def writes_answered(shop: Any) -> int:
    """Writes the store answered: one a V1 request, one an operation of a bulk request."""
    return sum(
        entry["body_items"] if "/async/" in entry["path"] else 1
        for entry in posts_to(shop, WRITES)
        if entry.get("status") in {200, 202}
    )


def wait_for_kill_point(  # noqa: PLR0917 - the test's own values
    shop: Any, point: str, rng: random.Random, mix: list, mode: str, setup: int
) -> None:
    """Until k writes were answered (mid_batch), or committed with the target yet to learn it
    (after_write): in V1 a committed write whose answer is still on its way, in async mode an
    operation the store's consumer ran that the target has not yet polled. `setup`: writes the
    test made itself before the target started (the invoices of the orders to refund)."""
    k = rng.randint(1, max(1, len(mix) - 2))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answered = writes_answered(shop) - setup
        if point == "mid_batch" and answered >= k:
            time.sleep(rng.uniform(0, LATENCY_MS / 1000))  # somewhere in the next writes
            return
        if point == "after_write":
            committed = sum(min(1, landed(shop, stream, record)) for stream, record in mix)
            if committed >= k and (mode != "V1" or committed > answered):
                return
        time.sleep(0.005)
    pytest.fail(f"the kill point ({point}, k={k}) never came")


def run_target(config_path: Path, text: str) -> subprocess.Popen[str]:
    """The target's command line, as Meltano runs it, reading `text` from a file."""
    input_path = config_path.with_name(f"input-{time.monotonic_ns()}.singer")
    input_path.write_text(text, "utf-8")
    with input_path.open() as stdin:
        return subprocess.Popen(
            [sys.executable, "-m", "target_magento2", "--config", str(config_path)],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def last_position(stdout: str) -> int:
    states = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    return int(states[-1]["position"]) if states else 0


@pytest.mark.parametrize(("point", "seed"), SEEDS)
def test_killed_and_resumed_from_its_last_state_writes_each_once(
    shop, make_config, tmp_path, point, seed
):
    rng = random.Random(seed)
    mode = MODES[(seed + POINTS.index(point)) % 2]
    concurrency = CONCURRENCY[(seed // 2 + POINTS.index(point)) % 2]
    mix = mixed_writes(shop, rng)
    setup = writes_answered(shop)
    before = balances(shop)
    config = make_config(
        shop, api_type=mode, max_concurrency=concurrency, batch_size_rows=rng.choice([1, 2, 4])
    )
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config), "utf-8")
    shop.control.update_settings(latency_ms=LATENCY_MS)

    killed = run_target(config_path, singer_input(mix, 0))
    wait_for_kill_point(shop, point, rng, mix, mode, setup)
    killed.send_signal(signal.SIGKILL)
    stdout, _ = killed.communicate(timeout=30)
    assert killed.returncode == -signal.SIGKILL, "the target ended before its kill point"
    shop.control.update_settings(latency_ms=0)
    time.sleep(LATENCY_MS / 1000 + 0.2)  # the store finishes what was in flight
    position = last_position(stdout)
    # The STATE covers only writes the store holds.
    for stream, record in mix[:position]:
        assert landed(shop, stream, record) == 1, f"STATE {position} covers a missing {stream}"
    already = sum(landed(shop, stream, record) for stream, record in mix[position:])

    rerun = run_target(config_path, singer_input(mix, position))
    _, stderr = rerun.communicate(timeout=120)

    assert rerun.returncode == 0, stderr[-2000:]
    summary = summary_of(stderr)
    resumed = Counter(stream for stream, _ in mix[position:])
    for stream, count in resumed.items():
        outcome = summary[stream]
        assert outcome["written"] + outcome["already_done"] == count, (stream, outcome)
    done = sum(summary[stream]["already_done"] for stream in resumed)
    # In async mode an operation queued before the kill may run after it: found, not queued again.
    assert done == already if mode == "V1" else done >= already
    for stream, record in mix:
        assert landed(shop, stream, record) == 1, f"{stream} {record} not on the store once"
    changes: Counter[int] = Counter()
    for stream, record in mix:
        if stream == "company_credits":
            changes[record["company_id"]] += record["balance_change"]["value"]
    after = balances(shop)
    for company_id, change in changes.items():
        assert after[company_id] == pytest.approx(before[company_id] + change)


def test_state_follows_each_confirmed_batch(shop, make_config, run_target):
    """The SDK alone writes STATE only once every sink drains (the end of the input): a kill
    before then leaves nothing to resume from. Each STATE comes once the records before it are
    confirmed, never before."""
    records = [{"order_id": o["entity_id"]} for o in fresh_orders(shop, 5)]
    messages = [schema_message("invoices")]
    for position, record in enumerate(records, start=1):
        messages.append({"type": "RECORD", "stream": "invoices", "record": record})
        if position % 2 == 0 or position == len(records):
            messages.append({"type": "STATE", "value": {"position": position}})
    run = run_target(make_config(shop, batch_size_rows=3), messages)

    assert run.summary["invoices"]["written"] == len(records)
    # Records 1-3 are one batch: the STATE after 2 comes once it is confirmed; the STATE after 4
    # would cover record 4, still waiting in the second batch, so only the last one follows.
    assert run.states == [{"position": 2}, {"position": 5}]
