# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""Authentication: OAuth 1.0a (HMAC-SHA256), a bearer token, or an admin token from a password.

Each authenticator is a `requests` auth hook, called once per attempt, so every retry carries a new
OAuth nonce, timestamp and signature: Magento accepts a nonce once ("The nonce is already being
used by the consumer with ID %1", Magento\\Integration\\Model\\Oauth\\Nonce\\Generator).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_AUTH_HEADER
from requests_oauthlib import OAuth1

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

# requests_oauthlib and oauthlib log, at DEBUG, the signed headers and the collected OAuth
# parameters: the access token and consumer key would reach any debug log. These records are
# dropped at their source loggers; nothing else of those libraries is touched.
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


class MagentoAuth(requests.auth.AuthBase):
    """Adds credentials to a prepared request; `renew` says if a 401 is worth one more try."""

    method: str = ""

    def renew(self) -> bool:
        """Forget cached credentials after a 401; True if a new attempt could succeed."""
        return False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(********)"


class OAuth1Auth(MagentoAuth):
    """OAuth 1.0a with integration credentials, signed HMAC-SHA256 in the Authorization header.

    requests_oauthlib signs the prepared request's final URL, so what is signed is what is sent;
    JSON bodies are not signed (Magento signs a body only when it is form-encoded).
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
        self._signer = OAuth1(
            consumer_key,
            client_secret=consumer_secret,
            resource_owner_key=access_token,
            resource_owner_secret=access_token_secret,
            signature_method=SIGNATURE_HMAC_SHA256,
            signature_type=SIGNATURE_TYPE_AUTH_HEADER,
        )

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        signed: requests.PreparedRequest = self._signer(request)
        return signed


class BearerAuth(MagentoAuth):
    """A token sent as `Authorization: Bearer` (an integration token where the store allows it)."""

    method = "bearer"

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request


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

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        return request


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
