# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""The control API: faults, latency, the concurrency limit, the request log, the mutator,
mass updates, the clock and dropped answers after a commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

import pytest
import requests
from magento2_sandbox import Sandbox, SandboxControlError

from .conftest import Api, criteria


def test_settings_round_trip_and_refusals(sandbox: Sandbox) -> None:
    control = sandbox.control
    changed = control.update_settings(latency_ms=5, faults={"rate": 0.5, "kinds": ["503"]})
    assert changed["latency_ms"] == 5
    assert changed["faults"]["kinds"] == ["503"]
    assert changed["faults"]["retry_after"] == 1
    assert control.settings() == changed
    for bad in ({"latency": 5}, {"past_end_mode": "loop"}, {"faults": {"kinds": ["418"]}}):
        with pytest.raises(SandboxControlError, match="failed \\(400\\)"):
            control.update_settings(**bad)
    assert control.settings() == changed


@pytest.mark.parametrize("kind", ["429", "500", "503", "html"])
def test_fault_answers(sandbox: Sandbox, api: Api, kind: str) -> None:
    sandbox.control.update_settings(faults={"rate": 1, "kinds": [kind], "retry_after": 7})
    answer = api.get("/orders/1")
    if kind == "429":
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "7"
    elif kind == "500":
        assert answer.status_code == 500
        assert answer.json()["message"].startswith("Internal Error.")
    elif kind == "503":
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "7"
        assert answer.headers["Content-Type"].startswith("text/html")
    else:
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith("text/html")
        with pytest.raises(ValueError):
            answer.json()
    assert sandbox.control.requests()[-1]["fault"] == kind
    # The control API is never faulty.
    assert sandbox.control.settings()["faults"]["rate"] == 1


@pytest.mark.parametrize("kind", ["drop", "truncate"])
def test_broken_connections(sandbox: Sandbox, api: Api, kind: str) -> None:
    sandbox.control.update_settings(faults={"rate": 1, "kinds": [kind]})
    broken = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)
    with pytest.raises(broken):
        api.get("/orders/1")
    sandbox.control.update_settings(faults={"rate": 0})
    assert api.get("/orders/1").status_code == 200


def test_truncated_body_closes_the_connection(sandbox: Sandbox) -> None:
    # A client reading the short body must meet its end at once, not wait out its timeout.
    sandbox.control.update_settings(faults={"rate": 1, "kinds": ["truncate"]})
    broken = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)
    for method in ("GET", "POST"):
        started = time.monotonic()
        with pytest.raises(broken):
            requests.request(method, f"{sandbox.url}/rest/V1/orders", json={}, timeout=10)
        assert time.monotonic() - started < 2, method


def test_stop_ends_the_consumer_and_is_quick(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(seed=1, orders=5)
    url = f"{sandbox.url}/rest/all/async/V1/inventory/source-items"
    answer = requests.post(url, json={"sourceItems": []}, auth=Api(sandbox).auth, timeout=30)
    assert answer.status_code == 202, answer.text
    name = f"magento2-sandbox:{sandbox.port}:async.operations.all"
    (consumer,) = [thread for thread in threading.enumerate() if thread.name == name]
    started = time.monotonic()
    sandbox.stop()
    assert time.monotonic() - started < 0.5
    assert not consumer.is_alive()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=2)


def test_faults_are_reproducible_and_scoped(sandbox: Sandbox, api: Api) -> None:
    def run() -> list[int]:
        sandbox.control.update_settings(
            faults={"rate": 0.5, "seed": 42, "kinds": ["500", "503"], "route": "^/V1/orders"}
        )
        statuses = [api.get("/orders/1").status_code for _ in range(12)]
        sandbox.control.update_settings(faults={"seed": 0})
        return statuses

    first = run()
    assert set(first) == {200, 500, 503}
    assert run() == first
    sandbox.control.update_settings(faults={"rate": 1, "seed": 1, "route": "^/V1/orders"})
    assert api.get("/customers/1").status_code == 200
    sandbox.control.update_settings(faults={"route": None, "methods": ["POST"]})
    assert api.get("/customers/1").status_code == 200


def test_latency_per_request_and_per_item(sandbox: Sandbox, api: Api) -> None:
    sandbox.control.update_settings(latency_ms=150)
    started = time.monotonic()
    api.get("/orders/1")
    assert time.monotonic() - started >= 0.15
    sandbox.control.update_settings(latency_ms=0, per_item_latency_ms=10)
    started = time.monotonic()
    assert len(api.search("/orders", criteria(pageSize=30))["items"]) == 30
    assert time.monotonic() - started >= 0.3
    log = sandbox.control.requests()
    assert log[-1]["items"] == 30
    assert log[-1]["duration_ms"] >= 300


def test_latency_is_the_answers_time_with_the_stores_own_work_included(
    sandbox: Sandbox, api: Api
) -> None:
    # A write answers once committed: with a commit lag of 1 s that is 1 s of the store's own
    # work, which a latency of 1 s includes (100 ms + 1 ms an order answers 300 orders in 400
    # ms, however long the sandbox took to build them), not 2 s.
    sandbox.control.update_settings(commit_lag=[1.0, 1.0], latency_ms=1000)
    order = api.search("/orders", criteria([("state", "new", "eq")], pageSize=1))["items"][0]
    answer = api.post(f"/order/{order['entity_id']}/invoice", {"capture": False})
    assert answer.status_code == 200, answer.text
    write = sandbox.control.requests()[-1]
    assert write["path"].endswith("/invoice")
    assert 1000 <= write["duration_ms"] < 1700  # not 2,000
    # Work shorter than the latency is inside it: the answer takes the latency.
    sandbox.control.update_settings(commit_lag=0)
    assert api.get("/orders/1").status_code == 200
    assert 1000 <= sandbox.control.requests()[-1]["duration_ms"] < 1700


def test_concurrency_limit_queues_requests(sandbox: Sandbox, api: Api) -> None:
    sandbox.control.update_settings(latency_ms=150, max_concurrency=1)
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(api.get("/orders/1").status_code))
        for _ in range(4)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    assert time.monotonic() - started >= 0.6
    assert sandbox.control.request_log()["peak_concurrency"] == 1
    sandbox.control.update_settings(max_concurrency=0)
    threads = [threading.Thread(target=lambda: api.get("/orders/1")) for _ in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - started < 0.5


def test_request_log(sandbox: Sandbox, api: Api) -> None:
    sandbox.control.clear_requests()
    api.search("/orders", criteria(pageSize=3))
    requests.get(f"{sandbox.url}/rest/V1/orders/1", timeout=30)
    log = sandbox.control.requests()
    assert [(e["method"], e["path"], e["status"], e["auth"], e["items"]) for e in log] == [
        ("GET", "/rest/V1/orders", 200, "oauth", 3),
        ("GET", "/rest/V1/orders/1", 401, "none", 0),
    ]
    assert log[0]["query"] == "searchCriteria%5BpageSize%5D=3" or "pageSize" in log[0]["query"]
    assert log[0]["seq"] < log[1]["seq"]
    sandbox.control.clear_requests()
    assert sandbox.control.requests() == []


def test_mutator_updates_and_creates(sandbox: Sandbox) -> None:
    control = sandbox.control
    before = {item["id"]: item["updated_at"] for item in control.truth("orders")}
    control.start_mutator(rate_per_s=100, kinds=["orders", "customers"], create_ratio=0.3, seed=5)
    time.sleep(0.5)
    report = control.stop_mutator()
    touched, created = report["touched"], report["created"]
    assert len(touched["orders"]) + len(created["orders"]) > 5
    assert created["orders"] or created["customers"]
    now = control.clock()["now"]
    after = {item["id"]: item["updated_at"] for item in control.truth("orders")}
    for order_id in touched["orders"]:
        assert after[order_id] <= now
        if order_id in before:
            assert after[order_id] > before[order_id]
    for order_id in created["orders"]:
        assert order_id not in before
        assert control.entity("orders", order_id)["increment_id"] == f"{order_id:09d}"
    assert control.stop_mutator() == {"running": False, "touched": {}, "created": {}}


def test_mass_update_puts_rows_in_one_second(sandbox: Sandbox, api: Api) -> None:
    at = "2025-06-01 12:00:00"
    answer = sandbox.control.mass_update("orders", 25, at)
    assert len(answer["ids"]) == 25
    found = api.search("/orders", criteria([("updated_at", at, "eq")]))
    assert sorted(o["entity_id"] for o in found["items"]) == answer["ids"]
    with pytest.raises(SandboxControlError):
        sandbox.control.mass_update("companies", 2)


def test_clock_moves_date_header_and_timestamps(sandbox: Sandbox, api: Api) -> None:
    sandbox.control.set_clock(-86400)
    answer = api.get("/orders/1")
    served = parsedate_to_datetime(answer.headers["Date"]).timestamp()
    assert abs(served - (time.time() - 86400)) < 5
    assert sandbox.control.clock()["offset_seconds"] == -86400


def test_drop_after_commit_does_the_work_then_drops(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/rest/V1/integration/admin/token"
    body = {"username": "admin", "password": "sandbox-admin-password1"}
    sandbox.control.update_settings(
        drop_after_commit={"route": "admin/token", "method": "POST", "count": 1}
    )
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(url, json=body, timeout=30)
    assert sandbox.control.settings()["drop_after_commit"]["count"] == 0
    assert requests.post(url, json=body, timeout=30).status_code == 200
    assert sandbox.control.requests()[-2]["status"] == 0


def test_entity_and_truth_errors(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxControlError, match="404"):
        sandbox.control.entity("orders", 999999)
    with pytest.raises(SandboxControlError, match="unknown kind"):
        sandbox.control.truth("unicorns")
