# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""The base streams: everything the tap's streams share when they read Magento.

Every HTTP exchange goes through the tap's one `magento2_rest.MagentoClient` (auth, retries and
errors live there). This module owns what is particular to reading: searchCriteria paging, the
exact incremental cursor, Magento's `fields` selection, progress logs, per-stream summaries, and
"404 means the module is absent".
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any, ClassVar

from magento2_rest import (
    Filter,
    MagentoError,
    MagentoInputLimitError,
    MagentoNotFound,
    MagentoResponseError,
    MagentoTimeout,
    SearchCriteria,
    SearchPage,
    timestamps,
)
from singer_sdk import Stream
from singer_sdk.helpers._util import utc_now
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.mapper import SameRecordTransform
from singer_sdk.singerlib import RecordMessage

from tap_magento2 import concurrency
from tap_magento2.narrowing import Narrowing, UnreadableRecordError, breaks_the_page
from tap_magento2.output import RecordLines, SingerWriter

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Iterator, Mapping

    from magento2_rest import MagentoClient
    from singer_sdk.helpers.types import Context
    from singer_sdk.metrics import Counter

    from tap_magento2.narrowing import UnreadableRecord
    from tap_magento2.tap import TapMagento2


# The smallest page a slow stream is lowered to: below it a page costs the store mostly its
# per-request work (the COUNT over the filter, the sort), which a smaller page does not lessen.
MIN_SLOW_PAGE_SIZE = 10


def load_schema(name: str) -> dict[str, Any]:
    """A stream's JSON schema, generated from Adobe's REST schema (scripts/generate_schemas.py)."""
    path = resources.files("tap_magento2").joinpath("schemas").joinpath(f"{name}.json")
    schema: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return schema


# The last table version a full-table stream activated, in its Singer state.
TABLE_VERSION = "table_version"


class MagentoCursorError(RuntimeError):
    """A page did not move the incremental cursor forward: the store ignored the filters."""


@dataclass
class StreamReport:
    """What one stream cost: shown per page while it runs and once at the end of the run."""

    records: int = 0
    pages: int = 0
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0
    ran: bool = False
    # Set for a stream written from another stream's answers (order_items from orders).
    carried_by: str | None = None
    dropped: set[str] = field(default_factory=set)
    # The page size this stream was lowered to after pages timed out, if it was.
    lowered_page_size: int | None = None
    unreadable: list[UnreadableRecord] = field(default_factory=list)

    def line(self) -> str:
        if self.carried_by:
            return f"{self.records} records, taken from the {self.carried_by} answers"
        text = (
            f"{self.records} records, {self.pages} pages, {self.requests} requests, "
            f"{self.retries} retries, {self.seconds:.1f} s"
        )
        if self.lowered_page_size is not None:
            text += f", pages of {self.lowered_page_size} after timeouts"
        if self.unreadable:
            listed = ", ".join(f"id {r.id} ({r.updated_at})" for r in self.unreadable)
            text += f", {len(self.unreadable)} unreadable records skipped: {listed}"
        return text


class Progress:
    """Per-page progress: records so far of Magento's total_count, and an estimate of the rest."""

    def __init__(self, stream: MagentoStream, label: str) -> None:
        self.stream = stream
        self.label = label
        self.started = time.monotonic()
        self.done = 0

    def page(self, received: int, total: int) -> None:
        self.done += received
        self.stream.report.pages += 1
        elapsed = time.monotonic() - self.started
        left = max(total - self.done, 0)
        if self.done and left:
            eta = f"about {elapsed / self.done * left:.0f} s left"
        else:
            eta = "done" if not left else "time left unknown"
        percent = 100.0 * self.done / total if total else 100.0
        self.stream.logger.info(
            "%s: page %d, %d of %d records (%.0f%%), %s",
            self.label,
            self.stream.report.pages,
            self.done,
            total,
            percent,
            eta,
        )


@dataclass
class DirectWrites:
    """Records written by RecordLines since the stream's state last took them in (settle)."""

    context: Context | None
    counter: Counter | None
    count: int = 0
    last: dict[str, Any] | None = None


class MagentoStream(Stream):
    """A stream read from one Magento route through the tap's MagentoClient."""

    route: ClassVar[str]
    # "B2B" or "MSI": a store without that module answers 404 on the route, which is no error.
    module: ClassVar[str | None] = None
    # Properties the tap adds to Magento's records, and the Magento field each is made from.
    derived_fields: ClassVar[Mapping[str, str | None]] = {}
    # Properties of records the tap writes without Magento (deletions.DELETED_AT): in the
    # schema, never asked of Magento.
    tap_properties: ClassVar[Mapping[str, dict[str, Any]]] = {}
    # Magento's answers are JSON typed by its service interfaces already (Framework/Reflection/
    # DataObjectProcessor.php casts every getter's value to its declared type, castValueToType),
    # so the SDK's conformance would only re-check each value: it took three quarters of the
    # tap's CPU time per order (bench/tap_bench.py). `shape` drops the top-level properties the
    # schema lacks instead.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    # True where the SDK's child streams are written from this stream's own answers
    # (companions), so the SDK's per-record child sync has nothing to do.
    children_are_companions: ClassVar[bool] = False

    def __init__(self, tap: TapMagento2) -> None:
        schema = load_schema(self.name)
        schema["properties"].update(self.tap_properties)
        super().__init__(tap=tap, schema=schema)
        self.magento_tap = tap
        self.report = StreamReport()
        self._known_properties: frozenset[str] | None = None
        self._direct: DirectWrites | None = None
        # Top-level Magento timestamps (UTC 'Y-m-d H:i:s') written as ISO 8601 (to_iso):
        # the properties the schema marks date-time, less those the tap writes itself.
        self.timestamp_fields = tuple(
            name
            for name, spec in self.schema.get("properties", {}).items()
            if spec.get("format") == "date-time"
            and name not in self.derived_fields
            and name not in self.tap_properties
        )

    @property
    def client(self) -> MagentoClient:
        return self.magento_tap.client

    # ------------------------------------------------------------------------------ records

    def shape(self, record: dict[str, Any], context: Context | None) -> dict[str, Any]:  # noqa: ARG002
        """Magento's record as the tap writes it (timestamps in ISO 8601; subclasses add fields)."""
        known = self._known_properties
        if known is None:
            known = frozenset(self.effective_schema.get("properties", {}))
            self._known_properties = known
        if not known.issuperset(record):
            unknown = record.keys() - known
            # A store's modules may add fields Adobe's schema lacks: say so once, then drop them.
            if not self.report.dropped:
                self.logger.warning(
                    "%s: Magento sent properties the schema lacks, left out: %s",
                    self.name,
                    ", ".join(sorted(unknown)),
                )
            self.report.dropped.update(unknown)
            for name in unknown:
                del record[name]
        for name in self.timestamp_fields:
            if name in record:
                record[name] = timestamps.to_iso(record[name])
        return record

    def _generate_record_messages(
        self, record: dict[str, Any]
    ) -> Generator[RecordMessage, None, None]:
        # The SDK walks every nested property of every record against the selection mask
        # (pop_deselected_record_properties): a fifth of the tap's CPU per order when nothing
        # is deselected (bench/tap_bench.py). Skipped then; a catalog that deselects anything
        # gets the SDK's walk as before.
        if not self.everything_selected:
            yield from super()._generate_record_messages(record)
            return
        for stream_map in self.stream_maps:
            mapped = stream_map.transform(record)
            if mapped is not None:
                yield RecordMessage(
                    stream=stream_map.stream_alias,
                    record=mapped,
                    version=self._stream_version,
                    time_extracted=utc_now(),
                )

    # ------------------------------------------------------------------- the record path

    @functools.cached_property
    def record_lines(self) -> RecordLines | None:
        """The direct RECORD writer, or None where the SDK's own per-record path must run: a
        stream map, a deselected property, a post_process, another message writer, children
        the SDK syncs."""
        maps = self.stream_maps
        writer = self._tap.message_writer
        if not isinstance(writer, SingerWriter):
            return None
        direct = (
            len(maps) == 1
            and type(maps[0]) is SameRecordTransform
            and self.everything_selected
            and type(self).post_process is Stream.post_process
            and (self.children_are_companions or not self.child_streams)
        )
        return RecordLines(writer, maps[0].stream_alias) if direct else None

    def _sync_records(
        self, context: Context | None = None, *, write_messages: bool = True
    ) -> Generator[dict[str, Any], Any, Any]:
        # The SDK's loop spends about 4 µs per record around each one (a RecordMessage, its
        # dict, child contexts, a bookmark update, a metric): as much as json.loads and dumps
        # of a small record together (bench/tap_bench.py). Where nothing of that can change a
        # record (record_lines), records are written directly and the bookmark and the record
        # count are brought up to date once per page (settle, before every STATE): the pages
        # come in (updated_at, id) order (IncrementalStream.advance refuses a page that does
        # not move the cursor), so the last record of a page is the bookmark the SDK would
        # have reached record by record.
        lines = self.record_lines
        if lines is None or not write_messages or not self.selected or self.ABORT_AT_RECORD_COUNT:
            yield from super()._sync_records(context, write_messages=write_messages)
            return
        counter = self.get_record_counter()
        timer = self.get_sync_timer()
        with counter, timer:
            for element in ([context] if context is not None else self.partitions) or [{}]:
                counter.with_context(element)
                timer.with_context(element)
                current = element or None
                partition = self._get_state_partition_context(current) or {}
                self._write_starting_replication_value(current)
                direct = self._direct = DirectWrites(current, counter)
                try:
                    for record in self.get_records(current):
                        for key, value in partition.items():
                            record.setdefault(key, value)
                        lines.write(record, self._stream_version)
                        direct.count += 1
                        direct.last = record
                        yield record
                    self.settle()
                finally:
                    self._direct = None
                if current == partition:
                    self._finalize_state(self.get_context_state(current))
        if not context:
            self._finalize_state(self.stream_state)
        self._write_state_message()

    def settle(self) -> None:
        """Bring the bookmark and the record count up to the records written directly."""
        direct = self._direct
        if direct is None or direct.last is None or not direct.count:
            return
        self.state_manager.is_flushed = False
        self._increment_stream_state(direct.last, context=direct.context)
        if direct.counter is not None:
            direct.counter.increment(direct.count)
        direct.count = 0

    @functools.cached_property
    def everything_selected(self) -> bool:
        """No property of this stream, at any depth, is deselected in the catalog."""
        return all(selected for breadcrumb, selected in self.mask.items() if breadcrumb)

    def begin_companion(self, carrier: str) -> None:
        """Start writing this stream's records from another stream's answers (order_items)."""
        self.report.ran = True
        self.report.carried_by = carrier
        self._write_schema_message()
        self._write_starting_replication_value(None)
        if self.record_lines is not None:
            self._direct = DirectWrites(None, None)

    def end_companion(self) -> None:
        self.settle()
        self._direct = None

    def write_companion_record(self, record: dict[str, Any]) -> None:
        """Write one record that came with another stream's answer, and advance this bookmark."""
        self.report.records += 1
        direct = self._direct
        if direct is not None and self.record_lines is not None:
            self.record_lines.write(record, self._stream_version)
            direct.count += 1
            direct.last = record
            return
        self._write_record_message(record)
        self._increment_stream_state(record, context=None)

    def log_sync_costs(self) -> None:
        # The SDK calls this for every stream once the run ends: the per-stream summary.
        super().log_sync_costs()
        if self.report.ran:
            self.logger.info("summary: %s: %s", self.name, self.report.line())
        if self is list(self.magento_tap.streams.values())[-1]:
            self.magento_tap.end_of_run()

    def flush_state(self) -> None:
        """Emit STATE now (after each page), so a run killed at any moment resumes close by."""
        self.settle()
        self._write_state_message()

    # ----------------------------------------------------------------------- Magento fields

    def selected_properties(self) -> list[str] | None:
        """Selected top-level properties, or None when all are (then no `fields` is sent)."""
        properties = list(self.schema.get("properties", {}))
        chosen = [name for name in properties if self.mask.get(("properties", name), True)]
        if len(chosen) == len(properties):
            return None
        return chosen

    def required_fields(self) -> set[str]:
        """Magento fields the tap itself needs, whatever the catalog selects."""
        keys = set(self.primary_keys)
        if self.replication_key:
            keys.add(self.replication_key)
        return keys

    def magento_fields(self) -> list[str] | None:
        """Item fields for Magento's `fields` parameter, or None to ask for everything."""
        chosen = self.selected_properties()
        if chosen is None:
            return None
        wanted: list[str] = []
        for name in [*chosen, *sorted(self.required_fields())]:
            if name in self.tap_properties:
                continue
            source = self.derived_fields.get(name, name)
            if source and source not in wanted:
                wanted.append(source)
        return wanted

    def fields_parameter(self) -> str | None:
        """`items[entity_id,updated_at,...],total_count` (Webapi's FieldsFilter), or None."""
        wanted = self.magento_fields()
        if wanted is None:
            return None
        return f"items[{','.join(wanted)}],total_count"

    # ----------------------------------------------------------------------------- requests

    @functools.cached_property
    def page_size(self) -> int:
        """This stream's page size as set (stream_page_sizes, or page_size)."""
        return self.magento_tap.stream_page_size(self.name)[0]

    @property
    def request_page_size(self) -> int:
        """Rows to ask per page: the stream's page size, or less once its pages timed out, and
        never more than the store's input limit allows."""
        return self.client.page_size(self.report.lowered_page_size or self.page_size)

    def learn_page_limit(self, error: MagentoInputLimitError, asked: int, route: str) -> bool:
        """The client's learn_page_limit, said as news rather than a warning where the size
        refused was the tap's built-in one for this stream (nothing to change in the config)."""
        built_in = self.magento_tap.stream_page_size(self.name)[1]
        return self.client.learn_page_limit(error, asked, route, expected=built_in)

    def search(
        self,
        criteria_for: Callable[[int], SearchCriteria],
        store_code: str | None,
        fields: str | None,
        route: str | None = None,
        *,
        size: int | None = None,
    ) -> SearchPage:
        """One search request at the stream's page size (or exactly `size` rows).

        If the store's input limits refuse the size, the client keeps the store's maximum, so
        every later request of the run, of every stream, uses it: the store refuses once and the
        log says so once. If the page takes longer than a gateway or read_timeout allows, it is
        asked again at half the size, down to MIN_SLOW_PAGE_SIZE, and the stream keeps the
        smaller size for the rest of the run.
        """
        route = route or self.route
        while True:
            asked = self.client.page_size(size) if size else self.request_page_size
            criteria = criteria_for(asked)
            shrinkable = size is None and asked > MIN_SLOW_PAGE_SIZE
            try:
                page = self.client.search(
                    route,
                    criteria,
                    store_code=store_code,
                    fields=fields,
                    retry_timeouts=not shrinkable,
                )
            except MagentoInputLimitError as error:
                if not self.learn_page_limit(error, asked, route):
                    raise
                continue
            except MagentoTimeout as error:
                if not shrinkable:
                    raise
                self.lower_page_size(asked, error)
                continue
            self.magento_tap.note_store_clock()
            return page

    def lower_page_size(self, asked: int, error: MagentoTimeout) -> None:
        """Halve this stream's page size after a page timed out; said once per stream."""
        smaller = max(MIN_SLOW_PAGE_SIZE, asked // 2)
        first = self.report.lowered_page_size is None
        self.report.lowered_page_size = smaller
        (self.logger.warning if first else self.logger.info)(
            "%s: a page of %d took too long (%s); asking %d at a time for the rest of this run",
            self.name,
            asked,
            error,
            smaller,
        )

    def offset_pages(
        self,
        route: str,
        criteria: SearchCriteria,
        store_code: str | None = None,
        fields: str | None = None,
    ) -> Iterator[SearchPage]:
        """Every page of a search by offset (sort `criteria` on a unique key), at the tap's size."""
        for page in self.client.iter_pages(
            route, criteria, self.page_size, store_code, fields=fields
        ):
            self.magento_tap.note_store_clock()
            yield page

    # ------------------------------------------------------------------------------- syncing

    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        stats = self.client.stats
        requests_before, retries_before = stats.requests, stats.retries
        started = time.monotonic()
        records_before = self.report.records
        self.report.ran = True
        label = self.label(context)
        answered = False
        try:
            selected = self.selected
            for record in self.read(context):
                answered = True
                if selected:
                    self.report.records += 1
                yield record
        except UnreadableRecordError as error:
            # The stream stops at the record; the others go on and the run fails at its end.
            self.logger.error("%s", error)  # noqa: TRY400 - the message says it all
            self.magento_tap.stopped_at.append(error)
        except MagentoNotFound as error:
            if self.module is None or answered or self.report.pages:
                raise
            self.logger.info(
                "%s: %s answered 404, so the store has no %s module; no records (not an error)",
                label,
                error.route,
                self.module,
            )
        finally:
            self.report.requests += stats.requests - requests_before
            self.report.retries += stats.retries - retries_before
            self.report.seconds += time.monotonic() - started
        self.logger.info(
            "%s: finished with %d records (%d requests so far for this stream)",
            label,
            self.report.records - records_before,
            self.report.requests,
        )

    def label(self, context: Context | None) -> str:
        if context and context.get("store_code"):
            return f"{self.name}[{context['store_code']}]"
        return self.name

    def read(self, context: Context | None) -> Iterator[dict[str, Any]]:
        raise NotImplementedError


class FullTableStream(MagentoStream):
    """A small table read whole every run (Magento keeps no updated_at for it)."""

    # A unique sort (the key unless said otherwise): without one, offset pages repeat or skip
    # rows (magento2 #25001).
    sort_fields: ClassVar[tuple[str, ...] | None] = None
    # False for routes that answer a plain list without searchCriteria (store views, websites).
    searchable: ClassVar[bool] = True

    @property
    def emit_activate_version_messages(self) -> bool:
        # Singer SDK 0.54's Stream.sync writes ACTIVATE_VERSION before the first record when
        # the config has `emit_activate_version_messages`. A loader that honours it drops every
        # row of an older version then (target-postgres' activate_version), so the table is
        # empty while the read runs and stays part-empty if the run dies. The tap writes it
        # once the whole table has been read instead (read, activate_table_version).
        return False

    def read(self, context: Context | None) -> Iterator[dict[str, Any]]:
        version = self.begin_table_version(context)
        yield from self.read_table(context)
        if version is not None:
            self.activate_table_version(version, context)

    def begin_table_version(self, context: Context | None) -> int | None:
        """The version every RECORD of this read carries, or None when no ACTIVATE_VERSION
        follows: turned off, or in BATCH mode, whose files carry no version (a loader would take
        every row of them for an old version and drop it)."""
        if not self.magento_tap.activate_versions or self.get_batch_config(self.config):
            return None
        # Seconds, as the SDK counts them; above the last activated version even if this
        # machine's clock is behind the one of the run before.
        version = int(time.time())
        last = self.get_context_state(context).get(TABLE_VERSION)
        if isinstance(last, int) and last >= version:
            version = last + 1
        self._stream_version = version
        return version

    def activate_table_version(self, version: int, context: Context | None) -> None:
        """Tell the loader the table is now exactly the rows of `version`."""
        self._write_activate_version_message(version)
        self.get_context_state(context)[TABLE_VERSION] = version
        self.state_manager.is_flushed = False
        self.flush_state()
        self.logger.info(
            "%s: ACTIVATE_VERSION %d: loaders that honour it drop rows this read did not bring",
            self.label(context),
            version,
        )

    def read_table(self, context: Context | None) -> Iterator[dict[str, Any]]:
        label = self.label(context)
        store_code = context.get("store_code") if context else None
        progress = Progress(self, label)
        if not self.searchable:
            answer = self.client.get(self.route, store_code=store_code)
            if not isinstance(answer, list):
                msg = f"GET /V1{self.route} answered {type(answer).__name__}, not a list"
                raise MagentoResponseError(msg, method="GET", route=f"/V1{self.route}", status=200)
            self.magento_tap.note_store_clock()
            progress.page(len(answer), len(answer))
            for row in answer:
                yield self.shape(row, context)
            return
        criteria = SearchCriteria()
        for name in self.sort_fields or self.primary_keys:
            criteria = criteria.order_by(name, "ASC")
        fields = self.fields_parameter()
        pages = concurrency.offset_pages(
            self,
            self.route,
            criteria,
            store_code=store_code,
            fields=fields,
            workers=self.magento_tap.workers,
        )
        for page in pages:
            progress.page(len(page.items), page.total_count)
            for row in page.items:
                yield self.shape(row, context)
            self.flush_state()


class IncrementalStream(MagentoStream):
    """A stream read exactly and resumably by keyset paging on (updated_at, id).

    Magento pages by offset only, its timestamps have one-second resolution, and a page past the
    end may repeat. Offset paging over a table that changes skips rows, and a strict `gt` on the
    timestamp loses the rest of a second's rows. So each page asks, with only what searchCriteria
    can say (groups ANDed, filters ORed inside a group):

        updated_at >= cursor_time
        AND (updated_at > cursor_time OR id > cursor_id)     -- not on the first page
        AND updated_at < bound                               -- fixed when the stream starts
        ORDER BY updated_at ASC, id ASC, pageSize N, currentPage 1 (always)

    OR across two fields in one group is supported by the routes used here: the flat sales
    collections through Framework's FilterProcessor (addFieldToFilter with arrays of fields and
    conditions, Framework/Api/SearchCriteria/CollectionProcessor/FilterProcessor.php) and the EAV
    ones (customers, products, categories) through Eav's FilterProcessor, which passes
    [['attribute' => f, cond => v], ...] to addAttributeToFilter and joins them with OR
    (Eav/Model/Entity/Collection/AbstractCollection.php).

    The bound is the store's clock (its Date header) truncated to the second, or end_date if
    earlier: a second still being written is never half read, and rows of that second and later
    come next run. Records come out in (updated_at, id) order, so the SDK's bookmark (the last
    record's updated_at) is resumable: a rerun starts at `updated_at >= bookmark` and repeats at
    most that second's rows.
    """

    replication_key = "updated_at"
    # Every route used filters and sorts on entity_id: the flat sales tables' column, and the
    # EAV entities' (customers, products, categories), whose records say `id` (the first key).
    id_filter_field: ClassVar[str] = "entity_id"

    def __init__(self, tap: TapMagento2) -> None:
        super().__init__(tap)
        self.active_companions: list[IncrementalStream] = []

    @property
    def is_sorted(self) -> bool:
        return True

    def starting_point(self, context: Context | None) -> tuple[str | None, str]:
        """Where this stream (partition) starts, in Magento's form, and why."""
        state = self.get_context_state(context)
        bookmark = state.get("replication_key_value")
        if bookmark and state.get("replication_key") == self.replication_key:
            return timestamps.to_magento(bookmark), "the bookmark in state"
        last_pull = self.magento_tap.last_pull(self.name)
        if last_pull:
            return last_pull, f"{self.name}_last_pull"
        if self.magento_tap.start_date:
            return self.magento_tap.start_date, "start_date"
        return None, f"no bookmark, {self.name}_last_pull or start_date"

    @property
    def id_field(self) -> str:
        """The record's id, the tie-break of the cursor."""
        return self.primary_keys[0]

    def required_fields(self) -> set[str]:
        return {*super().required_fields(), self.id_field}

    def companions(self) -> list[IncrementalStream]:
        """Selected streams whose records come inside this stream's answers (order_items)."""
        return []

    def write_companions(
        self, row: dict[str, Any], companions: list[tuple[IncrementalStream, str | None]]
    ) -> None:
        """Write the companion records carried by one row, each from its own start on."""

    def flush_state(self) -> None:
        # The companions' records of the page first: one STATE speaks for all of the page.
        for companion in self.active_companions:
            companion.settle()
        super().flush_state()
        for companion in self.active_companions:
            companion.flush_state()

    def read(self, context: Context | None) -> Iterator[dict[str, Any]]:
        label = self.label(context)
        store_code = context.get("store_code") if context else None
        own_start, reason = self.starting_point(context)
        starts: list[str | None] = []
        if self.selected:
            starts.append(own_start)
            self.logger.info(
                "%s: reading from %s (%s)", label, own_start or "the beginning", reason
            )
        companions: list[tuple[IncrementalStream, str | None]] = []
        for companion in self.companions():
            start, why = companion.starting_point(None)
            companion.begin_companion(self.name)
            companions.append((companion, start))
            starts.append(start)
            self.logger.info(
                "%s: reading from %s (%s)", companion.name, start or "the beginning", why
            )
        self.active_companions = [companion for companion, _ in companions]
        try:
            for row, key in self.keyset_rows(earliest(starts), store_code, label):
                self.write_companions(row, companions)
                if own_start is None or key >= own_start:
                    yield self.shape(row, context)
        finally:
            for companion in self.active_companions:
                companion.end_companion()
            self.active_companions = []

    def keyset_criteria(
        self,
        size: int,
        start: str | None,
        cursor: tuple[str, int] | None,
        bound: str | None,
        until: tuple[str, int] | None = None,
    ) -> SearchCriteria:
        """One page of the keyset walk (see the class docstring); `until`: only rows before
        that (updated_at, id), for a window that ends inside a second (tap_magento2.concurrency).
        """
        key_name = self.replication_key
        criteria = SearchCriteria()
        if cursor is not None:
            criteria = criteria.where(key_name, "gteq", cursor[0]).any_of(
                Filter(key_name, "gt", cursor[0]),
                Filter(self.id_filter_field, "gt", cursor[1]),
            )
        elif start is not None:
            criteria = criteria.where(key_name, "gteq", start)
        if bound is not None:
            criteria = criteria.where(key_name, "lt", bound)
        if until is not None:
            criteria = criteria.where(key_name, "lteq", until[0]).any_of(
                Filter(key_name, "lt", until[0]),
                Filter(self.id_filter_field, "lt", until[1]),
            )
        return (
            criteria.order_by(key_name, "ASC").order_by(self.id_filter_field, "ASC").page(size, 1)
        )

    def keyset_rows(  # noqa: C901 - one walk: its bound, its failures, its hand-over
        self, start: str | None, store_code: str | None, label: str
    ) -> Iterator[tuple[dict[str, Any], str]]:
        """Rows with start <= updated_at < bound in (updated_at, id) order, with updated_at."""
        key_name = self.replication_key
        fields = self.fields_parameter()
        bound = self.magento_tap.bound_now()
        bound_final = self.magento_tap.clock_known()
        if bound_final:
            self.log_bound(label, bound)
        cursor: tuple[str, int] | None = None
        progress = Progress(self, label)
        while True:
            try:
                page = self.search(
                    functools.partial(
                        self.keyset_criteria, start=start, cursor=cursor, bound=bound
                    ),
                    store_code,
                    fields,
                )
            except MagentoError as error:
                if not breaks_the_page(error):
                    raise
                if not bound_final:
                    bound = self.magento_tap.bound_now(answered=True)
                    bound_final = True
                    self.log_bound(label, bound)
                narrowing = Narrowing(
                    self, start=start, bound=bound, store_code=store_code, fields=fields
                )
                cursor = yield from self.read_around(narrowing, cursor, error, label)
                continue
            items = page.items
            ended = not items or len(items) >= page.total_count
            if not bound_final:
                # The first answer of the run carries the store's clock: fix the bound on it.
                bound = self.magento_tap.bound_now(answered=True)
                bound_final = True
                self.log_bound(label, bound)
                kept = [item for item in items if item[key_name] < bound]
                ended = ended or len(kept) < len(items)
                items = kept
            progress.page(len(items), progress.done + (len(items) if ended else page.total_count))
            if items:
                cursor = self.advance(cursor, items[-1], label)
            for item in items:
                yield item, item[key_name]
            self.flush_state()
            if ended:
                return
            if self.magento_tap.workers > 1 and bound is not None:
                walk = concurrency.WindowedWalk(
                    self,
                    start=start,
                    cursor=cursor,
                    bound=bound,
                    store_code=store_code,
                    fields=fields,
                    workers=self.magento_tap.workers,
                )
                walk.partition(page.total_count - len(items))
                yield from self.write_in_order(walk, progress, page.total_count - len(items))
                return

    def write_in_order(
        self, walk: concurrency.WindowedWalk, progress: Progress, left: int
    ) -> Iterator[tuple[dict[str, Any], str]]:
        """The rest of the walk, read by several workers, in the same order, STATE per page."""
        total = progress.done + left
        key = self.replication_key
        for rows in walk.rows():
            progress.page(len(rows), max(total, progress.done + len(rows)))
            for waiting in rows:
                item = concurrency.row(waiting)
                yield item, item[key]
            self.flush_state()
        if walk.splits:
            self.logger.info(
                "%s: read in %d time windows by %d workers",
                self.name,
                walk.splits + 1,
                walk.workers,
            )

    def read_around(
        self,
        narrowing: Narrowing,
        cursor: tuple[str, int] | None,
        error: MagentoError,
        label: str,
    ) -> Generator[tuple[dict[str, Any], str], None, tuple[str, int] | None]:
        """The rows of a page that keeps failing, up to the record that breaks it; the cursor
        to go on from (past that record when it is skipped)."""
        failed = self.request_page_size
        self.logger.warning(
            "%s: a page of %d keeps failing (%s); reading it in smaller pages to find the "
            "record that breaks it",
            label,
            failed,
            error,
        )
        cursor, bad = yield from narrowing.rows(cursor, failed, error)
        if bad is None:
            self.logger.info("%s: the failing rows read fine now; going on", label)
            return cursor
        self.magento_tap.unreadable(bad, self.report)
        return bad.updated_at, bad.id

    def log_bound(self, label: str, bound: str | None) -> None:
        lag = int(self.magento_tap.commit_lag.total_seconds())
        self.logger.info(
            "%s: reading rows updated before %s (the store's clock less commit_lag_seconds=%d, "
            "or end_date)",
            label,
            bound,
            lag,
        )

    def advance(
        self, cursor: tuple[str, int] | None, last: dict[str, Any], label: str
    ) -> tuple[str, int]:
        """The cursor after a page; an error instead of a loop if the page did not move it."""
        moved = (str(last[self.replication_key]), int(last[self.id_field]))
        if cursor is not None and moved <= cursor:
            msg = (
                f"{label}: a page ended at {self.replication_key}={moved[0]}, "
                f"{self.id_field}={moved[1]}, not after the cursor {cursor}: the store ignores "
                f"searchCriteria filters or sort orders on {self.route}; report this store's "
                "Magento version and modules"
            )
            raise MagentoCursorError(msg)
        return moved


def earliest(values: Iterable[str | None]) -> str | None:
    """The earliest of Magento-form timestamps, None (everything) if any is None."""
    found: str | None = None
    for value in values:
        if value is None:
            return None
        if found is None or value < found:
            found = value
    return found
