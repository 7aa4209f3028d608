# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""`SandboxControl`: a small client of the control API (`/_sandbox/...`), one method per route."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote


class SandboxControlError(RuntimeError):
    """The control API refused a request; the message says why."""


class SandboxControl:
    def __init__(self, url: str, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"SandboxControl({self.url!r})"

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(  # noqa: S310 - the sandbox's own http URL
            f"{self.url}/_sandbox/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                return json.loads(answer.read())
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            try:
                message = json.loads(body).get("message", body)
            except ValueError:
                message = body
            raise SandboxControlError(
                f"{method} /_sandbox/{path} failed ({error.code}): {message}"
            ) from None

    def settings(self) -> dict[str, Any]:
        return dict(self._call("GET", "settings"))

    def update_settings(self, **changes: Any) -> dict[str, Any]:
        """e.g. update_settings(latency_ms=50, faults={"rate": 0.2, "kinds": ["503"]})."""
        return dict(self._call("POST", "settings", changes))

    def truth(self, kind: str) -> list[dict[str, Any]]:
        return list(self._call("GET", f"truth/{kind}")["items"])

    def entity(self, kind: str, key: Any, store_code: str | None = None) -> dict[str, Any]:
        parts = key if isinstance(key, tuple) else (key,)
        path = "/".join(quote(str(part), safe="") for part in parts)
        suffix = f"?store_code={quote(store_code)}" if store_code else ""
        return dict(self._call("GET", f"entities/{kind}/{path}{suffix}"))

    def patch_entity(self, kind: str, key: Any, changes: dict[str, Any]) -> dict[str, Any]:
        """Set top-level fields of a stored document (objects are merged one level down)."""
        parts = key if isinstance(key, tuple) else (key,)
        path = "/".join(quote(str(part), safe="") for part in parts)
        return dict(self._call("PATCH", f"entities/{kind}/{path}", changes))

    def requests(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "requests")["items"])

    def request_log(self) -> dict[str, Any]:
        return dict(self._call("GET", "requests"))

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    def start_mutator(
        self,
        rate_per_s: float = 5.0,
        kinds: list[str] | None = None,
        create_ratio: float = 0.2,
        seed: int = 0,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "rate_per_s": rate_per_s,
            "create_ratio": create_ratio,
            "seed": seed,
        }
        if kinds is not None:
            payload["kinds"] = kinds
        return dict(self._call("POST", "mutator", payload))

    def stop_mutator(self) -> dict[str, Any]:
        return dict(self._call("DELETE", "mutator"))

    def mass_update(self, kind: str, count: int, at: str | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"kind": kind, "count": count}
        if at is not None:
            payload["at"] = at
        return dict(self._call("POST", "mass-update", payload))

    def delete(self, kind: str, ids: list[Any]) -> dict[str, Any]:
        """Remove entities of a kind (a database delete: no cascade, no updated_at moves).
        Source items take (sku, source_code) pairs."""
        keys = [list(key) if isinstance(key, tuple) else key for key in ids]
        return dict(self._call("POST", "delete", {"kind": kind, "ids": keys}))

    def clock(self) -> dict[str, Any]:
        return dict(self._call("GET", "clock"))

    def set_clock(self, offset_seconds: float) -> dict[str, Any]:
        return dict(self._call("POST", "clock", {"offset_seconds": offset_seconds}))

    def run_consumer(self, limit: int | None = None) -> Any:
        return self._call("POST", "consumer/run", {} if limit is None else {"limit": limit})

    def info(self) -> dict[str, Any]:
        return dict(self._call("GET", "info"))


def requests_at_once(entries: list[dict[str, Any]]) -> int:
    """The most of these request-log entries at the store at one moment, by their `started` and
    `ended` (arrival to answer); 1 means none overlapped, one ending as the next arrives."""
    events = sorted(
        [(entry["started"], 1) for entry in entries] + [(entry["ended"], -1) for entry in entries]
    )
    now = peak = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return peak
