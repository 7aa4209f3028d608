# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""The WSGI application: Magento's REST API under /rest, the control API under /_sandbox."""

from __future__ import annotations

import json
import random
import re
import socket
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response

from magento2_sandbox import asyncbulk, control_api, fields
from magento2_sandbox.errors import NO_ROUTE, WebapiError, masked_internal_error
from magento2_sandbox.routing import Ctx, RawJson, match
from magento2_sandbox.serving import CONNECTION_KEY
from magento2_sandbox.store import dumps

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from magento2_sandbox.sandbox import Sandbox

B2B_PREFIXES = ("V1/company", "V1/companyCredits", "V1/negotiableQuote", "V1/sharedCatalog",
                "V1/requisition_lists", "V1/purchaseOrder", "V1/team", "V1/hierarchy")  # fmt: skip
MSI_PREFIXES = ("V1/inventory",)

# The ACL resource Magento names in "The consumer isn't authorized to access %resources."
_RESOURCES = (
    ("V1/orders", "Magento_Sales::actions_view"),
    ("V1/order", "Magento_Sales::sales_order"),
    ("V1/invoice", "Magento_Sales::sales_invoice"),
    ("V1/shipment", "Magento_Sales::shipment"),
    ("V1/creditmemo", "Magento_Sales::sales_creditmemo"),
    ("V1/customerGroups", "Magento_Customer::group"),
    ("V1/customers", "Magento_Customer::customer"),
    ("V1/products/attributes", "Magento_Catalog::attributes_attributes"),
    ("V1/products", "Magento_Catalog::products"),
    ("V1/categories", "Magento_Catalog::categories"),
    ("V1/stockItems", "Magento_CatalogInventory::cataloginventory"),
    ("V1/store", "Magento_Backend::store"),
    ("V1/inventory/source", "Magento_InventoryApi::source"),
    ("V1/inventory/stock", "Magento_InventoryApi::stock"),
    ("V1/inventory", "Magento_InventoryApi::inventory"),
    ("V1/companyCredits", "Magento_CompanyCredit::credit_limit"),
    ("V1/company", "Magento_Company::index"),
    ("V1/bulk", "Magento_Logging::system_magento_logging_bulk_operations"),
)


def _resource(path: str) -> str:
    trimmed = path.strip("/")
    for prefix, resource in _RESOURCES:
        if trimmed.startswith(prefix):
            return resource
    return "Magento_Backend::admin"


def _unauthorized(path: str) -> WebapiError:
    # Webapi/Controller/Rest/RequestValidator.php checkPermissions
    return WebapiError(
        401, "The consumer isn't authorized to access %resources.", {"resources": _resource(path)}
    )


class Gate:
    """At most `max_concurrency` requests at work at once; the others wait, like PHP-FPM
    workers. The limit is read live from the settings (0 = unlimited)."""

    def __init__(self, limit: Callable[[], int]) -> None:
        self._limit = limit
        self._active = 0
        self._condition = threading.Condition()
        self.peak = 0

    def __enter__(self) -> None:
        with self._condition:
            while self._limit() and self._active >= self._limit():
                self._condition.wait(0.05)
            self._active += 1
            self.peak = max(self.peak, self._active)

    def __exit__(self, *_: object) -> None:
        with self._condition:
            self._active -= 1
            self._condition.notify_all()


class RequestLog:
    def __init__(self) -> None:
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._seq = 0

    def next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)
            self._entries.sort(key=lambda item: item["seq"])

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class _Drop(Exception):  # noqa: N818 - a signal, not an error
    """Close the connection without an answer."""


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    text = value.text if isinstance(value, RawJson) else dumps(value)
    return Response(
        text, status=status, headers=headers, content_type="application/json; charset=utf-8"
    )


def _error_response(error: WebapiError) -> Response:
    return json_response(error.body(), error.status)


class App:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.log = RequestLog()
        self.gate = Gate(lambda: sandbox.settings.max_concurrency)
        # The log's `started`/`ended`: seconds since then, on one monotonic clock.
        self.epoch = time.monotonic()
        self._fault_lock = threading.Lock()
        self._fault_rng = random.Random(0)
        self._fault_seed: int | None = None

    # -- WSGI ------------------------------------------------------------------------------

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        path = _raw_path(environ)
        if path.startswith("/index.php/"):
            path = path[len("/index.php") :]
        if path.startswith("/_sandbox/") or path == "/_sandbox":
            response = control_api.handle(self.sandbox, request, path)
        elif path == "/rest" or path.startswith("/rest/"):
            try:
                response = self._rest(request, path)
            except _Drop:
                sock = environ.get("werkzeug.socket")
                if isinstance(sock, socket.socket):
                    # Shut down, not close: werkzeug then meets a broken pipe, which it
                    # treats as a dropped connection instead of logging an error.
                    sock.shutdown(socket.SHUT_RDWR)
                response = Response(b"", status=500)
        else:
            response = Response("Not Found", status=404, content_type="text/plain")
        return response(environ, start_response)

    # -- /rest -------------------------------------------------------------------------------

    def _rest(self, request: Request, path: str) -> Response:
        sandbox = self.sandbox
        seq = self.log.next_seq()
        started = time.monotonic()
        entry: dict[str, Any] = {
            "seq": seq,
            "method": request.method,
            "path": path,
            "query": _raw_query(request.environ),
            "status": None,
            "auth": "none",
            "items": 0,
            "body_items": 0,
            "fault": None,
            # Which connection it came on (1, 2, ... in the order the server accepted them):
            # requests on one number shared a kept-alive connection (serving.py).
            "connection": request.environ.get(CONNECTION_KEY),
            # From the request's arrival to its answer, waiting for a worker included: two
            # entries whose spans do not meet were never at the store at once.
            "started": round(started - self.epoch, 6),
        }
        try:
            with self.gate:
                working = time.monotonic()
                response, items, matched, slow = self._rest_in_worker(request, path, entry)
                settings = sandbox.settings
                # The store's time for this answer, its work included: the sandbox's own work
                # (building a page of 300 orders is some 60 ms of Python, its workers sharing
                # one interpreter) counts towards it instead of coming on top, so a benchmark
                # store of 100 ms + 1 ms an order answers 300 orders in 400 ms, as it says. A
                # `slow` fault's wait is a slow store's own, on top. The gateway's limit is
                # held against the modelled time.
                delay = (
                    settings.latency_ms
                    + settings.per_item_latency_ms * items
                    + settings.per_matched_row_ms * matched
                ) / 1000
                worked = time.monotonic() - working - slow
                limit = settings.gateway_timeout_s
                if limit and delay > limit:
                    # The gateway gives up on PHP and answers for it; PHP's work is lost.
                    time.sleep(max(0.0, limit - worked))
                    response, items = _gateway_timeout(), 0
                    entry["fault"] = "gateway_timeout"
                elif delay > worked:
                    time.sleep(delay - worked)
        except _Drop:
            entry["status"] = 0
            raise
        else:
            entry["status"] = response.status_code
            entry["items"] = items
            return response
        finally:
            ended = time.monotonic()
            entry["duration_ms"] = round((ended - started) * 1000, 3)
            entry["ended"] = round(ended - self.epoch, 6)
            self.log.add(entry)

    def _rest_in_worker(
        self, request: Request, path: str, entry: dict[str, Any]
    ) -> tuple[Response, int, int, float]:
        """The answer, the entities it carries, the rows its search matched and the seconds a
        `slow` fault held it."""
        _, api, parts = self._split(path)
        fault = self._fault(request.method, _route_key(api, parts))
        slow = 0.0
        if fault == "slow":
            entry["fault"] = fault
            slow = self.sandbox.settings.faults.slow_seconds
            time.sleep(slow)
            fault = None
        if fault is not None:
            entry["fault"] = fault
            # Read the request as a server in front of PHP has: closing a socket with unread
            # input resets it, and a cut answer must reach the client as a cut, not a reset.
            request.get_data(cache=True)
            return self._fault_response(fault), 0, 0, slow
        try:
            return (*self._dispatch(request, path, entry), slow)
        except WebapiError as error:
            return _error_response(error), 0, 0, slow

    def _split(self, path: str) -> tuple[str, str, list[str]]:
        """Store code, API (V1, async/V1, async/bulk/V1) and the decoded route segments."""
        parts = [unquote(part) for part in path.split("/")[2:] if part]
        store_code = "default"
        # Webapi/Controller/PathProcessor.php: a first segment that is a store code (or `all`)
        # selects the store; anything else stays in the path and then matches no route.
        if parts and (parts[0] == "all" or parts[0] in self.sandbox.store_codes()):
            store_code = parts.pop(0)
        api = "V1"
        if parts[:2] == ["async", "bulk"]:
            api, parts = "async/bulk/V1", parts[2:]
        elif parts[:1] == ["async"]:
            api, parts = "async/V1", parts[1:]
        return store_code, api, parts

    def _dispatch(
        self, request: Request, path: str, entry: dict[str, Any]
    ) -> tuple[Response, int, int]:
        store_code, api, parts = self._split(path)
        entry["store_code"] = store_code
        route_path = "/" + "/".join(parts)
        if not self._module_enabled(route_path):
            raise WebapiError(404, NO_ROUTE)
        body = self._body(request)
        entry["body_items"] = body_items(body)
        if api != "V1":
            return self._dispatch_async(request, route_path, body, store_code, api, entry)
        found = match(request.method, parts)
        if found is None:
            raise WebapiError(404, NO_ROUTE)
        route, params = found
        entry["auth"] = self._authenticate(request, route_path, anonymous=route.anonymous)
        ctx = self._ctx(
            request, route_path, body=body, store_code=store_code, api=api, auth=entry["auth"]
        )
        try:
            result = route.handler(ctx, **params)
        finally:
            # The answer leaves once the write's transaction has committed (commit_lag).
            wait = self.sandbox.store.take_commit_wait()
            if wait > 0:
                time.sleep(wait)
        self._maybe_drop_after_commit(request.method, _route_key(api, parts))
        matched = result.matched if isinstance(result, RawJson) else 0
        # `fields` filters the output only: the store loaded and counted every row it names.
        count = _count(result)
        if ctx.fields is not None:
            if isinstance(result, RawJson):
                result = json.loads(result.text)
            result = fields.filter_answer(result, ctx.fields)
        return json_response(result), count, matched

    def _dispatch_async(  # noqa: PLR0917 - the parts of one request
        self,
        request: Request,
        route_path: str,
        body: Any,
        store_code: str,
        api: str,
        entry: dict[str, Any],
    ) -> tuple[Response, int, int]:
        # WebapiAsync: only POST, PUT and DELETE have asynchronous routes.
        if request.method not in {"POST", "PUT", "DELETE"}:
            raise WebapiError(404, NO_ROUTE)
        entry["auth"] = self._authenticate(request, route_path, anonymous=False)
        ctx = self._ctx(
            request, route_path, body=body, store_code=store_code, api=api, auth=entry["auth"]
        )
        status, result = asyncbulk.handle_async(ctx, api, request.method, route_path)
        self._maybe_drop_after_commit(request.method, _route_key(api, route_path.split("/")[1:]))
        return json_response(result, status), _count(result), 0

    def _ctx(
        self, request: Request, route_path: str, *, body: Any, store_code: str, api: str, auth: str
    ) -> Ctx:
        from magento2_sandbox.criteria import parse_query_string  # noqa: PLC0415

        return Ctx(
            store=self.sandbox.store,
            settings=self.sandbox.settings,
            method=request.method,
            path=route_path,
            body=body,
            query=parse_query_string(_raw_query(request.environ)),
            store_code=store_code,
            api=api,
            auth_kind=auth,
            sandbox=self.sandbox,
        )

    def _module_enabled(self, route_path: str) -> bool:
        trimmed = route_path.strip("/")
        if not self.sandbox.b2b and any(
            trimmed == prefix or trimmed.startswith(prefix + "/") for prefix in B2B_PREFIXES
        ):
            return False
        return self.sandbox.msi or not any(
            trimmed == prefix or trimmed.startswith(prefix + "/") for prefix in MSI_PREFIXES
        )

    @staticmethod
    def _body(request: Request) -> Any:
        data = request.get_data(cache=True)
        if not data or request.mimetype == "application/x-www-form-urlencoded":
            return None
        try:
            return json.loads(data)
        except ValueError:
            # Framework/Webapi/Rest/Request/Deserializer/Json.php outside developer mode.
            raise WebapiError(400, "Decoding error.") from None

    # -- authentication ------------------------------------------------------------------

    def _authenticate(self, request: Request, route_path: str, *, anonymous: bool) -> str:
        sandbox = self.sandbox
        authorization = request.headers.get("Authorization", "")
        if authorization[:5].lower() == "oauth":
            form = None
            if request.mimetype == "application/x-www-form-urlencoded":
                form = request.get_data(cache=True)
            sandbox.verifier.verify(
                method=request.method,
                url=self._signed_url(request),
                authorization=authorization,
                query_string=_raw_query(request.environ),
                form_body=form,
            )
            return "oauth"
        if authorization[:7].lower() == "bearer ":
            token = authorization[7:].strip()
            if sandbox.admin_token_valid(token):
                return "admin_token"
            if (
                sandbox.settings.bearer_integration_tokens
                and token == sandbox.credentials["access_token"]
            ):
                return "bearer_integration"
        if anonymous:
            return "none"
        raise _unauthorized(route_path)

    @staticmethod
    def _signed_url(request: Request) -> str:
        # Framework/Oauth/Helper/Request.php getRequestUrl: scheme (X-Forwarded-Proto
        # decides behind a proxy), the Host header and the request URI as sent.
        scheme = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
        host = request.headers.get("Host", request.host)
        uri = request.environ.get("REQUEST_URI") or request.environ.get("RAW_URI")
        if not uri:
            uri = request.environ.get("PATH_INFO", "")
        return f"{scheme}://{host}{uri.split('?')[0]}"

    # -- faults ----------------------------------------------------------------------------

    def _fault(self, method: str, path: str) -> str | None:
        faults = self.sandbox.settings.faults
        if faults.rate <= 0:
            return None
        if faults.methods and method.upper() not in faults.methods:
            return None
        if faults.route and not re.search(faults.route, path):
            return None
        with self._fault_lock:
            if self._fault_seed != faults.seed:
                self._fault_seed = faults.seed
                self._fault_rng = random.Random(faults.seed)
            if self._fault_rng.random() >= faults.rate:
                return None
            return self._fault_rng.choice(faults.kinds)

    def reset_faults(self) -> None:
        with self._fault_lock:
            self._fault_seed = None

    def _fault_response(self, fault: str) -> Response:
        retry_after = str(self.sandbox.settings.faults.retry_after)
        if fault == "429":
            # A CDN's rate limit (Fastly on Adobe Commerce Cloud): Retry-After, not Magento's body.
            return Response(
                "<html><body><h1>429 Too Many Requests</h1></body></html>",
                status=429,
                headers={"Retry-After": retry_after},
                content_type="text/html",
            )
        if fault == "500":
            return _error_response(masked_internal_error())
        if fault == "503":
            return Response(
                "<html><head><title>503 Service Unavailable</title></head><body>"
                "<h1>Service Unavailable</h1><p>The server is temporarily unable to service "
                "your request due to maintenance downtime.</p></body></html>",
                status=503,
                headers={"Retry-After": retry_after},
                content_type="text/html",
            )
        if fault in _PAGES:
            status, page = _PAGES[fault]
            return Response(page, status=status, content_type="text/html; charset=UTF-8")
        if fault == "html":
            # A firewall or challenge page (Cloudflare, Sucuri) served with 200 in front of
            # the store: the client must notice it is not JSON.
            return Response(
                "<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
                "<body><p>Checking your browser before accessing the store.</p></body></html>",
                status=200,
                content_type="text/html; charset=UTF-8",
            )
        if fault == "truncate":
            text = '{"items":[{"entity_id":1,"increment_id":"000000001"}],"total_count":1}'
            body = text.encode()
            response = Response(body[: len(body) // 2], content_type="application/json")
            response.headers["Content-Length"] = str(len(body))
            # http.server closes the connection after a response saying so: the client meets
            # the cut at once instead of waiting for the rest on a kept-alive connection.
            response.headers["Connection"] = "close"
            return response
        raise _Drop

    def _maybe_drop_after_commit(self, method: str, path: str) -> None:
        settings = self.sandbox.settings
        with settings.lock:
            drop = settings.drop_after_commit
            if drop.count <= 0:
                return
            if drop.method and drop.method.upper() != method.upper():
                return
            if drop.route and not re.search(drop.route, path):
                return
            drop.count -= 1
        raise _Drop


# Pages that stand in for Magento's answer: nginx's when PHP-FPM died (502), and a firewall's
# block of the client itself, its address or User-Agent (403, Cloudflare's wording).
_PAGES = {
    "502": (
        502,
        (
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n"
        ),
    ),
    "waf": (
        403,
        (
            "<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head>"
            "<body><h1>Sorry, you have been blocked</h1><p>This website is using a security "
            "service to protect itself from online attacks.</p></body></html>"
        ),
    ),
}


def _gateway_timeout() -> Response:
    """nginx's page when PHP-FPM does not answer within fastcgi_read_timeout."""
    return Response(
        "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n"
        "<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n",
        status=504,
        content_type="text/html",
    )


def _route_key(api: str, parts: list[str]) -> str:
    """What the `route` regexes of faults and drop_after_commit are searched in: the path
    after /rest and the store code, e.g. `/V1/orders/5` or `/async/bulk/V1/products/bySku`."""
    prefix = "/" + api.removesuffix("V1").rstrip("/") if api != "V1" else ""
    return prefix + "/" + "/".join(parts)


def body_items(body: Any) -> int:
    """The items of a body's longest array, as Magento's input limits count them (the bodies of
    a bulk request, the `sourceItems` of a source-items save)."""
    if isinstance(body, list):
        return len(body)
    if isinstance(body, dict):
        return max((len(v) for v in body.values() if isinstance(v, list)), default=0)
    return 0


def _raw_path(environ: dict[str, Any]) -> str:
    """The path as sent, still percent-encoded: `/V1/products/a%2Fb` is one sku, `a/b`."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI") or ""
    raw = raw.split("?", 1)[0]
    if not raw.startswith("/"):
        raw = environ.get("PATH_INFO", "/")
    return raw.encode("latin-1").decode("utf-8", "replace")


def _raw_query(environ: dict[str, Any]) -> str:
    return str(environ.get("QUERY_STRING", "")).encode("latin-1").decode("utf-8", "replace")


def _count(result: Any) -> int:
    if isinstance(result, RawJson):
        return result.item_count
    if isinstance(result, dict) and isinstance(result.get("items"), list):
        return len(result["items"])
    if isinstance(result, list):
        return len(result)
    return 1
