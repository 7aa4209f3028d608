# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""MagentoSettings.from_config: aliases, inference of the auth method, one-line errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from magento2_rest import ConfigError, MagentoSettings, config_jsonschema

if TYPE_CHECKING:
    from pathlib import Path

OAUTH = {
    "consumer_key": "ck-value",
    "consumer_secret": "cs-value",
    "access_token": "at-value",
    "access_token_secret": "ats-value",
}


def settings(**config: object) -> MagentoSettings:
    return MagentoSettings.from_config({"url": "https://shop.example.com", **config})


def refusal(**config: object) -> str:
    with pytest.raises(ConfigError) as caught:
        MagentoSettings.from_config(config)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_defaults_and_oauth_inferred() -> None:
    s = settings(**OAUTH)
    assert s.auth_method == "oauth1"
    assert (s.store_code, s.api_type, s.connect_timeout, s.read_timeout) == (
        "default",
        "V1",
        10,
        120,
    )
    assert (s.max_retries, s.max_retry_time, s.verify_ssl, s.ca_bundle) == (8, 300, True, None)
    assert s.user_agent.startswith("magento2-rest/")


def test_camel_case_aliases_of_the_integration_platform() -> None:
    s = settings(
        consumerKey="ck", consumerSecret="cs", accessToken="at", accessTokenSecret="ats",
        type="async/V1",
    )  # fmt: skip
    assert (s.consumer_key, s.consumer_secret, s.access_token, s.access_token_secret) == (
        "ck",
        "cs",
        "at",
        "ats",
    )
    assert s.api_type == "async/V1"
    # The same value under both spellings is fine.
    assert settings(**OAUTH, consumerKey="ck-value").consumer_key == "ck-value"


def test_both_spellings_with_different_values_are_refused_without_showing_secrets() -> None:
    message = refusal(url="https://shop.example.com", **OAUTH, consumerSecret="other-secret")
    assert message.startswith("consumer_secret: given twice")
    assert "consumerSecret" in message
    assert "other-secret" not in message
    assert "cs-value" not in message
    message = refusal(url="https://shop.example.com", **OAUTH, api_type="V1", type="async/V1")
    assert message.startswith("api_type: given twice")


def test_auth_method_inferred_from_the_keys_present() -> None:
    assert settings(access_token="t").auth_method == "bearer"
    assert settings(username="admin", password="pw").auth_method == "admin_token"
    assert settings(**OAUTH, username="admin", password="pw").auth_method == "oauth1"
    assert settings(auth_method="bearer", **OAUTH).auth_method == "bearer"


@pytest.mark.parametrize(
    ("config", "start"),
    [
        (
            {"consumer_key": "a", "consumer_secret": "b", "access_token": "c"},
            "access_token_secret:",
        ),
        ({"consumer_key": "a"}, "consumer_secret: missing"),
        ({"username": "admin"}, "password: missing"),
        ({"password": "pw"}, "username: missing"),
        ({"auth_method": "bearer", "username": "a", "password": "b"}, "access_token: missing"),
        ({}, "auth_method: no credentials given"),
        ({"auth_method": "basic", "access_token": "t"}, "auth_method: 'basic' is not one of"),
    ],
)
def test_missing_credentials_name_the_missing_key(config: dict[str, str], start: str) -> None:
    message = refusal(url="https://shop.example.com", **config)
    assert message.startswith(start), message


def test_partial_oauth_names_what_was_given() -> None:
    message = refusal(url="https://x.example", consumer_key="a", consumer_secret="b")
    assert "access_token: missing" in message
    assert "given: consumer_key, consumer_secret" in message


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://shop.example.com", "https://shop.example.com"),
        ("https://shop.example.com/", "https://shop.example.com"),
        ("https://shop.example.com/index.php/", "https://shop.example.com/index.php"),
        ("HTTP://127.0.0.1:8080/magento/", "http://127.0.0.1:8080/magento"),
    ],
)
def test_url_normalised(url: str, normalised: str) -> None:
    assert settings(url=url, access_token="t").url == normalised


@pytest.mark.parametrize("host", ["shop.example.com", "10.1.2.3", "[2001:db8::1]"])
def test_plain_http_to_another_host_is_refused_unless_allowed(host: str) -> None:
    message = refusal(url=f"http://{host}", access_token="t")
    assert message.startswith(f"url: 'http://{host}' is plain http")
    assert "use https://, or set allow_http: true" in message
    assert settings(url=f"http://{host}", access_token="t", allow_http=True).url == (
        f"http://{host}"
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.5.6.7"])
def test_plain_http_to_this_machine_is_allowed(host: str) -> None:
    assert settings(url=f"http://{host}:8765", access_token="t").url == f"http://{host}:8765"


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("magento.example.com", "'magento.example.com' is not an http(s) URL; give the store's"),
        ("ftp://shop.example.com", "is not an http(s) URL"),
        ("https://shop.example.com/rest/V1", "includes /rest"),
        ("https://shop.example.com/?a=1", "carries a query"),
        ("https://user:pw@shop.example.com", "carries a user name or password"),
    ],
)
def test_bad_url_is_one_line_naming_the_field(url: str, fragment: str) -> None:
    message = refusal(url=url, access_token="t")
    assert message.startswith("url: ")
    assert fragment in message
    if "@" in url:
        assert "pw" not in message


def test_missing_url() -> None:
    assert refusal(access_token="t").startswith("url: missing; give the store's base URL")


@pytest.mark.parametrize("code", ["default", "all", "fr", "store_2", "B2B_en"])
def test_store_codes_accepted(code: str) -> None:
    assert settings(access_token="t", store_code=code).store_code == code


@pytest.mark.parametrize("code", ["2nd", "fr-fr", "fr/de", "a b", "_x"])
def test_store_codes_refused(code: str) -> None:
    message = refusal(url="https://x.example", access_token="t", store_code=code)
    assert message.startswith("store_code: ")
    assert "letters, digits and underscores starting with a letter" in message


@pytest.mark.parametrize(
    ("key", "value", "start"),
    [
        ("api_type", "V2", "api_type: 'V2' is not one of V1, async/V1"),
        ("connect_timeout", 0, "connect_timeout: 0 is not a positive number"),
        ("read_timeout", "soon", "read_timeout: 'soon' is not a positive number"),
        ("max_retries", -1, "max_retries: -1 is not a whole number"),
        ("max_retry_time", True, "max_retry_time: True is not a positive number"),
        ("verify_ssl", "maybe", "verify_ssl: 'maybe' is not true or false"),
        ("ca_bundle", "/nonexistent/ca.pem", "ca_bundle: '/nonexistent/ca.pem' does not exist"),
    ],
)
def test_option_errors(key: str, value: object, start: str) -> None:
    message = refusal(url="https://x.example", access_token="t", **{key: value})
    assert message.startswith(start), message


def test_options_from_strings_as_environment_variables_give_them(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    s = settings(
        access_token="t", connect_timeout="2.5", max_retries="3", verify_ssl="true",
        ca_bundle=str(bundle), consumer_key="", api_type="v1",
    )  # fmt: skip
    assert (s.connect_timeout, s.max_retries, s.verify, s.api_type) == (2.5, 3, str(bundle), "V1")
    assert s.auth_method == "bearer"  # the empty consumer_key counts as absent


def test_ca_bundle_with_verify_off_is_refused(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    message = refusal(
        url="https://x.example", access_token="t", ca_bundle=str(bundle), verify_ssl=False
    )
    assert message.startswith("ca_bundle: ")


def test_unknown_keys_ignored() -> None:
    assert settings(access_token="t", start_date="2025-01-01", streams=["orders"]).url


def test_repr_and_str_mask_secrets() -> None:
    s = settings(**OAUTH, username="admin", password="admin-password")
    for text in (repr(s), str(s), f"{s}", repr([s])):
        for secret in (*OAUTH.values(), "admin-password"):
            assert secret not in text
    assert "consumer_secret='********'" in repr(s)
    assert "username='admin'" in repr(s)


def test_config_jsonschema_marks_secrets_as_the_sdk_does() -> None:
    from singer_sdk import typing as th  # noqa: PLC0415

    sdk = th.Property("x", th.StringType, secret=True).to_dict()["x"]
    secret_keys = {key for key in sdk if sdk[key] is True}
    assert secret_keys == {"secret", "writeOnly"}
    secrets = (
        "consumer_key",
        "consumer_secret",
        "access_token",
        "access_token_secret",
        "password",
        "consumerKey",
        "consumerSecret",
        "accessToken",
        "accessTokenSecret",
    )
    for name in secrets:
        assert {config_jsonschema[name][key] for key in secret_keys} == {True}, name
    for name in ("url", "username", "store_code", "api_type", "type"):
        assert "secret" not in config_jsonschema[name]
    assert config_jsonschema["api_type"]["enum"] == ["V1", "async/V1"]
    assert config_jsonschema["auth_method"]["enum"] == ["oauth1", "bearer", "admin_token"]
    assert config_jsonschema["store_code"]["default"] == "default"
    assert "Alias of consumer_key" in config_jsonschema["consumerKey"]["description"]
    assert all(prop.get("description") for prop in config_jsonschema.values())


def test_config_jsonschema_validates_a_camel_case_config() -> None:
    import jsonschema  # noqa: PLC0415

    schema = {"type": "object", "properties": config_jsonschema}
    jsonschema.validate(
        {"url": "https://x.example", "consumerKey": "a", "type": "async/V1", "max_retries": 2},
        schema,
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"url": "https://x.example", "type": "V3"}, schema)
