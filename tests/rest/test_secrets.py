# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""Secrets never reach logs, exceptions or reprs."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest
from magento2_rest import MagentoAuthError, MagentoClient, MagentoSettings, SearchCriteria
from magento2_rest.auth import AdminTokenAuth, BearerAuth, OAuth1Auth

from tests.rest.helpers import admin_client_for, client_for

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox

ORDERS = SearchCriteria().order_by("entity_id").page(5)
ADMIN_PASSWORD = "sandbox-admin-password1"


def test_no_secret_in_debug_logs_reprs_or_errors(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    secrets = [*sandbox.credentials.values(), ADMIN_PASSWORD]
    texts: list[str] = []
    caplog.set_level(logging.DEBUG)  # every logger, oauthlib and urllib3 included
    oauth = client_for(sandbox)
    oauth.search("/orders", ORDERS)
    admin = admin_client_for(sandbox, ADMIN_PASSWORD)
    admin.search("/orders", ORDERS)
    wrong = MagentoClient(
        MagentoSettings.from_config(
            {"url": sandbox.url, **sandbox.credentials, "consumer_secret": "x"}
        )
    )
    with pytest.raises(MagentoAuthError) as caught:
        wrong.search("/orders", ORDERS)
    texts += [str(caught.value), repr(caught.value)]
    for client in (oauth, admin, wrong):
        texts += [repr(client), repr(client.settings), str(client.settings), repr(client._auth)]
    texts += [
        repr(OAuth1Auth("a", "b", "c", "d")),
        repr(BearerAuth("tok")),
        repr(AdminTokenAuth(str)),
    ]

    assert any("GET /V1/orders -> 200" in record.getMessage() for record in caplog.records)
    everything = caplog.text + "\n".join(texts)
    for secret in secrets:
        assert secret not in everything, secret
    assert "oauth_signature" not in everything
    assert "Bearer " not in everything
    assert "tok" not in "".join(texts[-2:])


def test_debug_line_per_request(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="magento2_rest"):
        client_for(sandbox).search("/orders", ORDERS)
    lines = [r.getMessage() for r in caplog.records if r.name == "magento2_rest"]
    assert len(lines) == 1
    assert lines[0].startswith("GET /V1/orders -> 200 in ")
    assert lines[0].endswith("(attempt 1)")
    assert "searchCriteria" not in lines[0]
