# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""The one place the target does things at once: `Workers.map` runs a task over items on at most
`size` threads and returns the results in order.

What may run at once is decided by the caller (a wave holds one record per order, SKU or
company; a batch of source items one item per SKU); how many requests reach the store at once is
decided by the shared client, which every thread goes through (`magento2_rest` max_concurrency:
fewer after 429/503). A task that itself calls `map` runs its items in its own thread, one after
the other, so the target never holds more than `size` threads at work.
"""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

T = TypeVar("T")
R = TypeVar("R")

_worker = threading.local()


def _mark_worker() -> None:
    _worker.inside = True


class Workers:
    """Runs tasks at once on up to `size` threads (1: one after the other, in this thread)."""

    def __init__(self, size: int, name: str = "target-magento2") -> None:
        self.size = max(1, size)
        self.name = name
        self._lock = threading.Lock()
        self._running: set[Future[Any]] = set()

    def map(self, task: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """task(item) for every item, the results in the items' order.

        The first exception is raised once the tasks already started have ended (their outcomes
        are recorded by then); tasks not started yet are not run.
        """
        todo = list(items)
        if self.size == 1 or len(todo) <= 1 or getattr(_worker, "inside", False):
            return [task(item) for item in todo]
        with ThreadPoolExecutor(
            min(self.size, len(todo)), thread_name_prefix=self.name, initializer=_mark_worker
        ) as pool:
            futures = [pool.submit(task, item) for item in todo]
            with self._lock:
                self._running.update(futures)
            try:
                done, _ = wait(futures, return_when=FIRST_EXCEPTION)
                failed = next(
                    (f for f in futures if f in done and not f.cancelled() and f.exception()), None
                )
                if failed is not None:
                    for future in futures:
                        future.cancel()
                    wait(futures)
                    failed.result()  # raises the task's exception
            finally:
                with self._lock:
                    self._running.difference_update(futures)
        return [future.result() for future in futures]

    def stop(self) -> None:
        """Tasks of the running maps not started yet never run (SIGTERM during a batch); those
        started end as usual, so their outcome is known. Later maps run as usual."""
        with self._lock:
            for future in self._running:
                future.cancel()
