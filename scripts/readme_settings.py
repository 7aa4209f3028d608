"""Write each plugin's settings table into its README from `<plugin> --about --format=markdown`.

The table stands between two markers in tap-magento2/README.md and target-magento2/README.md;
tests/e2e/test_readme_settings.py fails when a README's table is not what --about prints now.
    .venv/bin/python scripts/readme_settings.py          # rewrite both tables
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = {"tap-magento2": ROOT / "tap-magento2", "target-magento2": ROOT / "target-magento2"}
BEGIN = "<!-- settings: written by scripts/readme_settings.py from --about --format=markdown -->"
END = "<!-- /settings -->"


def about_table(plugin: str) -> str:
    """The settings table of --about's markdown (the lines of its `## Settings` section's table)."""
    executable = Path(sys.executable).parent / plugin
    markdown = subprocess.run(
        [str(executable), "--about", "--format=markdown"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    section = markdown.split("## Settings", 1)[1]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


def rendered(readme: str, table: str) -> str:
    pattern = re.compile(re.escape(BEGIN) + r"\n.*?" + re.escape(END), re.DOTALL)
    if not pattern.search(readme):
        raise SystemExit(f"no {BEGIN} ... {END} block in the README")
    return pattern.sub(lambda _: f"{BEGIN}\n{table}\n{END}", readme)


def main() -> None:
    for plugin, folder in PLUGINS.items():
        readme = folder / "README.md"
        readme.write_text(rendered(readme.read_text(), about_table(plugin)))
        print(f"wrote the settings table of {readme.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
