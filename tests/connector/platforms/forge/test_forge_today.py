"""Forge as it is today (issue #19), each rule through the sandbox and the service over HTTP: one
installation for Jira and Confluence, preUninstall, life-cycle events as documented, the view's
one round trip, the manifest's declarations."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import requests
import yaml
from sqlalchemy import select

from connector.db import get_db, utcnow
from connector.db.models import Team
from connector.platforms.forge.installations import BY_PRE_UNINSTALL, ForgeInstallation
from connector.platforms.operations import operations_view
from connector.platforms.sites import confluence_for_site, jira_sites
from connector.practice.privacy import sites_to_purge
from sandbox.directory import USERS
from sandbox.forge.site import load_manifest
from tests.connector.platforms.forge.conftest import FORGE_DIR, PlatformSite
from tests.connector.platforms.forge.test_platforms import organise

LIFECYCLE_MODULE = {"key": "icm-lifecycle", "type": "core:trigger"}
UNINSTALL_MODULE = {"key": "icm-pre-uninstall", "type": "core:preUninstall"}
TEAM_PAGE = {"key": "team-page", "type": "jira:projectPage"}


def sandbox_post(site: PlatformSite, path: str, body: Any = None) -> Any:
    answer = requests.post(site.sandbox.url + path, json=body or {}, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()


def row(site: PlatformSite, installation_id: str | None = None) -> ForgeInstallation:
    with get_db(site.app).transaction() as session:
        found = session.get(ForgeInstallation, installation_id or site.forge_app().installation_id)
        assert found is not None
        session.expunge(found)
        return found


# --- 1. one installation for both products


def test_a_token_names_every_product_the_installation_spans(forge_live: PlatformSite) -> None:
    assert forge_live.forge is not None
    app = forge_live.forge_app()
    token = forge_live.forge.invocation_token(app, {"key": "customer-map", "type": "macro"}, None)
    claims = jwt.decode(token, options={"verify_signature": False})
    names = [c["name"] for c in claims["app"]["installation"]["contexts"]]
    assert names == [f"ari:cloud:{p}::site/{forge_live.site_id}" for p in ("jira", "confluence")]
    assert claims["app"]["apiBaseUrl"] == app.api_base("confluence")  # a macro: Confluence's


def test_a_site_installs_the_app_once(forge_live: PlatformSite) -> None:
    again = sandbox_post(
        forge_live,
        "/_sandbox/forge/install",
        {"remoteBaseUrl": forge_live.url, "appId": forge_live.forge_app().app_id},
    )
    assert again["installationId"] == forge_live.forge_app().installation_id
    assert again["products"] == ["jira", "confluence"]


# --- 3. uninstall


def test_pre_uninstall_marks_the_installation_uninstalled_and_starts_the_purge_clock(
    forge_live: PlatformSite,
) -> None:
    organise(forge_live)
    installation_id = forge_live.forge_app().installation_id
    before = utcnow()

    sent = sandbox_post(forge_live, "/_sandbox/forge/uninstall")

    assert [d["status"] for d in sent["preUninstall"]] == [200]
    assert sent["preUninstall"][0]["url"] == forge_live.url + "/forge/uninstall"
    gone = row(forge_live, installation_id)
    assert (gone.state, gone.uninstalled_by, gone.system_token) == (
        "uninstalled",
        BY_PRE_UNINSTALL,
        None,
    )
    assert gone.uninstalled_at is not None and gone.uninstalled_at >= before
    with get_db(forge_live.app).transaction() as session:
        assert jira_sites(session) == []  # no longer worked for
        keep = timedelta(days=30)
        assert sites_to_purge(session, utcnow() + keep - timedelta(minutes=1), keep) == []
        assert sites_to_purge(session, utcnow() + keep + timedelta(minutes=1), keep) == [
            forge_live.site_id
        ]
        shown = operations_view(session, forge_live.site_id, utcnow())["installations"]
    assert [(i["installation"], i["state"], i["uninstalledBy"]) for i in shown] == [
        (installation_id, "uninstalled", BY_PRE_UNINSTALL)
    ]


def test_an_uninstalled_installation_is_not_brought_back_by_a_late_call(
    forge_live: PlatformSite,
) -> None:
    headers = forge_live.forge_headers()  # signed before the uninstall, sent after it
    installation_id = forge_live.forge_app().installation_id
    sandbox_post(forge_live, "/_sandbox/forge/uninstall")

    late = requests.get(f"{forge_live.url}/api/v1/teams", headers=headers, timeout=10)

    assert late.status_code == 403, late.text
    assert late.json()["error"]["code"] == "installation_uninstalled"
    assert row(forge_live, installation_id).state == "uninstalled"


def test_only_the_pre_uninstall_trigger_uninstalls(forge_live: PlatformSite) -> None:
    forge_live.call("GET", "/api/v1/teams")
    for module in (TEAM_PAGE, LIFECYCLE_MODULE):
        headers = forge_live.forge_headers(module=module, account_id=None)
        refused = requests.post(
            f"{forge_live.url}/forge/uninstall", json={}, headers=headers, timeout=10
        )
        assert refused.status_code == 403, refused.text
    assert row(forge_live).state == "installed"


# --- 4. documented claims: life-cycle payloads, ARIs


def documented_lifecycle(site: PlatformSite) -> dict[str, Any]:
    """platform/forge/events-reference/life-cycle: id, installerAccountId, app, environment."""
    app = site.forge_app()
    return {
        "id": app.installation_id,
        "installerAccountId": "557058:installer",
        "app": {"id": app.app_id, "version": "1.0.0"},
        "environment": {"id": "env-1"},
    }


def test_a_life_cycle_event_is_recognised_by_its_documented_fields(
    forge_live: PlatformSite,
) -> None:
    payload = documented_lifecycle(forge_live)
    headers = forge_live.forge_headers(module=LIFECYCLE_MODULE, account_id=None)
    for path in ("/forge/lifecycle", "/forge/events"):  # its route, or an older manifest's
        answer = requests.post(forge_live.url + path, json=payload, headers=headers, timeout=10)
        assert answer.status_code == 204, (path, answer.text)
    # A product event still needs the event name Jira's events carry.
    unnamed = {k: v for k, v in payload.items() if k != "app"}
    events = forge_live.forge_headers(module={"key": "icm-jira-events", "type": "core:trigger"})
    refused = requests.post(
        forge_live.url + "/forge/events", json=unnamed, headers=events, timeout=10
    )
    assert refused.status_code == 400


def test_the_sandbox_sends_the_documented_life_cycle_payload(forge_live: PlatformSite) -> None:
    sandbox_post(
        forge_live,
        "/_sandbox/forge/install",
        {"remoteBaseUrl": forge_live.url, "appId": forge_live.forge_app().app_id},
    )
    assert forge_live.triggers().wait_idle(10)
    [delivery] = forge_live.triggers().deliveries
    assert set(delivery.payload) == {"id", "installerAccountId", "app", "environment"}
    assert (delivery.status, delivery.url) == (204, forge_live.url + "/forge/lifecycle")
    assert re.fullmatch(r"ari:cloud:ecosystem::installation/[0-9a-f-]{36}", delivery.payload["id"])


def test_a_trigger_token_carries_no_site_url(forge_live: PlatformSite) -> None:
    """siteUrl is a UI invocation's; the links the service draws keep the URL a view brought."""
    forge_live.call("GET", "/api/v1/teams")  # a view: siteUrl known
    headers = forge_live.forge_headers(module=LIFECYCLE_MODULE, account_id=None)
    token = headers["Authorization"].removeprefix("Bearer ")
    assert "siteUrl" not in jwt.decode(token, options={"verify_signature": False})["context"]
    answer = requests.post(
        forge_live.url + "/forge/lifecycle",
        json=documented_lifecycle(forge_live),
        headers=headers,
        timeout=10,
    )
    assert answer.status_code == 204
    assert row(forge_live).site_url == forge_live.sandbox.url


# --- 6. a view in one round trip


def test_the_team_page_finds_its_team_by_project_key_in_one_call(
    forge_live: PlatformSite,
) -> None:
    organise(forge_live)
    with get_db(forge_live.app).transaction() as session:  # more teams than a page of 100
        session.add_all(
            Team(site_id=forge_live.site_id, key=f"T{n:03}", name=f"Team {n}") for n in range(150)
        )
    headers = forge_live.forge_headers(module=TEAM_PAGE)
    answer = requests.get(
        f"{forge_live.url}/forge/view/team-page?project=hr", headers=headers, timeout=30
    )
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert shown["team"]["key"] == "HR" and shown["map"]["team"]["key"] == "HR"
    assert [r["supplier"]["key"] for r in shown["map"]["suppliers"]] == ["PAY"]
    assert "monthly payroll run" in shown["fragment"]["html"] and shown["fragment"]["css"]
    assert shown["settings"]["defaultCadenceDays"] >= 1
    assert shown["me"]["accountId"] == USERS[0].account_id
    nobody = requests.get(
        f"{forge_live.url}/forge/view/team-page?project=FIN", headers=headers, timeout=30
    )
    assert nobody.status_code == 200 and nobody.json()["team"] is None


def test_the_one_call_view_takes_only_its_modules_token(forge_live: PlatformSite) -> None:
    headers = forge_live.forge_headers(module={"key": "customer-map", "type": "macro"})
    refused = requests.get(
        f"{forge_live.url}/forge/view/team-page?project=PAY", headers=headers, timeout=30
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "wrong_module"


# --- 5. declarations


def manifest() -> dict[str, Any]:
    return load_manifest(FORGE_DIR / "manifest.yml", None)


def test_the_remote_declares_what_it_stores_and_asks_for_no_user_token() -> None:
    loaded = manifest()
    [remote] = loaded["remotes"]
    assert "storage" in remote["operations"] and remote["storage"] == {"inScopeEUD": True}
    endpoints = loaded["modules"]["endpoint"]
    asked = [remote.get("auth") or {}] + [e.get("auth") or {} for e in endpoints]
    assert all("appUserToken" not in auth for auth in asked)


def test_the_remote_url_is_a_manifest_variable(tmp_path: Path) -> None:
    loaded = manifest()
    assert loaded["remotes"][0]["baseUrl"] == "${ICM_REMOTE_BASE_URL}"
    declared = {v["key"] for v in loaded["environment"]["variables"]}
    assert "ICM_REMOTE_BASE_URL" in declared
    bound = load_manifest(FORGE_DIR / "manifest.yml", {"ICM_REMOTE_BASE_URL": "https://icm.test"})
    assert bound["remotes"][0]["baseUrl"] == "https://icm.test"


def test_jira_is_required_and_confluence_optional() -> None:
    assert manifest()["app"]["compatibility"] == {
        "jira": {"required": True},
        "confluence": {"required": False},
    }


def test_an_app_without_compatibility_is_installed_per_product_and_still_works(
    forge_live: PlatformSite, tmp_path: Path
) -> None:
    """A manifest with no `app.compatibility` (e.g. a Connect-on-Forge app not yet allowed one) is
    one installation per product: each is kept by its id, on the same site, and reached."""
    assert forge_live.forge is not None
    single = manifest()
    del single["app"]["compatibility"]
    path = tmp_path / "manifest.yml"
    path.write_text(yaml.safe_dump(single))
    for folder in ("static", "src"):
        (tmp_path / folder).symlink_to(FORGE_DIR / folder)
    app_id = forge_live.forge_app().app_id
    jira = forge_live.forge.install(forge_live.url, app_id, "jira", path)
    confluence = forge_live.forge.install(forge_live.url, app_id, "confluence", path)
    assert jira.installation_id != confluence.installation_id
    for product in ("jira", "confluence"):
        forge_live.call("GET", "/api/v1/teams", product=product)
    with get_db(forge_live.app).transaction() as session:
        spans = {
            row.installation_id: row.products for row in session.scalars(select(ForgeInstallation))
        }
        confluence_client = confluence_for_site(session, forge_live.site_id, forge_live.app.config)
        assert "ICM" in {s["key"] for s in confluence_client.client.get("api/v2/spaces")["results"]}
    assert spans == {jira.installation_id: "jira", confluence.installation_id: "confluence"}
