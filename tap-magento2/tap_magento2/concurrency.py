# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Reading one stream with several requests at once, written out in order.

Incremental streams: the range [start, bound) is cut into time windows, each paged with the exact
keyset cursor by one worker; the rows are written window after window, so the output stays in
(updated_at, id) order and STATE after any page is resumable. The windows are cut where the rows
are: at the start, at the updated_at of evenly spaced ranks of the remaining rows (one-row pages,
asked at once); later, a worker whose window still holds more than two pages while a worker is
idle gives the later half of its time range to a new window. A busy second cannot be cut and is
paged by one worker. Windows keep each request's COUNT and sort small
too, which matters on tables with no index on updated_at (customers, products).

Full-table streams: the first page gives total_count; the other pages are asked at once (by
offset, sorted on the key as before) and written in page order.

What waits to be written is bounded: BUFFERED_PAGES full pages of rows per worker, the pages
being read included, and HEAD_PAGES of the window being written (counted in rows: windows'
pages may be short, and a bound in pages would let memory grow with the store's size until they
are full). It waits as the JSON Magento sent, one piece per row (SearchPage.raw_items), decoded
only when it is written: a page of 300 orders is some 3 MB of JSON but four times that as
dicts, so decoded pages waiting made the tap's peak memory grow with its concurrency
(bench/tap_bench.py). The worker of the window being written never waits for the others, so
the output always moves. Requests at once are bounded by the client's adaptive limit
(magento2_rest.politeness), whatever the number of workers.
"""

from __future__ import annotations

import functools
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import msgspec
from magento2_rest import MagentoError, timestamps

from tap_magento2.narrowing import Narrowing, breaks_the_page

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from magento2_rest import SearchCriteria, SearchPage

    from tap_magento2.client import IncrementalStream, MagentoStream

# A row waiting to be written: Magento's JSON of it, or, read around a failing page
# (tap_magento2.narrowing), the row decoded.
Row = msgspec.Raw | dict[str, Any]
# Pages that may wait to be written, per worker: the bound keeps memory flat whatever the
# store's size.
BUFFERED_PAGES = 2
# Pages the window being written may hold (waiting, or being read) beyond BUFFERED_PAGES.
HEAD_PAGES = 2
# Windows cut at the start: at most this many per worker, of at least PAGES_PER_WINDOW pages.
# Small windows keep every worker busy under the bound on what waits to be written: the window
# being written is read by one worker, so a long one would leave the others waiting on it.
WINDOWS_PER_WORKER = 16
PAGES_PER_WINDOW = 2


def row(waiting: Row) -> dict[str, Any]:
    """A row that waited to be written, decoded."""
    if isinstance(waiting, msgspec.Raw):
        decoded: dict[str, Any] = msgspec.json.decode(waiting)
        return decoded
    return waiting


def _seconds(value: str) -> int:
    return int(timestamps.parse(value).timestamp())


def _magento(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime(timestamps.MAGENTO_FORMAT)


def _after(second: str) -> str:
    """The second after `second`: the exclusive time bound of a window ending in it."""
    return _magento(_seconds(second) + 1)


@dataclass
class Window:
    """Rows with lower <= updated_at < upper, after `cursor`, read by one worker."""

    lower: str | None
    upper: str
    cursor: tuple[str, int] | None
    # A window cut at a row ends just before it (its second may go on in the next window).
    until: tuple[str, int] | None = None
    pages: deque[list[Row]] = field(default_factory=deque)
    # Rows in `pages`.
    rows: int = 0
    claimed: bool = False
    done: bool = False
    error: BaseException | None = None


class WindowedWalk:
    """The rest of one keyset walk, read by `workers` threads and written in order."""

    def __init__(
        self,
        stream: IncrementalStream,
        *,
        start: str | None,
        cursor: tuple[str, int] | None,
        bound: str,
        store_code: str | None,
        fields: str | None,
        workers: int,
    ) -> None:
        self.stream = stream
        self.store_code = store_code
        self.fields = fields
        self.workers = workers
        self.windows = [Window(start, bound, cursor)]
        self.head = 0
        self.buffered = 0
        self.stopping = False
        self.condition = threading.Condition()
        self.splits = 0

    # -- the windows ----------------------------------------------------------------------

    def partition(self, remaining: int) -> None:
        """Cut the range where the rows are: the updated_at of the rows at ranks remaining/n,
        2 remaining/n, ... (one-row pages by offset, asked at once) are the windows' bounds.

        The bounds need not be exact, only ordered: a row that moves meanwhile is in one window
        or the next, never in two and never in none, since the windows cover [cursor, bound).
        """
        size = self.stream.request_page_size
        pages = -(-remaining // size)
        count = min(self.workers * WINDOWS_PER_WORKER, pages // PAGES_PER_WINDOW)
        if count < 2:  # noqa: PLR2004 - one window needs no bounds
            return
        first = self.windows[0]
        # Each window starts at a row whose rank is a multiple of the page size, so it is read
        # in whole pages: no short last page costing a request of its own.
        per_window = -(-pages // count) * size
        ranks = list(range(per_window + 1, remaining + 1, per_window))
        with ThreadPoolExecutor(self.workers, thread_name_prefix=f"{self.stream.name}-cut") as pool:
            found = list(pool.map(self.key_at_rank, ranks))
        cuts = sorted({key for key in found if key is not None and key[0] < first.upper})
        if first.cursor is not None:
            cuts = [key for key in cuts if key > first.cursor]
        if not cuts:
            return
        windows = [Window(first.lower, _after(cuts[0][0]), first.cursor, until=cuts[0])]
        for key, following in zip(cuts, [*cuts[1:], None], strict=True):
            upper = first.upper if following is None else _after(following[0])
            windows.append(Window(None, upper, (key[0], key[1] - 1), until=following))
        self.windows = windows
        self.splits += len(windows) - 1

    def key_at_rank(self, rank: int) -> tuple[str, int] | None:
        """(updated_at, id) of the rank-th remaining row (1-based), None if it cannot be read."""
        first = self.windows[0]
        stream = self.stream
        try:
            page = stream.search(
                lambda _: stream.keyset_criteria(1, first.lower, first.cursor, first.upper).page(
                    1, rank
                ),
                self.store_code,
                self.fields,
                size=1,
            )
        except MagentoError as error:
            if breaks_the_page(error):
                return None  # an unreadable record: a bound fewer
            raise
        if not page.items:
            return None
        row = page.items[0]
        return str(row[stream.replication_key]), int(row[stream.id_field])

    # -- the ordered output --------------------------------------------------------------

    def rows(self) -> Iterator[list[Row]]:
        """The rows, one page at a time, in (updated_at, id) order (decode them with `row`)."""
        threads = [
            threading.Thread(target=self.work, name=f"{self.stream.name}-{n}", daemon=True)
            for n in range(self.workers)
        ]
        for thread in threads:
            thread.start()
        try:
            while True:
                page = self.next_page()
                if page is None:
                    return
                yield page
        finally:
            with self.condition:
                self.stopping = True
                self.condition.notify_all()
            for thread in threads:
                thread.join()

    def next_page(self) -> list[Row] | None:
        with self.condition:
            while True:
                if self.head >= len(self.windows):
                    return None
                window = self.windows[self.head]
                if window.pages:
                    page = window.pages.popleft()
                    window.rows -= len(page)
                    self.buffered -= len(page)
                    self.condition.notify_all()
                    return page
                if window.error is not None:
                    raise window.error
                if window.done:
                    self.head += 1
                    self.condition.notify_all()
                    continue
                self.condition.wait()

    # -- the workers ---------------------------------------------------------------------

    def work(self) -> None:
        while True:
            window = self.claim()
            if window is None:
                return
            try:
                self.walk(window)
            except BaseException as error:
                # The windows before this one are still read and written; the output raises
                # this when it reaches it, and then stops every worker.
                with self.condition:
                    window.error = error
            finally:
                with self.condition:
                    window.done = True
                    self.condition.notify_all()

    def claim(self) -> Window | None:
        with self.condition:
            while not self.stopping:
                for window in self.windows[self.head :]:
                    if not window.claimed:
                        window.claimed = True
                        return window
                if all(window.done for window in self.windows[self.head :]):
                    return None
                self.condition.wait()
            return None

    def push(self, window: Window, rows: list[Row]) -> None:
        if not rows:
            return
        with self.condition:
            window.pages.append(rows)
            window.rows += len(rows)
            self.buffered += len(rows)
            self.condition.notify_all()

    def reserve(self, window: Window) -> int | None:
        """Room for one more page of `window`, counted as waiting until it is pushed (so pages
        being read count too: without that, every worker could pass the bound by the page it
        is reading); None when the walk is stopping. The others wait for room among all the
        pages waiting or being read; the window being written waits only for its own pages to
        be written (the output drains it, so it cannot wait forever; were it to wait for the
        others', which wait for it to be written, the walk would stop), and may hold
        HEAD_PAGES of its own beyond the bound."""
        size = self.stream.request_page_size
        limit = BUFFERED_PAGES * self.workers * size
        with self.condition:
            while not self.stopping:
                is_head = self.head < len(self.windows) and self.windows[self.head] is window
                if is_head:
                    room = window.rows + size <= HEAD_PAGES * size
                else:
                    room = self.buffered + size <= limit
                if room:
                    self.buffered += size
                    return size
                self.condition.wait()
            return None

    def release(self, reserved: int) -> None:
        with self.condition:
            self.buffered -= reserved
            self.condition.notify_all()

    def walk(self, window: Window) -> None:
        while (reserved := self.reserve(window)) is not None:
            try:
                more = self.read_page(window)
            finally:
                self.release(reserved)
            if not more:
                return

    def read_page(self, window: Window) -> bool:
        """One page of the window, pushed; False once the window is read."""
        stream = self.stream
        try:
            page = stream.search(
                functools.partial(
                    stream.keyset_criteria,
                    start=window.lower,
                    cursor=window.cursor,
                    bound=window.upper,
                    until=window.until,
                ),
                self.store_code,
                self.fields,
            )
        except MagentoError as error:
            if not breaks_the_page(error):
                raise
            self.read_around(window, error)
            return True
        items = page.raw_items
        if not items:
            return False
        last = row(items[-1])
        window.cursor = stream.advance(window.cursor, last, stream.name)
        self.push(window, list(items))
        if len(items) >= page.total_count:
            return False
        self.maybe_split(
            window, str(last[stream.replication_key]), len(items), page.total_count - len(items)
        )
        return True

    def maybe_split(self, window: Window, last: str, size: int, remaining: int) -> None:
        """Give the later half of the window's time range (after `last`, the updated_at its
        latest page ended on) to a new window, if a worker idles."""
        if remaining <= 2 * size:
            return
        with self.condition:
            waiting = sum(1 for w in self.windows[self.head :] if not w.claimed)
            if waiting >= self.workers - 1:
                return
            after = _seconds(last) + 1
            upper = _seconds(window.upper)
            middle = (after + upper) // 2
            if not after < middle < upper:
                return  # a busy second: one worker pages it
            index = self.windows.index(window)
            later = Window(_magento(middle), window.upper, None, until=window.until)
            self.windows.insert(index + 1, later)
            window.upper = _magento(middle)
            window.until = None
            self.splits += 1
            self.condition.notify_all()

    def read_around(self, window: Window, error: MagentoError) -> None:
        """A page of this window keeps failing: narrow it down (tap_magento2.narrowing)."""
        pending: list[Row] = []

        def hand_over() -> None:
            self.push(window, list(pending))
            pending.clear()

        narrowing = Narrowing(
            self.stream,
            start=window.lower,
            bound=window.upper,
            store_code=self.store_code,
            fields=self.fields,
            flush=hand_over,
            until=window.until,
        )
        rows = narrowing.rows(window.cursor, self.stream.request_page_size, error)
        while True:
            try:
                pending.append(next(rows)[0])
            except StopIteration as finished:  # noqa: PERF203 - the generator's return value
                cursor, bad = finished.value
                break
        hand_over()
        window.cursor = cursor
        if bad is not None:
            self.stream.magento_tap.unreadable(bad, self.stream.report)
            window.cursor = (bad.updated_at, bad.id)


def offset_pages(
    stream: MagentoStream,
    route: str,
    criteria: SearchCriteria,
    *,
    store_code: str | None,
    fields: str | None,
    workers: int,
) -> Iterator[SearchPage]:
    """Every page of an offset search (sorted on a unique key), several asked at once, in order.

    Stops on total_count; a page that repeats the one before is the end (Magento 2.3 answers a
    page past the end with the last page again: #3787), an empty page too.
    """
    first = stream.search(lambda size: criteria.page(size, 1), store_code, fields, route)
    yield first
    # The size the first page was asked at (after any input-limit refusal or slow-page halving).
    size = stream.request_page_size
    pages = -(-first.total_count // size)
    if pages <= 1:
        return
    fetch: Callable[[int], SearchPage] = functools.partial(
        _offset_page, stream, route, criteria, store_code, fields, size
    )
    previous = first.items
    with ThreadPoolExecutor(workers, thread_name_prefix=f"{stream.name}-page") as pool:
        pending = deque(pool.submit(fetch, n) for n in range(2, min(pages, workers + 1) + 1))
        following = min(pages, workers + 1) + 1
        try:
            while pending:
                page = pending.popleft().result()
                if following <= pages:
                    pending.append(pool.submit(fetch, following))
                    following += 1
                if not page.items or page.items == previous:
                    return
                yield page
                previous = page.items
        finally:
            for future in pending:
                future.cancel()


def _offset_page(  # noqa: PLR0917 - the parts of one request
    stream: MagentoStream,
    route: str,
    criteria: SearchCriteria,
    store_code: str | None,
    fields: str | None,
    size: int,
    number: int,
) -> SearchPage:
    # Offsets need one size for the whole walk: `size` exactly, never lowered mid-way.
    return stream.search(
        lambda _: criteria.page(size, number), store_code, fields, route, size=size
    )
