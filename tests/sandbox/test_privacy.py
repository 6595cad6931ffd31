"""The sandbox's personal data reporting API: signed like any product call (or, for a Forge app,
with its app token at api.atlassian.com's path), 1-90 accounts with an RFC 3339 updatedAt, 200
with the accounts needing action, 204 otherwise, 429 while rate-limited."""

from __future__ import annotations

from pathlib import Path

import requests
import yaml

from sandbox import Sandbox
from sandbox.forge.site import MANIFEST, forge_site
from tests.sandbox.conftest import Client

PATH = "/rest/atlassian-connect/latest/report-accounts"
AT = "2026-11-30T10:00:00.000Z"


def accounts(*ids: str, at: str = AT) -> dict[str, list[dict[str, str]]]:
    return {"accounts": [{"accountId": i, "updatedAt": at} for i in ids]}


def hook(sb: Sandbox, path: str, body: object = None) -> None:
    response = requests.post(sb.url + "/_sandbox/privacy" + path, json=body, timeout=10)
    assert response.status_code == 200, response.text


def test_report_answers_closed_and_updated(sb: Sandbox, jira: Client) -> None:
    assert jira.post(PATH, accounts("acc-1", "acc-2")).status_code == 204
    hook(sb, "/accounts/acc-1/close")
    hook(sb, "/accounts/acc-2/update")
    answer = jira.post(PATH, accounts("acc-1", "acc-2", "acc-3"))
    assert answer.status_code == 200
    assert answer.json() == {
        "accounts": [
            {"accountId": "acc-1", "status": "closed"},
            {"accountId": "acc-2", "status": "updated"},
        ]
    }
    # Refreshed after the update: no longer `updated`; a closed account stays closed.
    fresh = jira.post(PATH, accounts("acc-1", "acc-2", at="2999-01-01T00:00:00Z"))
    assert fresh.json() == {"accounts": [{"accountId": "acc-1", "status": "closed"}]}
    reported = requests.get(sb.url + "/_sandbox/privacy/reports", timeout=10).json()["reports"]
    assert [len(batch) for batch in reported] == [2, 3, 2]


def test_report_refuses_what_atlassian_refuses(sb: Sandbox, jira: Client) -> None:
    unsigned = requests.post(sb.url + PATH, json=accounts("acc-1"), timeout=10)
    assert unsigned.status_code == 401
    for body in (
        accounts(*[f"acc-{n}" for n in range(91)]),
        {"accounts": []},
        accounts("unknown"),
        accounts("acc-1", at="yesterday"),
        accounts("acc-1", at="2026-11-30T10:00:00"),  # no offset
        {"accounts": [{"accountId": "acc-1"}]},
    ):
        refused = jira.post(PATH, body)
        assert refused.status_code == 400, body
        assert set(refused.json()) == {"errorType", "errorMessage"}


def test_rate_limit_and_cycle_period(sb: Sandbox, jira: Client) -> None:
    hook(sb, "/settings", {"rateLimited": 1, "retryAfter": 7, "cyclePeriod": "P14D"})
    limited = jira.post(PATH, accounts("acc-1"))
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    after = jira.post(PATH, accounts("acc-1"))
    assert (after.status_code, after.headers["Cycle-Period"]) == (204, "P14D")


def test_a_forge_app_reports_as_itself_with_the_scope(sb: Sandbox, tmp_path: Path) -> None:
    """`privacy.reportPersonalData` calls api.atlassian.com's `/app/report-accounts` as the app:
    its system token, and the manifest's `report:personal-data` scope."""
    forge = forge_site(sb.state)
    app = forge.install("http://remote.invalid", "ari:cloud:ecosystem::app/x", "jira")
    url = sb.url + "/app/report-accounts"

    def post(token: str) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return requests.post(url, json=accounts("acc-1"), headers=headers, timeout=10)

    hook(sb, "/accounts/acc-1/close")
    answer = post(forge.issue_app_token(app, "system"))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"accounts": [{"accountId": "acc-1", "status": "closed"}]}
    assert post("made-up").status_code == 401
    assert post(forge.issue_app_token(app, "user", "acc-2")).status_code == 401  # asApp only

    manifest = yaml.safe_load(MANIFEST.read_text())
    manifest["permissions"]["scopes"].remove("report:personal-data")
    unscoped = tmp_path / "manifest.yml"
    unscoped.write_text(yaml.safe_dump(manifest))
    app = forge.install("http://remote.invalid", "ari:cloud:ecosystem::app/x", "jira", unscoped)
    refused = post(forge.issue_app_token(app, "system"))
    assert refused.status_code == 403
    assert set(refused.json()) == {"errorType", "errorMessage"}
