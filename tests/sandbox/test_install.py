"""The install handshake: descriptor fetch, RS256 `installed`, HS256 `enabled`, uninstall."""

from __future__ import annotations

import pytest
import requests

from sandbox import InstallError, Sandbox
from tests.sandbox.fake_app import APP_KEY, FakeApp


def test_install_sends_signed_installed_then_enabled(sb: Sandbox, app: FakeApp) -> None:
    payload = sb.install(f"{app.base_url}/jira/atlassian-connect.json", "jira")

    assert app.failures == []
    assert app.lifecycle == [("/installed", "installed"), ("/enabled", "enabled")]
    assert payload["key"] == APP_KEY
    assert payload["baseUrl"] == sb.url
    assert payload["productType"] == "jira"
    assert payload["cloudId"] == sb.cloud_id
    assert len(payload["sharedSecret"]) == 64
    assert app.tenants[payload["clientKey"]]["sharedSecret"] == payload["sharedSecret"]


def test_confluence_install_uses_wiki_base_and_same_cloud(sb: Sandbox, app: FakeApp) -> None:
    jira = sb.install(f"{app.base_url}/jira/atlassian-connect.json", "jira")
    wiki = sb.install(f"{app.base_url}/confluence/atlassian-connect.json", "confluence")

    assert wiki["baseUrl"] == sb.url + "/wiki"
    assert wiki["cloudId"] == jira["cloudId"]
    assert wiki["clientKey"] != jira["clientKey"]


def test_reinstall_keeps_client_key_and_rotates_secret(sb: Sandbox, app: FakeApp) -> None:
    first = sb.install(f"{app.base_url}/jira/atlassian-connect.json", "jira")
    second = sb.install(f"{app.base_url}/jira/atlassian-connect.json", "jira")

    assert second["clientKey"] == first["clientKey"]
    assert second["sharedSecret"] != first["sharedSecret"]


def test_uninstall_sends_disabled_then_uninstalled(sb: Sandbox, app: FakeApp) -> None:
    sb.install(f"{app.base_url}/jira/atlassian-connect.json", "jira")

    outcome = sb.uninstall("jira")

    assert outcome == {"installed": 204, "enabled": 204, "disabled": 204, "uninstalled": 204}
    assert app.lifecycle[-2:] == [("/disabled", "disabled"), ("/uninstalled", "uninstalled")]
    assert app.failures == []


def test_refused_install_raises_and_leaves_nothing_installed(sb: Sandbox, app: FakeApp) -> None:
    app.refuse_install = True

    with pytest.raises(InstallError, match="500"):
        sb.install(f"{app.base_url}/jira/atlassian-connect.json", "jira")
    assert sb.installations == {}


def test_admin_install_endpoint_reports_outcome(sb: Sandbox, app: FakeApp) -> None:
    answer = requests.post(
        f"{sb.url}/_sandbox/install",
        json={"descriptorUrl": f"{app.base_url}/jira/atlassian-connect.json", "product": "jira"},
        timeout=10,
    )

    assert answer.status_code == 200
    assert answer.json()["outcome"] == {"installed": 204, "enabled": 204}


def test_install_keys_are_served_by_kid(sb: Sandbox) -> None:
    kid = sb.state.keys.kid
    assert requests.get(f"{sb.install_keys_url}/{kid}", timeout=5).text.startswith(
        "-----BEGIN PUBLIC KEY-----"
    )
    assert requests.get(f"{sb.install_keys_url}/unknown", timeout=5).status_code == 404
