# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""Exceptions raised by the client, and the mapping from Magento's answers to them.

Every exception reads as one line a person can act on: the method and route, the status, Magento's
own message with its placeholders filled, and, for the refusals that have a known cause, the fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from urllib3 import HTTPHeaderDict

__all__ = [
    "Answer",
    "MagentoAuthError",
    "MagentoError",
    "MagentoInputLimitError",
    "MagentoNotFound",
    "MagentoResponseError",
    "MagentoTimeout",
    "MagentoUnavailable",
    "MagentoUnknownOutcome",
    "MagentoUnreachable",
    "error_from_response",
    "fill_placeholders",
]

# How much of a body that is not JSON an exception quotes.
EXCERPT_CHARS = 80


@dataclass(frozen=True)
class Answer:
    """One HTTP answer as the client read it: its status, headers, whole body and the URL asked.

    The client's own value rather than urllib3's response (whose body is read once and whose
    connection is back in the pool by then): what explains a refusal reads only this, and a
    test builds one by hand. `headers` looks names up case-blind (urllib3's HTTPHeaderDict).
    """

    status: int
    headers: HTTPHeaderDict
    body: bytes
    url: str = ""

    @property
    def text(self) -> str:
        """The body as text, for messages (UTF-8, as Magento writes; other bytes replaced)."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON; ValueError when it is not JSON."""
        return json.loads(self.body)


class MagentoError(Exception):
    """An answer from Magento (or from whatever stands in front of it) that is not a success.

    Raised as is for Magento's own refusals (a 400 "Invoice Document Validation Error(s)"...);
    the subclasses name the cases a caller handles differently. `message` is Magento's message with
    its placeholders filled; `status` is None when no HTTP answer came back.
    """

    def __init__(
        self,
        text: str,
        *,
        method: str = "",
        route: str = "",
        status: int | None = None,
        message: str = "",
        parameters: Any = None,
    ) -> None:
        super().__init__(text)
        self.method = method
        self.route = route
        self.status = status
        self.message = message
        self.parameters = parameters


class MagentoAuthError(MagentoError):
    """The store refused the credentials or their signature (401; 400 for OAuth input errors)."""


class MagentoNotFound(MagentoError):  # noqa: N818 - the name is the public contract
    """404: the entity, or the whole route (a store without B2B or MSI), does not exist."""

    @property
    def route_missing(self) -> bool:
        """The store has no such route (its module is absent), rather than no such entity.

        Magento's router answers "Request does not match any route." for a path no module
        declares (Webapi/Controller/Rest/Router.php); a missing entity has its own message.
        """
        return "does not match any route" in self.message


class MagentoInputLimitError(MagentoError):
    """The store's input limits refused the request; `max` is the limit it named (or None)."""

    def __init__(self, text: str, *, max_value: int | None = None, **kwargs: Any) -> None:
        super().__init__(text, **kwargs)
        self.max = max_value


class MagentoResponseError(MagentoError):
    """The answer is not what Magento sends: an HTML page, a body that is not JSON, a bad shape."""


class MagentoUnavailable(MagentoError):  # noqa: N818 - the name is the public contract
    """The store stayed unreachable or overloaded (429, 5xx, broken connections) past retries."""


class MagentoTimeout(MagentoUnavailable):
    """The answer took too long: a gateway's 504 or no whole answer within read_timeout.

    Raised at once, without retries, only where the caller asked for it (`retry_timeouts=False`):
    a reader can then ask for less (a smaller page) instead of repeating what took too long.
    """


class MagentoUnreachable(MagentoUnavailable):
    """No connection could be made (refused, unknown host) and the store never answered in this
    run: almost always a wrong url, so the client gave up within seconds, not after retries."""


class MagentoUnknownOutcome(MagentoError):  # noqa: N818 - the name is the public contract
    """A request that is not idempotent may have reached the store, but no answer says what it did.

    The client never repeats such a request: the caller reads the state back and writes what is
    missing, so an invoice is not created twice.
    """


def fill_placeholders(message: str, parameters: Any) -> str:
    """Fill Magento's `%1` (from a list) and `%name` (from a dict) placeholders.

    Magento's Phrase Placeholder renderer maps list index i to `%{i+1}` and a key k to `%k`, then
    replaces them with PHP's strtr, which tries the longest placeholder first at each position and
    never rescans a replacement (lib/internal/Magento/Framework/Phrase/Renderer/Placeholder.php).
    """
    if isinstance(parameters, Mapping):
        pairs = {f"%{key}": _text(value) for key, value in parameters.items()}
    elif isinstance(parameters, list):
        pairs = {f"%{index + 1}": _text(value) for index, value in enumerate(parameters)}
    else:
        return message
    if not pairs:
        return message
    pattern = re.compile("|".join(re.escape(key) for key in sorted(pairs, key=len, reverse=True)))
    return pattern.sub(lambda match: pairs[match.group(0)], message)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else ""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a body, on one line, for an error message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


# What an HTML page where Magento answers JSON means, and what to do (FACTS.md, Errors: CDNs and
# firewalls such as Fastly, Cloudflare and Sucuri answer with their own pages).
HTML_PAGE_CAUSES = (
    "a CDN, firewall or maintenance page stands in front of the store (allow-list this client's "
    "address there, or set user_agent to one it lets through), or url does not point at Magento"
)


def looks_like_html(response: Answer) -> bool:
    content_type = response.headers.get("Content-Type", "").lower()
    if "html" in content_type:
        return True
    start = response.body[:512].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def html_title(text: str) -> str:
    match = _TITLE.search(text)
    return " ".join(match.group(1).split()) if match else ""


def describe_html(response: Answer) -> str:
    """`an HTML page titled 'Just a moment...'`: names a CDN, firewall or maintenance page."""
    title = html_title(response.text)
    return f"an HTML page titled {title!r}" if title else "an HTML page without a title"


def response_date(response: Answer) -> datetime | None:
    """The store's clock from the `Date` header, as an aware UTC datetime."""
    header = response.headers.get("Date")
    if not header:
        return None
    try:
        parsed = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def magento_message(body: Any) -> tuple[str, Any] | None:
    """Magento's `{"message", "parameters"}` error body as (filled message, parameters).

    An InputException holding several errors says only "One or more input exceptions have
    occurred." and lists them in `errors` (Framework/Webapi/ErrorProcessor.php): they follow it.
    """
    if isinstance(body, Mapping) and isinstance(body.get("message"), str):
        parameters = body.get("parameters")
        message = fill_placeholders(body["message"], parameters)
        errors = body.get("errors")
        details = [
            fill_placeholders(error["message"], error.get("parameters"))
            for error in (errors if isinstance(errors, list) else [])
            if isinstance(error, Mapping) and isinstance(error.get("message"), str)
        ]
        if details:
            message = f"{message} {' '.join(details)}"
        return message, parameters
    return None


_STORE_CODE = re.compile(r"/rest/([^/]+)/(?:async/(?:bulk/)?)?V1/")
_INPUT_LIMIT = re.compile(r"^Maximum (SearchCriteria pageSize|items of type .*) is (\d+)")


def error_from_response(
    response: Answer,
    *,
    method: str,
    route: str,
    auth_method: str | None = None,
) -> MagentoError:
    """The exception that explains a response that is not a success.

    `route` is the short form used in messages ("/V1/orders"); `auth_method` ("oauth1", "bearer",
    "admin_token") lets a 401 be explained by its likely cause.
    """
    status = response.status
    head = f"{method} {route} answered {status}"
    fields: dict[str, Any] = {"method": method, "route": route, "status": status}
    found = _magento_body(response, head)
    if isinstance(found, str):
        return MagentoResponseError(found, **fields)
    message, parameters = found
    fields |= {"message": message, "parameters": parameters}
    text = f"{head}: {message}"
    hint = auth_hint(message, status, auth_method, response)
    if hint is not None:
        return MagentoAuthError(f"{text} - {hint}", **fields)
    limit = _INPUT_LIMIT.match(message)
    if limit is not None:
        max_value = _int_parameter(parameters, "max")
        return MagentoInputLimitError(
            f"{text} - the store's web API input limits are on (Stores > Configuration > "
            "Services > Web API Input Limits); send smaller requests",
            max_value=int(limit.group(2)) if max_value is None else max_value,
            **fields,
        )
    kind = {404: MagentoNotFound, 401: MagentoAuthError}.get(status, MagentoError)
    error = kind(text, **fields)
    if isinstance(error, MagentoNotFound) and error.route_missing:
        error.args = (f"{text} - {_route_missing_hint(response)}",)
    return error


def _route_missing_hint(response: Answer) -> str:
    """Why a route every Magento has is missing: the URL, or a store code that names no store
    view, which Webapi's PathProcessor then reads as the first segment of the route."""
    code = _STORE_CODE.search(urlsplit(response.url).path)
    named = f" {code.group(1)!r}" if code else ""
    return (
        f"url does not lead to Magento's REST API, or store_code{named} is no store view of this "
        "store "
        "(Stores > All Stores shows the codes), or the store lacks the module of this route"
    )


def _magento_body(response: Answer, head: str) -> tuple[str, Any] | str:
    """Magento's (message, parameters), or the sentence saying why the body is not that."""
    if looks_like_html(response):
        return f"{head} with {describe_html(response)} instead of JSON: {HTML_PAGE_CAUSES}"
    try:
        body = response.json()
    except ValueError:
        return f"{head} with a body that is not JSON ({excerpt(response.text)})"
    found = magento_message(body)
    if found is None:
        return f"{head} without Magento's error message ({excerpt(response.text)})"
    return found


def _int_parameter(parameters: Any, key: str) -> int | None:
    if isinstance(parameters, Mapping):
        value = parameters.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


# Causes and fixes of authentication refusals, by a fragment of Magento's message. Messages from
# lib/internal/Magento/Framework/Oauth/Oauth.php and
# app/code/Magento/Integration/Model/Oauth/Nonce/Generator.php.
_SHA1_REFUSED = (
    "the store accepts HMAC-SHA256 signatures only (Magento 2.4.4+); this client signs with "
    "HMAC-SHA256, so something between it and the store rewrote the request"
)
_SIGNATURE_INVALID = (
    "check consumer_secret and access_token_secret (System > Integrations), and that no proxy "
    "rewrites the host, scheme or path the store sees (X-Forwarded-Proto, X-Forwarded-Host): the "
    "signature covers the exact URL"
)
_NONCE_USED = (
    "the store has seen this request's nonce before: the request was replayed (by a proxy?); "
    "this client signs every attempt afresh"
)
# The bearer switch: Magento 2.4.4 release notes (oauth/consumer/enable_integration_as_bearer).
_NOT_AUTHORIZED = {
    "bearer": (
        "since Magento 2.4.4 an integration's access token is refused as a Bearer token unless "
        "Stores > Configuration > Services > OAuth > Consumer Settings > Allow OAuth Access "
        "Tokens to be used as standalone Bearer tokens is Yes; better, use OAuth 1.0a (give "
        "consumer_key, consumer_secret, access_token and access_token_secret), or grant the "
        "integration that resource"
    ),
    "admin_token": "the admin user's role lacks that resource (System > Permissions > User Roles)",
    "oauth1": "grant the integration that resource (System > Integrations > API)",
}
# Magento_TwoFactorAuth (TwoFactorAuth/Model/AdminAccessTokenService) blocks admin tokens.
_ADMIN_2FA = (
    "admin two-factor authentication (Magento_TwoFactorAuth, on by default in 2.4) blocks admin "
    "tokens over REST: use an integration instead (System > Extensions > Integrations; give "
    "consumer_key, consumer_secret, access_token and access_token_secret)"
)
UNAUTHORIZED_HINTS = {
    "admin_token": "check username and password (an admin user; admin 2FA blocks token requests)",
    "bearer": "check access_token: the store does not accept it",
    "oauth1": "check consumer_key and access_token, and that the integration is active",
}


def auth_hint(
    message: str,
    status: int,
    auth_method: str | None,
    response: Answer | None = None,
) -> str | None:
    """The likely cause and fix of an authentication refusal, or None if `message` is not one."""
    lowered = message.lower()
    hint: str | None = None
    if lowered.startswith("signature method") and "not supported" in lowered:
        hint = _SHA1_REFUSED
    elif "signature is invalid" in lowered:
        hint = _SIGNATURE_INVALID
    elif "already been used" in lowered or "already being used" in lowered:
        hint = _NONCE_USED
    elif "timestamp" in lowered or "validating the nonce" in lowered:
        # Nonce/Generator.php refuses a timestamp over 600 s ahead of the store's clock, and
        # its catch-all turns that refusal into "An error occurred validating the nonce".
        hint = "the store refused the OAuth timestamp: " + clock_skew(response)
    elif "2fa provider-specific endpoints" in lowered:
        hint = _ADMIN_2FA
    elif "consumer isn't authorized" in lowered:
        hint = _NOT_AUTHORIZED.get(auth_method or "oauth1", _NOT_AUTHORIZED["oauth1"])
    elif status == 401:  # noqa: PLR2004 - the HTTP status itself
        hint = UNAUTHORIZED_HINTS.get(auth_method or "")
    return hint


def clock_skew(response: Answer | None) -> str:
    """How far this machine's clock is from the store's, from the answer's `Date` header."""
    store_time = response_date(response) if response is not None else None
    if store_time is None:
        return "check this machine's clock (the answer carried no Date header to compare with)"
    skew = (datetime.now(timezone.utc) - store_time).total_seconds()
    direction = "ahead of" if skew >= 0 else "behind"
    return (
        f"this machine's clock is {abs(skew):.0f} s {direction} the store's (its Date header); "
        "synchronise the clock (NTP)"
    )
