# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""A background writer: updates and creates records at a steady rate while a sync runs."""

from __future__ import annotations

import random
import threading
from typing import Any

from magento2_sandbox.store import KINDS, Store

# A field that each kind's update changes, so the document differs, not just updated_at.
_CHANGES = {
    "orders": ("customer_note", lambda rng: f"note {rng.randrange(10**6)}"),
    "customers": ("lastname", lambda rng: rng.choice(["Smith", "Dupont", "Rossi", "Novak"])),
    "products": ("price", lambda rng: round(rng.uniform(5, 500), 2)),
    "invoices": ("email_sent", lambda rng: rng.choice([0, 1])),
    "shipments": ("email_sent", lambda rng: rng.choice([0, 1])),
    "creditmemos": ("email_sent", lambda rng: rng.choice([0, 1])),
    "categories": ("position", lambda rng: rng.randrange(1, 50)),
}


class Mutator:
    def __init__(
        self,
        store: Store,
        *,
        rate_per_s: float,
        kinds: list[str],
        create_ratio: float,
        seed: int,
    ) -> None:
        for kind in kinds:
            if kind not in KINDS or not KINDS[kind].updated_at:
                raise ValueError(f"the mutator changes kinds with updated_at, not {kind!r}")
        if rate_per_s <= 0:
            raise ValueError("rate_per_s must be > 0")
        self.store = store
        self.rate = rate_per_s
        self.kinds = kinds
        self.create_ratio = create_ratio
        self.rng = random.Random(seed)
        self.touched: dict[str, list[Any]] = {kind: [] for kind in kinds}
        self.created: dict[str, list[Any]] = {kind: [] for kind in kinds}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="sandbox-mutator", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def report(self) -> dict[str, Any]:
        with self._lock:
            return {
                "touched": {kind: list(ids) for kind, ids in self.touched.items()},
                "created": {kind: list(ids) for kind, ids in self.created.items()},
            }

    def _run(self) -> None:
        interval = 1.0 / self.rate
        while not self._stop.wait(interval):
            self.step()

    def step(self) -> None:
        kind = self.rng.choice(self.kinds)
        spec = KINDS[kind]
        keys = self.store.keys(kind)
        if not keys:
            return
        doc = self.store.get(kind, self.rng.choice(keys))
        if doc is None:
            return
        create = self.rng.random() < self.create_ratio
        name, value = _CHANGES.get(kind, ("updated_by_mutator", lambda rng: rng.random()))
        doc[name] = value(self.rng)
        with self.store.transaction():
            if create:
                doc[spec.id_field] = self.store.next_id(kind)
                doc.pop("created_at", None)
                _make_unique(kind, doc, self.rng)
            saved = self.store.put(kind, doc)
        with self._lock:
            (self.created if create else self.touched)[kind].append(saved[spec.id_field])


def _make_unique(kind: str, doc: dict[str, Any], rng: random.Random) -> None:
    """A created copy needs its own natural keys (increment id, e-mail, sku)."""
    key = int(doc.get("entity_id") or doc.get("id") or 0)
    if kind == "orders":
        doc["increment_id"] = f"{key:09d}"
        for item in doc.get("items", []):
            item["order_id"] = key
    elif kind == "customers":
        doc["email"] = f"mutator.{key}.{rng.randrange(10**6)}@example.com"
    elif kind == "products":
        doc["sku"] = f"MUT-{key}"
