"""`make demo`: start the sandbox store, run real Meltano pipelines against it, stop it.

1. `meltano run tap-magento2 target-duckdb` reads the whole store into output/warehouse.duckdb.
2. The sandbox changes some orders (as a busy store would); the same command runs again and
   brings only the changed rows (plus the rows of the bookmark's second).
3. `meltano run erp-to-magento` (a job of meltano.yml) writes ERP stock, products, invoices,
   shipments and B2B credit from JSON-lines files into the store, then runs again to show that
   nothing is written twice.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from magento2_sandbox import SandboxControl

ROOT = Path(__file__).resolve().parents[1]
# The ERP sample in target-magento2/samples/erp/ is made for seed 1 with 500 orders.
ORDERS = 500


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(
    store: SandboxControl, process: subprocess.Popen[bytes], seconds: float = 120
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the sandbox exited with status {process.returncode} before it was ready")
        try:
            store.settings()
        except OSError:
            time.sleep(0.3)
        else:
            return
    sys.exit(f"the sandbox did not answer on {store.url} within {seconds:.0f} s")


def meltano(*args: str, url: str) -> None:
    command = ["meltano", "--environment=sandbox", *args]
    print(f"\n$ {' '.join(command)}", flush=True)
    env = {**os.environ, "MAGENTO_SANDBOX_URL": url}
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def table_counts(database: Path) -> dict[str, int]:
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'magento'"
            " order by table_name"
        ).fetchall()
        return {
            name: int(connection.execute(f'select count(*) from magento."{name}"').fetchone()[0])  # type: ignore[index]
            for (name,) in tables
        }


def main() -> None:
    if shutil.which("meltano") is None:
        sys.exit("meltano is not on PATH: run the demo with `make demo`")
    output = ROOT / "output"
    output.mkdir(exist_ok=True)
    database = output / "warehouse.duckdb"
    database.unlink(missing_ok=True)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    print(f"Starting the sandbox store on {url} with {ORDERS} orders ...", flush=True)
    sandbox = subprocess.Popen(
        ["magento2-sandbox", "serve", "--port", str(port), "--seed", "1", "--orders", str(ORDERS)],
        cwd=ROOT,
    )
    try:
        store = SandboxControl(url)
        wait_ready(store, sandbox)
        meltano("run", "--full-refresh", "tap-magento2", "target-duckdb", url=url)
        first = table_counts(database)
        print("\nRows in output/warehouse.duckdb after the first run:")
        for name, count in first.items():
            print(f"  {name:24} {count:>8}")

        changed = store.mass_update("orders", count=25)["ids"]
        print(f"\nThe store updated {len(changed)} orders in one second; running again ...")
        meltano("run", "tap-magento2", "target-duckdb", url=url)

        invoices = len(store.truth("invoices"))
        meltano("run", "--full-refresh", "erp-to-magento", url=url)
        written = len(store.truth("invoices")) - invoices
        print(f"\nThe ERP files created {written} invoices in the store; running them again ...")
        meltano("run", "--full-refresh", "erp-to-magento", url=url)
        again = len(store.truth("invoices")) - invoices - written
        print(f"The replay created {again} more invoices (exactly once).")
        print("\nThe demo ran: see output/warehouse.duckdb, and the sandbox's request log above.")
    finally:
        sandbox.send_signal(signal.SIGTERM)
        try:
            sandbox.wait(timeout=30)
        except subprocess.TimeoutExpired:
            sandbox.kill()


if __name__ == "__main__":
    main()
