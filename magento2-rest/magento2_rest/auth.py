# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""Authentication: OAuth 1.0a (HMAC-SHA256), a bearer token, or an admin token from a password.

Each authenticator gives the Authorization header of one attempt (`header(method, url)`), asked
afresh for every attempt, so every retry carries a new OAuth nonce, timestamp and signature:
Magento accepts a nonce once ("The nonce is already being used by the consumer with ID %1",
Magento\\Integration\\Model\\Oauth\\Nonce\\Generator).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import threading
import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote

from oauthlib.common import generate_nonce, generate_timestamp
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from oauthlib.oauth1.rfc5849.signature import base_string_uri

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento2_rest.settings import MagentoSettings

__all__ = [
    "ADMIN_TOKEN_LIFETIME",
    "ADMIN_TOKEN_RENEW_AFTER",
    "AdminTokenAuth",
    "BearerAuth",
    "MagentoAuth",
    "OAuth1Auth",
    "auth_from_settings",
]

# Admin tokens live 4 hours by default (Stores > Configuration > Services > OAuth > Access Token
# Expiration > Admin Token Lifetime, oauth/access_token_lifetime/admin = 4); renewing half an hour
# early keeps a long request from starting on a token about to lapse.
ADMIN_TOKEN_LIFETIME = 4 * 3600.0
ADMIN_TOKEN_RENEW_AFTER = 3.5 * 3600.0

# oauthlib, and requests_oauthlib where something else in the process signs with it, log at
# DEBUG the signed headers and the collected OAuth parameters: the access token and consumer key
# would reach any debug log. These records are dropped at their source loggers; nothing else of
# those libraries is touched.
_CREDENTIAL_LOGGERS = ("requests_oauthlib.oauth1_auth", "oauthlib.oauth1.rfc5849")


class _DropDebug(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_DROP_DEBUG = _DropDebug()


def _silence_credential_logs() -> None:
    for name in _CREDENTIAL_LOGGERS:
        logger = logging.getLogger(name)
        if _DROP_DEBUG not in logger.filters:
            logger.addFilter(_DROP_DEBUG)


class MagentoAuth:
    """Credentials of a request: `header` is the Authorization value of one attempt; `renew`
    says if a 401 is worth one more try."""

    method: str = ""

    def header(self, method: str, url: str) -> str:
        """The Authorization header of one attempt of `method` `url` (the URL as sent)."""
        raise NotImplementedError

    def renew(self) -> bool:
        """Forget cached credentials after a 401; True if a new attempt could succeed."""
        return False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(********)"


@functools.lru_cache(maxsize=4096)
def _escape(value: str) -> str:
    """RFC 5849 3.6 percent-encoding: everything but the unreserved characters (cached: the
    searchCriteria names and most values repeat from page to page)."""
    return quote(value, safe="~")


class OAuth1Auth(MagentoAuth):
    """OAuth 1.0a with integration credentials, signed HMAC-SHA256 in the Authorization header.

    The URL the client sends is signed, so what is signed is what is sent; JSON bodies
    are not signed (Magento signs a body only when it is form-encoded).

    The signature is RFC 5849's, made here from oauthlib's parts (its nonce, timestamp and
    base string URI) rather than by requests_oauthlib.OAuth1, which spent about 0.4 ms per
    request re-checking and re-escaping the query: a third of the client's CPU per page and
    more than a small record costs to write (bench/tap_bench.py). tests/rest/test_oauth_signer.py
    holds it to oauthlib's own Authorization header, byte for byte, for any method and URL.
    """

    method = "oauth1"

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        access_token: str,
        access_token_secret: str,
    ) -> None:
        _silence_credential_logs()
        self._consumer_key = consumer_key
        self._access_token = access_token
        self._key = f"{_escape(consumer_secret)}&{_escape(access_token_secret)}".encode()

    def authorization(self, method: str, url: str, nonce: str, timestamp: str) -> str:
        """The Authorization header of one request (oauthlib.oauth1.Client.sign's, for a body
        that is not form-encoded)."""
        protocol = [
            ("oauth_nonce", nonce),
            ("oauth_timestamp", timestamp),
            ("oauth_version", "1.0"),
            ("oauth_signature_method", SIGNATURE_HMAC_SHA256),
            ("oauth_consumer_key", self._consumer_key),
        ]
        if self._access_token:
            protocol.append(("oauth_token", self._access_token))
        address, _, query = url.partition("?")
        address = address.partition("#")[0]
        query = query.partition("#")[0]
        pairs = sorted(
            (_escape(name), _escape(value))
            for name, value in [*parse_qsl(query, keep_blank_values=True), *protocol]
        )
        normalized = "&".join(f"{name}={value}" for name, value in pairs)
        # Its pairs are escaped already, so `%`, `&` and `=` are all it holds that escaping
        # changes: _escape(normalized), without going through a thousand characters in Python.
        escaped = normalized.replace("%", "%25").replace("&", "%26").replace("=", "%3D")
        base = f"{_escape(method.upper())}&{_escape(base_string_uri(address))}&{escaped}"
        digest = hmac.new(self._key, base.encode(), hashlib.sha256).digest()
        protocol.append(("oauth_signature", base64.b64encode(digest).decode()))
        return "OAuth " + ", ".join(f'{_escape(k)}="{_escape(v)}"' for k, v in protocol)

    def header(self, method: str, url: str) -> str:
        return self.authorization(method, url, generate_nonce(), generate_timestamp())


class BearerAuth(MagentoAuth):
    """A token sent as `Authorization: Bearer` (an integration token where the store allows it)."""

    method = "bearer"

    def __init__(self, token: str) -> None:
        self._token = token

    def header(self, method: str, url: str) -> str:  # noqa: ARG002 - the same for every request
        return f"Bearer {self._token}"


class AdminTokenAuth(MagentoAuth):
    """An admin token obtained with a username and password, renewed before it expires and on 401.

    `fetch_token` performs POST /V1/integration/admin/token and returns the token; a lock keeps
    worker threads from fetching it at the same time.
    """

    method = "admin_token"

    def __init__(
        self,
        fetch_token: Callable[[], str],
        *,
        renew_after: float = ADMIN_TOKEN_RENEW_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch_token = fetch_token
        self._renew_after = renew_after
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._obtained_at = 0.0
        self.fetches = 0

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() - self._obtained_at >= self._renew_after:
                self._token = self._fetch_token()
                self._obtained_at = self._clock()
                self.fetches += 1
            return self._token

    def renew(self) -> bool:
        # Only a token the store once accepted is worth renewing: when the token request
        # itself was refused (a wrong password), asking again would be refused again.
        with self._lock:
            had_token = self._token is not None
            self._token = None
        return had_token

    def header(self, method: str, url: str) -> str:  # noqa: ARG002 - the same for every request
        return f"Bearer {self.token()}"


def auth_from_settings(
    settings: MagentoSettings, fetch_admin_token: Callable[[], str]
) -> MagentoAuth:
    """The authenticator the settings ask for (they are validated, so its keys are present)."""
    if settings.auth_method == "oauth1":
        return OAuth1Auth(
            settings.consumer_key or "",
            settings.consumer_secret or "",
            settings.access_token or "",
            settings.access_token_secret or "",
        )
    if settings.auth_method == "bearer":
        return BearerAuth(settings.access_token or "")
    return AdminTokenAuth(fetch_admin_token)
