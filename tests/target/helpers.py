# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Singer input for the target tests, and reading what the target and the sandbox did."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from magento2_rest import MagentoClient, MagentoSettings, SearchCriteria
from magento2_rest.settings import DEFAULT_MAX_CONCURRENCY
from target_magento2.records import kind_schema

if TYPE_CHECKING:
    import random
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path

    from target_magento2.target import TargetMagento2

MODES = ["V1", "async/V1"]
# The kinds whose writes must happen exactly once (a document, a comment, a balance change).
# Streams the kill and fault tests mix: writes to orders, balance changes, refunds of invoiced
# orders and CRM customers, each of which must land exactly once.
ORDER_STREAMS = ("invoices", "shipments", "order_status")
WRITE_STREAMS = (*ORDER_STREAMS, "company_credits", "refunds", "customers")
# The exactly-once tests run one write at a time and at the default number at once.
CONCURRENCY = [1, DEFAULT_MAX_CONCURRENCY]


def schema_message(stream: str, kind: str | None = None, key_properties: list[str] | None = None):
    """A SCHEMA message as a tap would send it: the kind's published schema."""
    schema = kind_schema(kind or stream)
    return {
        "type": "SCHEMA",
        "stream": stream,
        "schema": {"type": "object", "properties": schema["properties"]},
        "key_properties": key_properties or [],
    }


def singer_text(messages: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(m) + "\n" for m in messages)


def stream_messages(
    stream: str,
    records: list[dict[str, Any]],
    *,
    kind: str | None = None,
    state: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    messages = [schema_message(stream, kind)]
    messages += [{"type": "RECORD", "stream": stream, "record": r} for r in records]
    if state is not None:
        messages.append({"type": "STATE", "value": state})
    return messages


@dataclass
class Run:
    target: TargetMagento2
    states: list[dict[str, Any]]
    rejects: list[dict[str, Any]] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, dict[str, int]]:
        return self.target.ledger.summary()


def read_rejects(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def writes_in_log(sb: Any) -> list[dict[str, Any]]:
    """The POST/PUT/DELETE requests the sandbox received."""
    return [r for r in sb.control.requests() if r.get("method") in {"POST", "PUT", "DELETE"}]


def client(sb: Any) -> MagentoClient:
    """A client of the sandbox's REST API, to read back what the target wrote."""
    return MagentoClient(MagentoSettings.from_config({"url": sb.url, **sb.credentials}))


def all_orders(sb: Any) -> list[dict[str, Any]]:
    criteria = SearchCriteria().order_by("entity_id")
    with client(sb) as api:
        return [o for page in api.iter_pages("/orders", criteria, 100) for o in page.items]


def top_items(order: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in order.get("items") or [] if not i.get("parent_item_id")]


def fresh_orders(sb: Any, count: int, *, min_qty: float = 1) -> list[dict[str, Any]]:
    """Orders nothing was invoiced, shipped or canceled on yet (Magento's state `new`)."""
    found = [
        o
        for o in all_orders(sb)
        if o.get("state") == "new"
        and top_items(o)
        and all(
            not float(i.get("qty_invoiced") or 0)
            and not float(i.get("qty_shipped") or 0)
            and not float(i.get("qty_canceled") or 0)
            and not i.get("is_virtual")
            for i in top_items(o)
        )
        and max(float(i["qty_ordered"]) for i in top_items(o)) >= min_qty
    ]
    assert len(found) >= count, f"the sandbox has {len(found)} fresh orders, {count} needed"
    return found[:count]


def order(sb: Any, order_id: int) -> dict[str, Any]:
    with client(sb) as api:
        return dict(api.get(f"/orders/{order_id}"))


def documents(sb: Any, route: str, order_id: int) -> list[dict[str, Any]]:
    """The invoices (route /invoices) or shipments (/shipments) of an order."""
    criteria = SearchCriteria().where("order_id", "eq", order_id).order_by("entity_id")
    with client(sb) as api:
        return api.search(route, criteria.page(100)).items


def comments(sb: Any, route: str) -> list[dict[str, Any]]:
    """The comments of one document, as its own route (`/invoices/{id}`) shows them."""
    with client(sb) as api:
        return list((api.get(route) or {}).get("comments") or [])


def posts_to(sb: Any, pattern: str) -> list[dict[str, Any]]:
    """Write requests whose path matches the regular expression."""
    return [r for r in writes_in_log(sb) if re.search(pattern, r["path"])]


@contextmanager
def consumer_runs_after(sb: Any, seconds: float = 1.0) -> Iterator[None]:
    """The store's async consumer runs once, `seconds` into the block (while the target waits)."""
    consumer = threading.Timer(seconds, sb.control.run_consumer)
    consumer.start()
    try:
        yield
    finally:
        consumer.join()


def kill_then_rerun(
    sb: Any,
    config: dict[str, Any],
    tmp_path: Path,
    messages: list[dict[str, Any]],
    pattern: str,
    *,
    done: Callable[[], int],
) -> tuple[int, subprocess.CompletedProcess[str]]:
    """Run the target as Meltano does, SIGKILL it once 3 writes matching `pattern` reached the
    store, run it again on the same input at full speed, and check that the rerun found, not
    wrote again, what the killed run had written: `done()` counts the records the store holds
    once the requests the kill left in flight have ended. (Writes before the kill, the rerun.)"""
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config), "utf-8")
    input_path = tmp_path / "input.singer"
    input_path.write_text(singer_text(messages), "utf-8")
    command = [sys.executable, "-m", "target_magento2", "--config", str(config_path)]
    with input_path.open() as stdin:
        process = subprocess.Popen(
            command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while len(posts_to(sb, pattern)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    before = len(posts_to(sb, pattern))
    # At once: in async mode operations accepted before the kill may still be open on the store;
    # the rerun finds them (GET /V1/bulk) and waits instead of queuing them again.
    sb.control.update_settings(latency_ms=0)
    time.sleep(0.3)  # the store ends the requests the kill left in flight
    held = done()
    with input_path.open() as stdin:
        rerun = subprocess.run(
            command, stdin=stdin, capture_output=True, text=True, timeout=120, check=False
        )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    stream = next(m["stream"] for m in messages if m["type"] == "RECORD")
    records = sum(1 for m in messages if m["type"] == "RECORD")
    outcome = summary_of(rerun.stderr)[stream]
    found, written = outcome["already_done"], outcome["written"]
    assert found + written == records, outcome
    # What the killed run wrote is found, not written again; in async mode an operation it
    # queued may run after the kill, and is found too.
    async_mode = config.get("api_type") == "async/V1"
    assert found >= held if async_mode else found == held, (found, held)
    assert found >= 3  # the writes answered before the kill
    return before, rerun


def summary_of(stderr: str) -> dict[str, dict[str, int]]:
    """The target's `summary json:` line: the outcomes of each stream."""
    summary: dict[str, dict[str, int]] = json.loads(
        stderr.rsplit("summary json: ", 1)[1].splitlines()[0]
    )
    return summary


def invoiced(
    sb: Any, count: int, *, min_qty: float = 1, ship_from: str | None = None
) -> list[dict]:
    """Fresh orders, invoiced in full (and shipped from `ship_from`) through the REST API."""
    orders = fresh_orders(sb, count, min_qty=min_qty)
    with client(sb) as api:
        for o in orders:
            api.request("POST", f"/order/{o['entity_id']}/invoice", json={"capture": True})
            if ship_from is not None:
                arguments = {"extension_attributes": {"source_code": ship_from}}
                api.request("POST", f"/order/{o['entity_id']}/ship", json={"arguments": arguments})
    return [order(sb, int(o["entity_id"])) for o in orders]


def mixed_writes(shop: Any, rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    """Invoices, shipments and comments of fresh orders, refunds of invoiced ones, balance
    changes of companies and new CRM customers, each once by its reference or email:
    (stream, record) in a tap's order, one stream after the other."""
    # The refunded orders first: fresh_orders then picks others, still to invoice.
    refunded = invoiced(shop, rng.randint(1, 3))
    orders = fresh_orders(shop, rng.randint(4, 7))
    companies = [int(c["id"]) for c in shop.store.find("companies")][:3]
    by_stream: dict[str, list[dict[str, Any]]] = {stream: [] for stream in WRITE_STREAMS}
    for o in orders:
        order_id = o["entity_id"]
        for stream in rng.sample(ORDER_STREAMS, rng.randint(1, 3)):
            record = {"order_id": order_id, "reference": f"{stream[:2].upper()}-{order_id}"}
            if stream == "order_status":
                record["comment"] = f"Kill test note {order_id}"
            by_stream[stream].append(record)
    for o in refunded:
        by_stream["refunds"].append(
            {"order_id": o["entity_id"], "reference": f"RF-{o['entity_id']}"}
        )
    for n in range(rng.randint(2, 4)):
        by_stream["company_credits"].append(
            {
                "company_id": rng.choice(companies),
                "balance_change": {"value": 10 + n, "reference": f"KC-{n}"},
            }
        )
    for _ in range(rng.randint(1, 3)):
        email = f"mixed-{rng.randrange(10**9)}@example.com"
        by_stream["customers"].append(
            {"email": email, "website_id": 1, "firstname": "Mixed", "lastname": "Writes"}
        )
    order = rng.sample(WRITE_STREAMS, len(WRITE_STREAMS))
    return [(stream, record) for stream in order for record in by_stream[stream]]


def landed(shop: Any, stream: str, record: dict[str, Any]) -> int:
    """How many times the store holds the record's write."""
    if stream == "company_credits":
        reference = record["balance_change"]["reference"]
        return len(shop.store.find("credit_history", custom_reference_number=reference))
    if stream == "order_status":
        (doc,) = shop.store.find("orders", entity_id=record["order_id"])
        mark = f"[ref:{record['reference']}]"
        return sum(mark in (h.get("comment") or "") for h in doc.get("status_histories") or [])
    if stream == "customers":
        return len(shop.store.find("customers", email=record["email"]))
    kind = "creditmemos" if stream == "refunds" else stream
    documents = shop.store.find(kind, order_id=record["order_id"])
    return len(documents)


def balances(shop: Any) -> dict[int, float]:
    return {int(c["company_id"]): float(c["balance"]) for c in shop.store.find("company_credits")}
