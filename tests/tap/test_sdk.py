# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""The Singer SDK's standard tap tests, against a sandbox started for this module.

The SDK builds its test class when this module is imported, from a config that must already
name the store, so the sandbox's port is chosen here and the store itself starts in a
module-scoped fixture before the first test runs the tap.

Every built-in test runs; none is left out. Two of them warn rather than fail, and pytest
turns warnings into errors here, so those two warnings are let through:
- transformed_catalog_schema_matches_record warns when a schema property is absent from every
  record: Magento leaves null fields out of its answers (Framework/Reflection/
  DataObjectProcessor.php buildOutputDataArray skips null getters that are not required), and
  the schemas hold every field of Adobe's definitions, so a small sample always lacks some.
- the attribute tests (is_object, is_numeric...) warn "No records were available to test" for
  a property with no non-null value in the sample (extension_attributes, optional objects).
  A stream without any record still fails returns_record.
order_items records are written by the orders stream from the same answers; the SDK's dry
run syncs orders with order_items selected, so the order_items tests see them.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

import pytest
from magento2_sandbox import Sandbox
from singer_sdk.testing import SuiteConfig, get_tap_test_class
from tap_magento2.tap import TapMagento2

if TYPE_CHECKING:
    from collections.abc import Iterator


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


pytestmark = pytest.mark.filterwarnings(
    "ignore:Fields in transformed catalog but not in records:UserWarning",
    "ignore:No records were available to test:UserWarning",
)

PORT = _free_port()
SANDBOX = Sandbox(seed=3, orders=30, port=PORT)
CONFIG = {
    "url": f"http://127.0.0.1:{PORT}",
    **SANDBOX.credentials,
    "page_size": 10,
    "start_date": "2000-01-01T00:00:00+00:00",
}


@pytest.fixture(scope="module", autouse=True)
def _sandbox() -> Iterator[Sandbox]:
    SANDBOX.start()
    yield SANDBOX
    SANDBOX.stop()


TestTapMagento2 = get_tap_test_class(
    TapMagento2,
    config=CONFIG,
    suite_config=SuiteConfig(max_records_limit=25),
)
