# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""TLS: the store's certificate is checked by default, against ca_bundle when given; turning the
check off takes an explicit setting and says so in the log. The sandbox serves HTTPS here with a
certificate from a throwaway CA (trustme)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest
import trustme
from magento2_rest import MagentoUnavailable, SearchCriteria

from tests.rest.helpers import client_for

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from magento2_sandbox import Sandbox

ONE = SearchCriteria().order_by("entity_id").page(1)


@pytest.fixture
def https_store(tmp_path: Path, sandbox_factory: Callable[..., Sandbox]) -> tuple[Sandbox, Path]:
    ca = trustme.CA()
    certificate = ca.issue_cert("127.0.0.1")
    chain, key, ca_file = tmp_path / "chain.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    certificate.private_key_pem.write_to_path(str(key))
    with chain.open("wb") as out:
        for blob in certificate.cert_chain_pems:
            out.write(blob.bytes())
    ca.cert_pem.write_to_path(str(ca_file))
    store = sandbox_factory(seed=1, orders=5, b2b=False, msi=False, tls=(str(chain), str(key)))
    assert store.url.startswith("https://")
    return store, ca_file


def test_an_unknown_ca_is_refused_by_default(https_store: tuple[Sandbox, Path]) -> None:
    store, _ = https_store
    with pytest.raises(MagentoUnavailable) as caught:
        client_for(store, max_retries=0).search("/orders", ONE)
    message = str(caught.value)
    assert "the TLS connection failed" in message
    assert "give ca_bundle with the CA that signs the store's certificate" in message


def test_ca_bundle_names_the_ca_to_trust(https_store: tuple[Sandbox, Path]) -> None:
    store, ca_file = https_store
    page = client_for(store, ca_bundle=str(ca_file)).search("/orders", ONE)
    assert len(page.items) == 1  # the OAuth signature covers the https URL, too


def test_turning_verification_off_is_explicit_and_logged(
    https_store: tuple[Sandbox, Path], caplog: pytest.LogCaptureFixture
) -> None:
    store, _ = https_store
    with caplog.at_level(logging.WARNING, logger="magento2_rest"):
        client = client_for(store, verify_ssl=False)
        assert len(client.search("/orders", ONE).items) == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        "verify_ssl is false: the store's TLS certificate is not checked" in w for w in warnings
    )
