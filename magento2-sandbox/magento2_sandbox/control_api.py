# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""The control API under /_sandbox/ (no authentication, JSON in and out)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from magento2_sandbox.settings import SettingsError
from magento2_sandbox.store import KINDS, TIME_FORMAT, dumps

if TYPE_CHECKING:
    from magento2_sandbox.sandbox import Sandbox


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _json(value: Any, status: int = 200) -> Response:
    return Response(dumps(value), status=status, content_type="application/json")


def _payload(request: Request) -> dict[str, Any]:
    data = request.get_data()
    if not data:
        return {}
    try:
        value = json.loads(data)
    except ValueError:
        raise ControlError(400, "the body is not JSON: send a JSON object") from None
    if not isinstance(value, dict):
        raise ControlError(400, "the body must be a JSON object")
    return value


def _kind(name: str) -> str:
    if name not in KINDS:
        raise ControlError(404, f"unknown kind {name!r}: use one of {sorted(KINDS)}")
    return name


def handle(sandbox: Sandbox, request: Request, path: str) -> Response:
    parts = [part for part in path.split("/")[2:] if part]
    method = request.method
    try:
        return _json(_route(sandbox, request, method, parts))
    except ControlError as error:
        return _json({"message": error.message}, error.status)
    except (SettingsError, ValueError, TypeError, KeyError) as error:
        return _json({"message": str(error)}, 400)


def _route(sandbox: Sandbox, request: Request, method: str, parts: list[str]) -> Any:  # noqa: C901, PLR0911, PLR0912
    head = parts[0] if parts else ""
    if head == "settings" and len(parts) == 1:
        if method == "POST":
            sandbox.settings.update(_payload(request))
            sandbox.app.reset_faults()
        return sandbox.settings.to_dict()
    if head == "truth" and len(parts) == 2 and method == "GET":  # noqa: PLR2004
        return {"items": sandbox.store.ids(_kind(parts[1]))}
    if head == "entities" and len(parts) >= 3 and method in {"GET", "PATCH"}:  # noqa: PLR2004
        kind = _kind(parts[1])
        key: Any = tuple(parts[2:]) if len(parts) > 3 else parts[2]  # noqa: PLR2004
        store_code = request.args.get("store_code")
        with sandbox.store.transaction():
            doc = sandbox.store.get(kind, key, store_code)
            if doc is None:
                raise ControlError(404, f"no {kind} with id {'/'.join(parts[2:])}")
            if method == "PATCH":
                # A test's fixture (an order paid through a gateway): the top-level fields
                # given replace the stored ones, an object merged one level down.
                for name, value in _payload(request).items():
                    old = doc.get(name)
                    doc[name] = (
                        {**old, **value}
                        if isinstance(old, dict) and isinstance(value, dict)
                        else value
                    )
                sandbox.store.put(kind, doc, touch=False)
        return doc
    if head == "requests" and len(parts) == 1:
        if method == "DELETE":
            sandbox.app.log.clear()
            return {"cleared": True}
        return {"items": sandbox.app.log.entries(), "peak_concurrency": sandbox.app.gate.peak}
    if head == "mutator" and len(parts) == 1:
        if method == "POST":
            return sandbox.start_mutator(**_payload(request))
        if method == "DELETE":
            return sandbox.stop_mutator()
        return sandbox.mutator_status()
    if head == "mass-update" and len(parts) == 1 and method == "POST":
        payload = _payload(request)
        return sandbox.mass_update(
            str(payload.get("kind", "orders")), int(payload.get("count", 1000)), payload.get("at")
        )
    if head == "delete" and len(parts) == 1 and method == "POST":
        payload = _payload(request)
        ids = payload.get("ids")
        if not isinstance(ids, list):
            raise ControlError(400, 'give "ids": a list of ids ([sku, source_code] pairs)')
        return sandbox.delete(_kind(str(payload.get("kind", ""))), ids)
    if head == "clock" and len(parts) == 1:
        if method == "POST":
            payload = _payload(request)
            sandbox.store.clock_offset = float(payload.get("offset_seconds", 0))
        return {
            "offset_seconds": sandbox.store.clock_offset,
            "now": sandbox.store.now_datetime().strftime(TIME_FORMAT),
        }
    if head == "consumer" and parts[1:] == ["run"] and method == "POST":
        limit = _payload(request).get("limit")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise ControlError(400, 'give "limit": the number of operations to run, or none')
        return sandbox.run_consumer(limit)
    if head == "info" and len(parts) == 1:
        return sandbox.info()
    raise ControlError(404, f"no control route {method} /_sandbox/{'/'.join(parts)}")
