# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""How many requests a client sends at once: fewer when the store says it is overloaded.

A 429 (a CDN's rate limit, Fastly on Adobe Commerce Cloud; Magento 2.4.7's own on order
placement) or a 503 (maintenance, a CDN's first-byte timeout, an exhausted PHP-FPM pool) means
the store wants less. The limit halves on each (additive increase, multiplicative decrease, as
TCP does), and grows by one after RAISE_AFTER answers in a row without one, up to the ceiling.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

RAISE_AFTER = 20


@dataclass
class ConcurrencyReport:
    """What a client ran at: its ceiling, the lowest limit it fell to, the limit at the end."""

    ceiling: int
    lowest: int
    now: int
    throttled: int

    def line(self) -> str:
        if self.ceiling == 1:
            return "one request at a time"
        if not self.throttled:
            return f"up to {self.ceiling} requests at once"
        return (
            f"up to {self.ceiling} requests at once, lowered to {self.lowest} after "
            f"{self.throttled} answers of 429/503, {self.now} at the end"
        )


class AdaptiveLimit:
    """A semaphore whose size follows the store's answers. Thread-safe."""

    def __init__(
        self, ceiling: int, logger: logging.Logger | logging.LoggerAdapter[logging.Logger]
    ) -> None:
        self.ceiling = max(1, ceiling)
        self.limit = self.ceiling
        self.logger = logger
        self._active = 0
        self._calm = 0
        self._lowest = self.ceiling
        self._throttled = 0
        self._condition = threading.Condition()

    def acquire(self) -> None:
        with self._condition:
            while self._active >= self.limit:
                self._condition.wait()
            self._active += 1

    def release(self) -> None:
        with self._condition:
            self._active -= 1
            self._condition.notify_all()

    def overloaded(self, status: int, label: str) -> None:
        """The store answered 429 or 503: halve the limit."""
        with self._condition:
            self._throttled += 1
            self._calm = 0
            if self.limit == 1:
                return
            before, self.limit = self.limit, max(1, self.limit // 2)
            self._lowest = min(self._lowest, self.limit)
        # INFO: the retry of the same answer is the warning; the run summary says what it ran at.
        self.logger.info(
            "%s answered %d: %d requests at once from now on (was %d)",
            label,
            status,
            self.limit,
            before,
        )

    def answered(self) -> None:
        """An answer that was not 429/503: after RAISE_AFTER in a row, one more at once."""
        with self._condition:
            if self.limit >= self.ceiling:
                return
            self._calm += 1
            if self._calm < RAISE_AFTER:
                return
            self._calm = 0
            self.limit += 1
            self._condition.notify_all()
            limit = self.limit
        self.logger.info("the store answers again: %d requests at once", limit)

    def report(self) -> ConcurrencyReport:
        with self._condition:
            return ConcurrencyReport(self.ceiling, self._lowest, self.limit, self._throttled)
