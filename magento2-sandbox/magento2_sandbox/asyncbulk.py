# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Magento's asynchronous web API: `/rest/{store}/async/V1/...`, `/rest/{store}/async/bulk/V1/...`,
the operation queue, the `async.operations.all` consumer and the bulk status routes.

A request is checked the way the synchronous route checks its input at the API layer
(required parameters, types), then each body becomes one operation with status 4 (open)
and the answer is 202 with the bulk's uuid. Nothing runs until the consumer does: a
background thread every 0.2 s (settings `async_consumer` = "auto", the default) or only on
`POST /_sandbox/consumer/run` ("manual"). The consumer runs each open operation with the
synchronous handler in one transaction with its new status, so an operation's effects and
its status 1 (complete) commit together; a refusal leaves status 3 (failed, not retriable)
with Magento's message, placeholders filled; a locked database leaves status 2 (retriable).

Write routes declare their input with `@webapi_input(...)` (below `@route`); the contract
serves the synchronous check and lets a bulk element carry the path parameters.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from magento2_sandbox.errors import NO_ROUTE, WebapiError
from magento2_sandbox.routing import Ctx, RawJson, Route, match, route, routes

if TYPE_CHECKING:
    from magento2_sandbox.store import Store

Handler = Callable[..., Any]

# Framework/Bulk/OperationInterface.php
STATUS_COMPLETE = 1
STATUS_RETRIABLY_FAILED = 2
STATUS_NOT_RETRIABLY_FAILED = 3
STATUS_OPEN = 4
STATUS_REJECTED = 5
OPERATION_STATUSES = (
    STATUS_COMPLETE,
    STATUS_RETRIABLY_FAILED,
    STATUS_NOT_RETRIABLY_FAILED,
    STATUS_OPEN,
    STATUS_REJECTED,
)
# Authorization/Model/UserContextInterface.php
USER_TYPE_INTEGRATION = 1
USER_TYPE_ADMIN = 2
ADMIN_USER_ID = 1
CONSUMER_INTERVAL_S = 0.2

REQUIRED_FIELD = '"%fieldName" is required. Enter and try again.'
# Framework/Reflection/TypeProcessor.php: a value that cannot become the declared type.
INVALID_TYPE = (
    'The "%value" value\'s type is invalid. The "%type" type was expected. Verify and try again.'
)
# Framework/Exception/InputException.php: the message once a second error is added.
SEVERAL_ERRORS = "One or more input exceptions have occurred."
BULK_NOT_FOUND = "Bulk uuid %bulkUuid not exist"
# Webapi input limits (2.4.7, webapi/validation/*, on with `input_limits`): items of one array
# of data objects in a synchronous body; asynchronous bodies take `async_array_limit` (settings)
# (Framework/Webapi/Validator/EntityArrayValidator.php, InputArraySizeLimitValue).
MAX_SYNC_ITEMS = 20
TOO_MANY_ITEMS = 'Maximum items of type "%type" is %max'

_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_PLACEHOLDER = re.compile(r"%(\w+)")


class WebapiInputError(WebapiError):
    """An InputException or ValidationException holding several errors:
    Framework/Webapi/ErrorProcessor.php adds them as `errors` beside the message."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: list[tuple[str, Any]],
        parameters: list[Any] | dict[str, Any] | None = None,
    ) -> None:
        super().__init__(status, message, parameters)
        self.errors = errors

    def body(self) -> dict[str, Any]:
        answer = super().body()
        answer["errors"] = [
            {"message": message, "parameters": parameters or []}
            for message, parameters in self.errors
        ]
        return answer


def fill(message: str, parameters: Any) -> str:
    """A message with its placeholders filled, as Phrase::render() does (%name, %1, %2...)."""
    if not parameters:
        return message
    if isinstance(parameters, dict):
        named = {str(key): value for key, value in parameters.items()}
    else:
        named = {str(index): value for index, value in enumerate(parameters, start=1)}
    return _PLACEHOLDER.sub(
        lambda found: _text(named[found.group(1)]) if found.group(1) in named else found.group(0),
        message,
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def php_json(value: Any) -> str:
    """JSON as Framework/Serialize/Serializer/Json.php writes it (PHP's json_encode without
    flags): compact, non-ASCII as \\uXXXX and `/` escaped as `\\/`."""
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/")


# -- input contracts -----------------------------------------------------------------------


@dataclass(frozen=True)
class InputContract:
    """What the API layer checks before a service runs (Framework/Webapi/ServiceInputProcessor).

    required: service parameters that must be present (camelCase or snake_case).
    integers: parameters declared `int`; a value that is not one is refused.
    path_params: for each route parameter, where a bulk element carries it when the bulk
        route replaces it with by<Param>: a dotted path into the element when the route
        parameter only overrides the entity's id
        (Webapi/Controller/Rest/ParamsOverrider.php overrideRequestBodyIdWithPathParam),
        None when it is a service parameter the element must hold at its top level.
    service: the service class and method the consumer names in its result message.
    void: the service returns nothing (the operation's result_serialized_data stays empty).
    arrays: the body's arrays of data objects (dotted paths) and the interface each holds:
        EntityArrayValidator names that class, with a leading backslash, in its refusal.
    """

    required: tuple[str, ...] = ()
    integers: tuple[str, ...] = ()
    path_params: dict[str, str | None] = field(default_factory=dict)
    service: str = ""
    void: bool = False
    arrays: dict[str, str] = field(default_factory=dict)


_CONTRACTS: dict[Handler, tuple[InputContract, Handler]] = {}


def webapi_input(
    *,
    required: tuple[str, ...] = (),
    integers: tuple[str, ...] = (),
    path_params: dict[str, str | None] | None = None,
    service: str = "",
    void: bool = False,
    arrays: dict[str, str] | None = None,
) -> Callable[[Handler], Handler]:
    """Declare a write route's input; put it below `@route` so the route gets the checked
    handler. The consumer calls the unchecked one: asynchronous input was checked on arrival."""
    contract = InputContract(
        required, integers, dict(path_params or {}), service, void, dict(arrays or {})
    )

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def checked(ctx: Ctx, **params: str) -> Any:
            limit = MAX_SYNC_ITEMS if ctx.settings.input_limits else None
            check_input(contract, ctx.body, params, limit)
            return handler(ctx, **params)

        _CONTRACTS[checked] = (contract, handler)
        return checked

    return decorate


def contract_of(handler: Handler) -> tuple[InputContract, Handler]:
    return _CONTRACTS.get(handler, (InputContract(), handler))


def snake(name: str) -> str:
    return re.sub(r"(?<=\w)(?=[A-Z])", "_", name).lower()


def param_value(data: Any, name: str) -> Any:
    """A service parameter from the input: camelCase or snake_case (ServiceInputProcessor)."""
    if not isinstance(data, dict):
        return None
    if data.get(name) is not None:
        return data[name]
    return data.get(snake(name))


def check_input(
    contract: InputContract, body: Any, path_params: dict[str, str], array_limit: int | None = None
) -> None:
    """Required and integer parameters; with input limits on, the size of data-object arrays."""
    missing = [
        name
        for name in contract.required
        if param_value(body, name) is None and path_params.get(name) is None
    ]
    if len(missing) == 1:
        raise WebapiError(400, REQUIRED_FIELD, {"fieldName": missing[0]})
    if missing:
        raise WebapiInputError(
            400, SEVERAL_ERRORS, [(REQUIRED_FIELD, {"fieldName": name}) for name in missing]
        )
    for name in contract.integers:
        value = path_params.get(name)
        if value is None:
            value = param_value(body, name)
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, int) or (isinstance(value, str) and _INTEGER.match(value)):
            continue
        if isinstance(value, float) and value.is_integer():
            continue
        raise WebapiError(400, INVALID_TYPE, {"value": _text(value), "type": "int"})
    if array_limit is not None:
        _check_arrays(contract, body, array_limit)


def _check_arrays(contract: InputContract, body: Any, array_limit: int) -> None:
    for dotted, interface in contract.arrays.items():
        first, _, rest = dotted.partition(".")
        value = param_value(body, first)
        items = _dig(value, rest) if rest else value
        if isinstance(items, list) and len(items) > array_limit:
            raise WebapiError(400, TOO_MANY_ITEMS, {"type": interface, "max": array_limit})


def as_int(value: Any) -> int:
    """An `int` parameter, or Magento's type error (TypeProcessor::processSimpleAndAnyType)."""
    if isinstance(value, bool):
        raise WebapiError(400, INVALID_TYPE, {"value": _text(value), "type": "int"})
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.match(value):
        return int(value.strip())
    raise WebapiError(400, INVALID_TYPE, {"value": _text(value), "type": "int"})


def body_of(ctx: Ctx) -> dict[str, Any]:
    return ctx.body if isinstance(ctx.body, dict) else {}


# -- accepting requests --------------------------------------------------------------------


def topic_name(found: Route) -> str:
    """WebapiAsync/Model/Config.php: `/V1/products/:sku` PUT -> async.V1.products.sku.PUT."""
    parts = [part.strip("{}") for part in found.segments]
    return "async." + ".".join(parts) + "." + found.method


@dataclass
class _Queue:
    """One sandbox's consumer: its thread and the lock that keeps runs one at a time."""

    sandbox: weakref.ReferenceType[Any]
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


_QUEUES: weakref.WeakKeyDictionary[Store, _Queue] = weakref.WeakKeyDictionary()
_QUEUES_LOCK = threading.Lock()


def handle_async(ctx: Ctx, api: str, method: str, path: str) -> tuple[int, dict[str, Any]]:
    """Accept `/async/V1` (one body) or `/async/bulk/V1` (an array of bodies) for METHOD and
    the synchronous route PATH; answer 202 with the bulk uuid and one item per operation."""
    found = match(method, path)
    if found is None:
        raise WebapiError(404, NO_ROUTE)
    target, url_params = found
    contract, _ = contract_of(target.handler)
    # The limit is on each array of data objects inside an operation's body, not on how many
    # operations one bulk request holds: WebapiAsync's InputParamsResolver runs
    # ServiceInputProcessor (EntityArrayValidator) on each entry with the route's limit, and
    # nothing counts the entries (Framework/Webapi/Validator/EntityArrayValidator.php,
    # DEFAULT_ASYNC_INPUT_ARRAY_SIZE_LIMIT = 5000).
    limit = ctx.settings.async_array_limit if ctx.settings.input_limits else None
    elements: list[tuple[int, dict[str, Any]]] = []
    if api == "async/bulk/V1":
        # WebapiAsync/Controller/Rest/Asynchronous/InputParamsResolver.php: each array entry is
        # one request; entries that are not objects are skipped; the route's parameters come
        # from each entry (the URL holds by<Param> placeholders), never from the URL.
        entries = ctx.body if isinstance(ctx.body, list) else []
        if isinstance(ctx.body, dict):
            entries = list(ctx.body.values())
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            check_input(contract, entry, _bulk_path_params(contract, target, entry), limit)
            elements.append((index, entry))
    else:
        check_input(contract, ctx.body, url_params, limit)
        # Webapi/Controller/Rest/InputParamsResolver.php getInputData: the body, then the
        # URL's parameters merged in; that array is the operation's message.
        merged = json.loads(json.dumps(body_of(ctx)))
        for name, value in url_params.items():
            nested = contract.path_params.get(name)
            if nested:
                # ParamsOverrider::overrideRequestBodyIdWithPathParam: the URL's id wins.
                _put(merged, nested, value)
        merged.update(url_params)
        elements.append((0, merged))
    topic = topic_name(target)
    bulk_uuid = str(uuid.uuid4())
    store = ctx.store
    store_id = _store_id(store, ctx.store_code)
    user_id, user_type = (
        (ADMIN_USER_ID, USER_TYPE_ADMIN)
        if ctx.auth_kind == "admin_token"
        else (None, USER_TYPE_INTEGRATION)
    )
    with store.transaction():
        # magento_operation's auto-increment id of the bulk's first operation (shown by 2.3).
        first_row_id = store.count("operations") + 1
        store.put(
            "bulks",
            _drop_none(
                {
                    "bulk_id": bulk_uuid,
                    # AsynchronousOperations/Model/MassSchedule.php: __('Topic %1', $topicName)
                    "description": f"Topic {topic}",
                    "start_time": store.now(),
                    "user_id": user_id,
                    "user_type": user_type,
                    "operation_count": len(elements),
                    "first_row_id": first_row_id,
                    # What the consumer needs to run the operations; never in an answer.
                    "request": {
                        "method": target.method,
                        "route": target.path,
                        "store_code": ctx.store_code,
                        "auth_kind": ctx.auth_kind,
                    },
                }
            ),
        )
        for index, element in elements:
            serialized = {
                "entity_id": None,
                "entity_link": "",
                "meta_information": php_json(element),
                "store_id": store_id,
            }
            # DataObjectProcessor answers a null of a required getter (OperationInterface
            # declares them all so) as null, where it drops an optional one.
            store.put(
                "operations",
                {
                    "id": index,
                    "bulk_uuid": bulk_uuid,
                    "topic_name": topic,
                    "serialized_data": php_json(serialized),
                    "result_serialized_data": None,
                    "status": STATUS_OPEN,
                    "result_message": None,
                    "error_code": None,
                },
            )
    _ensure_consumer(ctx)
    # WebapiAsync/Model/AsyncResponse; the data_hash stays null (devdocs "Bulk endpoints").
    return 202, {
        "bulk_uuid": bulk_uuid,
        "request_items": [
            {"id": index, "data_hash": None, "status": "accepted"} for index, _ in elements
        ],
        "errors": False,
    }


def _bulk_path_params(
    contract: InputContract, target: Route, entry: dict[str, Any]
) -> dict[str, str]:
    """The route parameters of one bulk entry. A service parameter must be in the entry (the
    request is refused otherwise); an entity id the route only overrides may be missing, and
    the service then refuses the operation (a product without sku)."""
    params: dict[str, str] = {}
    for segment in target.segments:
        if not segment.startswith("{"):
            continue
        name = segment[1:-1]
        nested = contract.path_params.get(name)
        if nested:
            # Only the entity carries it: a top-level key of that name is no parameter of
            # the service and is ignored, as Magento ignores it.
            value = _dig(entry, nested)
            params[name] = "" if value is None else _text(value)
            continue
        value = param_value(entry, name)
        if value is None:
            raise WebapiError(400, REQUIRED_FIELD, {"fieldName": name})
        params[name] = _text(value)
    return params


def _dig(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _put(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        child = data.get(part)
        if not isinstance(child, dict):
            return
        data = child
    data[last] = value


def _drop_none(doc: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in doc.items() if value is not None}


def _store_id(store: Store, store_code: str) -> int:
    if store_code == "all":
        return 0
    for view in store.find("store_views", code=store_code):
        return int(view["id"])
    return 1


# -- the consumer --------------------------------------------------------------------------


def _ensure_consumer(ctx: Ctx) -> None:
    """Remember which sandbox serves this store and start its consumer thread once."""
    if ctx.sandbox is None:
        return
    store = ctx.store
    with _QUEUES_LOCK:
        queue = _QUEUES.get(store)
        if queue is None:
            queue = _Queue(weakref.ref(ctx.sandbox))
            _QUEUES[store] = queue
        if queue.thread is None:
            queue.thread = threading.Thread(
                target=_consume_forever,
                args=(weakref.ref(store), queue),
                name=f"magento2-sandbox:{ctx.sandbox.port}:async.operations.all",
                daemon=True,
            )
            queue.thread.start()


def _consume_forever(store_ref: weakref.ReferenceType[Store], queue: _Queue) -> None:
    while not queue.stop.wait(CONSUMER_INTERVAL_S):
        store = store_ref()
        sandbox = queue.sandbox()
        if store is None or sandbox is None or not _serving(sandbox, store):
            return
        if sandbox.settings.async_consumer != "auto":
            continue
        try:
            run_consumer(store)
        except Exception:
            if not _serving(sandbox, store):
                return


def _serving(sandbox: Any, store: Store) -> bool:
    try:
        return sandbox.store is store
    except RuntimeError:
        return False


def stop_consumer(store: Store) -> None:
    """Stop the store's consumer thread (the sandbox calls this before closing the store)."""
    with _QUEUES_LOCK:
        queue = _QUEUES.get(store)
    if queue is None:
        return
    queue.stop.set()
    thread = queue.thread
    if thread is not None and thread is not threading.current_thread():
        thread.join(timeout=10)


def run_consumer(store: Store, limit: int | None = None) -> dict[str, Any]:
    """Run every open operation once (or the `limit` first), oldest bulk first, in request
    order."""
    with _QUEUES_LOCK:
        queue = _QUEUES.get(store)
    sandbox = queue.sandbox() if queue is not None else None
    counts = {"processed": 0, "complete": 0, "failed": 0}
    if queue is None or sandbox is None:
        return counts
    with queue.lock:
        pending = store.find("operations", status=STATUS_OPEN)
        bulks: dict[str, dict[str, Any] | None] = {}
        for operation in pending:
            uuid_ = str(operation["bulk_uuid"])
            if uuid_ not in bulks:
                bulks[uuid_] = store.get("bulks", uuid_)
        pending.sort(
            key=lambda op: (
                str((bulks[str(op["bulk_uuid"])] or {}).get("start_time", "")),
                op["id"],
            )
        )
        for operation in pending if limit is None else pending[: max(0, limit)]:
            bulk = bulks[str(operation["bulk_uuid"])]
            if bulk is None:
                continue
            status = _run_operation(store, sandbox, bulk, operation)
            if status is None:
                continue
            counts["processed"] += 1
            counts["complete" if status == STATUS_COMPLETE else "failed"] += 1
    return counts


def _find_route(method: str, template: str) -> Route | None:
    for candidate in routes():
        if candidate.method == method and candidate.path == template:
            return candidate
    return None


def _run_operation(
    store: Store, sandbox: Any, bulk: dict[str, Any], operation: dict[str, Any]
) -> int | None:
    key = (operation["bulk_uuid"], operation["id"])
    try:
        ran = _execute(store, sandbox, bulk, key)
    except WebapiError as error:
        return _fail(store, key, STATUS_NOT_RETRIABLY_FAILED, fill(error.message, error.parameters))
    except sqlite3.OperationalError as error:
        # A lock wait or deadlock is the one failure Magento retries (OperationProcessor).
        return _fail(store, key, STATUS_RETRIABLY_FAILED, str(error))
    except Exception as error:
        # OperationProcessor::executeHandler: any other exception fails for good.
        return _fail(store, key, STATUS_NOT_RETRIABLY_FAILED, str(error))
    return STATUS_COMPLETE if ran else None


def _execute(store: Store, sandbox: Any, bulk: dict[str, Any], key: tuple[Any, Any]) -> bool:
    """Run one operation with its synchronous handler; False when it was no longer open."""
    request = bulk["request"]
    target = _find_route(request["method"], request["route"])
    if target is None:
        raise WebapiError(400, NO_ROUTE)
    contract, handler = contract_of(target.handler)
    with store.transaction():
        current = store.get("operations", key)
        if current is None or current.get("status") != STATUS_OPEN:
            return False
        meta = json.loads(json.loads(current["serialized_data"])["meta_information"])
        params = _bulk_path_params(contract, target, meta)
        path = "/" + "/".join(
            params.get(part[1:-1], part) if part.startswith("{") else part
            for part in target.segments
        )
        ctx = Ctx(
            store=store,
            settings=sandbox.settings,
            method=target.method,
            path=path,
            body=meta,
            store_code=request["store_code"],
            api="V1",
            auth_kind=request.get("auth_kind", "oauth"),
            sandbox=sandbox,
        )
        result = handler(ctx, **params)
        output = None
        if not contract.void and result is not None:
            value = json.loads(result.text) if isinstance(result, RawJson) else result
            output = php_json(value)
        service = contract.service or f"{target.method} {target.path}"
        done = {
            **current,
            "status": STATUS_COMPLETE,
            # OperationProcessor::executeHandler; OperationManagement::changeOperationStatus
            # clears serialized_data of an operation that succeeded.
            "serialized_data": None,
            "result_message": f"Service execution success {service}",
            "result_serialized_data": output,
            "error_code": None,
        }
        store.put("operations", done)
    # With a commit lag the consumer moves on once the operation's writes are visible.
    time.sleep(store.take_commit_wait())
    return True


def _fail(store: Store, key: tuple[Any, Any], status: int, message: str) -> int | None:
    with store.transaction():
        current = store.get("operations", key)
        if current is None or current.get("status") != STATUS_OPEN:
            return None
        # OperationProcessor: the exception's message (placeholders filled) and its code,
        # 0 for Magento's LocalizedException; serialized_data is kept for a retry.
        store.put(
            "operations",
            {**current, "status": status, "result_message": message, "error_code": 0},
        )
    return status


# -- bulk status routes (AsynchronousOperations/etc/webapi.xml) -----------------------------


def _bulk(ctx: Ctx, bulk_uuid: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    bulk = ctx.store.get("bulks", bulk_uuid)
    if bulk is None:
        # AsynchronousOperations/Model/BulkOperationsStatus.php getBulkShortStatus
        raise WebapiError(404, BULK_NOT_FOUND, {"bulkUuid": bulk_uuid})
    operations = sorted(ctx.store.find("operations", bulk_uuid=bulk_uuid), key=lambda op: op["id"])
    if ctx.settings.operation_ids == "2.3":
        # 2.3 answers the magento_operation row id, and getBulkDetailedStatus has no ORDER BY
        # (FACTS.md, URLs): here the rows come last first, a fixed order that is not the key's.
        first = int(bulk.get("first_row_id") or 1)
        operations = [{**op, "id": first + int(op["id"])} for op in reversed(operations)]
    return bulk, operations


def _summary(bulk: dict[str, Any], operations_list: list[dict[str, Any]]) -> dict[str, Any]:
    # Framework/Reflection/DataObjectProcessor.php drops a null only where the getter is not
    # required; every getter here is, so an integration's bulk answers user_id null.
    return {
        "operations_list": operations_list,
        "user_type": bulk.get("user_type"),
        "bulk_id": bulk["bulk_id"],
        "description": bulk.get("description"),
        "start_time": bulk.get("start_time"),
        "user_id": bulk.get("user_id"),
        "operation_count": bulk.get("operation_count"),
    }


@route("GET", "/V1/bulk/{bulkUuid}/status")
def bulk_status(ctx: Ctx, bulkUuid: str) -> dict[str, Any]:  # noqa: N803 - Magento's name
    bulk, operations = _bulk(ctx, bulkUuid)
    short = [
        {
            "id": op["id"],
            "status": op.get("status"),
            "result_message": op.get("result_message"),
            "error_code": op.get("error_code"),
        }
        for op in operations
    ]
    return _summary(bulk, short)


@route("GET", "/V1/bulk/{bulkUuid}/detailed-status")
def bulk_detailed_status(ctx: Ctx, bulkUuid: str) -> dict[str, Any]:  # noqa: N803
    bulk, operations = _bulk(ctx, bulkUuid)
    return _summary(bulk, operations)


@route("GET", "/V1/bulk/{bulkUuid}/operation-status/{status}")
def bulk_operation_status(ctx: Ctx, bulkUuid: str, status: str) -> int:  # noqa: N803
    check_input(InputContract(integers=("status",)), None, {"status": status})
    # BulkOperationsStatus::getOperationsCountByBulkIdAndStatus: a count, 0 for an unknown bulk.
    wanted = as_int(status)
    return len(ctx.store.find("operations", bulk_uuid=bulkUuid, status=wanted))


@route("GET", "/V1/bulk")
def bulk_search(ctx: Ctx) -> Any:
    return ctx.search("operations")
