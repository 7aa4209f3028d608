# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Reading the tap's messages: a line that is no Singer message is refused, not fatal.

The SDK's reader stops the whole run at the first line that is not JSON (or has no `type`), with
a traceback, and what came before is flushed or not by chance. Here such a line goes to the
rejects file with its number and the reason, the lines after it are read as usual, and the run's
exit status says that something was refused (fail_on_reject).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import IO, TYPE_CHECKING, Any

from singer_sdk.io_base import SingerReader

if TYPE_CHECKING:
    from collections.abc import Callable

# What a refused line quotes of itself.
QUOTED_CHARS = 200


class TolerantReader(SingerReader):
    """Singer messages from stdin; `on_bad_line(number, text, reason)` hears of the others."""

    def __init__(self) -> None:
        super().__init__()
        self.on_bad_line: Callable[[int, str, str], None] | None = None

    def process_lines(
        self,
        file_input: IO[str] | None,
        callbacks: dict[str, Callable[[dict[str, Any]], None]],
    ) -> Counter[str]:
        stats: dict[str, int] = defaultdict(int)
        for number, line in enumerate(file_input or self.default_input, start=1):
            if not line.strip():
                continue
            self._current_message = line
            message = self.parse(number, line)
            if message is None:
                continue
            kind = message["type"]
            if callback := callbacks.get(kind):
                callback(message)
            else:
                self._process_unknown_message(message)
            stats[kind] += 1
        return Counter(**stats)

    def parse(self, number: int, line: str) -> dict[str, Any] | None:
        try:
            message = json.loads(line)
        except ValueError as error:
            reason = f"line {number} is not JSON ({error.msg} at column {error.pos + 1})"  # type: ignore[attr-defined]
            self.refuse(number, line, reason)
            return None
        if not isinstance(message, dict) or "type" not in message:
            self.refuse(number, line, f"line {number} is JSON but no Singer message (no type)")
            return None
        return message

    def refuse(self, number: int, line: str, reason: str) -> None:
        if self.on_bad_line is None:
            raise ValueError(reason)
        self.on_bad_line(number, line.strip()[:QUOTED_CHARS], reason)
