# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""What became of every record: the rejects file (JSON lines) and the end-of-run summary.

Every record ends in exactly one outcome:
- written: Magento confirmed the write (for async mode: the bulk operation completed and, for
  invoices and shipments, the order read back shows it);
- already done: the store already holds what the record asks for (a replay), nothing was sent;
- refused: the record failed its schema, or Magento refused it (its message is in the rejects file);
- unknown: a write may or may not have reached the store and reading back could not tell (a bulk
  that did not finish within `bulk_timeout`); it is in the rejects file too and the run fails;
- would write: `dry_run` only, the write that would have been sent;
- ignored: a stream with no Magento route, under `unknown_streams: ignore`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

from magento2_rest import (
    MagentoAuthError,
    MagentoError,
    MagentoNotFound,
    MagentoResponseError,
    MagentoUnavailable,
    MagentoUnknownOutcome,
)

OUTCOMES = ("written", "already_done", "refused", "unknown", "would_write", "ignored")


class RunStoppedError(Exception):
    """The run stops here (`stop_on_reject`, or the store cannot be written to at all)."""


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):  # the SDK reads JSON numbers with a fraction as Decimal
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


@dataclass
class StreamTally:
    written: int = 0
    already_done: int = 0
    refused: int = 0
    unknown: int = 0
    would_write: int = 0
    ignored: int = 0

    def line(self) -> str:
        parts = [f"{name.replace('_', ' ')} {getattr(self, name)}" for name in OUTCOMES]
        return ", ".join(part for part in parts if not part.endswith(" 0") or "written" in part)


@dataclass
class Ledger:
    """Counts outcomes per stream and appends refusals to the rejects file (created on first use).

    The file is appended to, never truncated: refusals of earlier runs stay until someone has read
    them; each line carries its time.
    """

    rejects_path: Path
    stop_on_reject: bool = False
    tallies: dict[str, StreamTally] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def tally(self, stream: str) -> StreamTally:
        with self._lock:
            return self.tallies.setdefault(stream, StreamTally())

    def count(self, stream: str, outcome: str, n: int = 1) -> None:
        tally = self.tally(stream)
        with self._lock:
            setattr(tally, outcome, getattr(tally, outcome) + n)

    def refused(
        self,
        stream: str,
        record: dict[str, Any],
        message: str,
        *,
        route: str | None = None,
        field_path: str | None = None,
    ) -> None:
        self._reject("refused", stream, record, message, route=route, field_path=field_path)
        if self.stop_on_reject:
            msg = f"stream {stream!r}: a record was refused ({message}); stop_on_reject is on"
            raise RunStoppedError(msg)

    def unknown(
        self, stream: str, record: dict[str, Any], message: str, *, route: str | None = None
    ) -> None:
        self._reject("unknown", stream, record, message, route=route)

    def _reject(
        self,
        outcome: str,
        stream: str,
        record: dict[str, Any],
        message: str,
        *,
        route: str | None,
        field_path: str | None = None,
    ) -> None:
        line: dict[str, Any] = {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "stream": stream,
            "outcome": outcome,
            "message": message,
            "route": route,
        }
        if field_path is not None:
            line["field"] = field_path
        line["record"] = record
        text = json.dumps(line, ensure_ascii=False, default=_json_default)
        self.count(stream, outcome)
        with self._lock:
            self.rejects_path.parent.mkdir(parents=True, exist_ok=True)
            with self.rejects_path.open("a", encoding="utf-8") as handle:
                handle.write(text + "\n")

    @property
    def refused_total(self) -> int:
        return sum(t.refused for t in self.tallies.values())

    @property
    def unknown_total(self) -> int:
        return sum(t.unknown for t in self.tallies.values())

    def summary(self) -> dict[str, dict[str, int]]:
        return {
            stream: {name: getattr(tally, name) for name in OUTCOMES}
            for stream, tally in sorted(self.tallies.items())
        }

    def summary_lines(self) -> list[str]:
        return [f"{stream}: {tally.line()}" for stream, tally in sorted(self.tallies.items())]


def error_label(error: MagentoError) -> str:
    """`POST /V1/order/12/invoice`: the call Magento refused, for the rejects file."""
    return f"{error.method} {error.route}".strip()


def is_refusal(error: MagentoError) -> bool:
    """Magento refused this record (4xx with its message), rather than the run going wrong."""
    if isinstance(error, (MagentoAuthError, MagentoUnavailable, MagentoResponseError)):
        return False
    if isinstance(error, MagentoUnknownOutcome):
        return False
    # A route that does not exist means a store without MSI or B2B, not a bad record.
    if isinstance(error, MagentoNotFound) and error.route_missing:
        return False
    return error.status is not None and 400 <= error.status < 500  # noqa: PLR2004
