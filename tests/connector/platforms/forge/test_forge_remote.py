"""The app as a Forge remote of the sandbox: UI modules, triggers, product calls with app tokens."""

from __future__ import annotations

import requests
from flask import Flask
from sqlalchemy import select

from connector.db import get_db, utcnow
from connector.platforms.forge.installations import ForgeInstallation
from connector.platforms.sites import jira_for_site
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


def test_installations_are_kept_by_installation_id_on_the_sites_organisation(
    forge_live: PlatformSite,
) -> None:
    forge_live.call("GET", "/api/v1/teams")
    forge_live.call("GET", "/api/v1/teams", product="confluence")

    with get_db(forge_live.app).transaction() as session:
        rows = session.scalars(select(ForgeInstallation)).all()
        found = {(r.installation_id, r.product, r.site_id) for r in rows}
    assert found == {
        (forge_live.forge_app(p).installation_id, p, forge_live.sandbox.cloud_id)
        for p in ("jira", "confluence")
    }


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


def test_a_forge_macro_on_a_confluence_page_shows_the_remote_fragment(
    forge_live: PlatformSite,
) -> None:
    organise(forge_live)
    page_id = forge_live.sandbox.confluence_seed_page("ICM", "Customers", MACRO_PAGE)

    page = requests.get(
        f"{forge_live.sandbox.url}/forge/wiki/spaces/ICM/pages/{page_id}", timeout=30
    )

    assert page.status_code == 200
    assert 'data-module-key="customer-map"' in page.text
    assert "Customer map: Payroll" in page.text and "<svg" in page.text


def test_the_team_page_finds_the_team_by_its_project(forge_live: PlatformSite) -> None:
    organise(forge_live)

    page = requests.get(f"{forge_live.sandbox.url}/forge/apps/team-page?project=PAY", timeout=30)

    assert page.status_code == 200
    assert "Customer map: Payroll" in page.text


def test_the_admin_page_shows_the_installation(forge_live: PlatformSite) -> None:
    page = requests.get(f"{forge_live.sandbox.url}/forge/apps/admin-page", timeout=30)

    assert forge_live.forge_app().installation_id in page.text


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


def test_the_scheduled_trigger_runs_the_sites_jobs_against_jira(forge_live: PlatformSite) -> None:
    answer = requests.post(
        f"{forge_live.sandbox.url}/_sandbox/forge/scheduled", json={}, timeout=60
    )

    assert answer.status_code == 200
    assert [d["status"] for d in answer.json()["deliveries"]] == [200]
    assert any(
        c.path == "/rest/api/3/search/jql" and c.status == 200 for c in forge_live.sandbox.calls
    )


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
