# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""Helpers of the magento2_rest tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from magento2_rest import MagentoClient, MagentoSettings
from magento2_rest.errors import Answer
from urllib3 import HTTPHeaderDict

if TYPE_CHECKING:
    import requests
    from magento2_sandbox import Sandbox

# when_logged(sandbox, matches, action): run action once a request-log entry matches.
Watch = Callable[["Sandbox", Callable[[dict[str, Any]], bool], Callable[[], Any]], None]


def client_for(sandbox: Sandbox, **config: Any) -> MagentoClient:
    """A client of `sandbox` with its OAuth credentials, unless `config` says otherwise."""
    merged: dict[str, Any] = {"url": sandbox.url, **sandbox.credentials, **config}
    return MagentoClient(
        MagentoSettings.from_config({k: v for k, v in merged.items() if v is not None})
    )


def admin_client_for(sandbox: Sandbox, password: str) -> MagentoClient:
    """A client of `sandbox` that signs in as its admin user (auth_method admin_token)."""
    return client_for(
        sandbox,
        consumer_key=None,
        consumer_secret=None,
        access_token=None,
        access_token_secret=None,
        username="admin",
        password=password,
    )


def answer_of(response: requests.Response) -> Answer:
    """What the client would have read of an answer the test got with requests."""
    return Answer(
        response.status_code, HTTPHeaderDict(response.headers), response.content, response.url
    )
