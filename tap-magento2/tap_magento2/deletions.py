# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""The deletion check of incremental streams: which ids the tap wrote are gone from the store.

Magento's REST API keeps no record of deletes (FACTS.md, "Time"), so a row deleted in the store
stays in the warehouse for good. For the streams listed in `deletion_check_streams`, the tap keeps
in the stream's Singer state every id it has written (`emitted_ids`, an IdRanges text), and at most
once every `deletion_check_interval_hours` (`deletions_checked_at`) reads every id the store has
now, with a keyset on entity_id and Magento's `fields` filter, and writes for each written id that
is gone a RECORD with the key and `_sdc_deleted_at`. Loaders with soft or hard deletes act on it.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from magento2_rest import MagentoError, SearchCriteria, timestamps
from singer_sdk.mapper import RemoveRecordTransform
from singer_sdk.singerlib import SchemaMessage

from tap_magento2.client import IncrementalStream, MagentoCursorError, Progress
from tap_magento2.id_ranges import IdRanges
from tap_magento2.narrowing import ID_CEILING, breaks_the_page

if TYPE_CHECKING:
    from collections.abc import Iterator

    from singer_sdk.helpers.types import Context

# The SDK's record metadata name for a deleted row (singer_sdk/sinks/core.py keeps a record's own
# value; target-postgres, target-duckdb and the pipelinewise targets read it).
DELETED_AT = "_sdc_deleted_at"
EMITTED_IDS = "emitted_ids"
CHECKED_AT = "deletions_checked_at"
DEFAULT_INTERVAL_HOURS = 24


class DeletionStateError(RuntimeError):
    """The state holds an id set this tap cannot read."""


class EmittedIds:
    """The ids one stream (or one products store view) has written, kept in its Singer state."""

    def __init__(self, state: dict[str, Any], where: str) -> None:
        self.state = state
        raw = state.get(EMITTED_IDS)
        try:
            self.ids = IdRanges() if raw is None else IdRanges.decode(raw)
        except ValueError as error:
            msg = (
                f"state bookmarks.{where}.{EMITTED_IDS}: {error}; remove that key from the state "
                "(the deletion check then knows the ids written from that run on)"
            )
            raise DeletionStateError(msg) from None
        self.dirty = False

    def add(self, value: Any) -> None:
        if self.ids.add(int(value)):
            self.dirty = True

    def save(self) -> bool:
        """Write the ids into the state dict if they changed; True when they did."""
        if not self.dirty:
            return False
        self.state[EMITTED_IDS] = self.ids.encode()
        self.dirty = False
        return True

    @property
    def checked_at(self) -> datetime | None:
        value = self.state.get(CHECKED_AT)
        return timestamps.parse(value) if isinstance(value, str) else None

    def checked(self, at: datetime, gone: IdRanges) -> None:
        self.ids = self.ids.minus(gone)
        self.state[CHECKED_AT] = at.isoformat()
        self.dirty = True


class DeletionCheckedStream(IncrementalStream):
    """An incremental stream whose deletions can be found by the id check (opt-in)."""

    # The schemas of these streams carry the SDK's deletion marker; only deletion records set it.
    tap_properties: ClassVar[dict[str, dict[str, Any]]] = {
        DELETED_AT: {"type": ["string", "null"], "format": "date-time"}
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.emitted: EmittedIds | None = None

    def deletion_check_on(self) -> bool:
        if not self.selected or self.name not in self.magento_tap.deletion_check_streams:
            return False
        if self.get_batch_config(self.config):
            # BATCH files are written after the whole read: a deletion RECORD would reach the
            # loader before the rows it follows.
            self.logger.warning("%s: no deletion check in BATCH mode (batch_config)", self.name)
            return False
        return True

    def read(self, context: Context | None) -> Iterator[dict[str, Any]]:
        if not self.deletion_check_on():
            yield from super().read(context)
            return
        self.save_emitted()
        where = self.name + (f"[{context['store_code']}]" if context else "")
        emitted = EmittedIds(self.get_context_state(context), where)
        self.emitted = emitted
        for record in super().read(context):
            emitted.add(record[self.id_field])
            yield record
        self.check_deletions(emitted, context)

    def save_emitted(self) -> None:
        if self.emitted is not None and self.emitted.save():
            self.state_manager.is_flushed = False

    def _write_state_message(self) -> None:
        # Every STATE the stream writes carries the ids written before it, whoever writes it
        # (a page's flush_state, the SDK every STATE_MSG_FREQUENCY records, the end of the
        # sync): a run killed at any point resumes with ids and bookmark in step.
        self.save_emitted()
        super()._write_state_message()

    # ------------------------------------------------------------------------------ check

    def check_deletions(self, emitted: EmittedIds, context: Context | None) -> None:
        label = self.label(context)
        # The store's clock, as every bound of the tap: the same for every machine that runs it.
        now = self.magento_tap.store_now().replace(microsecond=0)
        last = emitted.checked_at
        interval = timedelta(hours=self.magento_tap.deletion_check_interval_hours)
        if last is None:
            # The first run that tracks this stream starts the clock: the ids it wrote were
            # all in the store a moment ago, so a check now would cost a whole walk for nothing.
            emitted.checked(now, IdRanges())
            self.logger.info("%s: deletion check: ids tracked from now on", label)
            return
        if interval and now - last < interval:
            self.logger.info(
                "%s: deletion check: next after %s (deletion_check_interval_hours)",
                label,
                (last + interval).isoformat(),
            )
            return
        store_code = context.get("store_code") if context else None
        present = self.store_ids(store_code, label)
        gone = emitted.ids.minus(present)
        if gone:
            self.write_deletions(gone, now.isoformat(), context)
        emitted.checked(now, gone)
        self.save_emitted()
        self.flush_state()
        self.logger.info(
            "%s: deletion check: %d of %d written ids are gone from the store (%d ids read)",
            label,
            len(gone),
            len(emitted.ids) + len(gone),
            len(present),
        )

    def write_deletions(self, gone: IdRanges, deleted_at: str, context: Context | None) -> None:
        """A RECORD of key and _sdc_deleted_at for each id, under a SCHEMA of just those.

        SQL targets of the SDK update every column of the stream's schema from a record
        (target-postgres' upsert), so under the full schema a soft delete would blank the row's
        values; under the narrow one it keeps them. The full SCHEMA follows again for what the
        stream writes next.
        """
        for stream_map in self.stream_maps:
            if isinstance(stream_map, RemoveRecordTransform):
                continue
            keys = list(stream_map.transformed_key_properties or ())
            properties = stream_map.transformed_schema.get("properties", {})
            narrow = {name: properties[name] for name in [*keys, DELETED_AT] if name in properties}
            self._tap.write_message(
                SchemaMessage(
                    stream_map.stream_alias,
                    {"type": "object", "properties": narrow},
                    keys,
                    [self.replication_key] if self.replication_key else None,
                )
            )
        for value in gone:
            record: dict[str, Any] = {self.id_field: value, DELETED_AT: deleted_at}
            if context:
                record.update(context)
            # Written beside the SDK's record path: a deletion never moves the bookmark.
            self._write_record_message(record)
        self._write_schema_message()

    def id_criteria(self, size: int, after: int | None, until: int | None = None) -> SearchCriteria:
        """One page of ids: after < entity_id (<= until), sorted on entity_id, currentPage 1."""
        criteria = SearchCriteria()
        if after is not None:
            criteria = criteria.where(self.id_filter_field, "gt", after)
        if until is not None:
            criteria = criteria.where(self.id_filter_field, "lteq", until)
        return criteria.order_by(self.id_filter_field, "ASC").page(size, 1)

    def store_ids(self, store_code: str | None, label: str) -> IdRanges:
        """Every id the store has now. `fields` trims the answers only: Magento still loads
        whole entities for each page (Webapi FieldsFilter runs after ServiceOutputProcessor).

        A record that fails every answer holding it (an order whose product was deleted,
        narrowing.py) fails the id pages too: the walk then asks smaller pages down to one row,
        finds that record's id by halving the id range, and counts it as present."""
        fields = f"items[{self.id_field}],total_count"
        present = IdRanges()
        after: int | None = None
        size: int | None = None  # None: the stream's page size; less while near a bad record
        progress = Progress(self, f"{label} ids")
        while True:
            criteria = functools.partial(self.id_criteria, after=after)
            try:
                page = self.search(criteria, store_code, fields, size=size)
            except MagentoError as error:
                if not breaks_the_page(error):
                    raise
                if size != 1:
                    size = max(1, (size or self.request_page_size) // 2)
                    continue
                bad = self.unreadable_id(after, store_code, fields, error)
                self.logger.warning(
                    "%s: id %d fails every answer that holds it (%s): counted as present",
                    label,
                    bad,
                    error,
                )
                present.add(bad)
                after, size = bad, None
                continue
            ids = [int(item[self.id_field]) for item in page.items]
            progress.page(len(ids), progress.done + page.total_count)
            if ids and after is not None and ids[-1] <= after:
                msg = (
                    f"{label}: a page of ids ended at {ids[-1]}, not after {after}: the store "
                    f"ignores searchCriteria filters or sort orders on {self.route}; report this "
                    "store's Magento version and modules, and leave it out of "
                    "deletion_check_streams"
                )
                raise MagentoCursorError(msg)
            for value in ids:
                present.add(value)
            if not ids or len(ids) >= page.total_count:
                return present
            after = ids[-1]

    def unreadable_id(
        self, after: int | None, store_code: str | None, fields: str, error: MagentoError
    ) -> int:
        """The id of the first record after `after`, which fails every answer holding it:
        (after, until] fails while it holds that record and is empty below it."""
        low, high = after or 0, ID_CEILING
        while high - low > 1:
            until = (low + high) // 2
            criteria = functools.partial(self.id_criteria, after=after, until=until)
            try:
                page = self.search(criteria, store_code, fields, size=1)
            except MagentoError as probe_error:
                if not breaks_the_page(probe_error):
                    raise
                high = until
                continue
            if page.items:
                # A readable row came first after all: the store changed under the walk.
                raise error
            low = until
        return high
