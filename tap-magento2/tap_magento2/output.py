# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""How the tap writes Singer messages: msgspec's encoder, flushed at each STATE.

The SDK's msgspec writer (singer_sdk.contrib.msgspec) encodes a message several times faster
than `json.dumps` (bench/tap_bench.py measures the tap's CPU per record against json), but, like
the SDK's default writer, flushes stdout after every message: one system call per record. Here
RECORD messages wait (in one buffer, written at 64 KiB) until the next other message, a STATE
at the latest (the tap writes one after every page), so a run killed at any moment has written
every record the last STATE it wrote speaks for, and the next run resumes from that STATE.

`RecordLines` writes a stream's RECORD lines without a RecordMessage per record: the same bytes
the SDK's msgspec writer makes of one (same encoder, same keys in the same order), at a fifth of
the cost, which is most of what the tap spends per small record (bench/tap_bench.py).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from singer_sdk.contrib.msgspec import MsgSpecWriter, encoder
from singer_sdk.helpers._util import utc_now
from singer_sdk.singerlib import SingerMessageType

if TYPE_CHECKING:
    from singer_sdk.singerlib.encoding.simple import Message


# RECORD lines gathered before they go to stdout in one write.
PENDING_BYTES = 1 << 16
# How long one time_extracted stands for the records written after it (the SDK stamps each).
STAMP_SECONDS = 0.05


class SingerWriter(MsgSpecWriter):
    """msgspec-encoded Singer messages on stdout, flushed at every message but RECORD."""

    def __init__(self) -> None:
        super().__init__()
        # One write per 64 KiB of records rather than one per record: a write to a buffered
        # stream costs a few microseconds, as much as encoding a small record.
        self._pending = bytearray()

    def write_message(self, message: Message) -> None:
        self._pending += self.format_message(message)
        record = message.type == SingerMessageType.RECORD
        if not record or len(self._pending) >= PENDING_BYTES:
            self._write_pending(flush=not record)

    def write_record(self, head: bytes, record: dict[str, Any], tail: bytes) -> None:
        """One RECORD line made of its parts (RecordLines): head, the record, tail."""
        pending = self._pending
        pending += head
        encoder.encode_into(record, pending, -1)
        pending += tail
        if len(pending) >= PENDING_BYTES:
            self._write_pending(flush=False)

    def _write_pending(self, *, flush: bool) -> None:
        out = sys.stdout
        buffer = getattr(out, "buffer", None)
        if buffer is not None:
            buffer.write(self._pending)
        else:  # a text stream without bytes underneath (a test's capture)
            out.write(self._pending.decode())
        self._pending.clear()
        if flush:
            out.flush()


class RecordLines:
    """A stream's RECORD lines, `{"type":"RECORD","stream":..,"record":..,"version":..,
    "time_extracted":..}`, as RecordMessage.to_dict() and the SDK's encoder would write them.

    The stream name is encoded once; the tail (version and time_extracted) again only when the
    version changes or STAMP_SECONDS have passed, so a record costs one encode of its own.
    """

    def __init__(self, writer: SingerWriter, stream: str) -> None:
        self.writer = writer
        self.head = b'{"type":"RECORD","stream":' + encoder.encode(stream) + b',"record":'
        self._tail = b""
        self._version: int | None = None
        self._stamped = float("-inf")

    def write(self, record: dict[str, Any], version: int | None) -> None:
        now = time.monotonic()
        if now - self._stamped >= STAMP_SECONDS or version != self._version:
            self._stamped = now
            self._version = version
            self._tail = self.tail(version, utc_now())
        self.writer.write_record(self.head, record, self._tail)

    @staticmethod
    def tail(version: int | None, extracted: object) -> bytes:
        tail = b""
        if version is not None:
            tail += b',"version":' + encoder.encode(version)
        return tail + b',"time_extracted":' + encoder.encode(extracted) + b"}\n"
