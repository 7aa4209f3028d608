# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""Helpers of the magento2_rest tests: a client of a sandbox, and a watcher of its request log."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from magento2_sandbox import Sandbox

    from tests.rest.helpers import Watch


@pytest.fixture
def when_logged() -> Iterator[Watch]:
    """Run an action (in a thread) once the sandbox's request log holds a matching entry.

    Used to end a fault after the client met it once, while the client waits to retry.
    """
    threads: list[threading.Thread] = []
    stop = threading.Event()

    def watch(
        sandbox: Sandbox, matches: Callable[[dict[str, Any]], bool], action: Callable[[], Any]
    ) -> None:
        control = sandbox.control

        def run() -> None:
            while not stop.is_set():
                if any(matches(entry) for entry in control.requests()):
                    action()
                    return
                time.sleep(0.02)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append(thread)

    yield watch
    stop.set()
    for thread in threads:
        thread.join(timeout=5)
