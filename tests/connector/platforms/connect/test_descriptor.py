"""The served descriptors: valid against Atlassian's schema, one product's modules each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask

from tests.conftest import APP_BASE_URL

MIGRATIONS = {"signed-install", "context-qsh"}  # newer than the 2019 schema, allowed by name


def schema_allowing_new_migrations(specs: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((specs / "connect" / "jira-global-schema.json").read_text())
    migrations = schema["properties"]["apiMigrations"]
    for name in MIGRATIONS:
        migrations.setdefault("properties", {})[name] = {"type": "boolean"}
    return schema


def test_jira_descriptor_is_valid_against_the_connect_schema(app: Flask, specs: Path) -> None:
    descriptor = app.test_client().get("/jira/atlassian-connect.json").json
    validator = jsonschema.Draft4Validator(schema_allowing_new_migrations(specs))
    errors = sorted(validator.iter_errors(descriptor), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_schema_check_is_real(app: Flask, specs: Path) -> None:
    descriptor = app.test_client().get("/jira/atlassian-connect.json").json
    descriptor["apiMigrations"]["not-a-migration"] = True
    descriptor["modules"]["webhooks"][0].pop("event")
    validator = jsonschema.Draft4Validator(schema_allowing_new_migrations(specs))
    assert len(list(validator.iter_errors(descriptor))) >= 2


@pytest.mark.parametrize("product", ["jira", "confluence"])
def test_descriptor_carries_base_url_auth_and_lifecycle(app: Flask, product: str) -> None:
    descriptor = app.test_client().get(f"/{product}/atlassian-connect.json").json
    assert descriptor["baseUrl"] == APP_BASE_URL
    assert descriptor["authentication"] == {"type": "jwt"}
    assert descriptor["apiMigrations"]["signed-install"] is True
    assert descriptor["apiMigrations"]["context-qsh"] is True
    assert set(descriptor["lifecycle"]) == {"installed", "uninstalled", "enabled", "disabled"}
    assert "productModules" not in descriptor


def test_each_product_gets_only_its_modules(app: Flask) -> None:
    client = app.test_client()
    jira = client.get("/jira/atlassian-connect.json").json["modules"]
    confluence = client.get("/confluence/atlassian-connect.json").json["modules"]
    assert "dynamicContentMacros" not in jira
    assert {"webhooks", "generalPages", "adminPages", "webPanels"} <= set(jira)
    assert set(confluence) == {"dynamicContentMacros"}
    macro_keys = {m["key"] for m in confluence["dynamicContentMacros"]}
    assert macro_keys == {"customer-map", "integrator-map", "expectations"}
    indexed = {c["propertyKey"] for c in jira["jiraEntityProperties"][0]["keyConfigurations"]}
    assert indexed == {"icm.expectation", "icm.goal"}  # the sync's JQL dedupe needs the index
    events = {w["event"] for w in jira["webhooks"]}
    assert {
        "jira:issue_updated",
        "jira:issue_deleted",
        "comment_created",
        "comment_updated",
        "issuelink_created",
        "issuelink_deleted",
    } <= events


def test_every_macro_parameter_appears_in_its_url(app: Flask) -> None:
    macros = app.test_client().get("/confluence/atlassian-connect.json").json["modules"]
    for macro in macros["dynamicContentMacros"]:
        for parameter in macro["parameters"]:
            assert "{" + parameter["identifier"] + "}" in macro["url"], macro["key"]


def test_app_key_and_base_url_come_from_the_environment(
    app_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from connector import create_app

    monkeypatch.setenv("ICM_APP_KEY", "com.acme.icm-staging")
    monkeypatch.setenv("ICM_BASE_URL", "https://staging.example.test/")
    app_config.pop("BASE_URL")
    app = create_app(app_config)
    descriptor = app.test_client().get("/jira/atlassian-connect.json").json
    app.extensions["icm.db"].engine.dispose()
    assert descriptor["key"] == "com.acme.icm-staging"
    assert descriptor["baseUrl"] == "https://staging.example.test"


def test_unknown_product_is_404(app: Flask) -> None:
    response = app.test_client().get("/bitbucket/atlassian-connect.json")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def module_urls(descriptor: dict[str, Any]) -> list[tuple[str, str]]:
    """(method, path) of every URL the product will call: lifecycle, modules, render modes."""
    calls = [("POST", path) for path in descriptor["lifecycle"].values()]
    for modules in descriptor["modules"].values():
        for module in modules:
            method = "POST" if "event" in module else "GET"
            urls = [module.get("url")]
            urls += [mode["url"] for mode in module.get("renderModes", {}).values()]
            urls.append(module.get("editor", {}).get("url"))
            calls += [(method, url.split("?")[0]) for url in urls if url]
    return calls


@pytest.mark.parametrize("product", ["jira", "confluence"])
def test_every_url_the_descriptor_names_is_served(app: Flask, product: str) -> None:
    descriptor = app.test_client().get(f"/{product}/atlassian-connect.json").json
    adapter = app.url_map.bind("icm.example.test")
    calls = module_urls(descriptor)
    assert len(calls) > 4
    for method, path in calls:
        endpoint, _args = adapter.match(path, method=method)
        assert endpoint, (method, path)
