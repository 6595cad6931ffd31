"""The app installs into the sandbox as it would into Atlassian Cloud; calls go both ways."""

from __future__ import annotations

import pytest
import requests

from connector.db import get_db
from connector.jira.http import RetryPolicy, jira_cloud
from connector.platforms.connect.clients import signed_session
from connector.platforms.connect.tenants import SqlTenantStore
from tests.support.live import LiveSite


def test_both_products_install_as_one_site(live_site: LiveSite) -> None:
    with get_db(live_site.app).transaction() as session:
        store = SqlTenantStore(session)
        jira = store.get(live_site.jira["clientKey"])
        confluence = store.get(live_site.confluence["clientKey"])
        assert jira is not None and confluence is not None
        assert jira.site_id == confluence.site_id == live_site.sandbox.cloud_id
        assert jira.state == confluence.state == "enabled"
        assert confluence.base_url == live_site.sandbox.url + "/wiki"


def test_signed_call_from_the_product_to_the_app(live_site: LiveSite) -> None:
    response = live_site.call("GET", "/api/v1/teams?limit=5")
    assert response.status_code == 200, response.text


def test_signed_call_from_the_app_to_jira(live_site: LiveSite) -> None:
    installed = live_site.jira
    session = signed_session(
        app_key=installed["key"],
        shared_secret=installed["sharedSecret"],
        product_base_url=installed["baseUrl"],
    )
    myself = jira_cloud(session, installed["baseUrl"]).get("rest/api/3/myself")
    assert myself["accountId"]


def test_sandbox_refuses_a_wrongly_signed_call(live_site: LiveSite) -> None:
    installed = live_site.jira
    session = signed_session(
        app_key=installed["key"],
        shared_secret="not-the-secret-" + "x" * 40,
        product_base_url=installed["baseUrl"],
    )
    before = len(live_site.sandbox.jira.issues)
    response = session.post(
        installed["baseUrl"] + "/rest/api/3/issue",
        json={
            "fields": {
                "project": {"key": "PAY"},
                "summary": "forged",
                "issuetype": {"name": "Task"},
            }
        },
    )
    assert response.status_code == 401
    assert len(live_site.sandbox.jira.issues) == before


def test_app_survives_injected_429_and_503(live_site: LiveSite) -> None:
    installed = live_site.jira
    live_site.sandbox.set_faults(rate429=0.2, rate503=0.1, retryAfter=0, seed=7)
    session = signed_session(
        app_key=installed["key"],
        shared_secret=installed["sharedSecret"],
        product_base_url=installed["baseUrl"],
        policy=RetryPolicy(attempts=8, backoff_base=0.01),
    )
    jira = jira_cloud(session, installed["baseUrl"])
    for _ in range(20):
        assert jira.get("rest/api/3/myself")["accountId"]
    assert session.retries > 0
    live_site.sandbox.set_faults(rate429=0, rate503=0)


def test_uninstall_then_calls_are_refused(live_site: LiveSite) -> None:
    outcome = live_site.sandbox.uninstall("jira")
    # Both callbacks were sent (a missing key fails) and accepted.
    assert {outcome["disabled"], outcome["uninstalled"]} <= {200, 204}
    response = live_site.call("GET", "/api/v1/teams")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "tenant_inactive"


@pytest.mark.parametrize("path", ["/livez", "/readyz", "/jira/atlassian-connect.json"])
def test_public_endpoints(live_site: LiveSite, path: str) -> None:
    assert requests.get(live_site.url + path, timeout=10).status_code == 200
