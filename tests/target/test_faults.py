# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""A storm of faults (429 with Retry-After, 500, 502, 503, dropped connections, challenge pages,
cut answers, answers slower than read_timeout) at one request in five, while invoices, shipments,
order comments and balance changes are written, in V1 and async/V1, one write at a time and
four at once: each record is on the store exactly once or in the rejects file with a reason,
and nothing is there twice.

One seed per mode and max_concurrency runs in `make test`; more are `long`.
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from tests.target.helpers import (
    CONCURRENCY,
    MODES,
    WRITE_STREAMS,
    balances,
    landed,
    mixed_writes,
    schema_message,
)

STORM = ["429", "500", "502", "503", "drop", "html", "truncate", "slow"]
CASES = [
    pytest.param(mode, concurrency, seed, marks=[pytest.mark.long] if seed >= 4 else [])
    for seed in range(8)
    for mode, concurrency in [((MODES * 2)[seed % 4], CONCURRENCY[(seed // 2) % 2])]
]


@pytest.mark.parametrize(("mode", "concurrency", "seed"), CASES)
def test_a_storm_of_faults_writes_each_record_once_or_refuses_it(  # noqa: PLR0917 - fixtures
    shop, make_config, run_target, mode, concurrency, seed
):
    rng = random.Random(seed)
    mix = mixed_writes(shop, rng)
    before = balances(shop)
    shop.control.update_settings(
        faults={"rate": 0.2, "seed": seed, "kinds": STORM, "retry_after": 0, "slow_seconds": 1.0}
    )
    config = make_config(
        shop,
        api_type=mode,
        max_concurrency=concurrency,
        batch_size_rows=4,
        read_timeout=0.5,
        max_retry_time=60,
    )
    messages = [schema_message(stream) for stream in WRITE_STREAMS]
    messages += [{"type": "RECORD", "stream": stream, "record": r} for stream, r in mix]
    run = run_target(config, messages)
    shop.control.update_settings(faults={"rate": 0})

    faults = {entry["fault"] for entry in shop.control.requests() if entry["fault"]}
    assert len(faults) >= 2, faults  # the storm really blew
    rejected = {json.dumps(line["record"], sort_keys=True): line for line in run.rejects}
    for line in rejected.values():
        assert line["outcome"] in {"refused", "unknown"}
        assert line["message"].strip()
    for stream, count in Counter(stream for stream, _ in mix).items():
        outcome = run.summary[stream]
        assert sum(outcome[name] for name in ("written", "refused", "unknown")) == count, outcome
    changes: Counter[int] = Counter()
    for stream, record in mix:
        times = landed(shop, stream, record)
        assert times <= 1, f"{stream} {record} on the store {times} times"
        if json.dumps(record, sort_keys=True) not in rejected:
            assert times == 1, f"{stream} {record} neither written nor refused"
        if stream == "company_credits" and times:
            changes[record["company_id"]] += record["balance_change"]["value"]
    after = balances(shop)
    for company_id, value in before.items():
        assert after[company_id] == pytest.approx(value + changes[company_id])
