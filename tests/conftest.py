"""Fixtures shared by every test: a sandbox store on a free port of 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from magento2_sandbox import Sandbox

SHARED = Path(__file__).resolve().parents[2] / "shared" / "magento"


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes with the given options; every one is stopped when the test ends."""
    started: list[Sandbox] = []

    def start(**options: Any) -> Sandbox:
        sandbox = Sandbox(**options).start()
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """A small store (seed 1) with default settings, fresh for each test."""
    return sandbox_factory(seed=1, orders=60)


@pytest.fixture
def shared_magento_dir() -> Path:
    """../shared/magento beside the checkout; tests that need it skip on a user's clone."""
    if not (SHARED / "admin-schema-2.4.7.json").exists():
        pytest.skip(f"{SHARED} is absent (a user's clone): the schema conformance check needs it")
    return SHARED


def platform_config(sandbox: Sandbox, **extra: Any) -> dict[str, Any]:
    """A config in the integration platforms' form (camelCase keys, `type`) for this sandbox."""
    credentials = sandbox.credentials
    return {
        "url": sandbox.url,
        "consumerKey": credentials["consumer_key"],
        "consumerSecret": credentials["consumer_secret"],
        "accessToken": credentials["access_token"],
        "accessTokenSecret": credentials["access_token_secret"],
        **extra,
    }


def add_website(sandbox: Sandbox, code: str = "pro") -> int:
    """A second website (id 2) with its store group and store view (id 3), named `code`."""
    store = sandbox.store
    store.put("websites", {"id": 2, "code": code, "name": code, "default_group_id": 2})
    store.put("store_groups", {"id": 2, "website_id": 2, "root_category_id": 2,
                               "default_store_id": 3, "name": code, "code": code})  # fmt: skip
    store.put("store_views", {"id": 3, "code": code, "name": f"{code} view", "website_id": 2,
                              "store_group_id": 2, "is_active": 1})  # fmt: skip
    return 2
