# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""`magento2-sandbox serve`: a fake Magento 2.4.7 store on this machine until Ctrl-C/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from typing import Any

from magento2_sandbox.sandbox import DEFAULT_ADMIN, DEFAULT_CREDENTIALS, Sandbox


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="magento2-sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="generate a store and serve its REST API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    serve.add_argument("--seed", type=int, default=1)
    serve.add_argument("--orders", type=int, default=500)
    serve.add_argument("--customers", type=int, default=None)
    serve.add_argument("--products", type=int, default=None)
    serve.add_argument("--companies", type=int, default=None)
    serve.add_argument("--no-b2b", action="store_true", help="answer 404 on B2B routes")
    serve.add_argument("--no-msi", action="store_true", help="answer 404 on MSI routes")
    serve.add_argument("--db", default=None, help="SQLite file (default: a temporary one)")
    for name, value in DEFAULT_CREDENTIALS.items():
        serve.add_argument(f"--{name.replace('_', '-')}", default=value)
    serve.add_argument("--admin-username", default=DEFAULT_ADMIN[0])
    serve.add_argument("--admin-password", default=DEFAULT_ADMIN[1])
    serve.add_argument("--latency-ms", type=float, default=0.0)
    serve.add_argument("--max-concurrency", type=int, default=0)
    serve.add_argument("--past-end-mode", choices=["empty", "repeat"], default="empty")
    serve.add_argument("--input-limits", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    options: dict[str, Any] = {
        "seed": args.seed,
        "orders": args.orders,
        "customers": args.customers,
        "products": args.products,
        "companies": args.companies,
        "b2b": not args.no_b2b,
        "msi": not args.no_msi,
        "db": args.db,
        "host": args.host,
        "port": args.port,
        "admin_username": args.admin_username,
        "admin_password": args.admin_password,
        "settings": {
            "latency_ms": args.latency_ms,
            "max_concurrency": args.max_concurrency,
            "past_end_mode": args.past_end_mode,
            "input_limits": args.input_limits,
        },
    }
    for name in DEFAULT_CREDENTIALS:
        options[name] = getattr(args, name)
    started = time.monotonic()
    try:
        sandbox = Sandbox(**options).start()
    except (OSError, ValueError) as error:
        sys.stderr.write(f"magento2-sandbox: cannot start: {error}\n")
        return 2
    stop = threading.Event()

    def on_signal(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    lines = [
        f"Magento 2.4.7 sandbox ready in {time.monotonic() - started:.1f} s",
        f"url: {sandbox.url}",
        *(f"{name}: {sandbox.credentials[name]}" for name in DEFAULT_CREDENTIALS),
        f"admin: {args.admin_username} / {args.admin_password}",
        f"control API: {sandbox.url}/_sandbox/settings (Ctrl-C stops)",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
