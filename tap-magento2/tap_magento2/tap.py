# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""tap-magento2: the settings, the streams, and the run summary."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from magento2_rest import (
    ConfigError,
    MagentoAuthError,
    MagentoClient,
    MagentoError,
    MagentoNotFound,
    MagentoResponseError,
    MagentoSettings,
    MagentoUnreachable,
    timestamps,
)
from magento2_rest import config_jsonschema as rest_config_jsonschema
from singer_sdk import Tap
from singer_sdk.exceptions import ConfigValidationError

from tap_magento2 import date_settings
from tap_magento2.b2b_streams import CompaniesStream, CompanyCreditsStream
from tap_magento2.catalog_streams import (
    CategoriesStream,
    ProductAttributesStream,
    ProductsStream,
)
from tap_magento2.client import MagentoCursorError
from tap_magento2.customer_streams import CustomerGroupsStream, CustomersStream
from tap_magento2.deletions import DEFAULT_INTERVAL_HOURS, DeletionStateError
from tap_magento2.inventory_streams import (
    InventorySourcesStream,
    InventoryStocksStream,
    SourceItemsStream,
)
from tap_magento2.memory import fix_mmap_threshold
from tap_magento2.narrowing import UnreadableRecordError
from tap_magento2.output import SingerWriter
from tap_magento2.sales_streams import (
    CreditmemosStream,
    InvoicesStream,
    OrderItemsStream,
    OrdersStream,
    ShipmentsStream,
)
from tap_magento2.store_streams import StoreGroupsStream, StoreViewsStream, WebsitesStream

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tap_magento2.client import MagentoStream, StreamReport
    from tap_magento2.narrowing import UnreadableRecord

STREAM_TYPES: tuple[type[MagentoStream], ...] = (
    OrdersStream,
    OrderItemsStream,
    InvoicesStream,
    ShipmentsStream,
    CreditmemosStream,
    CustomersStream,
    CustomerGroupsStream,
    ProductsStream,
    ProductAttributesStream,
    CategoriesStream,
    StoreViewsStream,
    StoreGroupsStream,
    WebsitesStream,
    InventorySourcesStream,
    InventoryStocksStream,
    SourceItemsStream,
    CompaniesStream,
    CompanyCreditsStream,
)
# The streams with a bookmark, each with its <stream>_last_pull setting.
INCREMENTAL_STREAMS = (
    "orders",
    "order_items",
    "invoices",
    "shipments",
    "creditmemos",
    "customers",
    "products",
    "categories",
)

# The streams the deletion check can read every id of (the DeletionCheckedStream types): all
# incremental ones but order_items, which come inside orders.
DELETION_CHECK_STREAMS = tuple(name for name in INCREMENTAL_STREAMS if name != "order_items")

DEFAULT_PAGE_SIZE = 300
# Streams whose records are small enough that a page of page_size costs mostly its request: an
# MSI source item is some 80 bytes of JSON (sku, source_code, quantity, status), a page of 300 is
# 23 KB; a customer some 0.8 KB, a page of 300 is 250 KB. The request around a page costs the tap
# 0.8 to 2 ms of CPU by machine (bench/client_bench.py), and an incremental stream read at
# max_concurrency above 1 adds a one-row probe per window of two pages (concurrency.partition):
# for 300 source items as much as json.loads and json.dumps of their rows, for 300 customers
# half as much (bench/tap_bench.py measures CPU per record of both at both sizes). The store
# pays its fixed work per request too (its PHP bootstrap; the sandbox's latency_ms). A store
# whose Web API input limits cap pages at 300 (FACTS.md, Search) refuses the first page once and
# is asked 300 from then on (MagentoClient.learn_page_limit); one whose pages of 1,000 time out
# is asked half as many (MagentoStream.search).
DEFAULT_STREAM_PAGE_SIZES: dict[str, int] = {"customers": 1000, "source_items": 1000}
# Magento stamps updated_at before the write commits (FACTS.md, Time): a row can appear later
# with an updated_at already below a bound of "now". Two minutes is a judgement, not a figure
# Magento documents: an online capture inside the save waits on the payment gateway, and a
# product save on its URL rewrites and indexers, for seconds to tens of seconds. What it costs is
# freshness only: the rows of the last two minutes come next run.
DEFAULT_COMMIT_LAG_SECONDS = 120
# A read holds one of the store's PHP-FPM workers for the time of a page and writes nothing, so
# no row lock waits on it. Eight at once make a backfill about as many times faster as long as the
# store has workers to spare (bench/tap_bench.py: a store of 8 workers at 100 ms + 1 ms a row),
# and the first 429 or 503 halves it (magento2_rest.politeness). A store that shares a small
# pool with its shoppers sets less.
DEFAULT_READ_CONCURRENCY = 8
DEFAULT_UNREADABLE_FILE = "unreadable_records.jsonl"
DATE_HELP = "UTC 'YYYY-MM-DD HH:MM:SS' (Magento's form) or ISO 8601 with an offset"

TAP_SETTINGS: dict[str, dict[str, Any]] = {
    "start_date": {
        "type": ["string"],
        "description": (
            f"Read incremental streams from this updated_at on ({DATE_HELP}) where state holds "
            "no bookmark and no <stream>_last_pull is set. Without it: everything."
        ),
    },
    "end_date": {
        "type": ["string"],
        "description": (
            f"Read incremental streams up to this updated_at, exclusive ({DATE_HELP}). "
            "Without it: up to the store's clock when each stream starts."
        ),
    },
    "page_size": {
        "type": ["integer"],
        "default": DEFAULT_PAGE_SIZE,
        "minimum": 1,
        "description": (
            f"Records per request ({DEFAULT_PAGE_SIZE} when not given; stream_page_sizes for "
            "particular streams). Lowered to the store's maximum when its Web API input "
            "limits refuse it (Magento 2.4.7 allows 300 when they are on)."
        ),
    },
    "stream_page_sizes": {
        "type": ["object"],
        "additionalProperties": {"type": ["integer"]},
        "description": (
            "Records per request of particular streams, {stream: size}, over page_size. "
            "Without it every stream reads page_size at a time, but "
            + ", ".join(f"{name} {size:,}" for name, size in DEFAULT_STREAM_PAGE_SIZES.items())
            + " (small records) when page_size is not given either. Lowered as "
            "page_size is."
        ),
    },
    "max_concurrency": {
        "type": ["integer"],
        "default": DEFAULT_READ_CONCURRENCY,
        "minimum": 1,
        "description": (
            "Requests a stream sends at once: its range is cut into time windows read together "
            "and written in order. Halved when the store or its CDN answers 429 or 503, raised "
            "again by one after every 20 answers without; 1 reads one page at a time."
        ),
    },
    "commit_lag_seconds": {
        "type": ["integer"],
        "default": DEFAULT_COMMIT_LAG_SECONDS,
        "minimum": 0,
        "description": (
            "How long a write may take to commit after Magento stamped its updated_at. "
            "Incremental streams read rows updated before the store's clock less this, so no "
            "row stamped below the bound can still be in flight; the rows of the last "
            "commit_lag_seconds come next run. Raise it for stores with long imports; 0 only "
            "where every write commits at once."
        ),
    },
    "skip_unreadable_records": {
        "type": ["boolean"],
        "default": False,
        "description": (
            "What to do with a record that fails every answer holding it (an order whose "
            "product was deleted: 404; an integrity error: 500). The tap finds it and reads "
            "every record around it; then, by default, the stream stops there and the run "
            "fails naming it. True: log it, list it in the summary and in "
            "unreadable_records_file, and go on."
        ),
    },
    "unreadable_records_file": {
        "type": ["string"],
        "default": DEFAULT_UNREADABLE_FILE,
        "description": (
            "JSON Lines file the skipped unreadable records are appended to (stream, id, "
            "updated_at, store_code, Magento's message), with skip_unreadable_records."
        ),
    },
    "store_codes": {
        "type": ["array"],
        "items": {"type": ["string"]},
        "description": (
            "Store view codes to read products in, one bookmark each (product values differ "
            "per store view). Default: store_code alone."
        ),
    },
}
TAP_SETTINGS.update(
    {
        "emit_activate_version_messages": {
            "type": ["boolean"],
            "default": True,
            "description": (
                "Write ACTIVATE_VERSION once each full-table stream (source_items, companies, "
                "company_credits, store views, groups, websites, customer_groups, "
                "product_attributes, inventory sources and stocks) has been read whole, so a "
                "loader that honours it (target-postgres) drops the rows the store no longer "
                "has. Never in BATCH mode."
            ),
        },
        "deletion_check_streams": {
            "type": ["array"],
            "items": {"type": ["string"]},
            "default": [],
            "description": (
                "Incremental streams whose deletes the tap finds: it keeps the ids it wrote in "
                "state, reads every id the store has (one request per page of the stream's "
                "size) at most every deletion_check_interval_hours, and writes a record with "
                "_sdc_deleted_at "
                f"for each one gone. Any of {', '.join(DELETION_CHECK_STREAMS)}. Default: none."
            ),
        },
        "deletion_check_interval_hours": {
            "type": ["integer"],
            "default": DEFAULT_INTERVAL_HOURS,
            "minimum": 0,
            "description": (
                "Least hours between two deletion checks of a stream (0: every run). Magento "
                "loads every row of the table to answer a check, so a daily one finds deletes "
                "within a day at the cost of one scan a day. Default: 24."
            ),
        },
    }
)
for _stream in INCREMENTAL_STREAMS:
    TAP_SETTINGS[f"{_stream}_last_pull"] = {
        "type": ["string"],
        "description": (
            f"Read {_stream} from this updated_at on ({DATE_HELP}) where state holds no "
            f"{_stream} bookmark; takes precedence over start_date."
        ),
    }


def never_works(error: MagentoError) -> bool:
    """An answer (or its absence) that no retry later will change: wrong url or credentials."""
    if isinstance(error, (MagentoAuthError, MagentoResponseError)):
        return True  # refused credentials; an HTML page or a body that is not Magento's
    if isinstance(error, MagentoNotFound):
        return True  # GET /V1/products/attributes is in every Magento: url is not Magento REST
    return isinstance(error, MagentoUnreachable)


class UnreadableRecordsError(RuntimeError):
    """The run ends with a failure: streams stopped at records no answer can hold."""

    def __init__(self, stopped: list[UnreadableRecordError]) -> None:
        super().__init__("; ".join(str(error) for error in stopped))
        self.stopped = stopped


class TapMagento2(Tap):
    """Singer tap for Magento 2 / Adobe Commerce, reading through magento2_rest."""

    name = "tap-magento2"
    message_writer_class = SingerWriter
    # The catalog depends on the store (products' custom attributes), so discovery validates
    # the config as a sync does: a config that can never work fails before Meltano goes on.
    dynamic_catalog = True
    config_jsonschema = {  # noqa: RUF012 - the SDK reads it as a class attribute
        "type": "object",
        "properties": {**rest_config_jsonschema, **TAP_SETTINGS},
        # `url` is required, but a missing one is reported by setting_problems in the same
        # words as a wrong one ("url: missing; give the store's base URL ..."), not as the
        # schema's "'url' is a required property".
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._clock: tuple[datetime, float] | None = None
        # Streams that stopped at an unreadable record (skip_unreadable_records off).
        self.stopped_at: list[UnreadableRecordError] = []
        self._unreadable_lock = threading.Lock()
        self.given_settings: frozenset[str] = frozenset()
        # The SDK keeps a config dict it is handed and fills the schema's defaults into it: a
        # copy leaves the caller's as it was, so a second tap made from it sees what was given.
        # (Tap.__init__ takes its arguments by keyword only.)
        if isinstance(kwargs.get("config"), dict):
            kwargs["config"] = dict(kwargs["config"])
        super().__init__(*args, **kwargs)
        self.page_size = int(self.config.get("page_size") or DEFAULT_PAGE_SIZE)
        lag = self.config.get("commit_lag_seconds")
        self.commit_lag = timedelta(seconds=DEFAULT_COMMIT_LAG_SECONDS if lag is None else int(lag))

    @classmethod
    def invoke(cls, **kwargs: Any) -> None:
        """Run a sync; a refusal from the store is reported in one line, without a traceback."""
        fix_mmap_threshold()
        try:
            super().invoke(**kwargs)
        except (
            MagentoError,
            MagentoCursorError,
            UnreadableRecordsError,
            DeletionStateError,
        ) as error:
            cls.logger.error("%s", error)  # noqa: TRY400 - the message says it all
            raise SystemExit(1) from None

    # ------------------------------------------------------------------------------ settings

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        # The settings as given, before the SDK's validation fills in the schema's defaults.
        self.given_settings = frozenset(self._config)
        errors = super()._validate_config(raise_errors=raise_errors)
        if errors:
            return errors
        problems = self.setting_problems()
        if problems and raise_errors:
            raise ConfigValidationError("Config validation failed", errors=problems)
        return problems

    def setting_problems(self) -> list[str]:
        """One line per wrong setting, naming it and the fix."""
        problems: list[str] = []
        try:
            self.magento_settings  # noqa: B018 - validates
        except ConfigError as error:
            problems.append(str(error))
        names = ["start_date", "end_date", *(f"{s}_last_pull" for s in INCREMENTAL_STREAMS)]
        problems.extend(
            problem
            for problem in (
                date_settings.setting_problem(name, self.config.get(name)) for name in names
            )
            if problem
        )
        codes = self.config.get("store_codes")
        if codes is not None and (
            not isinstance(codes, list) or not all(isinstance(c, str) and c for c in codes)
        ):
            problems.append("store_codes: give a list of store view codes such as [default, fr]")
        checked = self.config.get("deletion_check_streams") or []
        unknown = [name for name in checked if name not in DELETION_CHECK_STREAMS]
        if unknown:
            problems.append(
                f"deletion_check_streams: {', '.join(map(str, unknown))} cannot be checked; "
                f"give some of {', '.join(DELETION_CHECK_STREAMS)} (order_items go with orders)"
            )
        problems.extend(self.stream_page_size_problems())
        return problems

    def stream_page_size_problems(self) -> list[str]:
        sizes = self.config.get("stream_page_sizes")
        if not isinstance(sizes, dict):
            return []  # none given; not an object: the schema's check says so
        # Each stream class sets `name` as a class attribute (the SDK types it per instance).
        names = [stream_type.name for stream_type in STREAM_TYPES]  # type: ignore[misc]
        problems = [
            f"stream_page_sizes: {name!r} is no stream of this tap; give some of {', '.join(names)}"
            for name in sizes
            if name not in names
        ]
        problems.extend(
            f"stream_page_sizes: {name} is {size!r}; give a whole number of records, 1 or more"
            for name, size in sizes.items()
            if isinstance(size, bool) or not isinstance(size, int) or size < 1
        )
        return problems

    def stream_page_size(self, stream: str) -> tuple[int, bool]:
        """Records per request of `stream`, and True where that is the tap's built-in size for
        it (DEFAULT_STREAM_PAGE_SIZES): neither stream_page_sizes nor page_size was given."""
        given = self.config.get("stream_page_sizes")
        if isinstance(given, dict) and stream in given:
            return int(given[stream]), False
        built_in = DEFAULT_STREAM_PAGE_SIZES.get(stream)
        if built_in is not None and "page_size" not in self.given_settings:
            return built_in, True
        return self.page_size, False

    @cached_property
    def magento_settings(self) -> MagentoSettings:
        return MagentoSettings.from_config(self.config)

    @cached_property
    def client(self) -> MagentoClient:
        return MagentoClient(self.magento_settings, logger=self.logger.getChild("http"))

    @cached_property
    def start_date(self) -> str | None:
        return date_settings.check_setting("start_date", self.config.get("start_date"))

    @cached_property
    def end_date(self) -> str | None:
        return date_settings.check_setting("end_date", self.config.get("end_date"))

    def last_pull(self, stream: str) -> str | None:
        name = f"{stream}_last_pull"
        return date_settings.check_setting(name, self.config.get(name))

    @property
    def workers(self) -> int:
        """Requests a stream sends at once (max_concurrency; the client may send fewer)."""
        return self.magento_settings.max_concurrency

    @property
    def activate_versions(self) -> bool:
        return bool(self.config.get("emit_activate_version_messages", True))

    @property
    def deletion_check_streams(self) -> frozenset[str]:
        return frozenset(self.config.get("deletion_check_streams") or ())

    @property
    def deletion_check_interval_hours(self) -> int:
        value = self.config.get("deletion_check_interval_hours")
        return DEFAULT_INTERVAL_HOURS if value is None else int(value)

    @property
    def store_codes(self) -> list[str]:
        codes = self.config.get("store_codes")
        if codes:
            return list(dict.fromkeys(codes))
        return [self.magento_settings.store_code]

    # -------------------------------------------------------------------------- store clock

    def note_store_clock(self) -> None:
        """Remember when the store's last Date header was seen, to estimate its clock later."""
        date = self.client.last_response_date
        if date is not None and (self._clock is None or self._clock[0] != date):
            self._clock = (date, time.monotonic())

    def clock_known(self) -> bool:
        return self._clock is not None

    def store_now(self) -> datetime:
        """The store's clock (its Date header plus the time since), else this machine's."""
        if self._clock is None:
            return datetime.now(timezone.utc)
        date, seen = self._clock
        return date + timedelta(seconds=time.monotonic() - seen)

    def bound_now(self, *, answered: bool = False) -> str | None:
        """The exclusive upper bound for a stream starting now, in Magento's form: the store's
        clock less commit_lag_seconds (no row stamped before it can still be uncommitted),
        truncated to the second, or end_date if earlier.

        Before the store has answered at all (and without end_date) it is None: the first page
        then asks without a bound and the stream fixes it from that answer's Date header
        (`answered=True`; this machine's clock if the store sent no Date).
        """
        self.note_store_clock()
        if self._clock is None and not answered:
            return self.end_date
        moment = self.store_now() - self.commit_lag
        clock = timestamps.to_magento(moment.replace(microsecond=0))
        if self.end_date is not None and self.end_date < clock:
            return self.end_date
        return clock

    # --------------------------------------------------------------------- unreadable records

    def unreadable(self, record: UnreadableRecord, report: StreamReport) -> None:
        """A record no answer can hold was found: stop its stream, or list it and go on."""
        if not self.config.get("skip_unreadable_records"):
            raise UnreadableRecordError(record)
        path = Path(self.config.get("unreadable_records_file") or DEFAULT_UNREADABLE_FILE)
        # Windows read at once may each meet one (tap_magento2.concurrency): one line at a time.
        with self._unreadable_lock, path.open("a", encoding="utf-8") as file:
            report.unreadable.append(record)
            file.write(json.dumps(record.as_dict(), ensure_ascii=False) + "\n")
        self.logger.warning(
            "%s: skipped the unreadable record with id %d and updated_at %s (%s); listed in %s",
            record.stream,
            record.id,
            record.updated_at,
            record.message,
            path,
        )

    def end_of_run(self) -> None:
        """After every stream's summary (the SDK's sync_all is final, so the last stream's
        log_sync_costs calls this): what the run ran at, and the run fails if a stream
        stopped at an unreadable record."""
        self.logger.info(
            "summary: the store was read with %s", self.client.concurrency.report().line()
        )
        if self.stopped_at:
            raise UnreadableRecordsError(self.stopped_at)

    # --------------------------------------------------------------------------------- run

    def discover_streams(self) -> Sequence[MagentoStream]:
        return [stream_type(tap=self) for stream_type in STREAM_TYPES]

    def run_discovery(self) -> str:
        """The catalog, typed from the store. A config that can never work fails here, at once
        and in one line, since discovery is the first thing Meltano runs: a missing or wrong
        setting, credentials the store refuses, a URL where no store answers or that is not
        Magento's REST API. A store that is only overloaded or down (429, 5xx) leaves the custom
        attributes untyped, with a warning."""
        products = self.streams.get("products")
        if isinstance(products, ProductsStream):
            try:
                products.type_custom_attributes()
            except MagentoError as error:
                if never_works(error):
                    self.logger.error("%s", error)  # noqa: TRY400 - the message says it all
                    raise SystemExit(1) from None
                self.logger.warning("products: custom_attributes_by_code stays untyped (%s)", error)
        return super().run_discovery()
