# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Large answers go back to the system once they are written.

A page of 300 orders is a body of some 3.5 MB, and several worker threads read one each at once
(tap_magento2.concurrency). glibc's malloc maps a block that large on its own and unmaps it when
freed, but only until the first such block is freed: from then on it raises its mmap threshold
to that size and serves large blocks from its heaps, one per thread (mallopt(3), "dynamic mmap
threshold"), which keep what they once held. The tap's peak memory then grew with the length of
the run, 160 MB reading 10,000 orders against 214 MB reading 100,000 (the tap's default
concurrency, 2026-12-02, bench/tap_bench.py's memory runs), though what waits to be written is
bounded. Setting the threshold turns the dynamic threshold off (mallopt(3)): bodies above it are
mapped and unmapped each time, at the cost of a page fault per 4 KiB (some 850 a page of
orders), and peak memory stays flat: 129 against 137 MB.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

# mallopt's parameter number (malloc.h) and glibc's own default threshold, fixed at that.
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024


def fix_mmap_threshold() -> bool:
    """Fix glibc's mmap threshold at its default; False where the C library is not glibc."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name)
    return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
