# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Async mode: submit bulk requests, follow their status, map each operation back to its record.

A bulk request (`POST|PUT /async/bulk/V1/...`, a JSON array of ordinary bodies) is answered 202
with `request_items` [{id, status: accepted|rejected}], `id` being the body's index in the array.
Nothing runs until the store's `async.operations.all` consumer picks the operations up; their
results come from `GET /V1/bulk/{uuid}/detailed-status`: `operations_list` [{id, status,
result_message}], status 1 complete, 2 failed (retriable), 3 failed, 4 open, 5 rejected
(WebapiAsync/Controller/Rest/AsynchronousRequestProcessor.php,
Framework/Bulk/OperationInterface.php).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from magento2_rest import (
    MagentoClient,
    MagentoError,
    MagentoInputLimitError,
    MagentoUnknownOutcome,
    SearchCriteria,
)

from target_magento2.concurrency import Workers
from target_magento2.rejects import RunStoppedError, is_refusal

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

STATUS_COMPLETE = 1
STATUS_FAILED_RETRIABLE = 2
STATUS_FAILED = 3
STATUS_OPEN = 4
STATUS_REJECTED = 5
STATUS_WORDS = {
    STATUS_COMPLETE: "complete",
    STATUS_FAILED_RETRIABLE: "failed (retriable)",
    STATUS_FAILED: "failed",
    STATUS_OPEN: "still open",
    STATUS_REJECTED: "rejected",
}


OPEN_PAGE_SIZE = 200


def topic_name(method: str, bulk_route: str) -> str:
    """The queue topic of a route's operations, as `magento_operation.topic_name` holds it.

    WebapiAsync/Model/Config.php generateTopicNameByRouteData: `/V1/order/:orderId/invoice` POST
    -> `async.V1.order.orderId.invoice.POST`; a bulk route names the parameter `byOrderId`.
    """
    parts = [
        segment[2].lower() + segment[3:]
        if len(segment) > 2 and segment.startswith("by") and segment[2].isupper()  # noqa: PLR2004
        else segment
        for segment in bulk_route.strip("/").split("/")
    ]
    return ".".join(["async", "V1", *parts, method.upper()])


@dataclass(frozen=True)
class OpenOperation:
    """An operation the store has queued and not run yet, with the body it will run with
    (None when its serialized data cannot be read)."""

    bulk_uuid: str
    topic: str
    body: dict[str, Any] | None


def operation_body(operation: dict[str, Any]) -> dict[str, Any] | None:
    """The request body an operation carries: `serialized_data` is JSON whose `meta_information`
    is the JSON of the body, path parameters included (AsynchronousOperations/Model/
    MassSchedule.php publishMass, OperationRepository::create)."""
    try:
        data = json.loads(operation.get("serialized_data") or "")
        meta = data["meta_information"]
        body = json.loads(meta) if isinstance(meta, str) else meta
    except (ValueError, TypeError, KeyError):
        return None
    return body if isinstance(body, dict) else None


@dataclass(frozen=True)
class OperationResult:
    """The end of one bulk operation; `status` None means it was still open at the deadline.
    `limit`: the store refused the body for holding more items than its input limits allow
    (Magento's 'Maximum items of type "%type" is %max'): that maximum."""

    bulk_uuid: str | None
    status: int | None
    message: str
    limit: int | None = None
    # What the service answered (result_serialized_data, decoded), e.g. a price save's failures.
    output: Any = None

    @property
    def complete(self) -> bool:
        return self.status == STATUS_COMPLETE

    @property
    def unknown(self) -> bool:
        return self.status is None or self.status == STATUS_OPEN


def largest_array(body: dict[str, Any]) -> int:
    """The items of the body's longest array: what Magento's input limits count
    (Framework/Webapi/Validator/EntityArrayValidator: arrays of data objects)."""
    return max((len(v) for v in body.values() if isinstance(v, list)), default=0)


Submitted = tuple[str, list[int], dict[int, OperationResult]]


@dataclass
class BulkRunner:
    """Submits bodies as bulk requests of `size` operations at most, follows them to their end.

    The bulk requests of one run are submitted, and followed, through `workers` (several at once).
    """

    client: MagentoClient
    size: int
    timeout: float
    poll_interval: float
    sleep: Callable[[float], None] = time.sleep
    workers: Workers = field(default_factory=lambda: Workers(1))

    def run(
        self,
        method: str,
        route: str,
        bodies: Sequence[dict[str, Any]],
        *,
        store_code: str | None = None,
        idempotent: bool = True,
    ) -> list[OperationResult]:
        """One result per body, in order. `route` is the bulk route (`/products/bySku`...).

        `idempotent`: the bodies set values, so the client may repeat a submission whose answer
        was lost. Otherwise a lost answer leaves those operations unknown (the store may have
        queued them): the caller reads the store back.
        """
        chunks = [
            list(range(start, min(start + self.size, len(bodies))))
            for start in range(0, len(bodies), self.size)
        ]
        settled: dict[int, OperationResult] = {}

        def submit(chunk: list[int]) -> list[Submitted]:
            return self._submit_chunk(
                method, route, bodies, chunk, store_code, settled, idempotent=idempotent
            )

        submitted = [s for done in self.workers.map(submit, chunks) for s in done]
        results: list[OperationResult | None] = [settled.get(i) for i in range(len(bodies))]
        deadline = time.monotonic() + self.timeout
        followed = self.workers.map(
            lambda s: self._follow(s[0], [bodies[i] for i in s[1]], deadline), submitted
        )
        for (uuid, chunk, rejected), statuses in zip(submitted, followed, strict=True):
            for position, index in enumerate(chunk):
                results[index] = rejected.get(position) or statuses.get(
                    position,
                    OperationResult(
                        uuid,
                        None,
                        f"bulk {uuid}: operation {position} did not finish within "
                        f"bulk_timeout ({self.timeout:g} s); its outcome is unknown - check "
                        f"GET /V1/bulk/{uuid}/detailed-status before running again",
                    ),
                )
        return [r for r in results if r is not None]

    def _submit_chunk(  # noqa: PLR0917 - the parts of one submission
        self,
        method: str,
        route: str,
        bodies: Sequence[dict[str, Any]],
        chunk: list[int],
        store_code: str | None,
        settled: dict[int, OperationResult],
        *,
        idempotent: bool,
    ) -> list[Submitted]:
        """Submit one chunk; what the store refuses as a whole is split, never dropped."""
        submitted: list[Submitted] = []
        pending = [chunk]
        while pending:
            part = pending.pop(0)
            try:
                uuid, rejected = self._submit(
                    method, route, [bodies[i] for i in part], store_code, idempotent=idempotent
                )
            except MagentoUnknownOutcome as error:
                for index in part:
                    settled[index] = OperationResult(None, None, str(error))
                continue
            except MagentoError as error:
                if not is_refusal(error):
                    raise
                limit = error.max if isinstance(error, MagentoInputLimitError) else None
                too_big = [i for i in part if limit and largest_array(bodies[i]) > limit]
                if len(part) == 1 or too_big:
                    # A body holding more items than the store takes is refused alone, with the
                    # limit, for the caller to split its items; the others go again.
                    for index in too_big or part:
                        settled[index] = OperationResult(
                            None, STATUS_REJECTED, error.message, limit=limit
                        )
                    rest = [i for i in part if i not in too_big]
                    if too_big and rest:
                        pending.insert(0, rest)
                    continue
                # Refused as a whole, nothing was queued: the store's array limit (async 5000)
                # or one body failing the input check. Split until each refused body stands
                # alone with Magento's message.
                size = len(part) // 2
                if limit:
                    size = max(1, min(limit, len(part) - 1))
                pending[0:0] = [part[i : i + size] for i in range(0, len(part), size)]
                continue
            submitted.append((uuid, part, rejected))
        return submitted

    def open_operations(self, topics: Sequence[str]) -> list[OpenOperation]:
        """The operations of these topics still open (status 4) on the store, whoever queued them.

        `GET /V1/bulk` is OperationRepositoryInterface::getList, a search over magento_operation
        (AsynchronousOperations/etc/webapi.xml: the same ACL resource as the bulk status routes,
        Magento_AsynchronousOperations::system_magento_logging_bulk_operations).
        """
        return [
            OpenOperation(
                str(operation.get("bulk_uuid") or ""),
                str(operation.get("topic_name") or ""),
                operation_body(operation),
            )
            for operation in self._open_rows(sorted(set(topics)))
        ]

    def _open_rows(self, topics: list[str]) -> list[dict[str, Any]]:
        """Every open operation of the topics, paged by a keyset on (bulk_uuid, id), never by
        offset: the consumer finishes operations while the pages are read, and a set that
        shrinks under an offset skips rows (an operation still open would be missed, and its
        write sent a second time). `id` is unique within a bulk whichever way the store numbers
        operations (the operation key, or the magento_operation row id that getList's collection
        may answer), so (bulk_uuid, id) is a key either way."""

        def open_ones() -> SearchCriteria:
            return (
                SearchCriteria()
                .where("status", "eq", STATUS_OPEN)
                .where("topic_name", "in", topics)
            )

        rows: list[dict[str, Any]] = []
        after_uuid: str | None = None
        while True:
            criteria = open_ones()
            if after_uuid is not None:
                criteria = criteria.where("bulk_uuid", "gt", after_uuid)
            page = self.client.search(
                "/bulk", criteria.order_by("bulk_uuid").order_by("id").page(OPEN_PAGE_SIZE)
            ).items
            rows += page
            if len(page) < OPEN_PAGE_SIZE:
                return rows
            # The last bulk of the page may go on: the rest of it by id, then the next bulks.
            after_uuid = str(page[-1].get("bulk_uuid") or "")
            last_id = int(page[-1].get("id") or 0)
            while True:
                rest = self.client.search(
                    "/bulk",
                    open_ones()
                    .where("bulk_uuid", "eq", after_uuid)
                    .where("id", "gt", last_id)
                    .order_by("id")
                    .page(OPEN_PAGE_SIZE),
                ).items
                rows += rest
                if len(rest) < OPEN_PAGE_SIZE:
                    break
                last_id = int(rest[-1].get("id") or 0)

    def _submit(
        self,
        method: str,
        route: str,
        bodies: list[dict[str, Any]],
        store_code: str | None,
        *,
        idempotent: bool,
    ) -> tuple[str, dict[int, OperationResult]]:
        answer = self.client.request(
            method,
            route,
            json=bodies,
            store_code=store_code,
            api="async/bulk/V1",
            idempotent=idempotent,
        )
        uuid = str(answer["bulk_uuid"])
        rejected: dict[int, OperationResult] = {}
        for position, item in enumerate(answer.get("request_items") or []):
            if str(item.get("status", "accepted")).lower() != "accepted":
                index = int(item.get("id", position))
                message = item.get("error_message") or "the store rejected the operation"
                rejected[index] = OperationResult(uuid, STATUS_REJECTED, str(message))
        return uuid, rejected

    def _follow(
        self, uuid: str, bodies: list[dict[str, Any]], deadline: float
    ) -> dict[int, OperationResult]:
        """Poll detailed-status until no operation is open or the deadline passes."""
        count = len(bodies)
        wait = min(0.2, self.poll_interval)
        finished: dict[int, OperationResult] = {}
        while True:
            answer = self.client.get(f"/bulk/{uuid}/detailed-status")
            operations = answer.get("operations_list") or []
            finished = {}
            for index, operation in operation_indexes(uuid, operations, bodies):
                status = int(operation.get("status") or STATUS_OPEN)
                if status == STATUS_OPEN:
                    continue
                message = str(operation.get("result_message") or STATUS_WORDS.get(status, status))
                finished[index] = OperationResult(
                    uuid, status, message, output=_decoded(operation.get("result_serialized_data"))
                )
            if len(finished) >= count or time.monotonic() >= deadline:
                return finished
            self.sleep(min(wait, max(0.0, deadline - time.monotonic())))
            wait = min(wait * 2, self.poll_interval)


def _decoded(text: Any) -> Any:
    """An operation's result_serialized_data, decoded: what the service answered, as
    AsynchronousOperations' OperationProcessor serialized it (None: nothing)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def operation_indexes(
    uuid: str, operations: list[dict[str, Any]], bodies: list[dict[str, Any]]
) -> list[tuple[int, dict[str, Any]]]:
    """Each operation of a bulk with the index of the body it runs.

    In 2.4 an operation's `id` is its operation key, the body's index in the request
    (MassSchedule::publishMass). 2.3 answers the magento_operation row id instead, and
    getBulkDetailedStatus has no ORDER BY: the position in the list says nothing either. Then an
    operation is matched by the body it carries (`serialized_data`); Magento clears that once an
    operation completes, so the bodies left unmatched go to the operations that completed - which
    is exact, since they all share that one status. Anything else stops the run.
    """
    keys = [operation.get("id") for operation in operations]
    if all(isinstance(k, int) and 0 <= k < len(bodies) for k in keys) and len(set(keys)) == len(
        keys
    ):
        return [(int(str(k)), op) for k, op in zip(keys, operations, strict=True)]
    free: dict[str, list[int]] = {}
    for index, body in enumerate(bodies):
        free.setdefault(_canonical(body), []).append(index)
    matched: list[tuple[int, dict[str, Any]]] = []
    blind = []
    for operation in operations:
        carried = operation_body(operation)
        slots = free.get(_canonical(carried)) if carried is not None else None
        if slots:
            matched.append((slots.pop(0), operation))
        else:
            blind.append(operation)
    left = sorted(index for slots in free.values() for index in slots)
    if len(blind) > len(left) or any(
        int(op.get("status") or STATUS_OPEN) != STATUS_COMPLETE for op in blind
    ):
        msg = (
            f"bulk {uuid}: the store numbers operations by table row (Magento 2.3) and "
            f"{len(blind)} operation(s) carry no body to match to a record; check GET "
            f"/V1/bulk/{uuid}/detailed-status, or use api_type V1 on this store"
        )
        raise RunStoppedError(msg)
    return matched + list(zip(left, blind, strict=False))


def _canonical(body: Any) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"))
