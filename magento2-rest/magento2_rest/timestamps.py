"""Magento's timestamps: UTC `Y-m-d H:i:s` in filters and bodies, ISO 8601 for everyone else.

Magento stores and compares `created_at`/`updated_at` as UTC strings `Y-m-d H:i:s` with no offset
and one-second resolution (FACTS.md, "Time"). That is not RFC 3339: the tap writes such values as
ISO 8601 with an explicit `+00:00`, and both plugins turn any date they are given back into
Magento's form, in UTC, before it reaches the store.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

__all__ = ["MAGENTO_FORMAT", "parse", "to_iso", "to_magento"]

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


def to_magento(value: datetime | date | str) -> str:
    """Magento's form (UTC `Y-m-d H:i:s`) of a datetime, a date, or any text `parse` reads."""
    if isinstance(value, str):
        moment = parse(value)
    elif isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    else:
        moment = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(MAGENTO_FORMAT)


def to_iso(value: str | None) -> str | None:
    """ISO 8601 UTC (`2025-01-01T12:00:00+00:00`) of a value Magento sent; None stays None."""
    if value is None or value == "":
        return None
    # The common case, Magento's own form, without parsing (it runs for every record).
    if len(value) == _MAGENTO_LENGTH and value[10] == " ":
        return f"{value[:10]}T{value[11:]}+00:00"
    return parse(value).isoformat()
