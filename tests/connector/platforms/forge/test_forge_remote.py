"""The app as a Forge remote of the sandbox: UI modules, triggers, product calls with app tokens."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from typing import Any

import requests
from flask import Flask
from sqlalchemy import select

from connector.db import get_db, utcnow
from connector.platforms.forge.auth import recorded_invocations
from connector.platforms.forge.installations import (
    SILENCE_MEANS_UNINSTALLED,
    UNINSTALLED,
    ForgeInstallation,
)
from connector.platforms.sites import confluence_for_site, jira_for_site, jira_sites
from connector.scheduler import reconcile
from sandbox.directory import USERS
from sandbox.forge.remote import call_remote, find_module, remote_url
from tests.connector.platforms.forge.conftest import (
    EVENTS_MODULE,
    SCHEDULED_MODULE,
    UI_MODULE,
    PlatformSite,
)
from tests.connector.platforms.forge.test_platforms import organise
from webhooks.inbox import InboxDelivery

MACRO_PAGE = """<p>Payroll's customers:</p>
<ac:structured-macro ac:name="customer-map"><ac:parameter ac:name="team">PAY</ac:parameter>
</ac:structured-macro>"""


def test_one_installation_spans_jira_and_confluence_on_the_sites_organisation(
    forge_live: PlatformSite,
) -> None:
    jira, confluence = forge_live.forge_app("jira"), forge_live.forge_app("confluence")
    assert jira is confluence  # app.compatibility: installed once for the site
    assert re.fullmatch(r"ari:cloud:ecosystem::installation/[0-9a-f-]{36}", jira.installation_id)
    forge_live.call("GET", "/api/v1/teams")
    forge_live.call("GET", "/forge/ui/customer-map?team=PAY")  # a macro: Confluence's apiBaseUrl

    with get_db(forge_live.app).transaction() as session:
        rows = session.scalars(select(ForgeInstallation)).all()
        found = [(r.installation_id, r.products, r.site_id) for r in rows]
        (row,) = rows
        bases = (row.api_base_for("jira"), row.api_base_for("confluence"))
    assert found == [(jira.installation_id, "confluence,jira", forge_live.sandbox.cloud_id)]
    gateway = f"{forge_live.sandbox.url}/ex"
    assert bases == (
        f"{gateway}/jira/{forge_live.site_id}",
        f"{gateway}/confluence/{forge_live.site_id}/wiki",
    )


def test_the_service_calls_both_products_with_the_one_installations_token(
    forge_live: PlatformSite,
) -> None:
    forge_live.call("GET", "/api/v1/teams")
    with get_db(forge_live.app).transaction() as session:
        jira = jira_for_site(session, forge_live.site_id, forge_live.app.config)
        confluence = confluence_for_site(session, forge_live.site_id, forge_live.app.config)
        assert jira.myself()["accountId"] == forge_live.forge_app().as_installation.app_account_id
        spaces = confluence.client.get("api/v2/spaces")
    assert "ICM" in {s["key"] for s in spaces["results"]}


def test_an_install_tells_the_app_through_the_lifecycle_trigger(forge_live: PlatformSite) -> None:
    answer = requests.post(
        f"{forge_live.sandbox.url}/_sandbox/forge/install",
        json={"remoteBaseUrl": forge_live.url, "appId": forge_live.forge_app().app_id},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert forge_live.triggers().wait_idle(10)

    with get_db(forge_live.app).transaction() as session:
        row = session.get(ForgeInstallation, answer.json()["installationId"])
        assert row is not None and row.product == "jira"
        assert row.site_id == forge_live.sandbox.cloud_id
        assert row.usable_token(utcnow()) is not None  # the app can call Jira before any view
    sent = [(d.event, d.status) for d in forge_live.triggers().deliveries]
    assert sent == [("avi:forge:installed:app", 204)]


def frames_in(html: str) -> list[str]:
    """The Custom UI frames of a sandbox page, in order."""
    return re.findall(r'src="/forge/cdn/([^/"]+)/index.html"', html)


def bridge(site: PlatformSite, frame: str, kind: str, payload: Any = None) -> Any:
    """One `callBridge(kind, payload)`, as the frame's bridge script makes it."""
    answer = requests.post(
        f"{site.sandbox.url}/_sandbox/forge/bridge/{frame}",
        json={"type": kind, "payload": payload},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]


def invoke(site: PlatformSite, frame: str, path: str, method: str = "GET", body: Any = None) -> Any:
    payload = {"path": path, "method": method, "invokeType": "ui-remote-fetch"}
    if body is not None:
        payload["body"] = body
    return bridge(site, frame, "invoke", payload)


def test_a_forge_macro_on_a_confluence_page_is_a_custom_ui_frame_under_forges_csp(
    forge_live: PlatformSite,
) -> None:
    organise(forge_live)
    page_id = forge_live.sandbox.confluence_seed_page("ICM", "Customers", MACRO_PAGE)

    page = requests.get(
        f"{forge_live.sandbox.url}/forge/wiki/spaces/ICM/pages/{page_id}", timeout=30
    )
    [frame] = frames_in(page.text)
    index = requests.get(f"{forge_live.sandbox.url}/forge/cdn/{frame}/index.html", timeout=30)
    context = bridge(forge_live, frame, "getContext")
    shown = invoke(forge_live, frame, "/forge/ui/customer-map?team=PAY")

    assert 'data-module-key="customer-map"' in page.text
    assert 'sandbox="allow-downloads allow-forms allow-modals allow-pointer-lock' in page.text
    csp = index.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self' 'unsafe-inline'" in csp
    assert index.text.index('src="/forge/bridge.js"') < index.text.index('src="./view.js"')
    assert "<script>" not in index.text  # Forge's CSP: no inline script
    assert context["moduleKey"] == "customer-map"
    assert context["extension"]["config"] == {"team": "PAY"}
    assert shown["success"] and shown["payload"]["status"] == 200
    assert shown["payload"]["headers"]["content-type"] == ["application/json"]
    assert "Customer map: Payroll" in shown["payload"]["body"]["html"]


def test_the_bridge_answers_a_refusal_the_way_forge_does(forge_live: PlatformSite) -> None:
    page = requests.get(f"{forge_live.sandbox.url}/forge/apps/team-page?project=PAY", timeout=30)
    [frame] = frames_in(page.text)

    missing = invoke(forge_live, frame, "/api/v1/teams/NOPE")
    invalid = invoke(forge_live, frame, "/api/v1/teams", "POST", {"key": "x"})

    assert missing["success"] and missing["payload"]["status"] == 404
    assert missing["payload"]["body"]["error"]["code"]
    assert invalid["payload"]["status"] in (400, 422)


def test_the_team_page_knows_its_project(forge_live: PlatformSite) -> None:
    organise(forge_live)

    page = requests.get(f"{forge_live.sandbox.url}/forge/apps/team-page?project=PAY", timeout=30)
    [frame] = frames_in(page.text)
    context = bridge(forge_live, frame, "getContext")
    shown = invoke(forge_live, frame, "/forge/ui/team-page?project=PAY")

    assert context["extension"]["project"]["key"] == "PAY"
    assert "Customer map: Payroll" in shown["payload"]["body"]["html"]


def test_the_admin_page_shows_the_installation(forge_live: PlatformSite) -> None:
    page = requests.get(f"{forge_live.sandbox.url}/forge/apps/admin-page", timeout=30)
    [frame] = frames_in(page.text)

    shown = invoke(forge_live, frame, "/forge/ui/admin-page")

    assert forge_live.forge_app().installation_id in shown["payload"]["body"]["html"]


def test_a_macros_config_view_saves_its_parameters_into_the_page(
    forge_live: PlatformSite,
) -> None:
    organise(forge_live)
    page_id = forge_live.sandbox.confluence_seed_page("ICM", "Customers", MACRO_PAGE)
    base = f"{forge_live.sandbox.url}/forge/wiki/spaces/ICM/pages/{page_id}"

    settings = requests.get(f"{base}/macros/0/config", timeout=30)
    [frame] = frames_in(settings.text)
    index = requests.get(f"{forge_live.sandbox.url}/forge/cdn/{frame}/index.html", timeout=30)
    saved = bridge(forge_live, frame, "submit", {"config": {"team": "HR", "sides": "both"}})
    page = forge_live.sandbox.state.confluence.page(page_id)

    assert 'src="./config.js"' in index.text
    assert saved is True
    assert '<ac:parameter ac:name="team">HR</ac:parameter>' in page.body
    assert 'ac:name="customer-map"' in page.body


def adf_macro_page(site: PlatformSite, app_uuid: str, title: str) -> str:
    """A page written in ADF holding a Forge macro (the node the app writes), as the v2 API
    stores it; its id."""
    key = f"{app_uuid}/sandbox/static/customer-map"
    node = {
        "type": "extension",
        "attrs": {
            "extensionType": "com.atlassian.ecosystem",
            "extensionKey": key,
            "parameters": {
                "localId": "icm-customer-map",
                "extensionId": f"ari:cloud:ecosystem::extension/{key}",
                "guestParams": {"team": "PAY"},
            },
        },
    }
    store = site.sandbox.state.confluence
    document = {"type": "doc", "version": 1, "content": [node]}
    body = {"representation": "atlas_doc_format", "value": json.dumps(document)}
    page = store.create_page(
        {"spaceId": store.space("ICM").id, "title": title, "body": body},
        USERS[0].account_id,
    )
    return page.id


def test_a_forge_macro_stored_as_confluence_stores_it_is_the_apps_frame(
    forge_live: PlatformSite,
) -> None:
    """The storage form Confluence keeps a Forge macro in (`ac:adf-extension`) is rendered as
    the app's macro with its guest parameters, edited in place, and another app's is not ours."""
    organise(forge_live)
    app_uuid = forge_live.forge_app("confluence").app_id.rsplit("/", 1)[-1]
    page_id = adf_macro_page(forge_live, app_uuid, "Ours")
    other_id = adf_macro_page(forge_live, "11111111-2222-4333-8444-555555555555", "Theirs")
    base = f"{forge_live.sandbox.url}/forge/wiki/spaces/ICM/pages"

    page = requests.get(f"{base}/{page_id}", timeout=30)
    [frame] = frames_in(page.text)
    context = bridge(forge_live, frame, "getContext")
    other = requests.get(f"{base}/{other_id}", timeout=30)

    assert "<ac:adf-extension>" in forge_live.sandbox.state.confluence.page(page_id).body
    assert 'data-module-key="customer-map"' in page.text
    assert context["extension"]["config"] == {"team": "PAY"}
    assert frames_in(other.text) == [] and "Unknown macro: ?" in other.text

    settings = requests.get(f"{base}/{page_id}/macros/0/config", timeout=30)
    [config_frame] = frames_in(settings.text)
    assert bridge(forge_live, config_frame, "submit", {"config": {"team": "HR"}}) is True
    body = forge_live.sandbox.state.confluence.page(page_id).body
    assert "ac:structured-macro" not in body
    assert '<ac:adf-parameter key="team">HR</ac:adf-parameter>' in body
    assert f'key="extension-key">{app_uuid}/sandbox/static/customer-map<' in body


def test_the_domain_reaches_jira_through_api_base_url_with_the_app_token(
    forge_live: PlatformSite,
) -> None:
    forge_live.call("GET", "/api/v1/teams")  # an invocation brings the app token

    with get_db(forge_live.app).transaction() as session:
        jira = jira_for_site(session, forge_live.site_id, forge_live.app.config)
        me = jira.client.get("rest/api/3/myself")

    assert me["accountId"] == forge_live.forge_app().as_installation.app_account_id
    assert forge_live.sandbox.calls[-1].path == "/rest/api/3/myself"


def test_app_tokens_are_accepted_only_under_api_base_url(forge_live: PlatformSite) -> None:
    forge = forge_live.forge
    assert forge is not None
    token = forge.issue_app_token(forge_live.forge_app(), "system")
    headers = {"Authorization": f"Bearer {token}"}
    api_base = forge_live.forge_app().api_base_url

    through_gateway = requests.get(f"{api_base}/rest/api/3/myself", headers=headers, timeout=10)
    on_the_site = requests.get(
        f"{forge_live.sandbox.url}/rest/api/3/myself", headers=headers, timeout=10
    )
    made_up = requests.get(
        f"{api_base}/rest/api/3/myself", headers={"Authorization": "Bearer nope"}, timeout=10
    )

    assert through_gateway.status_code == 200
    assert on_the_site.status_code == 401
    assert made_up.status_code == 401


def test_the_scheduled_trigger_is_answered_at_once_and_its_work_runs_in_the_scheduler(
    forge_live: PlatformSite,
) -> None:
    organise(forge_live)
    before = len(forge_live.sandbox.calls)
    started = time.monotonic()
    answer = requests.post(
        f"{forge_live.sandbox.url}/_sandbox/forge/scheduled", json={"key": "icm-hourly"}, timeout=60
    )
    took = time.monotonic() - started

    assert answer.status_code == 200
    assert [(d["key"], d["status"]) for d in answer.json()["deliveries"]] == [("icm-hourly", 202)]
    assert took < 5  # Forge's trigger window
    assert len(forge_live.sandbox.calls) == before  # the trigger itself never called Jira
    with get_db(forge_live.app).transaction() as session:
        installation = session.get(ForgeInstallation, forge_live.forge_app().installation_id)
        assert installation is not None and installation.system_token_expires_at is not None
        # The token's own expiry (Forge's cached token: 2 to 4 h), not a guessed 15 minutes.
        lifetime = installation.system_token_expires_at - utcnow()
        assert timedelta(minutes=110) < lifetime <= timedelta(hours=4)
        assert jira_sites(session) == [forge_live.site_id]

    reconcile(forge_live.app, utcnow())  # the scheduler's job, for this Forge-only site

    assert any(
        c.path == "/rest/api/3/search/jql" and c.status == 200 for c in forge_live.sandbox.calls
    )


def test_an_installation_forge_stopped_invoking_for_a_day_is_marked_uninstalled(
    forge_live: PlatformSite,
) -> None:
    forge_live.call("GET", "/api/v1/teams")  # an invocation: installed, with a token
    installation_id = forge_live.forge_app().installation_id
    with get_db(forge_live.app).transaction() as session:
        row = session.get(ForgeInstallation, installation_id)
        assert row is not None
        row.updated_at = utcnow() - SILENCE_MEANS_UNINSTALLED - timedelta(minutes=1)
        row.system_token_expires_at = utcnow() + timedelta(hours=1)  # even with a live token
    # The day passed: this process's note of its last write (at most a minute old in real time,
    # so never older than a silent day) is gone too.
    recorded_invocations(forge_live.app).clear()

    with get_db(forge_live.app).transaction() as session:
        sites = jira_sites(session)
        row = session.get(ForgeInstallation, installation_id)
        assert row is not None
        assert (sites, row.state, row.system_token) == ([], UNINSTALLED, None)

    forge_live.call("GET", "/api/v1/teams")  # Forge invokes it again (reinstalled): back
    with get_db(forge_live.app).transaction() as session:
        assert jira_sites(session) == [forge_live.site_id]


def test_a_forged_or_foreign_token_is_a_401(forge_live: PlatformSite) -> None:
    headers = forge_live.forge_headers()
    headers["Authorization"] = headers["Authorization"][:-4] + "AAAA"

    forged = requests.get(f"{forge_live.url}/api/v1/teams", headers=headers, timeout=10)
    garbage = requests.get(
        f"{forge_live.url}/forge/ui/customer-map",
        headers={"Authorization": "Bearer not-a-jwt"},
        timeout=10,
    )

    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "bad_signature"
    assert garbage.status_code == 401
    assert garbage.json()["error"]["code"] == "token_malformed"


def test_an_event_retried_by_forge_is_stored_once(forge_live: PlatformSite) -> None:
    payload = {
        "eventType": "avi:jira:deleted:issue",
        "issue": {"id": "10999", "key": "PAY-999", "fields": {}},
        "atlassianId": "someone",
    }
    headers = forge_live.forge_headers(module=EVENTS_MODULE, account_id=None)
    first = requests.post(
        f"{forge_live.url}/forge/events", json=payload, headers=headers, timeout=10
    )
    retry = requests.post(
        f"{forge_live.url}/forge/events",
        json={**payload, "retryContext": {"retryCount": 1}},
        headers=forge_live.forge_headers(module=EVENTS_MODULE, account_id=None),
        timeout=10,
    )

    assert first.status_code == 204
    assert retry.status_code == 204
    assert retry.headers.get("X-ICM-Duplicate") == "1"


def test_without_forge_configured_a_bearer_token_is_refused_as_before(app: Flask) -> None:
    answer = app.test_client().get("/api/v1/teams", headers={"Authorization": "Bearer abc"})

    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "token_malformed"


def test_forge_resolves_a_ui_path_against_the_remotes_base_url_and_ignores_the_route() -> None:
    """invokeRemote's `path` follows the URL Standard's relative resolution; `route.path` is for
    triggers only (developer.atlassian.com: ui-api-bridge/invokeRemote, manifest endpoint)."""
    endpoint = {"route": {"path": "/forge/events"}}
    assert remote_url("https://icm.example.com", endpoint, "/api/v1/me") == (
        "https://icm.example.com/api/v1/me"
    )
    assert remote_url("https://h.example/app/", {}, "/forge/ui/x") == "https://h.example/forge/ui/x"
    assert remote_url("https://icm.example.com/", endpoint, None) == (
        "https://icm.example.com/forge/events"
    )


def test_the_ui_endpoint_answers_the_paths_the_custom_ui_asks(forge_live: PlatformSite) -> None:
    """Through the manifest's own UI endpoint, as a real site would call it: the service answers
    `/forge/ui/<module>` and `/api/v1/...`; the old `/ui/<module>` would be a 404 on a real site."""
    app = forge_live.forge_app()
    kind, module = find_module(app, "admin-page")
    forge = forge_live.forge
    assert forge is not None

    def ask(path: str) -> int:
        return call_remote(
            forge, app, {**module, "type": kind}, path=path, account_id=USERS[0].account_id
        ).status_code

    assert ask("/forge/ui/admin-page") == 200
    assert ask("/api/v1/teams") == 200
    assert ask("/ui/admin-page") == 404


def test_each_route_takes_only_its_modules_tokens(forge_live: PlatformSite) -> None:
    """A viewer's UI token cannot post a product event in someone's name, nor run the jobs; an
    event trigger's token is no way into the API or a page."""
    org = organise(forge_live)
    comment = {
        "eventType": "avi:jira:commented:issue",
        "issue": {"id": "10999", "key": "PAY-999", "fields": {}},
        "comment": {"id": "1", "body": "Rating: 1/5", "author": {"accountId": "lead"}},
        "atlassianId": "lead",
    }
    url = forge_live.url
    as_viewer = forge_live.forge_headers(module=UI_MODULE)
    forged = requests.post(f"{url}/forge/events", json=comment, headers=as_viewer, timeout=10)
    jobs = requests.post(f"{url}/forge/scheduled", json={}, headers=as_viewer, timeout=10)
    as_trigger = forge_live.forge_headers(module=EVENTS_MODULE, account_id=None)
    api = requests.get(f"{url}/api/v1/teams", headers=as_trigger, timeout=10)
    page = requests.get(f"{url}/forge/ui/general-page", headers=as_trigger, timeout=10)
    as_scheduler = forge_live.forge_headers(module=SCHEDULED_MODULE, account_id=None)
    events = requests.post(f"{url}/forge/events", json=comment, headers=as_scheduler, timeout=10)
    other_page = requests.get(f"{url}/forge/ui/admin-page", headers=as_viewer, timeout=10)

    for answer in (forged, jobs, api, page, events, other_page):
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == "wrong_module"
    with get_db(forge_live.app).transaction() as session:
        assert session.scalars(select(InboxDelivery)).all() == []
    assert org is not None


def test_connect_receivers_take_no_forge_token(forge_live: PlatformSite) -> None:
    """A valid Forge invocation token is no Connect server token: the receivers refuse it."""
    body = {"webhookEvent": "comment_created", "comment": {"id": "1", "body": "Rating: 1/5"}}
    for module in (EVENTS_MODULE, UI_MODULE):
        answer = requests.post(
            f"{forge_live.url}/webhooks/jira/comment-created",
            json=body,
            headers=forge_live.forge_headers(module=module),
            timeout=10,
        )
        assert answer.status_code == 401, answer.text
    with get_db(forge_live.app).transaction() as session:
        assert session.scalars(select(InboxDelivery)).all() == []


def _row(forge_live: PlatformSite) -> ForgeInstallation:
    with get_db(forge_live.app).transaction() as session:
        row = session.get(ForgeInstallation, forge_live.forge_app().installation_id)
        assert row is not None
        return row


def test_invocations_within_a_minute_write_the_installation_once(
    forge_live: PlatformSite,
) -> None:
    forge_live.call("GET", "/api/v1/teams")
    first = _row(forge_live)
    forge_live.call("GET", "/api/v1/teams")
    forge_live.call("GET", "/api/v1/teams")
    again = _row(forge_live)
    assert (again.updated_at, again.system_token) == (first.updated_at, first.system_token)

    recorded_invocations(forge_live.app).clear()  # a minute later, every write has expired
    forge_live.call("GET", "/api/v1/teams")
    later = _row(forge_live)
    assert later.updated_at > first.updated_at
    assert later.system_token != first.system_token  # the newest token is kept again


def test_a_longer_lived_token_or_changed_claims_are_written_at_once(
    forge_live: PlatformSite,
) -> None:
    forge_live.call("GET", "/api/v1/teams")
    soon = utcnow() + timedelta(minutes=10)
    with get_db(
        forge_live.app
    ).transaction() as session:  # the stored token: 10 minutes left, the next one 1 h
        row = session.get(ForgeInstallation, forge_live.forge_app().installation_id)
        assert row is not None
        row.system_token_expires_at = soon
    [written] = recorded_invocations(forge_live.app)._seen.values()
    written.installation.system_token_expires_at = soon  # as this process last wrote it

    forge_live.call("GET", "/api/v1/teams")
    renewed = _row(forge_live).system_token_expires_at
    assert renewed is not None and renewed - utcnow() > timedelta(minutes=30)

    forge_live.forge_app().app_version = "2.0.0"  # an upgrade changes the claims
    forge_live.call("GET", "/api/v1/teams")
    assert _row(forge_live).app_version == "2.0.0"
