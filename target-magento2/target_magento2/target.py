# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""target-magento2: settings, stream-name routing, the end-of-run summary and the exit status."""

from __future__ import annotations

import copy
import json
import sys
import threading
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from magento2_rest import (
    ConfigError,
    MagentoClient,
    MagentoError,
    MagentoResponseError,
    MagentoSettings,
    SearchCriteria,
    config_jsonschema,
)
from magento2_rest.settings import DEFAULT_MAX_CONCURRENCY
from singer_sdk import Target
from singer_sdk import typing as th

from target_magento2.b2b_sinks import CompaniesSink, CompanyCreditsSink
from target_magento2.catalog_sinks import ProductsSink
from target_magento2.concurrency import Workers
from target_magento2.customer_sinks import CustomersSink
from target_magento2.inventory_sinks import SourceItemsSink, StockItemsSink
from target_magento2.order_sinks import OrderStatusSink
from target_magento2.price_sinks import BasePricesSink, SpecialPricesSink, TierPricesSink
from target_magento2.reader import TolerantReader
from target_magento2.records import KINDS, resolve_kind
from target_magento2.refund_sinks import RefundsSink
from target_magento2.rejects import Ledger, RunStoppedError
from target_magento2.sales_sinks import InvoicesSink, ShipmentsSink
from target_magento2.sinks import IgnoredStreamSink, MagentoSink

if TYPE_CHECKING:
    from types import FrameType

    from singer_sdk.sinks import Sink

SINKS: dict[str, type[MagentoSink]] = {
    "source_items": SourceItemsSink,
    "stock_items": StockItemsSink,
    "products": ProductsSink,
    "invoices": InvoicesSink,
    "shipments": ShipmentsSink,
    "company_credits": CompanyCreditsSink,
    "companies": CompaniesSink,
    "order_status": OrderStatusSink,
    "customers": CustomersSink,
    "base_prices": BasePricesSink,
    "special_prices": SpecialPricesSink,
    "tier_prices": TierPricesSink,
    "refunds": RefundsSink,
}

TARGET_SETTINGS = th.PropertiesList(
    th.Property(
        "stream_routes",
        th.ObjectType(additional_properties=th.StringType(allowed_values=list(KINDS))),
        description=(
            "Incoming stream name -> kind it writes (source_items, stock_items, products, "
            "invoices, shipments, company_credits, companies, order_status, customers, "
            "base_prices, special_prices, tier_prices, refunds), for streams not named "
            'after a kind, e.g. {"erp_stock": "source_items"}.'
        ),
    ),
    th.Property(
        "unknown_streams",
        th.StringType(allowed_values=["fail", "ignore"]),
        default="fail",
        description=(
            "A stream that is neither a kind's name nor in stream_routes: fail (stop with an "
            "error naming it) or ignore (validate its records, count them, write nothing)."
        ),
    ),
    th.Property(
        "batch_size",
        th.IntegerType(),
        default=100,
        description=(
            "Source items per request (V1) or per bulk operation (async/V1). A store with web "
            "API input limits on takes 20 at most (5000 in async): the target then splits its "
            "batches by the limit the store names, for the rest of the run."
        ),
    ),
    th.Property(
        "bulk_size",
        th.IntegerType(),
        default=1000,
        description=(
            "Operations per bulk request in async mode (Magento does not limit how many; its "
            "async array limit, 5000, caps the items of an array inside each operation)."
        ),
    ),
    th.Property(
        "bulk_timeout",
        th.NumberType(),
        default=600,
        description=(
            "Seconds to follow the bulk requests of a batch (async mode). Operations still open "
            "then are reported as unknown and the run fails."
        ),
    ),
    th.Property(
        "bulk_poll_interval",
        th.NumberType(),
        default=2.0,
        description="Longest wait between two reads of a bulk's detailed status, in seconds.",
    ),
    th.Property(
        "max_concurrency",
        th.IntegerType(),
        default=DEFAULT_MAX_CONCURRENCY,
        description=(
            "Requests in flight at once: source-item batches, bulk requests, and writes each "
            "for a different order, SKU or company, never two for one (1: one after the other). "
            "The store serves them from the PHP-FPM workers its shoppers use too (often 10 to "
            "50), so 4 leaves it most of them; the client halves it after a 429 or 503 and "
            "raises it again by one after 20 answers without."
        ),
    ),
    th.Property(
        "settle_seconds",
        th.NumberType(),
        default=5.0,
        description=(
            "After a lost answer to an invoice, shipment or balance change, seconds to wait "
            "before reading the store a second time and, if the write is not there, sending it "
            "again (once)."
        ),
    ),
    th.Property(
        "rejects_file",
        th.StringType(),
        default="rejects.jsonl",
        description=(
            "JSON-lines file the refused and unknown records are appended to (relative to the "
            "working directory)."
        ),
    ),
    th.Property(
        "products_store_code",
        th.StringType(),
        default="all",
        description=(
            "Store code products are written through when a record has no store_code: all "
            "(the global values, store 0) or a store view's code (its store-scoped fields, such "
            "as name, status and description, become that view's overrides; magento2 #9186)."
        ),
    ),
    th.Property(
        "fail_on_reject",
        th.BooleanType(),
        default=True,
        description="Exit with status 1 when any record was refused (false: exit 0).",
    ),
    th.Property(
        "stop_on_reject",
        th.BooleanType(),
        default=False,
        description="Stop the run at the first refused record (no STATE after it).",
    ),
    th.Property(
        "dry_run",
        th.BooleanType(),
        default=False,
        description=(
            "Validate and reconcile against the store (reads only), log what would be written, "
            "write nothing."
        ),
    ),
).to_dict()


class TargetMagento2(Target):
    """Writes stock, products, invoices, shipments and B2B credit to Magento 2, exactly once."""

    name = "target-magento2"
    running: ClassVar[TargetMagento2 | None] = None
    # A line that is no Singer message goes to the rejects file (target_magento2.reader).
    message_reader_class = TolerantReader
    config_jsonschema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {**config_jsonschema, **TARGET_SETTINGS["properties"]},
        # `url` is required, but a missing one is reported by MagentoSettings in the tap's words
        # ("url: missing; give the store's base URL ..."), not as "'url' is a required property".
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Sinks drain one after the other, in the order their streams began: stock written
        # before the products it belongs to is no surprise, and the summary reads in order.
        self.max_parallelism = 1
        if isinstance(self.message_reader, TolerantReader):
            self.message_reader.on_bad_line = self.refuse_line
        self.magento_settings = MagentoSettings.from_config(self.config)
        self.magento = MagentoClient(self.magento_settings, logger=self.logger)
        self.ledger = Ledger(
            Path(self.config.get("rejects_file") or "rejects.jsonl"),
            stop_on_reject=bool(self.config.get("stop_on_reject", False)),
        )
        if "max_workers" in self.config:
            msg = "max_workers is now called max_concurrency: rename the setting"
            raise ConfigError(msg)
        # Nothing may be in flight after the first refusal when the run stops at it.
        stop = bool(self.config.get("stop_on_reject", False))
        self.workers = Workers(1 if stop else self.magento_settings.max_concurrency)
        # Items per array body the store named in its refusal, by kind and API ("source_items
        # V1"), and the kinds the store has answered an array body of in this run.
        self.learned_limits: dict[str, int] = {}
        self.array_probed: set[str] = set()
        self._store_checked = False
        self._store_check_lock = threading.Lock()
        # Once a write's outcome is unknown, no later STATE may claim it was done.
        self.state_frozen = False
        self._warned_frozen = False
        # STATE as soon as the records before it are confirmed (_emit_confirmed_state): records
        # read so far, the first record still waiting in each sink, and each STATE not yet
        # written with the number of records read before it.
        self.records_read = 0
        self.first_waiting: dict[int, int] = {}
        self.states_waiting: list[tuple[int, dict[str, Any]]] = []
        self.state_written: dict[str, Any] | None = None
        self.batches_in_flight = 0
        # The CLI builds the instance inside Target.invoke; it finds it here for the exit status.
        type(self).running = self

    @property
    def stream_routes(self) -> dict[str, str]:
        routes: dict[str, str] = dict(self.config.get("stream_routes") or {})
        for stream, kind in routes.items():
            if kind not in KINDS:
                msg = (
                    f"stream_routes maps stream {stream!r} to {kind!r}, which is not a kind: "
                    f"use one of {', '.join(KINDS)}"
                )
                raise ConfigError(msg)
        return routes

    def get_sink_class(self, stream_name: str) -> type[Sink]:
        kind = resolve_kind(stream_name, self.stream_routes)
        if kind is not None:
            return SINKS[kind]
        if self.config.get("unknown_streams", "fail") == "ignore":
            self.logger.warning(
                "stream %r has no Magento route and is ignored (unknown_streams: ignore)",
                stream_name,
            )
            return IgnoredStreamSink
        msg = (
            f"stream {stream_name!r} has no Magento route: name the stream one of "
            f"{', '.join(KINDS)}, or map it in the stream_routes setting "
            f'(e.g. {{"{stream_name}": "source_items"}}), or set unknown_streams: ignore'
        )
        raise RunStoppedError(msg)

    def _write_state_message(self, state: dict) -> None:
        if self.state_frozen:
            if not self._warned_frozen:
                self._warned_frozen = True
                self.logger.warning(
                    "a write's outcome is unknown: no further STATE is emitted, so the next run "
                    "starts from the last state that was confirmed"
                )
            return
        if state == self.state_written:
            return
        self.state_written = copy.deepcopy(state)
        super()._write_state_message(state)

    def _process_state_message(self, message_dict: dict[str, Any]) -> None:
        super()._process_state_message(message_dict)
        if self._latest_state:
            self.states_waiting.append((self.records_read, copy.deepcopy(self._latest_state)))
        self._emit_confirmed_state()

    def _emit_confirmed_state(self) -> None:
        """The SDK writes STATE only when it drains every sink at once (the end of the input, or
        records five minutes old), so a run killed before then leaves no point to resume from.
        A STATE is confirmed once no sink still holds a record read before it: write the newest
        such STATE then, after the batch that confirmed it."""
        # A sink whose stream's schema changed waits in _sinks_to_clear, its records with it.
        for sink in (*self._sinks_to_clear, *self._sinks_active.values()):
            if not sink.current_size:
                self.first_waiting.pop(id(sink), None)
            else:
                self.first_waiting.setdefault(id(sink), self.records_read)
        oldest_waiting = min(self.first_waiting.values(), default=self.records_read + 1)
        confirmed = [state for read, state in self.states_waiting if read < oldest_waiting]
        if confirmed:
            del self.states_waiting[: len(confirmed)]
            self._write_state_message(confirmed[-1])

    # ------------------------------------------------------------------------------- the end

    def check_store(self) -> None:
        """Once a run, before its first write: is the url Magento's REST API? A write's answer
        cannot tell (a JSON API that is not Magento answers a POST with 200 as well), a search
        can: any Magento answers one with items and total_count, or refuses it in its own
        words (an integration without the customer groups resource gets 401 "The consumer
        isn't authorized to access %resources.", FACTS.md Authentication: no reason to stop,
        the writes say what they may do). Only an answer no Magento gives
        stops the run, in one line."""
        with self._store_check_lock:
            if self._store_checked:
                return
            self._store_checked = True
            try:
                self.magento.search("/customerGroups/search", SearchCriteria().page(1))
            except MagentoResponseError as error:
                if error.status == HTTPStatus.OK:
                    raise
            except MagentoError:
                pass

    def report(self) -> None:
        """The summary, per stream, on the log (stderr) and as one JSON line for machines."""
        for line in self.ledger.summary_lines():
            self.logger.info("summary: %s", line)
        self.logger.info("summary json: %s", json.dumps(self.ledger.summary()))
        if self.ledger.refused_total or self.ledger.unknown_total:
            self.logger.warning(
                "%d record(s) refused, %d unknown: see %s",
                self.ledger.refused_total,
                self.ledger.unknown_total,
                self.ledger.rejects_path,
            )

    def exit_status(self) -> int:
        if self.ledger.unknown_total:
            return 1
        if self.ledger.refused_total and self.config.get("fail_on_reject", True):
            return 1
        return 0

    def _handle_termination(self, signum: int, frame: FrameType | None) -> None:
        """SIGTERM/SIGINT (Meltano cancelling a run). Between batches the SDK drains the sinks
        and emits STATE. During a batch, the signal interrupts writes whose outcome is then not
        confirmed: no STATE may cover them, so none is emitted and the run ends with status 1;
        the next run reconciles with the store."""
        interrupted = self.batches_in_flight > 0
        if interrupted:
            self.state_frozen = True
            # Writes not started are not started; those in flight end, so their outcome is known.
            self.workers.stop()
        try:
            super()._handle_termination(signum, frame)
        except SystemExit:
            self.report()
        if interrupted:
            self.logger.error(
                "target-magento2 stopped by signal %d while writing a batch: no STATE for it",
                signum,
            )
            sys.exit(1)
        sys.exit(self.exit_status())

    def refuse_line(self, number: int, text: str, reason: str) -> None:
        """A line of input that is no Singer message: refused, and the run goes on."""
        self.ledger.refused("(input)", {"line": number, "text": text}, reason)

    def _process_record_message(self, message_dict: dict[str, Any]) -> None:
        stream = message_dict.get("stream")
        if isinstance(stream, str) and stream not in self.mapper.stream_maps:
            # The SDK raises RecordsWithoutSchemaException, ending the run with a traceback.
            self.ledger.refused(
                stream,
                message_dict.get("record") or {},
                f"a RECORD of stream {stream!r} came before its SCHEMA; the tap must send the "
                "SCHEMA message first (Singer spec)",
            )
            return
        self.records_read += 1
        super()._process_record_message(message_dict)
        self._emit_confirmed_state()

    def process_endofpipe(self) -> None:
        super().process_endofpipe()
        self.report()

    @classmethod
    def invoke(  # type: ignore[override]
        cls,
        *,
        about: bool = False,
        about_format: str | None = None,
        config: Any = None,
        file_input: Any = None,
    ) -> None:
        """Run, then exit 1 if a record was refused (unless fail_on_reject is false) or unknown."""
        try:
            super().invoke(
                about=about, about_format=about_format, config=config, file_input=file_input
            )
        except (RunStoppedError, MagentoError, ConfigError) as error:
            running = cls.running
            if running is not None:
                running.report()
            cls.logger.error("target-magento2 stopped: %s", error)  # noqa: TRY400 - one line
            sys.exit(1)
        running = cls.running
        status = running.exit_status() if running is not None else 0
        if running is not None and status:
            cls.logger.error(
                "target-magento2: %d record(s) refused and %d unknown (rejects in %s)%s",
                running.ledger.refused_total,
                running.ledger.unknown_total,
                running.ledger.rejects_path,
                "" if running.ledger.unknown_total else "; set fail_on_reject: false to exit 0",
            )
            sys.exit(status)
