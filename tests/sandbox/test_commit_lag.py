# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""commit_lag: a write stamps updated_at at once but readers see it only once it commits."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from magento2_sandbox.control import SandboxControlError

from .conftest import Api, criteria

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox


def test_mutated_rows_are_seen_only_after_their_commit(sandbox: Sandbox, api: Api) -> None:
    control = sandbox.control
    control.update_settings(commit_lag=1.5)
    before = {item["id"]: item["updated_at"] for item in control.truth("orders")}
    control.start_mutator(rate_per_s=50, kinds=["orders"], create_ratio=0.5, seed=3)
    time.sleep(0.5)
    report = control.stop_mutator()
    stamped = time.time()
    created, touched = report["created"]["orders"], report["touched"]["orders"]
    assert created
    assert touched
    # Not committed yet: readers see the rows as they were, and no new row.
    assert {item["id"]: item["updated_at"] for item in control.truth("orders")} == before
    found = api.search("/orders", criteria(pageSize=500))
    assert {item["entity_id"]: item["updated_at"] for item in found["items"]} == before
    assert api.get(f"/orders/{created[0]}").status_code == 404
    assert api.json(f"/orders/{touched[0]}")["updated_at"] == before[touched[0]]
    time.sleep(max(0.0, stamped + 1.6 - time.time()))
    after = {item["id"]: item["updated_at"] for item in control.truth("orders")}
    assert set(created) <= set(after)
    # Committed now, with the updated_at stamped before the commit: already in the past.
    for order_id in touched:
        assert after[order_id] > before[order_id]
        assert after[order_id] <= time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(stamped))


def test_a_rest_write_answers_once_committed(sandbox: Sandbox, api: Api) -> None:
    sandbox.control.update_settings(commit_lag=[0.8, 0.8])
    order = api.search("/orders", criteria([("state", "new", "eq")], pageSize=1))["items"][0]
    started = time.monotonic()
    answer = api.post(f"/order/{order['entity_id']}/invoice", {"capture": False})
    assert answer.status_code == 200, answer.text
    assert time.monotonic() - started >= 0.8
    invoice = api.json(f"/invoices/{answer.json()}")
    assert invoice["order_id"] == order["entity_id"]


@pytest.mark.parametrize("bad", [-1, [2, 1], [1], "1", True])
def test_commit_lag_refuses_bad_values(sandbox: Sandbox, bad: object) -> None:
    with pytest.raises(SandboxControlError, match="commit_lag"):
        sandbox.control.update_settings(commit_lag=bad)
