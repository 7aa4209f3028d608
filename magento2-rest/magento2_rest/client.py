# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""MagentoClient: every HTTP exchange with Magento, with retries, readable errors and statistics.

Every request goes through one urllib3 connection pool of the store's host, not through requests:
for a 300-row page of MSI source items (23 KB, kept-alive connections) requests spent about a
quarter of the client's CPU per page in Session.send, HTTPAdapter.send and Response.content (cookies
extracted twice, hooks, redirect resolution, 10 KB chunks, header dict merges), and for small
records that per-request CPU is most of the tap's CPU per record. `python bench/client_bench.py`
measures it (client.search of that page, best of 3 x 200): 1.34 ms of CPU per page through
requests, 0.97 ms through this pool (2026-12-02, one run of each, this project's machine).

Thread safety: one client may be shared by a few worker threads. urllib3's pool is thread-safe
and keeps no cookies; signing happens per attempt; the admin token is fetched under a lock; the
statistics are updated under a lock.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import json
import logging
import os
import random
import socket
import ssl
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import unquote, urlsplit

import backoff
import certifi
import msgspec
import urllib3
import urllib3.exceptions
from urllib3.util import make_headers, parse_url
from urllib3.util.ssl_ import create_urllib3_context

from magento2_rest.auth import MagentoAuth, auth_from_settings
from magento2_rest.errors import (
    HTML_PAGE_CAUSES,
    UNAUTHORIZED_HINTS,
    Answer,
    MagentoAuthError,
    MagentoError,
    MagentoInputLimitError,
    MagentoResponseError,
    MagentoTimeout,
    MagentoUnavailable,
    MagentoUnknownOutcome,
    MagentoUnreachable,
    describe_html,
    error_from_response,
    excerpt,
    looks_like_html,
    response_date,
)
from magento2_rest.politeness import AdaptiveLimit
from magento2_rest.settings import ConfigError
from magento2_rest.urls import Api, Params, build_url, route_label

if TYPE_CHECKING:
    from collections.abc import Generator, Iterator

    from magento2_rest.search import SearchCriteria
    from magento2_rest.settings import MagentoSettings

__all__ = ["ClientStats", "MagentoClient", "SearchPage", "parse_retry_after"]

# 429 is refused before anything runs (a CDN's limit, or Magento 2.4.7's order placement
# limit); 502/503/504 come from a proxy, a CDN (Fastly's first-byte timeout) or maintenance mode.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# The answers that mean "send less" (magento2_rest.politeness).
OVERLOADED_STATUSES = frozenset({429, 503})
# A 500 from Magento is an uncaught PHP exception: mostly deterministic (a broken extension, a bad
# row), sometimes transient (a deadlock, a lost database connection). Idempotent requests get a
# couple of retries for the transient kind, without spending the whole budget on the other.
MAX_SERVER_ERROR_RETRIES = 2
# Seconds of refused connections (or unknown host names) before a client that has had no answer
# at all gives up: a store that answered before gets the whole max_retry_time instead.
FIRST_CONTACT_TIME = 4.0
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

BACKOFF_BASE = 1.0
BACKOFF_MAX = 60.0
POOL_SIZE = 10
HTTP_UNAUTHORIZED = 401
HTTP_TOO_MANY = 429
HTTP_SERVER_ERROR = 500
HTTP_GATEWAY_TIMEOUT = 504
HTTP_BAD_REQUEST = 400
# The statuses requests called redirects (requests.status_codes REDIRECT_STATI), with a Location.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# What requests asks by default: the compressions urllib3 can decode here (gzip, deflate, and br
# or zstd when their modules are installed).
ACCEPT_ENCODING = make_headers(accept_encoding=True)["accept-encoding"]

READ_TIMED_OUT = "no complete answer within read_timeout"
READ_BACK = "the store may have run it, so it is not sent again: read the state back first"


class _SearchAnswer(msgspec.Struct):
    """A search answer as it is decoded first: `items` still JSON (SearchPage decodes it)."""

    total_count: int
    items: msgspec.Raw = msgspec.Raw(b"null")
    search_criteria: Any = None


@dataclass(frozen=True)
class SearchPage:
    """One answer of a search route: its items, Magento's `total_count`, its search_criteria.

    The items are decoded when first asked for: `items` all at once, or `raw_items`, one piece
    of JSON per item that holds only a slice of the answer's bytes. A page of 300 orders is some
    3 MB of JSON and four times that once decoded into dicts, so pages that wait to be written
    are best kept as `raw_items` (tap_magento2.concurrency).
    """

    total_count: int
    items_json: msgspec.Raw
    search_criteria: Any = None

    @functools.cached_property
    def items(self) -> list[dict[str, Any]]:
        return list(msgspec.json.decode(self.items_json) or [])

    @functools.cached_property
    def raw_items(self) -> list[msgspec.Raw]:
        return list(msgspec.json.decode(self.items_json, type=list[msgspec.Raw] | None) or [])

    @property
    def raw(self) -> dict[str, Any]:
        """The answer as Magento gave it (its items, search_criteria and total_count)."""
        return {
            "items": self.items,
            "search_criteria": self.search_criteria,
            "total_count": self.total_count,
        }


@dataclass
class ClientStats:
    """Counters of one client: HTTP attempts sent, retries, response bytes, seconds in HTTP."""

    requests: int = 0
    retries: int = 0
    bytes: int = 0
    seconds: float = 0.0


class _RetryableError(Exception):
    """An attempt failed in a way worth repeating; carries the error to raise if retries run out."""

    def __init__(
        self,
        error: MagentoError,
        *,
        retry_after: float | None = None,
        server_error: bool = False,
        unreachable: bool = False,
    ) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after
        self.server_error = server_error
        # No connection could be made (refused, unknown host): nothing was sent.
        self.unreachable = unreachable


def parse_retry_after(response: Answer) -> float | None:
    """Seconds from a `Retry-After` header: seconds or an HTTP date (RFC 9110, 10.2.3)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    # Measured against the store's own clock when it sent one, so clock skew does not count.
    now = response_date(response) or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _never_sent(exc: urllib3.exceptions.HTTPError) -> bool:
    """True when the request cannot have reached the store: no connection was ever made."""
    # A connect timeout, or its subclass NewConnectionError: "connection refused" (and, as
    # NameResolutionError, a DNS failure). A connection that breaks after the request was sent
    # is a ProtocolError instead; one the proxy could not make, a ProxyError (as with requests).
    return isinstance(exc, urllib3.exceptions.ConnectTimeoutError)


class _RetryPolicy:
    """backoff's knobs for one request: when to give up, how long to wait, what to log."""

    def __init__(self, client: MagentoClient, *, retry_timeouts: bool = True) -> None:
        self.client = client
        self.retry_timeouts = retry_timeouts
        self.budget = float(client.settings.max_retry_time)
        self.started = time.monotonic()
        self.server_errors = 0

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def giveup(self, exc: BaseException) -> bool:
        if not isinstance(exc, _RetryableError):
            return True
        if isinstance(exc.error, MagentoTimeout) and not self.retry_timeouts:
            return True
        if exc.unreachable and not self.client.answered and self.elapsed() >= FIRST_CONTACT_TIME:
            # A store that never answered this run, refusing connections or with a name that
            # does not resolve, is almost always a wrong url: say so now, not after minutes.
            exc.error = _with_text(
                exc.error,
                f"{exc.error}; the store has not answered once in this run: check url (scheme, "
                "host and port)",
                kind=MagentoUnreachable,
            )
            return True
        if exc.server_error:
            self.server_errors += 1
            if self.server_errors > MAX_SERVER_ERROR_RETRIES:
                return True
        if exc.retry_after is not None and self.elapsed() + exc.retry_after > self.budget:
            exc.error = _with_text(
                exc.error,
                f"{exc.error}; the store asked to wait {exc.retry_after:.0f} s, beyond "
                f"max_retry_time ({self.budget:.0f} s)",
            )
            return True
        return self.elapsed() >= self.budget

    def waits(self) -> Generator[float, Any, None]:
        """backoff sends each failure in; Retry-After wins, else exponential with jitter."""
        exc = yield 0.0
        exponent = 0
        while True:
            if isinstance(exc, _RetryableError) and exc.retry_after is not None:
                wait = exc.retry_after
            else:
                ceiling = min(BACKOFF_MAX, BACKOFF_BASE * 2**exponent)
                exponent += 1
                # "Equal jitter": at least half of each step, so the waits still grow.
                wait = ceiling / 2 + random.uniform(0, ceiling / 2)
                wait = min(wait, max(0.0, self.budget - self.elapsed()))
            exc = yield wait

    def on_backoff(self, details: Any) -> None:
        exc = details.get("exception")
        client = self.client
        with client.lock:
            client.stats.retries += 1
        client.logger.warning(
            "%s; retry %d of %d in %.1f s",
            exc.error if isinstance(exc, _RetryableError) else exc,
            details["tries"],
            client.settings.max_retries,
            details["wait"],
        )


def _no_proxy(host: str, port: int | None) -> bool:
    """NO_PROXY names the host (as requests.utils.should_bypass_proxies reads it: its networks
    such as 10.0.0.0/8 too, and the system's bypass list where there is one)."""
    entries = (os.environ.get("no_proxy") or os.environ.get("NO_PROXY") or "").replace(" ", "")
    for entry in filter(None, entries.split(",")):
        if "/" in entry:
            try:
                if ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
    try:
        return bool(urllib.request.proxy_bypass(f"{host}:{port}" if port else host))
    except (TypeError, socket.gaierror):
        return False


def _environment_proxy(url: str) -> str | None:
    """The proxy the environment names for `url` (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and
    NO_PROXY, upper or lower case), chosen as requests chooses it; None to go straight."""
    parts = urlsplit(url)
    if not parts.hostname or _no_proxy(parts.hostname, parts.port):
        return None
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy:
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def _ca_bundle(settings: MagentoSettings) -> str | bool:
    """The CA bundle to check the store's certificate with (False: none is checked).

    ca_bundle wins, then REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE, then certifi's, as with requests.
    """
    if settings.verify is not True:
        return settings.verify
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        path = os.environ.get(name)
        if path:
            if not os.path.exists(path):  # noqa: PTH110 - a path from the environment
                raise ConfigError(
                    f"{name}: {path!r} does not exist; give the path of a PEM file (or a "
                    "directory of them), or unset it to use certifi's CAs"
                )
            return path
    return certifi.where()


def _pool_manager(settings: MagentoSettings, proxy: str | None) -> urllib3.PoolManager:
    """The client's one PoolManager (a ProxyManager when a proxy applies)."""
    size = max(POOL_SIZE, settings.max_concurrency)
    pool: dict[str, Any] = {
        "maxsize": size,
        "block": False,
        "retries": False,
        "timeout": urllib3.Timeout(connect=settings.connect_timeout, read=settings.read_timeout),
    }
    bundle = _ca_bundle(settings)
    if bundle is False:
        pool["cert_reqs"] = "CERT_NONE"
    elif settings.url.startswith("https:") or (proxy or "").startswith("https:"):
        # One context, loaded once (as requests preloads certifi's): urllib3 would otherwise
        # read the bundle again for every new connection. Loading it costs some 18 ms of CPU,
        # so a plain-http store (a sandbox on this machine) goes without.
        context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
        path = str(bundle)
        context.load_verify_locations(
            cafile=None if os.path.isdir(path) else path,  # noqa: PTH112
            capath=path if os.path.isdir(path) else None,  # noqa: PTH112
        )
        pool |= {"cert_reqs": "CERT_REQUIRED", "ssl_context": context}
    if proxy is None:
        return urllib3.PoolManager(num_pools=size, **pool)
    if proxy.startswith("socks"):
        try:
            from urllib3.contrib.socks import SOCKSProxyManager  # noqa: PLC0415
        except ImportError:
            raise ConfigError(
                f"the environment names the SOCKS proxy {proxy!r}, which needs PySocks: "
                "pip install 'urllib3[socks]'"
            ) from None
        return SOCKSProxyManager(proxy, num_pools=size, **pool)
    # requests sends a proxy's user and password as Proxy-Authorization; urllib3 leaves it to us.
    auth = parse_url(proxy).auth
    headers = make_headers(proxy_basic_auth=unquote(auth)) if auth else None
    return urllib3.ProxyManager(proxy, num_pools=size, proxy_headers=headers, **pool)


class MagentoClient:
    """The one place that talks HTTP to Magento. `MagentoClient(settings, logger=None)`."""

    def __init__(
        self,
        settings: MagentoSettings,
        logger: logging.Logger | logging.LoggerAdapter[logging.Logger] | None = None,
    ) -> None:
        self.settings = settings
        self.logger = logger or logging.getLogger("magento2_rest")
        self.stats = ClientStats()
        # The store's largest page, once its Web API input limits have refused a larger one:
        # every later page of every caller on this client is asked at that size.
        self.max_page_size: int | None = None
        self.last_response_date: datetime | None = None
        # Whether the store has answered anything yet (see FIRST_CONTACT_TIME).
        self.answered = False
        self.lock = threading.Lock()
        # Every request waits for a slot: at most max_concurrency at once, fewer after 429/503.
        self.concurrency = AdaptiveLimit(settings.max_concurrency, self.logger)
        self._headers = {
            "User-Agent": settings.user_agent,
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        self._auth: MagentoAuth = auth_from_settings(settings, self._fetch_admin_token)
        # The environment (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE) is read once, here, for
        # the store's URL (requests read it again for every request: a fifth of the client's CPU
        # per page); every request of this client goes to that host, through one pool.
        proxy = _environment_proxy(settings.url)
        self._manager = _pool_manager(settings, proxy)
        # The store's URL as urllib3 sends it (the host in lower case, IDNA; the path encoded):
        # every URL is built on it, so the URL signed is the URL sent.
        base = parse_url(settings.url)
        self._base = base.url.rstrip("/")
        self._pool = self._manager.connection_from_url(self._base)
        # A plain-http proxy is sent the whole URL; otherwise the pool is sent the path and
        # query build_url made, as they are (see _attempt).
        self._absolute = isinstance(self._manager, urllib3.ProxyManager) and base.scheme == "http"
        self._origin = len(f"{base.scheme}://{base.netloc}")
        if not settings.verify_ssl:
            self.logger.warning(
                "verify_ssl is false: the store's TLS certificate is not checked, so anything "
                "between this machine and the store can read and change the requests; give "
                "ca_bundle with the CA that signs it instead"
            )
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def __repr__(self) -> str:
        settings = self.settings
        return f"MagentoClient(url={settings.url!r}, auth_method={settings.auth_method!r})"

    def close(self) -> None:
        self._manager.clear()

    def __enter__(self) -> MagentoClient:  # noqa: PYI034 - typing.Self needs Python 3.11
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ----------------------------------------------------------------------------------- public

    def request(
        self,
        method: str,
        route: str,
        *,
        params: Params = None,
        json: Any = None,
        store_code: str | None = None,
        api: Api = "V1",
        idempotent: bool | None = None,
        retry_timeouts: bool = True,
        answer_type: Any = Any,
    ) -> Any:
        """Send one call and return its parsed JSON (None for an empty body).

        `route` is the path after the API prefix ("/orders"); the URL is
        `{url}/rest/{store_code}/{api}{route}`. A request that is not idempotent (POST unless told
        otherwise) is never repeated once it may have reached the store: `MagentoUnknownOutcome`.
        `retry_timeouts=False`: a 504 or a read timeout raises `MagentoTimeout` at once.
        `answer_type`: a type to decode the answer into (msgspec); an answer of another shape is
        returned decoded as plain JSON, for the caller to say what is wrong with it.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        url = build_url(self._base, store_code or self.settings.store_code, api, route, params)
        label = route_label(api, route)
        body = None if json is None else _json_bytes(json)
        send = functools.partial(
            self._send,
            method,
            url,
            label,
            body,
            idempotent=idempotent,
            retry_timeouts=retry_timeouts,
            answer_type=answer_type,
        )
        try:
            return send(auth=self._auth)
        except MagentoAuthError as error:
            # A 401 is refused before anything runs, so one more try is safe even for a POST.
            if error.status != HTTP_UNAUTHORIZED or not self._auth.renew():
                raise
        self.logger.info("%s %s: 401, asking for a new admin token once", method, label)
        return send(auth=self._auth)

    def get(self, route: str, params: Params = None, store_code: str | None = None) -> Any:
        return self.request("GET", route, params=params, store_code=store_code)

    def search(
        self,
        route: str,
        criteria: SearchCriteria,
        store_code: str | None = None,
        *,
        fields: str | None = None,
        retry_timeouts: bool = True,
    ) -> SearchPage:
        """GET a search route (`/orders`, `/customers/search`...) with a searchCriteria.

        `fields` is Magento's partial answer filter, such as
        `"items[entity_id,updated_at],total_count"`; it must keep `total_count`.
        """
        params: list[tuple[str, str]] = criteria.to_params()
        if fields is not None:
            params.append(("fields", fields))
        answer = self.request(
            "GET",
            route,
            params=params,
            store_code=store_code,
            retry_timeouts=retry_timeouts,
            answer_type=_SearchAnswer,
        )
        if isinstance(answer, _SearchAnswer):
            return SearchPage(answer.total_count, answer.items, answer.search_criteria)
        label = route_label("V1", route)
        shown = excerpt(json.dumps(answer, ensure_ascii=False))
        raise MagentoResponseError(
            f"GET {label} answered without items and total_count ({shown}): url does not "
            "lead to Magento's REST API (a Magento search answers both), or this is no "
            "search route",
            method="GET",
            route=label,
            status=200,
        )

    def page_size(self, wanted: int) -> int:
        """The page size to ask for: `wanted`, or the store's maximum once it refused more."""
        return wanted if self.max_page_size is None else min(wanted, self.max_page_size)

    def learn_page_limit(
        self, error: MagentoInputLimitError, asked: int, route: str, *, expected: bool = False
    ) -> bool:
        """Take the maximum an input-limit refusal names; False if there is nothing to retry.

        Said as a warning, or at INFO where the caller `expected` a store might refuse the
        size (one it chose itself, not a setting the user would want to change)."""
        if error.max is None or not 0 < error.max < asked:
            return False
        (self.logger.info if expected else self.logger.warning)(
            "GET %s: the store allows pages of %d at most (Web API input limits); asking %d "
            "instead of %d from now on",
            route_label("V1", route),
            error.max,
            error.max,
            asked,
        )
        self.max_page_size = error.max
        return True

    def iter_pages(
        self,
        route: str,
        criteria: SearchCriteria,
        page_size: int,
        store_code: str | None = None,
        *,
        fields: str | None = None,
    ) -> Iterator[SearchPage]:
        """Every page of a search, by offset, stopping on `total_count`.

        Never stops on an empty page, and stops when the store answers the last page again past
        the end: Magento 2.3 (and stores still on that code) clamps `currentPage` to the last page
        (Framework/Data/Collection.php getCurPage; magento2 #3787, #8099, #26986). Sort on a
        unique key: without one rows repeat or vanish across pages (magento2 #25001). If the
        store's input limits refuse `page_size`, its maximum is used from then on.
        """
        current = 1
        previous: list[dict[str, Any]] | None = None
        while True:
            size = self.page_size(page_size)
            try:
                page = self.search(route, criteria.page(size, current), store_code, fields=fields)
            except MagentoInputLimitError as error:
                if current != 1 or not self.learn_page_limit(error, size, route):
                    raise
                continue
            if previous is not None and page.items and page.items == previous:
                return
            yield page
            if current * size >= page.total_count:
                return
            previous = page.items
            current += 1

    # --------------------------------------------------------------------------------- private

    def _fetch_admin_token(self) -> str:
        label = "/V1/integration/admin/token"
        url = build_url(self._base, self.settings.store_code, "V1", "/integration/admin/token")
        body = _json_bytes({"username": self.settings.username, "password": self.settings.password})
        try:
            # Asking for a token twice does no harm, so this POST may be retried.
            token = self._send("POST", url, label, body, idempotent=True, auth=None)
        except MagentoAuthError as error:
            raise _with_text(error, f"{error} - {UNAUTHORIZED_HINTS['admin_token']}") from None
        if not isinstance(token, str) or not token:
            raise MagentoResponseError(
                f"POST {label} answered without a token string",
                method="POST",
                route=label,
            )
        return token

    def _send(
        self,
        method: str,
        url: str,
        label: str,
        body: bytes | None,
        *,
        idempotent: bool,
        auth: MagentoAuth | None,
        retry_timeouts: bool = True,
        answer_type: Any = Any,
    ) -> Any:
        policy = _RetryPolicy(self, retry_timeouts=retry_timeouts)
        tries = 0
        try:
            for attempt in backoff.retry_context(
                _RetryableError,
                policy.waits,
                max_tries=self.settings.max_retries + 1,
                jitter=None,
                giveup=policy.giveup,
                on_backoff=policy.on_backoff,
                logger=None,
            ):
                with attempt:
                    tries += 1
                    return self._attempt(
                        method,
                        url,
                        label,
                        body,
                        idempotent=idempotent,
                        auth=auth,
                        attempt=tries,
                        answer_type=answer_type,
                    )
        except _RetryableError as final:
            if isinstance(final.error, MagentoTimeout) and not retry_timeouts:
                raise final.error from None
            attempts = f"{tries} attempt" + ("s" if tries != 1 else "")
            raise _with_text(
                final.error, f"{final.error} (gave up after {attempts} in {policy.elapsed():.0f} s)"
            ) from None
        raise AssertionError("backoff.retry_context ended without an answer")  # pragma: no cover

    def _attempt(
        self,
        method: str,
        url: str,
        label: str,
        body: bytes | None,
        *,
        idempotent: bool,
        auth: MagentoAuth | None,
        attempt: int,
        answer_type: Any = Any,
    ) -> Any:
        headers = self._headers.copy()
        if body is not None:
            headers["Content-Type"] = "application/json"
        if auth is not None:
            headers["Authorization"] = auth.header(method, url)
        # urlopen would parse a whole URL again, character by character in Python: the pool of
        # the store's host is sent the path and query instead. (urllib3 2.x still passes that
        # through _encode_target, which finds nothing to change in what build_url made.)
        target = url if self._absolute else url[self._origin :]
        self.concurrency.acquire()
        started = time.monotonic()
        try:
            response = self._pool.urlopen(
                method,
                target,
                body=body,
                headers=headers,
                retries=False,
                redirect=False,
                assert_same_host=False,
                preload_content=True,
            )
        except urllib3.exceptions.HTTPError as exc:
            self._count(started, 0)
            self.logger.debug(
                "%s %s -> %s after %.3f s (attempt %d)",
                method,
                label,
                type(exc).__name__,
                time.monotonic() - started,
                attempt,
            )
            raise _failure(exc, method, label, idempotent=idempotent) from None
        finally:
            self.concurrency.release()
        answer = Answer(response.status, response.headers, response.data, url)
        self.answered = True
        if answer.status in OVERLOADED_STATUSES:
            self.concurrency.overloaded(answer.status, f"{method} {label}")
        else:
            self.concurrency.answered()
        self._count(started, len(answer.body))
        date = response_date(answer)
        if date is not None:
            self.last_response_date = date
        self.logger.debug(
            "%s %s -> %d in %.3f s (attempt %d)",
            method,
            label,
            answer.status,
            time.monotonic() - started,
            attempt,
        )
        if answer.status < HTTP_BAD_REQUEST:
            if answer.status in REDIRECT_STATUSES and "Location" in answer.headers:
                _raise_redirect(answer, method, label)
            return _parse_success(
                answer, method, label, idempotent=idempotent, answer_type=answer_type
            )
        raise _refusal(answer, method, label, idempotent=idempotent, auth=auth)

    def _count(self, started: float, size: int) -> None:
        with self.lock:
            self.stats.requests += 1
            self.stats.bytes += size
            self.stats.seconds += time.monotonic() - started


def _json_default(value: Any) -> Any:
    # singer-sdk hands records over with Decimal numbers; Magento's prices are decimal(20,6),
    # well within a float's 15 significant digits.
    if isinstance(value, Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, default=_json_default).encode()


def _with_text(
    error: MagentoError, text: str, *, kind: type[MagentoError] | None = None
) -> MagentoError:
    """The same kind of error (or `kind`) with a longer message."""
    copy = (kind or type(error))(
        text,
        method=error.method,
        route=error.route,
        status=error.status,
        message=error.message,
        parameters=error.parameters,
    )
    if isinstance(error, MagentoInputLimitError) and isinstance(copy, MagentoInputLimitError):
        copy.max = error.max
    return copy


def _unavailable(error: MagentoError) -> MagentoError:
    """Magento's own message on a 429/5xx, as the MagentoUnavailable raised if retries run out."""
    if type(error) is not MagentoError and not isinstance(error, MagentoResponseError):
        return error
    return MagentoUnavailable(
        str(error),
        method=error.method,
        route=error.route,
        status=error.status,
        message=error.message,
        parameters=error.parameters,
    )


def _innermost(exc: BaseException) -> BaseException:
    """The root cause of a urllib3 exception (it nests causes in args and reason)."""
    cause = exc
    while True:
        inner = getattr(cause, "reason", None)
        if not isinstance(inner, BaseException) and cause.args:
            inner = cause.args[-1]
        if not isinstance(inner, BaseException) or inner is cause:
            return cause
        cause = inner


def _reason(exc: BaseException) -> str:
    cause = _innermost(exc)
    text = str(cause) or type(cause).__name__
    # NewConnectionError names the connection object first; the errno text is what helps.
    _, found, errno_text = text.partition("Failed to establish a new connection: ")
    return excerpt(errno_text if found else text, 120)


def _cut_off(exc: urllib3.exceptions.HTTPError) -> bool:
    """The connection broke while the answer's body was read (requests' ChunkedEncodingError).

    With the body read inside urlopen, urllib3 raises a ProtocolError both ways: "Connection
    broken: ..." from HTTPResponse._error_catcher while reading the body, "Connection aborted."
    from urlopen before any answer came.
    """
    if not isinstance(exc, urllib3.exceptions.ProtocolError):
        return False
    return isinstance(_innermost(exc), http.client.IncompleteRead) or str(exc).startswith(
        "Connection broken"
    )


def _failure(
    exc: urllib3.exceptions.HTTPError, method: str, label: str, *, idempotent: bool
) -> Exception:
    """What a request that got no answer raises: retry it, or say its outcome is unknown."""
    if isinstance(exc, urllib3.exceptions.SSLError):
        return MagentoUnavailable(
            f"{method} {label}: the TLS connection failed ({_reason(exc)}); give ca_bundle with "
            "the CA that signs the store's certificate",
            method=method,
            route=label,
        )
    refused = isinstance(exc, urllib3.exceptions.NewConnectionError)
    if _never_sent(exc) and not refused:
        what = "no connection within connect_timeout"
    elif isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        # Met while waiting for the answer or while reading its body.
        what = READ_TIMED_OUT
    elif refused:
        what = f"could not connect ({_reason(exc)})"
    elif _cut_off(exc):
        what = f"the answer was cut off ({_reason(exc)})"
    elif isinstance(exc, (urllib3.exceptions.ProtocolError, urllib3.exceptions.ProxyError)):
        what = f"the connection broke ({_reason(exc)})"
    else:
        return exc  # an invalid URL, a body that does not decode: nothing to retry
    if not idempotent and not _never_sent(exc):
        return MagentoUnknownOutcome(
            f"{method} {label}: {what}; {READ_BACK}", method=method, route=label
        )
    kind = MagentoTimeout if what == READ_TIMED_OUT else MagentoUnavailable
    return _RetryableError(
        kind(f"{method} {label}: {what}", method=method, route=label),
        unreachable=refused,
    )


def _refusal(
    response: Answer,
    method: str,
    label: str,
    *,
    idempotent: bool,
    auth: MagentoAuth | None,
) -> Exception:
    """What an answer with a 4xx/5xx status raises: the error, or a retry of it."""
    status = response.status
    auth_method = auth.method if auth is not None else None
    error = error_from_response(response, method=method, route=label, auth_method=auth_method)
    if status == HTTP_TOO_MANY:  # refused before anything ran, whatever the method
        return _RetryableError(_unavailable(error), retry_after=parse_retry_after(response))
    if status not in RETRY_STATUSES and status != HTTP_SERVER_ERROR:
        return error
    if not idempotent:
        return _unknown_outcome(error)
    unavailable = _unavailable(error)
    if status == HTTP_GATEWAY_TIMEOUT:
        unavailable = _with_text(unavailable, str(unavailable), kind=MagentoTimeout)
    return _RetryableError(
        unavailable,
        retry_after=parse_retry_after(response),
        server_error=status == HTTP_SERVER_ERROR,
    )


def _parse_success(
    response: Answer,
    method: str,
    label: str,
    *,
    idempotent: bool,
    answer_type: Any = Any,
) -> Any:
    if not response.body.strip():
        return None
    if looks_like_html(response):
        error = MagentoResponseError(
            f"{method} {label} answered {response.status} with {describe_html(response)} "
            f"instead of JSON: {HTML_PAGE_CAUSES}",
            method=method,
            route=label,
            status=response.status,
        )
        if idempotent:
            # A challenge page comes and goes; a block stays: retried as a 500 is, twice.
            raise _RetryableError(error, server_error=True)
        # A page in the answer's place, before or after the store ran the write: unknown.
        raise _unknown_outcome(error)
    try:
        return msgspec.json.decode(response.body, type=answer_type)
    except msgspec.ValidationError:
        # JSON, of another shape than asked for: the caller says what is wrong with it.
        return msgspec.json.decode(response.body)
    except msgspec.DecodeError:
        error = MagentoResponseError(
            f"{method} {label} answered {response.status} with a body that is not JSON "
            f"({excerpt(response.text)})",
            method=method,
            route=label,
            status=response.status,
        )
        # An answer cut short: the store may well have run the write.
        raise (error if idempotent else _unknown_outcome(error)) from None


def _unknown_outcome(error: MagentoError) -> MagentoUnknownOutcome:
    """A write whose answer says nothing sure of it: the caller reads back what the store did."""
    return MagentoUnknownOutcome(
        f"{error}; {READ_BACK}",
        method=error.method,
        route=error.route,
        status=error.status,
        message=error.message,
        parameters=error.parameters,
    )


def _raise_redirect(response: Answer, method: str, label: str) -> NoReturn:
    # Redirects are not followed: the OAuth signature covers the exact URL, and a redirect
    # usually means url names the wrong scheme or host.
    location = response.headers.get("Location", "")
    raise MagentoResponseError(
        f"{method} {label} answered {response.status} redirecting to {location!r}: set url "
        "to the store's address as the redirect gives it",
        method=method,
        route=label,
        status=response.status,
    )
