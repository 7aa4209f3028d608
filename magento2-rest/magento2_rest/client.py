# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""MagentoClient: every HTTP exchange with Magento, with retries, readable errors and statistics.

Thread safety: one client may be shared by a few worker threads. The `requests.Session` only
pools connections (urllib3's pool is thread-safe) and keeps no cookies; signing happens per
request; the admin token is fetched under a lock; the statistics are updated under a lock.
"""

from __future__ import annotations

import functools
import http.cookiejar
import json
import logging
import random
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, NoReturn

import backoff
import msgspec
import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.sessions import merge_setting
from requests.structures import CaseInsensitiveDict

from magento2_rest.auth import MagentoAuth, auth_from_settings
from magento2_rest.errors import (
    HTML_PAGE_CAUSES,
    UNAUTHORIZED_HINTS,
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


def parse_retry_after(response: requests.Response) -> float | None:
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


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the store: no connection was ever made."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason: Any = exc.args[0] if exc.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    # NewConnectionError is "connection refused" (and, as NameResolutionError, a DNS failure);
    # a connection that breaks after the request was sent is a ProtocolError instead.
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


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


# What build_url makes: scheme, an ASCII host and port, then only unreserved characters,
# percent-encodings and the delimiters between them.
BUILT_URL = re.compile(
    r"https?://[A-Za-z0-9.\-]+(:[0-9]+)?(/[A-Za-z0-9\-._~%/]*)?(\?[A-Za-z0-9\-._~%&=]*)?"
)


class BuiltRequest(requests.PreparedRequest):
    """A request to a URL that build_url made, sent as it is.

    requests parses and re-quotes every URL it sends (PreparedRequest.prepare_url), character by
    character in Python: on a search's query of a thousand characters or more that took a fifth
    of the client's CPU per page (bench/tap_bench.py). build_url has encoded every character
    but the unreserved ones, so there is nothing to re-quote; any other URL (a host that is not
    ASCII, say) is prepared as requests does.
    """

    def prepare_url(self, url: str | bytes, params: Any) -> None:
        if isinstance(url, str) and not params and BUILT_URL.fullmatch(url):
            self.url = url
            return
        super().prepare_url(url, params)


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
        self._session = requests.Session()
        # Magento's REST answers need no cookies; keeping none leaves the session without
        # state for worker threads to race on.
        self._session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        # Every request waits for a slot: at most max_concurrency at once, fewer after 429/503.
        self.concurrency = AdaptiveLimit(settings.max_concurrency, self.logger)
        pool = max(POOL_SIZE, settings.max_concurrency)
        adapter = HTTPAdapter(pool_connections=pool, pool_maxsize=pool)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        self._session.headers.update(
            {"User-Agent": settings.user_agent, "Accept": "application/json"}
        )
        self._auth: MagentoAuth = auth_from_settings(settings, self._fetch_admin_token)
        # requests reads the environment (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE) again for
        # every request: a fifth of the client's CPU per page (bench/tap_bench.py). It is read
        # once, here, for the store's URL; every request of this client goes to that host.
        environment = self._session.merge_environment_settings(
            settings.url, {}, None, settings.verify, None
        )
        self._session.trust_env = False
        self._session.proxies = environment["proxies"]
        verify = environment["verify"]
        self._verify: bool | str = settings.verify if verify is None else verify
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
        self._session.close()

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
        url = build_url(
            self.settings.url, store_code or self.settings.store_code, api, route, params
        )
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

    def learn_page_limit(self, error: MagentoInputLimitError, asked: int, route: str) -> bool:
        """Take the maximum an input-limit refusal names; False if there is nothing to retry."""
        if error.max is None or not 0 < error.max < asked:
            return False
        self.logger.warning(
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
        url = build_url(
            self.settings.url, self.settings.store_code, "V1", "/integration/admin/token"
        )
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
        headers = {"Content-Type": "application/json"} if body is not None else None
        self.concurrency.acquire()
        started = time.monotonic()
        try:
            prepared = BuiltRequest()
            prepared.prepare(
                method=method,
                url=url,
                headers=merge_setting(headers, self._session.headers, CaseInsensitiveDict),
                data=body,
                auth=auth,
            )
            response = self._session.send(
                prepared,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                verify=self._verify,
                proxies=self._session.proxies,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
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
        self.answered = True
        if response.status_code in OVERLOADED_STATUSES:
            self.concurrency.overloaded(response.status_code, f"{method} {label}")
        else:
            self.concurrency.answered()
        self._count(started, len(response.content))
        date = response_date(response)
        if date is not None:
            self.last_response_date = date
        self.logger.debug(
            "%s %s -> %d in %.3f s (attempt %d)",
            method,
            label,
            response.status_code,
            time.monotonic() - started,
            attempt,
        )
        if response.ok:
            return _parse_success(
                response, method, label, idempotent=idempotent, answer_type=answer_type
            )
        if response.is_redirect:
            _raise_redirect(response, method, label)
        raise _refusal(response, method, label, idempotent=idempotent, auth=auth)

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
    """The root cause of a requests/urllib3 exception (they nest causes in args and reason)."""
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


def _failure(
    exc: requests.RequestException, method: str, label: str, *, idempotent: bool
) -> Exception:
    """What a request that got no answer raises: retry it, or say its outcome is unknown."""
    if isinstance(exc, requests.exceptions.SSLError):
        return MagentoUnavailable(
            f"{method} {label}: the TLS connection failed ({_reason(exc)}); give ca_bundle with "
            "the CA that signs the store's certificate",
            method=method,
            route=label,
        )
    if isinstance(exc, requests.ConnectTimeout):
        what = "no connection within connect_timeout"
    elif isinstance(exc, requests.ReadTimeout) or isinstance(
        _innermost(exc), urllib3.exceptions.ReadTimeoutError
    ):
        # requests raises a read timeout met while reading the body as a ConnectionError.
        what = READ_TIMED_OUT
    elif _never_sent(exc):
        what = f"could not connect ({_reason(exc)})"
    elif isinstance(exc, requests.exceptions.ChunkedEncodingError):
        what = f"the answer was cut off ({_reason(exc)})"
    elif isinstance(exc, requests.ConnectionError):
        what = f"the connection broke ({_reason(exc)})"
    else:
        return exc  # an invalid URL or a similar mistake: nothing to retry
    if not idempotent and not _never_sent(exc):
        return MagentoUnknownOutcome(
            f"{method} {label}: {what}; {READ_BACK}", method=method, route=label
        )
    kind = MagentoTimeout if what == READ_TIMED_OUT else MagentoUnavailable
    return _RetryableError(
        kind(f"{method} {label}: {what}", method=method, route=label),
        unreachable=_never_sent(exc) and not isinstance(exc, requests.ConnectTimeout),
    )


def _refusal(
    response: requests.Response,
    method: str,
    label: str,
    *,
    idempotent: bool,
    auth: MagentoAuth | None,
) -> Exception:
    """What an answer with a 4xx/5xx status raises: the error, or a retry of it."""
    status = response.status_code
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
    response: requests.Response,
    method: str,
    label: str,
    *,
    idempotent: bool,
    answer_type: Any = Any,
) -> Any:
    if not response.content.strip():
        return None
    if looks_like_html(response):
        error = MagentoResponseError(
            f"{method} {label} answered {response.status_code} with {describe_html(response)} "
            f"instead of JSON: {HTML_PAGE_CAUSES}",
            method=method,
            route=label,
            status=response.status_code,
        )
        if idempotent:
            # A challenge page comes and goes; a block stays: retried as a 500 is, twice.
            raise _RetryableError(error, server_error=True)
        # A page in the answer's place, before or after the store ran the write: unknown.
        raise _unknown_outcome(error)
    try:
        return msgspec.json.decode(response.content, type=answer_type)
    except msgspec.ValidationError:
        # JSON, of another shape than asked for: the caller says what is wrong with it.
        return msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        error = MagentoResponseError(
            f"{method} {label} answered {response.status_code} with a body that is not JSON "
            f"({excerpt(response.text)})",
            method=method,
            route=label,
            status=response.status_code,
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


def _raise_redirect(response: requests.Response, method: str, label: str) -> NoReturn:
    # Redirects are not followed: the OAuth signature covers the exact URL, and a redirect
    # usually means url names the wrong scheme or host.
    location = response.headers.get("Location", "")
    raise MagentoResponseError(
        f"{method} {label} answered {response.status_code} redirecting to {location!r}: set url "
        "to the store's address as the redirect gives it",
        method=method,
        route=label,
        status=response.status_code,
    )
