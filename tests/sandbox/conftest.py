# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Helpers for the sandbox's own tests: requests signed with requests_oauthlib (an
implementation independent of the sandbox's verifier)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
import requests
from requests_oauthlib import OAuth1

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox


def oauth(sandbox: Sandbox, signature_method: str = "HMAC-SHA256") -> OAuth1:
    c = sandbox.credentials
    return OAuth1(
        c["consumer_key"],
        c["consumer_secret"],
        c["access_token"],
        c["access_token_secret"],
        signature_method=signature_method,
        signature_type="auth_header",
    )


class Api:
    """GET/POST against one sandbox with OAuth; `store` picks /rest/{store}/V1."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.auth = oauth(sandbox)

    def url(self, route: str, store: str | None = None) -> str:
        prefix = f"/rest/{store}" if store else "/rest"
        return f"{self.sandbox.url}{prefix}/V1{route}"

    def get(self, route: str, params: Any = None, store: str | None = None) -> requests.Response:
        """Values are percent-encoded with %20 for a space, as Magento needs for OAuth."""
        pairs = list(params.items()) if isinstance(params, dict) else list(params or [])
        query = "&".join(f"{key}={quote(str(value), safe='')}" for key, value in pairs)
        url = self.url(route, store) + (f"?{query}" if query else "")
        return requests.get(url, auth=self.auth, timeout=30)

    def json(self, route: str, params: Any = None, store: str | None = None) -> Any:
        answer = self.get(route, params, store)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def post(self, route: str, body: Any, store: str | None = None) -> requests.Response:
        return requests.post(self.url(route, store), json=body, auth=self.auth, timeout=30)

    def search(self, route: str, params: Any = None, store: str | None = None) -> dict[str, Any]:
        return dict(self.json(route, params, store))


def criteria(*groups: list[tuple[str, Any, str]], **extra: Any) -> list[tuple[str, str]]:
    """searchCriteria query pairs: each group is a list of (field, value, condition_type)."""
    pairs: list[tuple[str, str]] = []
    for g, group in enumerate(groups):
        for f, (field, value, condition) in enumerate(group):
            prefix = f"searchCriteria[filter_groups][{g}][filters][{f}]"
            pairs.append((f"{prefix}[field]", field))
            if value is not None:
                pairs.append((f"{prefix}[value]", str(value)))
            pairs.append((f"{prefix}[condition_type]", condition))
    for key, value in extra.items():
        pairs.append((f"searchCriteria[{key}]", str(value)))
    return pairs


@pytest.fixture
def api(sandbox: Sandbox) -> Api:
    return Api(sandbox)
