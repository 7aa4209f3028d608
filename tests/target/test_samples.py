# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""The ERP sample (target-magento2/samples/erp/) still fits `magento2-sandbox serve --seed 1
--orders 500`: written once; on a second run the documents and credit changes are already done."""

from __future__ import annotations

import json
from pathlib import Path

from tests.target.helpers import stream_messages

SAMPLES = Path(__file__).resolve().parents[2] / "target-magento2" / "samples" / "erp"
EXACTLY_ONCE = {
    "invoices",
    "shipments",
    "company_credits",
    "companies",
    "order_status",
    "customers",
    "refunds",
}
# Set-to-value kinds that read the store first: a second run sends none of them again.
REPLAY_SENDS_NOTHING = {"base_prices", "special_prices", "tier_prices"}


def test_erp_sample_is_written_then_already_done(sandbox_factory, make_config, run_target):
    store = sandbox_factory(seed=1, orders=500)
    messages = []
    for path in sorted(SAMPLES.glob("*.jsonl")):
        records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
        messages += stream_messages(path.stem, records)
    assert {m["stream"] for m in messages} >= EXACTLY_ONCE | {"source_items", "products"}
    config = make_config(store)

    first = run_target(config, messages)
    second = run_target(config, messages)

    assert first.rejects == []
    for stream, tally in first.summary.items():
        assert tally["written"] > 0, stream
    for stream in EXACTLY_ONCE | REPLAY_SENDS_NOTHING:
        assert second.summary[stream]["written"] == 0, stream
        assert second.summary[stream]["already_done"] == first.summary[stream]["written"]
