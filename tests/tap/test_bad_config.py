# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""A config that can never work fails at once, in one line, whatever the command.

Discovery is the first thing Meltano runs, so `--discover` must fail as a sync would: these run
the tap's command line as Meltano does and read its exit code and stderr.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import pytest

from tests.tap.runner import sandbox_config

if TYPE_CHECKING:
    from pathlib import Path

    from magento2_sandbox import Sandbox

CREDENTIALS = {
    "consumer_key": "k",
    "consumer_secret": "s",
    "access_token": "t",
    "access_token_secret": "u",
}


def tap(tmp_path: Path, config: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return subprocess.run(
        [sys.executable, "-m", "tap_magento2", "--config", str(path), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if "| ERROR" in line]


@pytest.mark.parametrize("command", [["--discover"], []], ids=["discover", "sync"])
@pytest.mark.parametrize(
    ("config", "says"),
    [
        ({**CREDENTIALS}, "url: missing; give the store's base URL such as https://"),
        ({"url": "htp:/bad", **CREDENTIALS}, "url: 'htp:/bad' is not an http(s) URL"),
        ({"url": "https://shop.example.com/rest/V1", **CREDENTIALS}, "includes /rest"),
        ({"url": "https://shop.example.com", "consumer_key": "k"}, "consumer_secret: missing"),
    ],
    ids=["no url", "malformed url", "rest in url", "missing secret"],
)
def test_a_wrong_setting_fails_in_one_line(tmp_path, command, config, says):
    result = tap(tmp_path, config, *command)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert any(says in line for line in errors(result)), result.stderr


def test_discovery_fails_on_refused_credentials(tmp_path, sandbox: Sandbox):
    config = {**sandbox_config(sandbox), "consumer_secret": "wrong"}
    result = tap(tmp_path, config, "--discover")
    assert result.returncode == 1
    assert result.stdout == ""
    assert any("The signature is invalid" in line for line in errors(result)), result.stderr
    assert "Traceback" not in result.stderr


def test_discovery_fails_where_the_url_is_not_magento(tmp_path, sandbox: Sandbox):
    result = tap(tmp_path, sandbox_config(sandbox, url=f"{sandbox.url}/shop"), "--discover")
    assert result.returncode == 1
    assert result.stdout == ""
    assert errors(result), result.stderr


def test_a_refused_connection_before_any_answer_fails_fast(tmp_path, sandbox: Sandbox):
    port = sandbox.port
    sandbox.stop()  # nothing listens there now
    started = time.monotonic()
    result = tap(tmp_path, {"url": f"http://127.0.0.1:{port}", **CREDENTIALS}, "--discover")
    assert result.returncode == 1
    assert time.monotonic() - started < 20  # not the five minutes of max_retry_time
    assert any("has not answered once in this run: check url" in line for line in errors(result))


def test_discovery_against_a_working_store_types_custom_attributes(tmp_path, sandbox: Sandbox):
    result = tap(tmp_path, sandbox_config(sandbox), "--discover")
    assert result.returncode == 0, result.stderr
    catalog = json.loads(result.stdout)
    products = next(s for s in catalog["streams"] if s["tap_stream_id"] == "products")
    by_code = products["schema"]["properties"]["custom_attributes_by_code"]
    assert by_code["properties"], "custom attributes were not typed from the store"


def test_an_unknown_store_code_is_named(tmp_path, sandbox: Sandbox):
    result = tap(tmp_path, sandbox_config(sandbox, store_code="nosuch"), "--discover")
    assert result.returncode == 1
    assert any(
        "store_code 'nosuch' is no store view of this store" in line for line in errors(result)
    ), result.stderr
