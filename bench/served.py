# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""A sandbox served by a process of its own, for benchmarks.

In a thread of the benchmark's process the sandbox would share one interpreter lock with the
loop that reads the tap's output: at eight requests at once it measures that lock, not the tap.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import TracebackType

from magento2_sandbox import SandboxControl
from magento2_sandbox.sandbox import DEFAULT_CREDENTIALS


@dataclass
class ServedSandbox:
    """`magento2-sandbox serve` on a free port, stopped on exit."""

    orders: int
    customers: int | None = None
    products: int | None = None
    msi: bool = True
    url: str = ""
    credentials: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CREDENTIALS))
    process: subprocess.Popen[str] | None = None

    def __enter__(self) -> ServedSandbox:  # noqa: PYI034 - typing.Self needs Python 3.11
        command = [sys.executable, "-m", "magento2_sandbox", "serve", "--port", "0", "--no-b2b"]
        command += ["--orders", str(self.orders)]
        if self.customers is not None:
            command += ["--customers", str(self.customers)]
        if self.products is not None:
            command += ["--products", str(self.products)]
        if not self.msi:
            command.append("--no-msi")
        started = time.perf_counter()
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("url: "):
                self.url = line.split(" ", 1)[1].strip()
                break
        if not self.url:
            raise SystemExit("the sandbox did not start")
        counts = {"orders": self.orders, "customers": self.customers, "products": self.products}
        what = ", ".join(f"{value:,} {name}" for name, value in counts.items() if value is not None)
        print(f"  (sandbox with {what} seeded in {time.perf_counter() - started:.0f} s)")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)

    @property
    def control(self) -> SandboxControl:
        return SandboxControl(self.url)
