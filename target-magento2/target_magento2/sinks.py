# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""What every sink shares: record validation, outcomes, and running writes in V1 or async mode.

A sink collects a batch (the SDK drains it when `batch_size_rows` records are in, and at the end),
validates each record as it arrives - against the stream's own schema and the kind's published
schema - and refuses the invalid ones before anything is written. `process_batch` returns only
once Magento confirmed (or refused) every write of the batch: the SDK emits STATE after draining,
so STATE never covers a write that is not confirmed.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import jsonschema
from magento2_rest import (
    MagentoAuthError,
    MagentoError,
    MagentoInputLimitError,
    MagentoNotFound,
    MagentoUnknownOutcome,
)
from singer_sdk.sinks import BatchSink
from singer_sdk.sinks.core import BaseJSONSchemaValidator

from target_magento2.bulk import BulkRunner, OpenOperation, OperationResult, topic_name
from target_magento2.records import clean_record, field_path, schema_problem, unknown_fields
from target_magento2.rejects import error_label, is_refusal

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from magento2_rest import MagentoClient

    from target_magento2.concurrency import Workers
    from target_magento2.rejects import Ledger
    from target_magento2.target import TargetMagento2

# A write whose answer was lost is sent again at most once more, and only after reading the
# store back twice (once at once, once after `settle_seconds`) showed it did not land.
MAX_WRITE_ATTEMPTS = 2


@dataclass
class Entry:
    """One incoming record: as received (for the rejects file) and cleaned (what is written)."""

    raw: dict[str, Any]
    data: dict[str, Any]
    outcome: str | None = None


@dataclass
class Write:
    """One call to Magento for one record, in its V1 form and its bulk (async) form.

    `bulk_route` replaces the path parameters with `by<Param>` and `bulk_body` carries them
    (FACTS.md, URLs: `PUT /async/bulk/V1/products/bySku`).
    """

    method: str
    route: str
    body: dict[str, Any]
    bulk_route: str
    bulk_body: dict[str, Any]
    store_code: str | None = None
    idempotent: bool = True


@dataclass
class Plan:
    """What a record needs: nothing (`writes` empty: already done), or these writes."""

    entry: Entry
    writes: list[Write] = field(default_factory=list)
    # Read the store again and say what is still missing (None: nothing, the write landed).
    replan: Callable[[], Plan | None] | None = None


class _StreamSchemaCheck(BaseJSONSchemaValidator):
    """The stream's own schema, checked without raising: the sink refuses the record itself."""

    def __init__(self, schema: dict[str, Any], sink: MagentoSink) -> None:
        super().__init__(schema)
        self.sink = sink
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        self.validator = cls(schema)

    def validate(self, record: dict[str, Any]) -> None:
        error = jsonschema.exceptions.best_match(self.validator.iter_errors(record))
        if error is not None:
            self.sink.stream_schema_problem = (field_path(error.absolute_path), error.message)


class MagentoSink(BatchSink):
    """Base of the kinds' sinks. Subclasses set `kind` and implement `write_batch`."""

    kind: ClassVar[str]
    MAX_SIZE_DEFAULT = 1000
    # Whether `confirm` reads the store back (otherwise it trusts the operations' status).
    can_read_back: ClassVar[bool] = False
    # Async mode: the routes (method, bulk route) of the kind's writes that are not idempotent.
    # Before queuing one, operations of these routes still open on the store for the same
    # entity (see `flight_key`) are waited for: queuing a second would invoice twice.
    flight_routes: ClassVar[tuple[tuple[str, str], ...]] = ()
    flight_noun: ClassVar[str] = "record"

    def __init__(
        self,
        target: TargetMagento2,
        stream_name: str,
        schema: dict[str, Any],
        key_properties: Sequence[str] | None,
    ) -> None:
        self.stream_schema_problem: tuple[str, str] | None = None
        self.magento_target = target
        super().__init__(target, stream_name, schema, key_properties)
        self._warned_unknown: set[str] = set()
        # Synchronous mode: set once the store showed no open operation of `flight_routes`.
        self._queue_clear = False

    # ---------------------------------------------------------------------------- shared state

    @property
    def magento(self) -> MagentoClient:
        return self.magento_target.magento

    @property
    def ledger(self) -> Ledger:
        return self.magento_target.ledger

    @property
    def dry_run(self) -> bool:
        return bool(self.config.get("dry_run", False))

    @property
    def async_mode(self) -> bool:
        return self.magento_target.magento_settings.api_type == "async/V1"

    @property
    def bulk(self) -> BulkRunner:
        return BulkRunner(
            self.magento,
            size=int(self.config.get("bulk_size", 1000)),
            timeout=float(self.config.get("bulk_timeout", 600)),
            poll_interval=float(self.config.get("bulk_poll_interval", 2.0)),
            workers=self.workers,
        )

    @property
    def workers(self) -> Workers:
        return self.magento_target.workers

    @property
    def settle_seconds(self) -> float:
        return float(self.config.get("settle_seconds", 5.0))

    # ----------------------------------------------------------------------------- validation

    def get_validator(self) -> BaseJSONSchemaValidator | None:
        if not self.validate_schema:
            return None
        return _StreamSchemaCheck(self.schema, self)

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        problem, self.stream_schema_problem = self.stream_schema_problem, None
        if problem is not None:
            where, reason = problem
            self.refuse_raw(record, f"{where}: {reason} (the stream's schema)", where)
            return
        data = clean_record(record)
        problem = schema_problem(self.kind, data)
        if problem is not None:
            where, reason = problem
            self.refuse_raw(record, f"{where}: {reason}", where)
            return
        for name in unknown_fields(self.kind, data):
            if name not in self._warned_unknown:
                self._warned_unknown.add(name)
                self.logger.warning(
                    "stream %r: field %r is not part of %s records and is ignored",
                    self.stream_name,
                    name,
                    self.kind,
                )
        context.setdefault("entries", []).append(Entry(raw=record, data=data))

    def refuse_raw(self, record: dict[str, Any], message: str, where: str) -> None:
        self.ledger.refused(
            self.stream_name, record, f"schema: {message}", route=None, field_path=where
        )

    # ------------------------------------------------------------------------------- outcomes

    def refuse(self, entry: Entry, message: str, route: str | None = None) -> None:
        entry.outcome = "refused"
        self.ledger.refused(self.stream_name, entry.raw, message, route=route)

    def unknown(self, entry: Entry, message: str, route: str | None = None) -> None:
        entry.outcome = "unknown"
        self.ledger.unknown(self.stream_name, entry.raw, message, route=route)
        self.magento_target.state_frozen = True

    def settle(self, entry: Entry, outcome: str) -> None:
        entry.outcome = outcome
        self.ledger.count(self.stream_name, outcome)

    # ------------------------------------------------------------------------------- batching

    def process_batch(self, context: dict[str, Any]) -> None:
        entries: list[Entry] = context.get("entries", [])
        if not entries:
            return
        self.magento_target.batches_in_flight += 1
        try:
            self.magento_target.check_store()
            self.write_batch(entries)
        finally:
            self.magento_target.batches_in_flight -= 1

    def write_batch(self, entries: list[Entry]) -> None:
        """Plan the records of a wave (reads only), run their writes, then the next wave; the
        records of a wave are planned, and written, several at once (`workers`)."""
        for wave in waves(entries, self.wave_key):
            planned = self.workers.map(self.plan, wave)
            self.run_plans([plan for plan in planned if plan is not None])

    def wave_key(self, entry: Entry) -> Any:
        """Records with the same key go in successive waves, so each is planned against what the
        previous one wrote (two changes of one company must not undo each other), and no two
        writes for one key are ever in flight at once: a wave holds one record per key."""
        return id(entry)

    def plan(self, entry: Entry) -> Plan | None:
        """The writes one record needs, or None when it was refused while planning."""
        raise NotImplementedError

    def flight_key(self, body: dict[str, Any]) -> str | None:
        """The entity (order, credit) a non-idempotent bulk body writes to; None: cannot tell."""
        _ = body
        return None

    def confirm(self, plans: list[Plan]) -> list[Plan]:
        """Async mode: the plans whose completed operations the store does not show (read back)."""
        _ = plans
        return []

    # ------------------------------------------------------------------------------- running

    def run_plans(self, plans: list[Plan]) -> None:
        todo = []
        for plan in plans:
            if not plan.writes:
                self.settle(plan.entry, "already_done")
            elif self.dry_run:
                for write in plan.writes:
                    self.logger.info(
                        "dry run: %s would send %s %s %s",
                        self.stream_name,
                        write.method,
                        write.route,
                        write.body,
                    )
                self.settle(plan.entry, "would_write")
            else:
                todo.append(plan)
        if not todo:
            return
        if self.async_mode:
            self.run_bulk(todo)
            return
        # An earlier run in async mode may have left operations open for these orders/credits.
        todo = self.hold_in_flight(todo)
        if not todo:
            return
        # The records of a wave touch different entities (see wave_key): their calls may
        # overlap, which is where the time of a synchronous run goes (one round trip each).
        self.workers.map(self.run_v1, todo)

    def run_v1(self, plan: Plan) -> None:
        """Send a record's writes one by one; a lost answer is read back, never repeated blindly."""
        attempts = 0
        writes = list(plan.writes)
        while writes:
            write = writes[0]
            try:
                self.magento.request(
                    write.method,
                    write.route,
                    json=write.body,
                    store_code=write.store_code,
                    idempotent=write.idempotent,
                )
            except MagentoUnknownOutcome as error:
                attempts += 1
                fresh = self.read_back(plan)
                if fresh is None or not fresh.writes:
                    self.settle(plan.entry, "written")
                    return
                if attempts >= MAX_WRITE_ATTEMPTS:
                    self.unknown(
                        plan.entry, f"{error}; reading the store back twice did not show it"
                    )
                    return
                writes = list(fresh.writes)
                continue
            except MagentoError as error:
                if not is_refusal(error):
                    raise
                self.refuse(plan.entry, error.message or str(error), route=error_label(error))
                return
            writes.pop(0)
        self.settle(plan.entry, "written")

    def read_back(self, plan: Plan) -> Plan | None:
        """After a lost answer: read at once, and once more after `settle_seconds` if not there."""
        if plan.replan is None:
            return plan
        fresh = plan.replan()
        if fresh is None or not fresh.writes:
            return fresh
        # A write can still be running on the store when its answer is lost (a CDN's 503 after
        # its first-byte timeout): give it time before deciding it did not land.
        time.sleep(self.settle_seconds)
        return plan.replan()

    def run_bulk(self, plans: list[Plan], *, attempt: int = 1) -> None:
        """Async mode: every write as a bulk operation; each result goes back to its record."""
        plans = self.hold_in_flight(plans)
        if not plans:
            return
        results = self.submit_bulk(plans)
        completed, unsure = [], []
        for plan in plans:
            outcomes = results[id(plan)]
            failed = [(w, a) for w, a in outcomes if not a.complete and not a.unknown]
            if failed:
                write, answer = failed[0]
                self.refuse(plan.entry, answer.message, route=bulk_label(write))
            elif any(a.unknown for _, a in outcomes):
                unsure.append(plan)
            else:
                completed.append(plan)
        missing = {id(plan) for plan in self.confirm(completed)}
        for plan in completed:
            if id(plan) in missing:
                self.unknown(
                    plan.entry,
                    "the bulk operation completed but reading the store back does not show it",
                    route=bulk_label(plan.writes[0]),
                )
            else:
                self.settle(plan.entry, "written")
        if unsure:
            self.resolve_unsure(unsure, results, attempt=attempt)

    # ------------------------------------------------------------------ operations in flight

    def open_operations(self) -> list[OpenOperation]:
        topics = [topic_name(method, route) for method, route in self.flight_routes]
        if not topics or self._queue_clear:
            return []
        try:
            operations = self.bulk.open_operations(topics)
        except (MagentoAuthError, MagentoNotFound) as error:
            if self.async_mode:
                raise
            # Synchronous mode does not need the bulk routes otherwise: go on without them.
            self.logger.warning(
                "%s: cannot read the store's queued operations (%s); writes an earlier "
                "async/V1 run left queued are not waited for",
                self.stream_name,
                error,
            )
            self._queue_clear = True
            return []
        if not operations and not self.async_mode:
            # Synchronous writes queue nothing: once none is open, none of an earlier run can be.
            self._queue_clear = True
        return operations

    def in_flight(self, plan: Plan, operations: list[OpenOperation]) -> str | None:
        """The uuid of a bulk whose open operation writes to the same entity as this plan."""
        keys = {self.flight_key(write.bulk_body) for write in plan.writes if not write.idempotent}
        if not keys:
            return None
        for operation in operations:
            # An operation whose body cannot be read may touch any entity: wait for it too.
            if operation.body is None or self.flight_key(operation.body) in keys | {None}:
                return operation.bulk_uuid
        return None

    def hold_in_flight(self, plans: list[Plan]) -> list[Plan]:
        """Plans whose entity has an operation still open on the store (queued by an earlier run,
        perhaps killed, or by a lost submission) wait for it to end, bounded by `bulk_timeout`,
        then are planned again from the store; one still open then is unknown, never queued a
        second time. The plans to submit are returned."""
        guarded = [p for p in plans if any(not w.idempotent for w in p.writes)]
        if not guarded or not self.flight_routes:
            return plans
        deadline = time.monotonic() + float(self.config.get("bulk_timeout", 600))
        wait = 0.2
        waited: set[int] = set()
        while True:
            operations = self.open_operations()
            blocked = {
                id(plan): uuid
                for plan in guarded
                if (uuid := self.in_flight(plan, operations)) is not None
            }
            if not blocked or time.monotonic() >= deadline:
                break
            if not waited:
                self.logger.info(
                    "%s: %d record(s) wait for operations still open on the store (bulk %s)",
                    self.stream_name,
                    len(blocked),
                    ", ".join(sorted(set(blocked.values()))),
                )
            waited |= set(blocked)
            time.sleep(max(0.0, min(wait, deadline - time.monotonic())))
            wait = min(wait * 2, float(self.config.get("bulk_poll_interval", 2.0)))
        fresh = self.replan_all([p for p in plans if id(p) in waited and id(p) not in blocked])
        ready = []
        for plan in plans:
            uuid = blocked.get(id(plan))
            if uuid is not None:
                self.unknown(
                    plan.entry,
                    f"an operation for the same {self.flight_noun} is still open in bulk {uuid} "
                    f"after bulk_timeout; nothing was queued again - run again once GET "
                    f"/V1/bulk/{uuid}/detailed-status shows it finished",
                    route=self.label(plan.writes[0]),
                )
            elif id(plan) not in fresh:
                ready.append(plan)
            elif (again := fresh[id(plan)]) is None or not again.writes:
                self.settle(plan.entry, "already_done")
            else:
                ready.append(again)
        return ready

    def label(self, write: Write) -> str:
        return bulk_label(write) if self.async_mode else f"{write.method} /V1{write.route}"

    def replan_all(self, plans: list[Plan]) -> dict[int, Plan | None]:
        """Each plan made again from what the store shows now (kinds may read them together)."""
        return {id(plan): plan.replan() for plan in plans if plan.replan is not None}

    def submit_bulk(self, plans: list[Plan]) -> dict[int, list[tuple[Write, OperationResult]]]:
        """Bulk requests grouped by route, store and idempotence; results by plan."""
        groups: dict[tuple[str, str, str | None, bool], list[tuple[Plan, Write]]] = defaultdict(
            list
        )
        for plan in plans:
            for write in plan.writes:
                key = (write.method, write.bulk_route, write.store_code, write.idempotent)
                groups[key].append((plan, write))
        results: dict[int, list[tuple[Write, OperationResult]]] = defaultdict(list)
        for (method, route, store_code, idempotent), pairs in groups.items():
            answers = self.bulk.run(
                method,
                route,
                [write.bulk_body for _, write in pairs],
                store_code=store_code,
                idempotent=idempotent,
            )
            for (plan, write), answer in zip(pairs, answers, strict=True):
                results[id(plan)].append((write, answer))
        return results

    def resolve_unsure(
        self,
        plans: list[Plan],
        results: dict[int, list[tuple[Write, OperationResult]]],
        *,
        attempt: int = 1,
    ) -> None:
        """Operations not seen to finish: read back where the kind can tell; the rest stay unknown.

        A bulk still open at `bulk_timeout` is read back once more after `settle_seconds`. A
        submission whose answer was lost has no uuid to follow, but the store may have queued it:
        after `settle_seconds` the store is read back while an open operation for the same entity
        exists (bounded by `bulk_timeout`); once none is open and the store still lacks the write,
        it was not queued (or its operation failed) and is submitted once more.
        """
        missing: list[Plan] = list(plans)
        resend: list[Plan] = []
        if self.can_read_back:
            lost = any(a.bulk_uuid is None for p in plans for _, a in results[id(p)] if a.unknown)
            missing, resend = self._read_back_bulk(plans, lost=lost)
        if attempt >= MAX_WRITE_ATTEMPTS:
            missing, resend = missing + resend, []
        self._resubmit(resend, attempt)
        still = {id(plan) for plan in missing}
        again = {id(plan) for plan in resend}
        for plan in plans:
            if id(plan) in again:
                continue
            if id(plan) not in still:
                self.settle(plan.entry, "written")
                continue
            write, answer = next((w, a) for w, a in results[id(plan)] if a.unknown)
            self.unknown(plan.entry, answer.message, route=bulk_label(write))

    def _read_back_bulk(self, plans: list[Plan], *, lost: bool) -> tuple[list[Plan], list[Plan]]:
        """(plans the store does not show, plans to submit again: lost and not queued)."""
        missing = list(plans)
        patience = float(self.config.get("bulk_timeout", 600)) if lost else 0.0
        settled_at = time.monotonic() + self.settle_seconds
        deadline = time.monotonic() + max(patience, self.settle_seconds)
        wait = max(0.2, min(self.settle_seconds, 1.0))
        while missing:
            time.sleep(max(0.0, min(wait, deadline - time.monotonic())))
            missing = self.confirm(missing)
            if time.monotonic() >= deadline:
                break
            if lost and missing and time.monotonic() >= settled_at and self.flight_routes:
                operations = self.open_operations()
                if all(self.in_flight(plan, operations) is None for plan in missing):
                    return [], missing
            wait = min(wait * 2, float(self.config.get("bulk_poll_interval", 2.0)))
        return missing, []

    def _resubmit(self, plans: list[Plan], attempt: int) -> None:
        again = []
        for plan in plans:
            fresh = plan.replan() if plan.replan is not None else plan
            if fresh is None or not fresh.writes:
                self.settle(plan.entry, "written")
            else:
                again.append(fresh)
        if again:
            self.logger.info(
                "%s: %d bulk operation(s) whose submission got no answer are not on the store; "
                "submitting them once more",
                self.stream_name,
                len(again),
            )
            self.run_bulk(again, attempt=attempt + 1)


class ArraySink(MagentoSink):
    """A kind whose request body carries many records in one array (`{"sourceItems": [...]}`):
    `batch_size` records per body, a request each in V1 (several at once), an operation each in
    async mode. The values are set, not added: a body may be sent again.

    Magento's input limits cap such an array (20 in a synchronous body, 5000 in an asynchronous
    one, FACTS.md, Searching): the store names its maximum when it refuses, the target remembers
    it for the run, splits the refused body and never drops an item. Until the store has answered
    one body of the kind, one is sent alone, so a limit costs one refusal, not one per worker.
    """

    array_route: ClassVar[str]
    array_field: ClassVar[str]

    def item(self, entry: Entry) -> dict[str, Any]:
        raise NotImplementedError

    def array_body(self, part: list[Entry]) -> dict[str, Any]:
        return {self.array_field: [self.item(entry) for entry in part]}

    @property
    def limit_key(self) -> str:
        return f"{self.kind} {self.magento_target.magento_settings.api_type}"

    @property
    def items_per_body(self) -> int:
        size = max(1, int(self.config.get("batch_size", 100)))
        return min(size, self.magento_target.learned_limits.get(self.limit_key, size))

    def learn_limit(self, limit: int, message: str) -> None:
        limit = max(1, limit)
        if self.magento_target.learned_limits.get(self.limit_key) == limit:
            return  # another body of the batch named it already
        self.magento_target.learned_limits[self.limit_key] = limit
        self.logger.warning(
            "%s: the store takes %d items per request at most (%s); splitting the batch",
            self.stream_name,
            limit,
            message,
        )

    def parts(self, entries: list[Entry]) -> list[list[Entry]]:
        size = self.items_per_body
        return [entries[i : i + size] for i in range(0, len(entries), size)]

    def plan(self, entry: Entry) -> Plan:  # pragma: no cover - written by write_batch
        return Plan(entry)

    def pending(self, entries: list[Entry]) -> list[Entry]:
        """The records of a wave still to send (a kind that reads the store first settles the
        ones already there as already_done)."""
        return entries

    def settle_answer(self, part: list[Entry], answer: Any) -> None:
        """The store answered a body (in async mode: its operation completed with `answer`)."""
        _ = answer
        for entry in part:
            self.settle(entry, "written")

    def write_batch(self, entries: list[Entry]) -> None:
        for everything in waves(entries, self.wave_key):
            wave = self.pending(everything)
            if not wave:
                continue
            if self.dry_run:
                for part in self.parts(wave):
                    self.logger.info(
                        "dry run: %s would send POST %s with %d items",
                        self.stream_name,
                        self.array_route,
                        len(part),
                    )
                    for entry in part:
                        self.settle(entry, "would_write")
            elif self.async_mode:
                self.write_bulk(wave)
            else:
                self.write_v1(wave)

    def write_v1(self, entries: list[Entry]) -> None:
        parts = self.parts(entries)
        if self.limit_key not in self.magento_target.array_probed and len(parts) > 1:
            # The first body alone; what it leaves to send goes with the others.
            first = parts.pop(0)
            parts[0:0] = self.send_body(first)
            self.magento_target.array_probed.add(self.limit_key)
        self.workers.map(self.send_v1, parts)

    def send_v1(self, part: list[Entry]) -> None:
        """A body and, one after the other, the pieces of it the store sends back."""
        pending = [part]
        while pending:
            part = pending.pop(0)
            if len(part) > self.items_per_body:
                pending[0:0] = self.parts(part)
                continue
            pending[0:0] = self.send_body(part)

    def send_body(self, part: list[Entry]) -> list[list[Entry]]:
        """One request; the pieces of it to send again. What the store refuses is split, never
        dropped, until each refused item stands alone with Magento's message."""
        try:
            answer = self.magento.request(
                "POST", self.array_route, json=self.array_body(part), idempotent=True
            )
        except MagentoError as error:
            if not is_refusal(error):
                raise
            return self.split_refused(part, error.message or str(error), error)
        self.settle_answer(part, answer)
        return []

    def split_refused(
        self, part: list[Entry], message: str, error: MagentoError | OperationResult
    ) -> list[list[Entry]]:
        """The pieces to send again of a refused body (none: its one item is refused)."""
        limit = error.max if isinstance(error, MagentoInputLimitError) else None
        if isinstance(error, OperationResult):
            limit = error.limit
        if len(part) == 1:
            route = error_label(error) if isinstance(error, MagentoError) else self.bulk_route
            self.refuse(part[0], message, route=route)
            return []
        if limit:
            self.learn_limit(min(limit, len(part) - 1), message)
            return self.parts(part)
        # One bad item refuses the whole body (MSI validates the batch as a whole,
        # Inventory/Model/SourceItem/Command/Handler/SourceItemsSaveHandler.php): halve until
        # the refused items stand alone, so the others are still written.
        half = len(part) // 2
        return [part[:half], part[half:]]

    @property
    def bulk_route(self) -> str:
        return f"POST /async/bulk/V1{self.array_route}"

    def write_bulk(self, entries: list[Entry]) -> None:
        """One bulk operation per body; each result goes back to the items of its body."""
        parts = self.parts(entries)
        while parts:
            results = self.bulk.run(
                "POST", self.array_route, [self.array_body(part) for part in parts]
            )
            again: list[list[Entry]] = []
            for part, result in zip(parts, results, strict=True):
                if result.complete:
                    self.settle_answer(part, result.output)
                for entry in part if result.unknown else []:
                    self.unknown(entry, result.message, route=self.bulk_route)
                if not result.complete and not result.unknown:
                    again += self.split_refused(part, result.message, result)
            parts = again


def waves(entries: list[Entry], key: Callable[[Entry], Any]) -> list[list[Entry]]:
    """Split records so no two in one wave share a key; order is kept within each key."""
    result: list[list[Entry]] = []
    seen: dict[Any, int] = defaultdict(int)
    for entry in entries:
        k = key(entry)
        index = seen[k]
        seen[k] += 1
        if index == len(result):
            result.append([])
        result[index].append(entry)
    return result


def bulk_label(write: Write) -> str:
    return f"{write.method} /async/bulk/V1{write.bulk_route}"


class IgnoredStreamSink(MagentoSink):
    """A stream without a Magento route, under `unknown_streams: ignore`: checked, counted."""

    kind = ""

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        _ = context
        problem, self.stream_schema_problem = self.stream_schema_problem, None
        if problem is not None:
            where, reason = problem
            self.refuse_raw(record, f"{where}: {reason} (the stream's schema)", where)
            return
        self.ledger.count(self.stream_name, "ignored")

    def plan(self, entry: Entry) -> Plan | None:  # pragma: no cover - never has entries
        return Plan(entry)
