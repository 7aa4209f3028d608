# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Magento's timestamps and the tap's: `Y-m-d H:i:s` UTC in filters, ISO 8601 in records.

Magento stores and compares `created_at`/`updated_at` as UTC strings `Y-m-d H:i:s` with no
offset (FACTS.md, "Time"). That is not RFC 3339, so the tap writes them as ISO 8601 with an
explicit `+00:00` (what targets read as a timestamp), and turns bookmarks back into Magento's
form before it filters on them.
"""

from __future__ import annotations

from datetime import datetime, timezone

MAGENTO_FORMAT = "%Y-%m-%d %H:%M:%S"
_MAGENTO_LENGTH = len("2025-01-01 00:00:00")


def parse(value: str) -> datetime:
    """An aware UTC datetime from Magento's form, a date, or ISO 8601 (naive means UTC)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def to_magento(value: datetime | str) -> str:
    """Magento's filter form (UTC `Y-m-d H:i:s`) of a datetime or any accepted text."""
    moment = parse(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(MAGENTO_FORMAT)


def to_iso(value: str | None) -> str | None:
    """ISO 8601 UTC (`2025-01-01T12:00:00+00:00`) of a value Magento sent; None stays None."""
    if value is None or value == "":
        return None
    # The common case, Magento's own form, without parsing (it runs for every record).
    if len(value) == _MAGENTO_LENGTH and value[10] == " ":
        return f"{value[:10]}T{value[11:]}+00:00"
    return parse(value).isoformat()


def check_setting(name: str, value: object) -> str | None:
    """Magento's form of a date setting, or None when unset; a ValueError names the fix."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return to_magento(value)
        except ValueError:
            pass
    msg = (
        f"{name}: {value!r} is not a date; give 'YYYY-MM-DD HH:MM:SS' (UTC) or ISO 8601 "
        "such as 2025-01-31T00:00:00+00:00"
    )
    raise ValueError(msg)


def setting_problem(name: str, value: object) -> str | None:
    """The one-line complaint about a date setting, or None when it is fine."""
    try:
        check_setting(name, value)
    except ValueError as error:
        return str(error)
    return None
