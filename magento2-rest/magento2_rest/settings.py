# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""Connection settings shared by the tap and the target, and their JSON schema.

`MagentoSettings.from_config` turns a plugin's config mapping into validated, typed settings; every
refusal is a `ConfigError` whose one line names the field and the fix.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, fields
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast, get_args
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ApiType",
    "AuthMethod",
    "ConfigError",
    "MagentoSettings",
    "config_jsonschema",
]

AuthMethod = Literal["oauth1", "bearer", "admin_token"]
ApiType = Literal["V1", "async/V1"]

SECRET_FIELDS = frozenset(
    {"consumer_key", "consumer_secret", "access_token", "access_token_secret", "password"}
)
OAUTH_FIELDS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")

# The integration platform's camelCase names (Magento admin > System > Integrations shows these).
ALIASES = {
    "consumerKey": "consumer_key",
    "consumerSecret": "consumer_secret",
    "accessToken": "access_token",
    "accessTokenSecret": "access_token_secret",
    "type": "api_type",
}

# Magento's store code rule: letters, digits and underscore, starting with a letter
# (Magento\Store\Model\Validation\StoreCodeValidator: /^[a-z]+[a-z0-9_]*$/i).
STORE_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

PROJECT = "magento2-rest"


def package_version() -> str:
    try:
        return metadata.version(PROJECT)
    except metadata.PackageNotFoundError:
        return "0+unknown"


DEFAULT_USER_AGENT = f"{PROJECT}/{package_version()}"
# Requests at once. A store serves them from its PHP-FPM pool (pm.max_children is commonly 10 to
# 50 on stores of this size, and shoppers share it): four keep most workers for the shop, and
# the client lowers it by itself when the store or its CDN answers 429 or 503.
DEFAULT_MAX_CONCURRENCY = 4


class ConfigError(ValueError):
    """A setting is missing or wrong; the message is one line naming the field and the fix."""


@dataclass(frozen=True, repr=False)
class MagentoSettings:
    """Validated settings of one Magento store connection. Build with `from_config`."""

    url: str
    auth_method: AuthMethod
    consumer_key: str | None = None
    consumer_secret: str | None = None
    access_token: str | None = None
    access_token_secret: str | None = None
    username: str | None = None
    password: str | None = None
    store_code: str = "default"
    api_type: ApiType = "V1"
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    max_retries: int = 8
    max_retry_time: float = 300.0
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    user_agent: str = DEFAULT_USER_AGENT
    ca_bundle: str | None = None
    verify_ssl: bool = True
    allow_http: bool = False

    def __repr__(self) -> str:
        shown = []
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name in SECRET_FIELDS and value is not None:
                shown.append(f"{field.name}='********'")
            else:
                shown.append(f"{field.name}={value!r}")
        return f"MagentoSettings({', '.join(shown)})"

    __str__ = __repr__

    @property
    def verify(self) -> bool | str:
        """The CA bundle path to check certificates with, or whether to check them."""
        return self.ca_bundle if self.ca_bundle is not None else self.verify_ssl

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MagentoSettings:
        """Validate a plugin's config (snake_case keys or camelCase aliases; other keys ignored)."""
        values = _merge_aliases(config)
        allow_http = _boolean("allow_http", values.get("allow_http"), default=False)
        url = _url(values.get("url"), allow_http=allow_http)
        auth_method = _auth_method(values)
        store_code = _store_code(values.get("store_code"))
        api_type = _api_type(values.get("api_type"))
        verify_ssl = _boolean("verify_ssl", values.get("verify_ssl"), default=True)
        ca_bundle = _ca_bundle(values.get("ca_bundle"))
        if ca_bundle is not None and not verify_ssl:
            raise ConfigError(
                "ca_bundle: given while verify_ssl is false; drop one (a CA bundle is for checking "
                "certificates)"
            )
        user_agent = values.get("user_agent")
        if user_agent is not None and not isinstance(user_agent, str):
            raise ConfigError(f"user_agent: {user_agent!r} is not a string")
        return cls(
            url=url,
            auth_method=auth_method,
            consumer_key=_string(values, "consumer_key"),
            consumer_secret=_string(values, "consumer_secret"),
            access_token=_string(values, "access_token"),
            access_token_secret=_string(values, "access_token_secret"),
            username=_string(values, "username"),
            password=_string(values, "password"),
            store_code=store_code,
            api_type=api_type,
            connect_timeout=_number("connect_timeout", values.get("connect_timeout"), 10.0),
            read_timeout=_number("read_timeout", values.get("read_timeout"), 120.0),
            max_retries=_count("max_retries", values.get("max_retries"), 8),
            max_retry_time=_number("max_retry_time", values.get("max_retry_time"), 300.0),
            max_concurrency=_concurrency(values.get("max_concurrency")),
            user_agent=user_agent or DEFAULT_USER_AGENT,
            ca_bundle=ca_bundle,
            verify_ssl=verify_ssl,
            allow_http=allow_http,
        )


def _present(value: Any) -> bool:
    # Meltano and environment variables hand over unset settings as empty strings.
    return value is not None and value != ""


def _merge_aliases(config: Mapping[str, Any]) -> dict[str, Any]:
    values = {key: value for key, value in config.items() if _present(value)}
    for alias, name in ALIASES.items():
        if alias not in values:
            continue
        alias_value = values.pop(alias)
        if name in values and values[name] != alias_value:
            secret = name in SECRET_FIELDS
            shown = "" if secret else f" ({values[name]!r} and {alias_value!r})"
            raise ConfigError(
                f"{name}: given twice with different values, as {name} and as its alias "
                f"{alias}{shown}; keep one"
            )
        values[name] = alias_value
    return values


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url(value: Any, *, allow_http: bool = False) -> str:
    fix = "give the store's base URL such as https://shop.example.com"
    if value is None:
        raise ConfigError(f"url: missing; {fix}")
    if not isinstance(value, str):
        raise ConfigError(f"url: {value!r} is not a string; {fix}")
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise ConfigError(f"url: {text!r} is not an http(s) URL; {fix}")
    if parts.query or parts.fragment:
        raise ConfigError(f"url: {text!r} carries a query or fragment; {fix}")
    if parts.username or parts.password:
        raise ConfigError(
            "url: carries a user name or password; remove them and give credentials as settings"
        )
    path = parts.path.rstrip("/")
    segments = [segment.lower() for segment in path.split("/")]
    if "rest" in segments:
        raise ConfigError(
            f"url: {text!r} includes /rest; {fix} (with /index.php if the store needs it): "
            "the client adds /rest/<store_code>/V1"
        )
    if parts.scheme.lower() == "http" and not allow_http and not _loopback(parts.hostname or ""):
        raise ConfigError(
            f"url: {text!r} is plain http, which sends the store's data and the OAuth-signed "
            "requests unencrypted; use https://, or set allow_http: true for a store on a "
            "network you trust"
        )
    return f"{parts.scheme.lower()}://{parts.netloc}{path}"


def _auth_method(values: Mapping[str, Any]) -> AuthMethod:
    choices = get_args(AuthMethod)
    explicit = values.get("auth_method")
    if explicit is not None and explicit not in choices:
        raise ConfigError(f"auth_method: {explicit!r} is not one of {', '.join(choices)}")
    method = cast("AuthMethod", explicit) if explicit is not None else _infer_auth_method(values)
    _check_credentials(method, values)
    for name in (*OAUTH_FIELDS, "username", "password"):
        if name in values and not isinstance(values[name], str):
            raise ConfigError(f"{name}: is not a string")
    return method


def _infer_auth_method(values: Mapping[str, Any]) -> AuthMethod:
    """oauth1 when any OAuth-only key is given, else bearer for a lone access_token, else admin."""
    if any(name in values for name in ("consumer_key", "consumer_secret", "access_token_secret")):
        return "oauth1"
    if "access_token" in values:
        return "bearer"
    if "username" in values or "password" in values:
        return "admin_token"
    raise ConfigError(
        "auth_method: no credentials given; give consumer_key, consumer_secret, access_token and "
        "access_token_secret (System > Integrations), or username and password of an admin user"
    )


def _check_credentials(method: AuthMethod, values: Mapping[str, Any]) -> None:
    if method == "oauth1":
        given = ", ".join(name for name in OAUTH_FIELDS if name in values) or "none"
        for name in OAUTH_FIELDS:
            if name not in values:
                raise ConfigError(
                    f"{name}: missing; OAuth 1.0a needs all four of consumer_key, consumer_secret, "
                    f"access_token and access_token_secret (given: {given}), from the "
                    "integration's page in System > Integrations"
                )
    elif method == "bearer":
        if "access_token" not in values:
            raise ConfigError("access_token: missing; auth_method bearer needs a token")
    else:
        for name in ("username", "password"):
            if name not in values:
                raise ConfigError(
                    f"{name}: missing; auth_method admin_token needs the username and password "
                    "of an admin user"
                )


def _string(values: Mapping[str, Any], name: str) -> str | None:
    value = values.get(name)
    return value if isinstance(value, str) else None


def _store_code(value: Any) -> str:
    if value is None:
        return "default"
    if not isinstance(value, str) or not STORE_CODE.match(value):
        raise ConfigError(
            f"store_code: {value!r} is not a Magento store code; use letters, digits and "
            "underscores starting with a letter (Stores > All Stores shows the codes), or 'all'"
        )
    return value


def _api_type(value: Any) -> ApiType:
    if value is None:
        return "V1"
    choices = get_args(ApiType)
    if isinstance(value, str):
        for choice in choices:
            if value.strip("/").lower() == choice.lower():
                return cast("ApiType", choice)
    raise ConfigError(f"api_type: {value!r} is not one of {', '.join(choices)}")


def _number(name: str, value: Any, default: float) -> float:
    if value is None:
        return default
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not number > 0 or number == float("inf"):
        raise ConfigError(f"{name}: {value!r} is not a positive number of seconds")
    return number


def _count(name: str, value: Any, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif (isinstance(value, str) and value.strip().isdigit()) or (
        isinstance(value, float) and value.is_integer()
    ):
        number = int(value)
    else:
        number = None
    if number is None or number < 0:
        raise ConfigError(f"{name}: {value!r} is not a whole number of 0 or more")
    return number


def _concurrency(value: Any) -> int:
    number = _count("max_concurrency", value, DEFAULT_MAX_CONCURRENCY)
    if number < 1:
        raise ConfigError("max_concurrency: 0 is not allowed; give 1 or more requests at once")
    return number


def _boolean(name: str, value: Any, *, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "1", "yes"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"false", "0", "no"}:
        return False
    raise ConfigError(f"{name}: {value!r} is not true or false")


def _ca_bundle(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"ca_bundle: {value!r} is not a file path")
    path = Path(value).expanduser()
    if not path.exists():
        raise ConfigError(
            f"ca_bundle: {value!r} does not exist; give the path of a PEM file (or a directory "
            "prepared with c_rehash) of the CAs that sign the store's certificate"
        )
    return str(path)


def _secret(description: str) -> dict[str, Any]:
    # The keys singer_sdk.typing.Property(..., secret=True) emits (JSON Schema's writeOnly, plus
    # the SDK's own "secret" hint): Meltano and the SDK redact such settings.
    return {"type": ["string"], "description": description, "secret": True, "writeOnly": True}


def _alias(name: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    described = dict(schema)
    described["description"] = (
        f"Alias of {name} (the integration platform's spelling); give one or the other."
    )
    described.pop("default", None)
    return described


_PROPERTIES: dict[str, dict[str, Any]] = {
    "url": {
        "type": ["string"],
        "description": (
            "The store's base URL, such as https://shop.example.com (add /index.php if the store's "
            "URLs carry it). The client adds /rest/<store_code>/V1."
        ),
    },
    "auth_method": {
        "type": ["string"],
        "enum": list(get_args(AuthMethod)),
        "description": (
            "oauth1 (integration credentials, recommended), bearer (a token sent as Bearer), or "
            "admin_token (username and password of an admin user). Inferred from the keys given "
            "when absent."
        ),
    },
    "consumer_key": _secret("OAuth 1.0a consumer key of the integration (System > Integrations)."),
    "consumer_secret": _secret("OAuth 1.0a consumer secret of the integration."),
    "access_token": _secret(
        "Integration access token (OAuth 1.0a), or the token to send as Bearer with auth_method "
        "bearer."
    ),
    "access_token_secret": _secret("OAuth 1.0a access token secret of the integration."),
    "username": {
        "type": ["string"],
        "description": "Admin user name, for auth_method admin_token.",
    },
    "password": _secret("Admin user password, for auth_method admin_token."),
    "store_code": {
        "type": ["string"],
        "default": "default",
        "description": "Store view code placed in the URL (/rest/<store_code>/V1); 'all' for all.",
    },
    "api_type": {
        "type": ["string"],
        "enum": list(get_args(ApiType)),
        "default": "V1",
        "description": "V1 for synchronous calls, async/V1 to queue writes on the store.",
    },
    "connect_timeout": {
        "type": ["number"],
        "default": 10,
        "description": "Seconds to wait for a connection to the store.",
    },
    "read_timeout": {
        "type": ["number"],
        "default": 120,
        "description": "Seconds to wait for the store's answer.",
    },
    "max_retries": {
        "type": ["integer"],
        "default": 8,
        "description": "Retries of a request after 429, 502-504 or a connection error.",
    },
    "max_retry_time": {
        "type": ["number"],
        "default": 300,
        "description": "Seconds after which a request is no longer retried.",
    },
    "max_concurrency": {
        "type": ["integer"],
        "default": DEFAULT_MAX_CONCURRENCY,
        "minimum": 1,
        "description": (
            "Requests sent to the store at once. Lowered by half when the store or its CDN "
            "answers 429 or 503, raised again by one after every 20 answers without."
        ),
    },
    "user_agent": {
        "type": ["string"],
        "default": DEFAULT_USER_AGENT,
        "description": "User-Agent header sent to the store.",
    },
    "ca_bundle": {
        "type": ["string"],
        "description": "Path of a PEM file of CAs that sign the store's certificate.",
    },
    "verify_ssl": {
        "type": ["boolean"],
        "default": True,
        "description": "Check the store's TLS certificate.",
    },
    "allow_http": {
        "type": ["boolean"],
        "default": False,
        "description": (
            "Allow a plain http:// url for a host other than this machine (127.0.0.1, ::1, "
            "localhost). Off: such a url is refused, since it sends data unencrypted."
        ),
    },
}


def _without_default(schema: Mapping[str, Any]) -> dict[str, Any]:
    # singer-sdk writes a schema's defaults into the config before the plugin sees it, so a
    # default on a setting that has an alias (api_type / type) would look like the user gave
    # both spellings with different values. The default is applied by from_config instead.
    described = dict(schema)
    if "default" in described:
        default = described.pop("default")
        described["description"] = f"{described['description']} Default: {default}."
    return described


config_jsonschema: dict[str, dict[str, Any]] = {
    **{
        name: _without_default(schema) if name in ALIASES.values() else schema
        for name, schema in _PROPERTIES.items()
    },
    **{alias: _alias(name, _PROPERTIES[name]) for alias, name in ALIASES.items()},
}
"""JSON schema `properties` of these settings; the tap and target merge them into their schemas."""
