# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""A set of integer ids kept as sorted ranges, and its compact text form for Singer state.

The deletion check (tap_magento2.deletions) keeps in state every id the tap has written for a
stream. Magento's ids are auto-increment keys, so they come in long runs with few gaps: a
million orders with a few thousand deleted are a few thousand ranges. The text form lists each
range as `gap+length` from the end of the one before, and is deflated and base64-encoded once
it is longer than COMPRESS_ABOVE characters.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import zlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

PLAIN = "r1:"
DEFLATED = "z1:"
COMPRESS_ABOVE = 2048


class IdRanges:
    """Integer ids as disjoint, sorted, inclusive ranges [starts[i], ends[i]]."""

    def __init__(self, ids: Iterable[int] = ()) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for value in ids:
            self.add(value)

    def __len__(self) -> int:
        return sum(end - start + 1 for start, end in zip(self.starts, self.ends, strict=True))

    def __iter__(self) -> Iterator[int]:
        for start, end in zip(self.starts, self.ends, strict=True):
            yield from range(start, end + 1)

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int):
            return False
        at = bisect.bisect_right(self.starts, value) - 1
        return at >= 0 and value <= self.ends[at]

    def __repr__(self) -> str:
        return f"IdRanges({self.encode()!r})"

    @property
    def ranges(self) -> int:
        return len(self.starts)

    def add(self, value: int) -> bool:
        """Add one id; True when it was not there yet. Ascending ids cost O(1) each."""
        starts, ends = self.starts, self.ends
        if not starts or value > ends[-1]:
            if starts and value == ends[-1] + 1:
                ends[-1] = value
            else:
                starts.append(value)
                ends.append(value)
            return True
        at = bisect.bisect_right(starts, value) - 1
        if at >= 0 and value <= ends[at]:
            return False
        joins_left = at >= 0 and ends[at] == value - 1
        joins_right = at + 1 < len(starts) and starts[at + 1] == value + 1
        if joins_left and joins_right:
            ends[at] = ends[at + 1]
            del starts[at + 1], ends[at + 1]
        elif joins_left:
            ends[at] = value
        elif joins_right:
            starts[at + 1] = value
        else:
            starts.insert(at + 1, value)
            ends.insert(at + 1, value)
        return True

    def minus(self, other: IdRanges) -> IdRanges:
        """The ids of this set that `other` lacks (both walked once, in order)."""
        answer = IdRanges()
        j = 0
        for start, end in zip(self.starts, self.ends, strict=True):
            low = start
            while j < len(other.starts) and other.ends[j] < low:
                j += 1
            k = j
            while low <= end:
                if k >= len(other.starts) or other.starts[k] > end:
                    answer.starts.append(low)
                    answer.ends.append(end)
                    break
                if other.starts[k] > low:
                    answer.starts.append(low)
                    answer.ends.append(other.starts[k] - 1)
                low = max(low, other.ends[k] + 1)
                k += 1
        return answer

    # -- text form -------------------------------------------------------------------------

    def encode(self) -> str:
        previous = 0
        parts = []
        for start, end in zip(self.starts, self.ends, strict=True):
            parts.append(f"{start - previous}+{end - start + 1}")
            previous = end
        text = ",".join(parts)
        if len(text) <= COMPRESS_ABOVE:
            return PLAIN + text
        packed = base64.b64encode(zlib.compress(text.encode("ascii"), 1)).decode("ascii")
        return DEFLATED + packed

    @classmethod
    def decode(cls, value: object) -> IdRanges:
        """The set from encode()'s text; ValueError when it is not such a text."""
        if not isinstance(value, str) or not value.startswith((PLAIN, DEFLATED)):
            raise ValueError(f"{value!r:.40} is no id set written by this tap")
        text = value[len(PLAIN) :]
        if value.startswith(DEFLATED):
            try:
                text = zlib.decompress(base64.b64decode(text, validate=True)).decode("ascii")
            except (binascii.Error, zlib.error, UnicodeDecodeError) as error:
                raise ValueError(f"the deflated id set does not unpack ({error})") from None
        answer = cls()
        previous = 0
        for part in filter(None, text.split(",")):
            gap, _, length = part.partition("+")
            try:
                start, count = previous + int(gap), int(length)
            except ValueError:
                raise ValueError(f"{part!r} is no `gap+length` range") from None
            if count < 1 or (answer.starts and start <= previous + 1):
                raise ValueError(f"{part!r} overlaps or touches the range before it")
            answer.starts.append(start)
            answer.ends.append(start + count - 1)
            previous = start + count - 1
        return answer
