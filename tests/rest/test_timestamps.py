"""Magento's time form, shared by the tap (bookmarks) and the target (record values)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from magento2_rest.timestamps import parse, to_iso, to_magento


def test_an_offset_is_turned_into_utc_not_dropped() -> None:
    two_hours_east = timezone(timedelta(hours=2))
    assert to_magento(datetime(2025, 3, 1, 1, 30, tzinfo=two_hours_east)) == "2025-02-28 23:30:00"
    assert to_magento("2025-03-01T01:30:00+02:00") == "2025-02-28 23:30:00"


def test_naive_values_and_magentos_form_are_utc() -> None:
    assert to_magento(datetime(2025, 3, 1, 1, 30)) == "2025-03-01 01:30:00"  # noqa: DTZ001
    assert to_magento("2025-03-01 01:30:00") == "2025-03-01 01:30:00"
    assert to_magento(date(2025, 3, 1)) == "2025-03-01 00:00:00"
    assert parse("2025-03-01T01:30:00Z") == datetime(2025, 3, 1, 1, 30, tzinfo=timezone.utc)


def test_iso_form_of_what_magento_sends() -> None:
    assert to_iso("2025-03-01 01:30:00") == "2025-03-01T01:30:00+00:00"
    assert to_iso(None) is None
    assert to_iso("") is None
