# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Helpers for the tap's tests: run TapMagento2 in-process against a sandbox and read its output."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tap_magento2.tap import TapMagento2, UnreadableRecordsError

if TYPE_CHECKING:
    from collections.abc import Iterable


class Killed(Exception):  # noqa: N818 - it stands for the process being killed
    """Raised by the output stream after N records: the tap dies mid-write, like kill -9."""


class SingerOutput(io.TextIOBase):
    """stdout for the tap: keeps every line, and dies after `kill_after` RECORD messages."""

    def __init__(self, kill_after: int | None = None) -> None:
        self.lines: list[str] = []
        self.kill_after = kill_after
        self.records = 0
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._partial += text
        while "\n" in self._partial:
            line, self._partial = self._partial.split("\n", 1)
            if '"RECORD"' in line[:40]:
                if self.kill_after is not None and self.records >= self.kill_after:
                    raise Killed
                self.records += 1
            self.lines.append(line)
        return len(text)


@dataclass
class Run:
    """What one run of the tap wrote."""

    messages: list[dict[str, Any]]
    killed: bool = False
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The error the run ended with (a failed run still wrote what it wrote).
    error: Exception | None = None

    def __post_init__(self) -> None:
        for message in self.messages:
            if message["type"] == "RECORD":
                self.records.setdefault(message["stream"], []).append(message["record"])

    @property
    def states(self) -> list[dict[str, Any]]:
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def last_state(self) -> dict[str, Any] | None:
        states = self.states
        return states[-1] if states else None

    def keys(
        self,
        stream: str,
        id_field: str = "entity_id",
        *,
        store_code: str | None = None,
        unsaved: bool = False,
    ) -> list[tuple[int, str]]:
        """(id, updated_at in Magento's form) of a stream's records, in output order.

        `store_code`: only that store view's (products); `unsaved`: only those written after
        the run's last STATE, which a run resumed from that STATE writes again.
        """
        messages = self.messages
        if unsaved:
            states = [i for i, m in enumerate(messages) if m["type"] == "STATE"]
            messages = messages[states[-1] + 1 :] if states else messages
        return [
            (int(m["record"][id_field]), magento_time(m["record"]["updated_at"]))
            for m in messages
            if m["type"] == "RECORD"
            and m["stream"] == stream
            and (store_code is None or m["record"].get("store_code") == store_code)
        ]

    @property
    def final_state(self) -> dict[str, Any]:
        state = self.last_state
        assert state is not None, "the run wrote no STATE"
        return state

    def bookmark(self, stream: str, store_code: str | None = None) -> str | None:
        """The stream's bookmark in the last STATE (of one store view's partition if given)."""
        found = (self.last_state or {}).get("bookmarks", {}).get(stream, {})
        if store_code is not None:
            found = next(
                (
                    p
                    for p in found.get("partitions", [])
                    if p["context"]["store_code"] == store_code
                ),
                {},
            )
        value: str | None = found.get("replication_key_value")
        return value


def magento_time(iso: str) -> str:
    """'2025-01-01T12:00:00+00:00' -> '2025-01-01 12:00:00' (the sandbox's truth form)."""
    return iso[:10] + " " + iso[11:19]


def sandbox_config(sandbox: Any, **extra: Any) -> dict[str, Any]:
    """The tap's config for a sandbox. The sandbox commits every write at once unless its
    commit_lag knob says otherwise, so the tap's commit lag is 0 unless a test sets it."""
    return {"url": sandbox.url, **sandbox.credentials, "commit_lag_seconds": 0, **extra}


def catalog_for(
    config: dict[str, Any],
    streams: Iterable[str],
    deselect: dict[str, Iterable[str]] | None = None,
) -> dict[str, Any]:
    """The tap's catalog with only `streams` selected, and some of their properties deselected."""
    wanted = set(streams)
    dropped = {name: set(props) for name, props in (deselect or {}).items()}
    catalog = copy.deepcopy(TapMagento2(config=config, validate_config=False).catalog_dict)
    for entry in catalog["streams"]:
        name = entry["tap_stream_id"]
        for item in entry["metadata"]:
            breadcrumb = item["breadcrumb"]
            if not breadcrumb:
                item["metadata"]["selected"] = name in wanted
            elif len(breadcrumb) == 2 and breadcrumb[1] in dropped.get(name, ()):
                item["metadata"]["selected"] = False
    return catalog


def run_tap(
    config: dict[str, Any],
    *,
    streams: Iterable[str] | None = None,
    state: dict[str, Any] | None = None,
    catalog: dict[str, Any] | None = None,
    kill_after: int | None = None,
) -> Run:
    """Run a whole sync in this process and parse what it wrote to stdout."""
    if catalog is None and streams is not None:
        catalog = catalog_for(config, streams)
    output = SingerOutput(kill_after)
    killed = False
    error: Exception | None = None
    # The SDK updates the state it is given in place: a copy keeps the caller's (an earlier
    # run's last STATE) as that run wrote it.
    tap = TapMagento2(config=config, state=copy.deepcopy(state), catalog=catalog)
    with contextlib.redirect_stdout(output):
        try:
            tap.sync_all()
        except Killed:
            killed = True
        except UnreadableRecordsError as failure:
            error = failure
    messages = [json.loads(line) for line in output.lines if line.strip()]
    return Run(messages, killed=killed, error=error)


def resume_until_done(
    config: dict[str, Any], streams: Iterable[str], kills: Iterable[int]
) -> list[Run]:
    """Run, kill after each count of records in `kills`, resume from the last STATE; then finish."""
    runs: list[Run] = []
    state: dict[str, Any] | None = None
    catalog = catalog_for(config, streams)
    for kill_after in [*kills, None]:
        run = run_tap(config, catalog=catalog, state=state, kill_after=kill_after)
        runs.append(run)
        state = run.last_state or state
    return runs
