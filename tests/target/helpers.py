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
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from target_magento2.target import TargetMagento2

MODES = ["V1", "async/V1"]
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


def kill_and_rerun(
    sb: Any,
    config: dict[str, Any],
    tmp_path: Path,
    messages: list[dict[str, Any]],
    post_pattern: str,
    *,
    writes_before_kill: int = 3,
) -> tuple[int, subprocess.CompletedProcess[str]]:
    """Run the target at 150 ms per request, SIGKILL it once `writes_before_kill` writes matching
    `post_pattern` reached the store, then run it again to the end at full speed: the writes
    seen before the rerun, and the rerun."""
    sb.control.update_settings(latency_ms=150)
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
        while len(posts_to(sb, post_pattern)) < writes_before_kill and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    before = len(posts_to(sb, post_pattern))
    # At once: in async mode operations accepted before the kill may still be open on the store;
    # the rerun finds them (GET /V1/bulk) and waits instead of queuing them again.
    sb.control.update_settings(latency_ms=0)
    with input_path.open() as stdin:
        rerun = subprocess.run(
            command, stdin=stdin, capture_output=True, text=True, timeout=120, check=False
        )
    return before, rerun
