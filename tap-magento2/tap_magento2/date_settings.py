# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""The tap's date settings (start_date, end_date, *_last_pull): Magento's UTC form or ISO 8601."""

from __future__ import annotations

from magento2_rest.timestamps import to_magento


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
