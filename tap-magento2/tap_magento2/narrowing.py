# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Unreadable records: find the one record that fails every page holding it, read the rest.

One bad record makes every answer that contains it fail: an order whose product was deleted
answers 404 "The product that was requested doesn't exist" (magento2 #7518), a broken serialized
option or another integrity error a masked 500. Retrying such a page forever stalls the pipeline;
skipping it loses the good rows beside the bad one. So when a keyset page keeps failing after the
client's retries, the walk goes on with the same filters and smaller pages (halving down to one
row), then finds the bad record's second by halving the time range and its id by halving the id
range inside that second, each probe a one-row page. About 2 log2(page_size) + 64 requests.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from magento2_rest import Filter, MagentoError, MagentoNotFound, SearchCriteria, timestamps

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

    from tap_magento2.client import IncrementalStream

HTTP_SERVER_ERROR = 500
# Magento's entity ids are `int(10) unsigned` columns.
ID_CEILING = 2**32
EPOCH = "1970-01-01 00:00:00"
# How often the search starts over when the store changed under it (a probe that should have
# found nothing found a row): then the failure is left to the caller.
MAX_RESTARTS = 3


def breaks_the_page(error: MagentoError) -> bool:
    """An error that a record in the answer can cause: 404 for an entity (not for the route),
    or a masked 500 that outlived the retries. 429, 502-504 and broken connections are the
    store's availability, not a record's."""
    if isinstance(error, MagentoNotFound):
        return not error.route_missing
    return error.status == HTTP_SERVER_ERROR


@dataclass(frozen=True)
class UnreadableRecord:
    """A record no answer can hold: its stream, key, second and Magento's message."""

    stream: str
    id: int
    updated_at: str
    message: str
    store_code: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "id": self.id,
            "updated_at": timestamps.to_iso(self.updated_at),
            "store_code": self.store_code,
            "error": self.message,
        }


class UnreadableRecordError(RuntimeError):
    """A stream stopped at an unreadable record (skip_unreadable_records is off)."""

    def __init__(self, record: UnreadableRecord) -> None:
        where = f"[{record.store_code}]" if record.store_code else ""
        super().__init__(
            f"{record.stream}{where}: the record with id {record.id} and updated_at "
            f"{record.updated_at} fails every answer that holds it ({record.message}); every "
            "record before it was written and the bookmark stops there. Repair it in Magento, "
            "or set skip_unreadable_records: true to list it in unreadable_records_file and go on"
        )
        self.record = record


def _seconds(value: str) -> int:
    return int(timestamps.parse(value).timestamp())


def _magento(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime(timestamps.MAGENTO_FORMAT)


class Narrowing:
    """One search for the record that makes a keyset page fail, and the good rows around it."""

    def __init__(
        self,
        stream: IncrementalStream,
        *,
        start: str | None,
        bound: str | None,
        store_code: str | None,
        fields: str | None,
        flush: Callable[[], None] | None = None,
        until: tuple[str, int] | None = None,
    ) -> None:
        self.stream = stream
        self.until = until
        self.start = start
        self.bound = bound
        self.store_code = store_code
        self.fields = fields
        # Called after each page's rows: STATE, or handing a page to the ordered output.
        self.flush = flush or stream.flush_state

    def criteria(
        self, size: int, cursor: tuple[str, int] | None, extra: tuple[Filter, ...] = ()
    ) -> SearchCriteria:
        criteria = self.stream.keyset_criteria(size, self.start, cursor, self.bound, self.until)
        for condition in extra:
            criteria = criteria.where(condition.field, condition.condition_type, condition.value)
        return criteria

    def probe(
        self, cursor: tuple[str, int] | None, *extra: Filter, size: int = 1
    ) -> list[dict[str, Any]] | MagentoError:
        """The rows of one small page, or the error that breaks it."""
        try:
            page = self.stream.search(
                functools.partial(self.criteria, cursor=cursor, extra=extra),
                self.store_code,
                self.fields,
                size=size,
            )
        except MagentoError as error:
            if breaks_the_page(error):
                return error
            raise
        return page.items

    def rows(
        self, cursor: tuple[str, int] | None, failed: int, error: MagentoError
    ) -> Generator[
        tuple[dict[str, Any], str], None, tuple[tuple[str, int] | None, UnreadableRecord | None]
    ]:
        """Yield the good rows after `cursor` in order (with their updated_at), up to the bad
        record, writing STATE after each page; return the cursor after them and the bad record
        (None when `failed` rows read fine: the failure has passed)."""
        size = max(1, failed // 2)
        read = 0
        restarts = 0
        while read < failed:
            found = self.probe(cursor, size=size)
            if isinstance(found, MagentoError):
                error = found
                if size > 1:
                    size = max(1, size // 2)
                    continue
                located = self.locate(cursor, error)
                if located is not None:
                    return cursor, located
                restarts += 1
                if restarts > MAX_RESTARTS:
                    raise error
                continue
            if not found:
                break
            cursor = self.stream.advance(cursor, found[-1], self.stream.name)
            key = self.stream.replication_key
            for row in found:
                yield row, row[key]
            self.flush()
            read += len(found)
        return cursor, None

    def locate(
        self, cursor: tuple[str, int] | None, error: MagentoError
    ) -> UnreadableRecord | None:
        """The bad record, the first after `cursor`: its second, then its id, then a check."""
        stream = self.stream
        key = stream.replication_key
        low = _seconds(cursor[0] if cursor else (self.start or EPOCH))
        ceiling = self.bound or stream.magento_tap.bound_now(answered=True) or EPOCH
        high = _seconds(ceiling) + (0 if self.bound else 1)
        # Invariant: the bad record's second is in [low, high).
        while high - low > 1:
            middle = (low + high) // 2
            found = self.probe(cursor, Filter(key, "lt", _magento(middle)))
            if isinstance(found, MagentoError):
                high = middle
            elif found:
                return None  # a readable row before it: the store changed, start over
            else:
                low = middle
        second = _magento(low)
        within = Filter(key, "lt", _magento(low + 1))
        id_low = cursor[1] + 1 if cursor and cursor[0] == second else 0
        id_high = ID_CEILING
        id_field = stream.id_filter_field
        while id_high - id_low > 1:
            middle = (id_low + id_high) // 2
            found = self.probe(cursor, within, Filter(id_field, "lt", str(middle)))
            if isinstance(found, MagentoError):
                id_high = middle
            elif found:
                return None
            else:
                id_low = middle
        exact = self.probe(None, Filter(key, "eq", second), Filter(id_field, "eq", str(id_low)))
        if not isinstance(exact, MagentoError):
            return None  # it reads now: the failure passed
        return UnreadableRecord(
            stream=stream.name,
            id=id_low,
            updated_at=second,
            message=exact.message or str(error),
            store_code=self.store_code,
        )
