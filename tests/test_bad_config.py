# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""A config that can never work fails at once, in one line, whatever the command.

Discovery is the first thing Meltano runs, so the tap's `--discover` must fail as its sync does,
and the target as the tap: each case runs the three command lines as Meltano does (the target
with one record to write) and reads the exit code, stdout and stderr: exit 1, the line that
names the problem and the fix, no traceback, and nothing on stdout but what a tap sends before
its first request (the SCHEMA messages).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest

from tests.tap.runner import sandbox_config

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from magento2_sandbox import Sandbox

CREDENTIALS = {
    "consumer_key": "k",
    "consumer_secret": "s",
    "access_token": "t",
    "access_token_secret": "u",
}
# One OAuth setting missing: the first and the last checked (the same code names each).
OAUTH_GONE = ("consumer_key", "access_token_secret")
PROGRAMS = {
    "tap --discover": ["tap_magento2", "--discover"],
    "tap sync": ["tap_magento2"],
    "target": ["target_magento2"],
}
# What the target is given to write: one source item of the sandbox's catalog.
TARGET_INPUT = "".join(
    json.dumps(message) + "\n"
    for message in (
        {
            "type": "SCHEMA",
            "stream": "source_items",
            "schema": {
                "type": "object",
                "properties": {
                    "sku": {"type": "string"},
                    "source_code": {"type": "string"},
                    "quantity": {"type": "number"},
                },
            },
            "key_properties": [],
        },
        {
            "type": "RECORD",
            "stream": "source_items",
            "record": {"sku": "CA00011", "source_code": "default", "quantity": 3},
        },
    )
)
ADMIN_PASSWORD = "sandbox-admin-password1"


def without(settings: dict[str, str], gone: str) -> dict[str, str]:
    return {name: value for name, value in settings.items() if name != gone}


def run(program: str, tmp_path: Path, config: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**config, "rejects_file": str(tmp_path / "rejects.jsonl")}))
    module, *args = PROGRAMS[program]
    return subprocess.run(
        [sys.executable, "-m", module, "--config", str(path), *args],
        input=TARGET_INPUT if program == "target" else "",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if "| ERROR" in line]


def assert_fails_saying(program: str, result: subprocess.CompletedProcess[str], says: str) -> None:
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    if program != "tap sync":  # a sync sends its SCHEMA messages before the first request
        assert result.stdout == ""
    assert any(says in line for line in errors(result)), result.stderr[-2000:]


@pytest.fixture(scope="module")
def not_magento() -> Iterator[dict[str, str]]:
    """Two servers on 127.0.0.1 answering 200 to everything: a shop's HTML front page, and a
    JSON API that is not Magento's."""

    def server(content_type: str, body: bytes) -> ThreadingHTTPServer:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_PUT = do_GET  # noqa: N815 - http.server's names

            def log_message(self, *_: Any) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return httpd

    servers = {
        "html": server("text/html; charset=UTF-8", b"<html><body><h1>Our shop</h1></body></html>"),
        "json": server("application/json", b'{"status": "ok", "data": []}'),
    }
    yield {name: f"http://127.0.0.1:{httpd.server_port}" for name, httpd in servers.items()}
    for httpd in servers.values():
        httpd.shutdown()


@pytest.mark.parametrize("program", PROGRAMS)
@pytest.mark.parametrize(
    ("config", "says"),
    [
        ({**CREDENTIALS}, "url: missing; give the store's base URL such as https://"),
        ({"url": "htp:/bad", **CREDENTIALS}, "url: 'htp:/bad' is not an http(s) URL"),
        ({"url": "https://shop.example.com/rest/V1", **CREDENTIALS}, "includes /rest"),
        (
            {"url": "http://shop.example.com", **CREDENTIALS},
            (
                "is plain http, which sends the store's data and the OAuth-signed requests "
                "unencrypted; use https://, or set allow_http: true"
            ),
        ),
        *(
            (
                {"url": "https://shop.example.com", **without(CREDENTIALS, gone)},
                f"{gone}: missing; OAuth 1.0a needs all four of consumer_key, consumer_secret",
            )
            for gone in OAUTH_GONE
        ),
        (
            {"url": "https://shop.example.com"},
            "auth_method: no credentials given; give consumer_key, consumer_secret, access_token",
        ),
        (
            {"url": "https://shop.example.com", "username": "admin"},
            "password: missing; auth_method admin_token needs the username and password",
        ),
    ],
    ids=[
        "no url",
        "malformed url",
        "rest in url",
        "http to a host on the network",
        *(f"no {gone}" for gone in OAUTH_GONE),
        "no credentials",
        "admin user without password",
    ],
)
def test_a_wrong_setting_fails_in_one_line(tmp_path, program, config, says):
    assert_fails_saying(program, run(program, tmp_path, config), says)


@pytest.mark.parametrize("program", PROGRAMS)
@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("wrong secret", "The signature is invalid. Verify and try again. - check consumer_secret"),
        (
            "bearer refused",
            "Allow OAuth Access Tokens to be used as standalone Bearer tokens is Yes; better, use",
        ),
        (
            "admin 2fa",
            (
                "Please use the 2fa provider-specific endpoints to obtain a token. - admin "
                "two-factor authentication (Magento_TwoFactorAuth"
            ),
        ),
        ("unknown store code", "store_code 'nosuch' is no store view of this store"),
        ("html front page", "or url does not point at Magento"),
    ],
)
def test_a_store_refusing_the_config_fails_in_one_line(  # noqa: PLR0917 - fixtures
    tmp_path, sandbox: Sandbox, not_magento, program, case, says
):
    """Credentials the store refuses, tokens it does not take, a store code it does not have,
    a URL where a shop's front page answers instead of the REST API."""
    config = {
        "wrong secret": sandbox_config(sandbox, consumer_secret="wrong"),
        "bearer refused": {"url": sandbox.url, "access_token": sandbox.credentials["access_token"]},
        "admin 2fa": {"url": sandbox.url, "username": "admin", "password": ADMIN_PASSWORD},
        "unknown store code": sandbox_config(sandbox, store_code="nosuch"),
        "html front page": {**sandbox_config(sandbox), "url": not_magento["html"]},
    }[case]
    sandbox.control.update_settings(admin_2fa=True)  # bearer_integration_tokens is off by default
    assert_fails_saying(program, run(program, tmp_path, config), says)


@pytest.mark.parametrize("program", PROGRAMS)
def test_a_json_api_that_is_not_magento_fails_in_one_line(tmp_path, not_magento, program):
    config = {"url": not_magento["json"], **CREDENTIALS}
    result = run(program, tmp_path, config)
    assert_fails_saying(program, result, "does not lead to Magento's REST API")


def test_a_refused_connection_before_any_answer_fails_fast(tmp_path, sandbox: Sandbox):
    port = sandbox.port
    sandbox.stop()  # nothing listens there now
    started = time.monotonic()
    result = run("tap --discover", tmp_path, {"url": f"http://127.0.0.1:{port}", **CREDENTIALS})
    assert result.returncode == 1
    assert time.monotonic() - started < 20  # not the five minutes of max_retry_time
    assert any("has not answered once in this run: check url" in line for line in errors(result))


def test_discovery_against_a_working_store_types_custom_attributes(tmp_path, sandbox: Sandbox):
    result = run("tap --discover", tmp_path, sandbox_config(sandbox))
    assert result.returncode == 0, result.stderr
    catalog = json.loads(result.stdout)
    products = next(s for s in catalog["streams"] if s["tap_stream_id"] == "products")
    by_code = products["schema"]["properties"]["custom_attributes_by_code"]
    assert by_code["properties"], "custom attributes were not typed from the store"
