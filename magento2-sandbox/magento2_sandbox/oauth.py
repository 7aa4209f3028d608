# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""OAuth 1.0a verification computed the way Magento 2.4.7 computes it.

Sources: Framework/Oauth/Helper/Request.php (what is signed), Framework/Oauth/Oauth.php (the
order of the checks and their messages), Integration/Model/Oauth/Nonce/Generator.php (nonce
and timestamp), laminas-oauth Signature/AbstractSignature.php (the base string). Written here
on purpose instead of reusing oauthlib: the clients sign with oauthlib, so verifying with it
too would prove nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from magento2_sandbox.errors import WebapiError

# Nonce/Generator.php: a timestamp more than 600 s ahead of the store's clock is refused.
TIME_DEVIATION = 600
_PROTOCOL = re.compile(r"oauth_[a-z_-]+")
_NATURAL = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Integration:
    consumer_id: int
    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str


def rawurlencode(text: str) -> str:
    """PHP rawurlencode (RFC 3986), as laminas Utility::urlEncode uses it."""
    return quote(text, safe="-._~")


def rawurldecode(text: str) -> str:
    """PHP rawurldecode: `+` stays a plus."""
    return unquote(text)


def natural_key(text: str) -> list[Any]:
    """Sort key close to PHP strnatcmp: digit runs compare as numbers, the rest byte-wise."""
    parts: list[Any] = []
    for index, chunk in enumerate(_NATURAL.split(text)):
        parts.append((1, int(chunk), "") if index % 2 else (0, 0, chunk))
    return parts


def header_params(authorization: str) -> dict[str, str]:
    """Request.php _processHeader: split `OAuth k="v", ...` on commas, keep oauth_* names."""
    params: dict[str, str] = {}
    if authorization[:5].lower() != "oauth":
        return params
    for piece in authorization[6:].split(","):
        name, sep, value = piece.strip().partition("=")
        if not sep or not _PROTOCOL.search(name):
            continue
        params[rawurldecode(name)] = rawurldecode(value.strip('"'))
    return params


def query_params(query_string: str) -> dict[str, str]:
    """Request.php _extractQueryStringParams: split on & then =, keys flat, values
    rawurldecoded; a pair that is not exactly `k=v` (a raw `=` inside a value) is dropped."""
    params: dict[str, str] = {}
    for pair in query_string.split("&"):
        pieces = pair.split("=")
        if len(pieces) == 2 and not _PROTOCOL.search(pieces[0]):  # noqa: PLR2004
            params[rawurldecode(pieces[0])] = rawurldecode(pieces[1])
    return params


def form_params(body: bytes) -> dict[str, str]:
    """Request.php: a form body is signed only when it is x-www-form-urlencoded."""
    return query_params(body.decode("utf-8", "replace"))


def normalized_url(url: str) -> str:
    """laminas AbstractSignature::normaliseBaseSignatureUrl: no query, default port dropped,
    host in lower case."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme)
    netloc = host if port in {None, default} else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}{parts.path}"


def base_string(method: str, url: str, params: dict[str, str]) -> str:
    encoded = {
        rawurlencode(key): rawurlencode(value)
        for key, value in params.items()
        if key != "oauth_signature"
    }
    ordered = sorted(encoded, key=natural_key)
    pairs = "&".join(f"{key}={encoded[key]}" for key in ordered)
    return "&".join([method.upper(), rawurlencode(normalized_url(url)), rawurlencode(pairs)])


def sign(
    method: str, url: str, params: dict[str, str], consumer_secret: str, token_secret: str
) -> str:
    key = f"{rawurlencode(consumer_secret)}&{rawurlencode(token_secret)}"
    digest = hmac.new(
        key.encode(), base_string(method, url, params).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


class Verifier:
    """Checks a request signed with the integration's credentials, in Magento's order."""

    def __init__(self, integration: Integration) -> None:
        self.integration = integration
        self._nonces: set[tuple[str, int]] = set()
        self._lock = threading.Lock()

    def verify(
        self,
        *,
        method: str,
        url: str,
        authorization: str,
        query_string: str,
        form_body: bytes | None,
    ) -> None:
        protocol = header_params(authorization)
        params = {**protocol}
        params.update(query_params(query_string))
        if form_body is not None:
            params.update(form_params(form_body))
        # Oauth.php _validateProtocolParams: version, required params, signature method,
        # consumer, nonce and timestamp; then the token; then the signature.
        version = protocol.get("oauth_version")
        if version is not None and version != "1.0":
            raise WebapiError(400, 'The "%1" Oauth version isn\'t supported.', [version])
        for name in (
            "oauth_consumer_key",
            "oauth_signature",
            "oauth_signature_method",
            "oauth_nonce",
            "oauth_timestamp",
            "oauth_token",
        ):
            if name not in protocol:
                raise WebapiError(
                    400, '"%fieldName" is required. Enter and try again.', {"fieldName": name}
                )
        method_name = protocol["oauth_signature_method"]
        if method_name != "HMAC-SHA256":
            # Magento 2.4.4+ supports HMAC-SHA256 only (Oauth.php getSupportedSignatureMethods).
            raise WebapiError(400, "Signature method %1 is not supported", [method_name])
        integration = self.integration
        if not hmac.compare_digest(protocol["oauth_consumer_key"], integration.consumer_key):
            # Integration/Model/Oauth/Consumer... TokenProvider::getConsumerByKey
            raise WebapiError(401, "A consumer having the specified key does not exist")
        self._use_nonce(protocol["oauth_nonce"], protocol["oauth_timestamp"])
        if not hmac.compare_digest(protocol["oauth_token"], integration.access_token):
            # TokenProvider::validateAccessTokenRequest
            raise WebapiError(401, "A token with the specified ID doesn't exist")
        expected = sign(
            method, url, params, integration.consumer_secret, integration.access_token_secret
        )
        if not hmac.compare_digest(expected, protocol["oauth_signature"]):
            raise WebapiError(401, "The signature is invalid. Verify and try again.")

    def _use_nonce(self, nonce: str, timestamp: str) -> None:
        try:
            stamp = int(timestamp)
        except ValueError:
            stamp = 0
        if stamp <= 0 or stamp > time.time() + TIME_DEVIATION:
            # Generator.php throws an input exception here, but its own catch-all turns it
            # into this Oauth exception (401): the timestamp message never reaches a client.
            raise WebapiError(401, "An error occurred validating the nonce")
        key = (nonce, self.integration.consumer_id)
        with self._lock:
            if key in self._nonces:
                raise WebapiError(
                    401,
                    "The nonce is already being used by the consumer with ID %1",
                    [str(self.integration.consumer_id)],
                )
            self._nonces.add(key)
