"""`make bench`: run every benchmark in this folder, one after the other, against the sandbox.

Each benchmark prints the figures and ratios it measured in its own run; pass `--quick` to run
them all on smaller numbers (what the closing notes give comes from full runs).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["sandbox_scale.py", "client_bench.py", "tap_bench.py", "target_bench.py"]


def main() -> int:
    extra = sys.argv[1:]
    failed = []
    for name in BENCHMARKS:
        print(f"\n=== bench/{name} {' '.join(extra)}", flush=True)
        if subprocess.run([sys.executable, str(HERE / name), *extra], check=False).returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
