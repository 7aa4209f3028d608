# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""The sandbox's live settings, changed through `POST /_sandbox/settings` while it serves."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from typing import Any

# Besides 429, 500 and 503: 502 is a gateway whose PHP backend died, waf a firewall's 403 block
# page (Cloudflare, Sucuri), slow the right answer after faults.slow_seconds (past a timeout).
FAULT_KINDS = ("429", "500", "502", "503", "drop", "html", "truncate", "waf", "slow")
# The kinds a store answers when nothing is configured: the ones present before 502, waf, slow.
DEFAULT_FAULT_KINDS = ("429", "500", "503", "drop", "html", "truncate")
# "empty" is Magento 2.4 REST, "repeat" 2.3 (Store.search_json says why).
PAST_END_MODES = ("empty", "repeat")
# The async.operations.all consumer: a background thread ("auto") or only when
# POST /_sandbox/consumer/run asks ("manual"); magento2_sandbox.asyncbulk reads it.
ASYNC_CONSUMER_MODES = ("auto", "manual")
UNREADABLE_ERRORS = ("auto", "404", "500")
OPERATION_ID_MODES = ("2.4", "2.3")
# customer/account_share/scope (Customer/etc/config.xml: 1, per website): where an email is unique.
CUSTOMER_SHARE_SCOPES = ("website", "global")


@dataclass
class Faults:
    rate: float = 0.0
    seed: int = 0
    kinds: list[str] = field(default_factory=lambda: list(DEFAULT_FAULT_KINDS))
    retry_after: int = 1
    slow_seconds: float = 2.0
    route: str | None = None
    methods: list[str] | None = None


@dataclass
class DropAfterCommit:
    route: str | None = None
    method: str | None = None
    count: int = 0


# Settings made of named parts, changed part by part.
_GROUPS = ("faults", "drop_after_commit")


class SettingsError(ValueError):
    """A control request named an unknown setting or gave it a value of the wrong kind."""


@dataclass
class Settings:
    latency_ms: float = 0.0
    per_item_latency_ms: float = 0.0
    # A search's cost in the rows its filter matches (Magento's COUNT over the filter, and the
    # scan where updated_at has no index: customers, products), and the gateway's limit:
    # an answer that would take longer is a 504 page after that long (nginx, Varnish, Fastly).
    per_matched_row_ms: float = 0.0
    gateway_timeout_s: float = 0.0
    max_concurrency: int = 0
    past_end_mode: str = "empty"
    input_limits: bool = False
    bearer_integration_tokens: bool = False
    # Magento_TwoFactorAuth: admin tokens only through its provider endpoints.
    admin_2fa: bool = False
    async_consumer: str = "auto"
    # MSI source deduction at shipment (magento/inventory InventoryShipping): off by default
    # because the seeded orders were not placed against the seeded stock (a source may hold less
    # than an open order needs, and Magento then refuses the shipment).
    source_deduction: bool = False
    # How operations are numbered in bulk answers: "2.4" the operation key (the body's index in
    # its bulk), "2.3" the magento_operation row id, answered in no fixed order.
    operation_ids: str = "2.4"
    # With input_limits: items of one array of data objects in an asynchronous body
    # (EntityArrayValidator's DEFAULT_ASYNC_INPUT_ARRAY_SIZE_LIMIT, 5000).
    async_array_limit: int = 5000
    customer_share_scope: str = "website"
    # nginx in front of PHP-FPM keeps a client's connection open between requests
    # (ngx_http_core_module defaults: keepalive_timeout 75s, keepalive_requests 1000; serving.py):
    # seconds idle before the store closes it (0: after every answer), answers per connection.
    keepalive_timeout_s: float = 75.0
    keepalive_requests: int = 1000
    # Seconds between a write stamping updated_at and its commit (a number, or [low, high] for a
    # random lag in that range): Magento stamps before it commits (FACTS.md, Time).
    commit_lag: float | list[float] = 0.0
    # Entities no answer can hold (kind -> ids): every search page or GET that would contain
    # one fails the way Magento fails, "auto" meaning 404 "The product that was requested
    # doesn't exist" for an order whose product was deleted (magento2 #7518), else a masked 500.
    unreadable: dict[str, list[Any]] = field(default_factory=dict)
    unreadable_error: str = "auto"
    faults: Faults = field(default_factory=Faults)
    drop_after_commit: DropAfterCommit = field(default_factory=DropAfterCommit)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        with self.lock:
            return {
                "latency_ms": self.latency_ms,
                "per_item_latency_ms": self.per_item_latency_ms,
                "per_matched_row_ms": self.per_matched_row_ms,
                "gateway_timeout_s": self.gateway_timeout_s,
                "max_concurrency": self.max_concurrency,
                "past_end_mode": self.past_end_mode,
                "input_limits": self.input_limits,
                "bearer_integration_tokens": self.bearer_integration_tokens,
                "admin_2fa": self.admin_2fa,
                "async_consumer": self.async_consumer,
                "source_deduction": self.source_deduction,
                "operation_ids": self.operation_ids,
                "async_array_limit": self.async_array_limit,
                "customer_share_scope": self.customer_share_scope,
                "keepalive_timeout_s": self.keepalive_timeout_s,
                "keepalive_requests": self.keepalive_requests,
                "commit_lag": copy.deepcopy(self.commit_lag),
                "unreadable": copy.deepcopy(self.unreadable),
                "unreadable_error": self.unreadable_error,
                "faults": copy.deepcopy(vars(self.faults)),
                "drop_after_commit": copy.deepcopy(vars(self.drop_after_commit)),
            }

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial change; nothing changes when any value is refused."""
        staged = self.to_dict()
        for key, value in changes.items():
            if key not in staged:
                raise SettingsError(f"unknown setting {key!r}: use one of {sorted(staged)}")
            if key in _GROUPS:
                if not isinstance(value, dict):
                    raise SettingsError(f"setting {key!r} takes an object")
                for sub in value:
                    if sub not in staged[key]:
                        raise SettingsError(
                            f"unknown setting {key}.{sub}: use one of {sorted(staged[key])}"
                        )
                staged[key].update(value)
            else:
                staged[key] = value
        _validate(staged)
        with self.lock:
            self.latency_ms = float(staged["latency_ms"])
            self.per_item_latency_ms = float(staged["per_item_latency_ms"])
            self.per_matched_row_ms = float(staged["per_matched_row_ms"])
            self.gateway_timeout_s = float(staged["gateway_timeout_s"])
            self.max_concurrency = int(staged["max_concurrency"])
            self.past_end_mode = staged["past_end_mode"]
            self.input_limits = bool(staged["input_limits"])
            self.bearer_integration_tokens = bool(staged["bearer_integration_tokens"])
            self.admin_2fa = bool(staged["admin_2fa"])
            self.async_consumer = staged["async_consumer"]
            self.source_deduction = bool(staged["source_deduction"])
            self.operation_ids = staged["operation_ids"]
            self.async_array_limit = int(staged["async_array_limit"])
            self.customer_share_scope = staged["customer_share_scope"]
            self.keepalive_timeout_s = float(staged["keepalive_timeout_s"])
            self.keepalive_requests = int(staged["keepalive_requests"])
            self.commit_lag = staged["commit_lag"]
            self.unreadable = staged["unreadable"]
            self.unreadable_error = staged["unreadable_error"]
            self.faults = Faults(**staged["faults"])
            self.drop_after_commit = DropAfterCommit(**staged["drop_after_commit"])


def _validate(staged: dict[str, Any]) -> None:
    _validate_plain(staged)
    _validate_bulk(staged)
    faults = staged["faults"]
    rate = faults["rate"]
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise SettingsError("faults.rate takes a number from 0 to 1")
    unknown = [kind for kind in faults["kinds"] if kind not in FAULT_KINDS]
    if unknown or not faults["kinds"]:
        raise SettingsError(f"faults.kinds takes a non-empty list of {FAULT_KINDS}")
    if faults["methods"] is not None:
        faults["methods"] = [str(method).upper() for method in faults["methods"]]
    drop = staged["drop_after_commit"]
    if not isinstance(drop["count"], int) or drop["count"] < 0:
        raise SettingsError("drop_after_commit.count takes an integer >= 0")


def lag_range(value: Any) -> tuple[float, float]:
    """commit_lag as (low, high) seconds; SettingsError for anything else."""
    parts = value if isinstance(value, list) else [value, value]
    numbers = [
        part
        for part in parts
        if not isinstance(part, bool) and isinstance(part, (int, float)) and part >= 0
    ]
    if len(parts) != 2 or len(numbers) != 2 or numbers[0] > numbers[1]:  # noqa: PLR2004
        raise SettingsError("commit_lag takes seconds >= 0, or [low, high] with low <= high")
    return float(numbers[0]), float(numbers[1])


def _validate_plain(staged: dict[str, Any]) -> None:
    lag_range(staged["commit_lag"])
    unreadable = staged["unreadable"]
    if not isinstance(unreadable, dict) or not all(
        isinstance(ids, list) for ids in unreadable.values()
    ):
        raise SettingsError('unreadable takes {"<kind>": [ids]}, e.g. {"orders": [17]}')
    staged["unreadable"] = {kind: [str(key) for key in ids] for kind, ids in unreadable.items()}
    if staged["customer_share_scope"] not in CUSTOMER_SHARE_SCOPES:
        raise SettingsError(f"customer_share_scope takes one of {CUSTOMER_SHARE_SCOPES}")
    if staged["unreadable_error"] not in UNREADABLE_ERRORS:
        raise SettingsError(f"unreadable_error takes one of {UNREADABLE_ERRORS}")
    for key in (
        "latency_ms",
        "per_item_latency_ms",
        "per_matched_row_ms",
        "gateway_timeout_s",
        "max_concurrency",
        "keepalive_timeout_s",
    ):
        value = staged[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise SettingsError(f"setting {key!r} takes a number >= 0, not {value!r}")
    if staged["past_end_mode"] not in PAST_END_MODES:
        raise SettingsError(f"past_end_mode takes one of {PAST_END_MODES}")
    if staged["async_consumer"] not in ASYNC_CONSUMER_MODES:
        raise SettingsError(f"async_consumer takes one of {ASYNC_CONSUMER_MODES}")
    for key in ("input_limits", "bearer_integration_tokens", "admin_2fa", "source_deduction"):
        if not isinstance(staged[key], bool):
            raise SettingsError(f"setting {key!r} takes true or false")


def _validate_bulk(staged: dict[str, Any]) -> None:
    most = staged["keepalive_requests"]
    if isinstance(most, bool) or not isinstance(most, int) or most < 0:
        raise SettingsError("keepalive_requests takes an integer >= 0 (0: any number)")
    limit = staged["async_array_limit"]
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise SettingsError("async_array_limit takes an integer >= 1")
    if staged["operation_ids"] not in OPERATION_ID_MODES:
        raise SettingsError(f"operation_ids takes one of {OPERATION_ID_MODES}")
