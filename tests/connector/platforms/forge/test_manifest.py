"""forge/manifest.yml passes Atlassian's own validator (@forge/manifest, from npm), and fits the
remote (read with PyYAML: those checks need no npm)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector.platforms.forge.events import LIFECYCLE_EVENTS, WEBHOOK_EVENTS
from connector.platforms.forge.modules import (
    EVENT_ENDPOINT,
    EVENT_MODULES,
    PRIVACY_FUNCTION,
    PRIVACY_MODULES,
    SCHEDULED_ENDPOINT,
    SCHEDULED_MODULES,
    UI_ENDPOINT,
    UI_MODULES,
)
from connector.platforms.forge.views import MACROS, PAGES
from tests.connector.platforms.forge.conftest import FORGE_DIR


def validate(forge_dir: Path, manifest: Path) -> dict[str, Any]:
    node = shutil.which("node") or "node"
    done = subprocess.run(
        [node, "scripts/validate-manifest.mjs", str(manifest)],
        cwd=forge_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert (done.returncode == 0) == result["success"]
    return result


def manifest(forge_dir: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((forge_dir / "manifest.yml").read_text())
    return loaded


@pytest.mark.slow
def test_the_manifest_is_valid(forge_tooling: Path) -> None:
    result = validate(forge_tooling, forge_tooling / "manifest.yml")
    assert result["success"], result["errors"]


@pytest.mark.slow
def test_an_invalid_manifest_is_rejected(forge_tooling: Path, tmp_path: Path) -> None:
    broken = manifest(forge_tooling)
    del broken["modules"]["macro"][0]["title"]
    broken["remotes"][0]["operations"] = ["teleport"]
    shutil.copytree(forge_tooling / "static", tmp_path / "static")
    shutil.copytree(forge_tooling / "agent", tmp_path / "agent")  # the Rovo agent's prompt
    path = tmp_path / "manifest.yml"
    path.write_text(yaml.safe_dump(broken))

    result = validate(forge_tooling, path)

    assert not result["success"]
    messages = " ".join(e["message"] for e in result["errors"])
    assert "macro" in messages and "operations" in messages


def test_every_ui_module_is_one_the_remote_renders() -> None:
    modules = manifest(FORGE_DIR)["modules"]
    ui = [
        m["key"]
        for kind in (
            "macro",
            "jira:projectPage",
            "jira:globalPage",
            "jira:adminPage",
            "jira:issuePanel",
        )
        for m in modules[kind]
    ]
    assert sorted(ui) == sorted(MACROS + PAGES)


def test_every_subscribed_event_has_a_handler() -> None:
    events = {e for t in manifest(FORGE_DIR)["modules"]["trigger"] for e in t["events"]}
    assert events <= set(WEBHOOK_EVENTS) | LIFECYCLE_EVENTS


@pytest.mark.slow
def test_the_module_keys_the_service_recognises_are_the_manifests(forge_tooling: Path) -> None:
    loaded = manifest(forge_tooling)
    modules = loaded["modules"]
    ui_kinds = ("macro", "jira:projectPage", "jira:globalPage", "jira:adminPage", "jira:issuePanel")
    ui = {m["key"] for kind in ui_kinds for m in modules[kind]}
    assert ui == UI_MODULES
    assert {m["resolver"]["endpoint"] for kind in ui_kinds for m in modules[kind]} == {UI_ENDPOINT}
    endpoints = {m["key"]: m for m in modules["endpoint"]}
    assert endpoints[EVENT_ENDPOINT]["route"]["path"] == "/forge/events"
    assert endpoints[SCHEDULED_ENDPOINT]["route"]["path"] == "/forge/scheduled"
    triggers = {m["key"] for m in modules["trigger"] if m["endpoint"] == EVENT_ENDPOINT}
    assert {EVENT_ENDPOINT} | triggers == EVENT_MODULES
    remote_triggers = [m for m in modules["scheduledTrigger"] if "endpoint" in m]
    assert {m["endpoint"] for m in remote_triggers} == {SCHEDULED_ENDPOINT}
    assert {SCHEDULED_ENDPOINT} | {m["key"] for m in remote_triggers} == SCHEDULED_MODULES
    # The personal data function: its key and its trigger's, and what it needs to do its work.
    [function] = [m for m in modules["function"] if m["key"] == PRIVACY_FUNCTION]
    assert function["handler"] == "privacy.run"  # forge/src/privacy.js, export `run`
    function_triggers = [m for m in modules["scheduledTrigger"] if "function" in m]
    assert {m["function"] for m in function_triggers} == {PRIVACY_FUNCTION}
    assert {PRIVACY_FUNCTION} | {m["key"] for m in function_triggers} == PRIVACY_MODULES
    assert "report:personal-data" in loaded["permissions"]["scopes"]
    assert "compute" in loaded["remotes"][0]["operations"]  # invokeRemote from a function
    groups = [UI_MODULES, EVENT_MODULES, SCHEDULED_MODULES, PRIVACY_MODULES]
    assert sum(len(group) for group in groups) == len(frozenset().union(*groups))  # disjoint
