"""Personal data reporting on a Forge-only site: the sandbox runs the app's own function
(forge/src/privacy.js, under Node.js) from its daily scheduled trigger; the function asks the
remote for the due accounts, reports them with `privacy.reportPersonalData` to the sandbox's
reporting API, and hands the answer back; the remote erases a closed account as it does for a
Connect site. The function's own tests (forge/test/, node:test) pin the same contract from the
JavaScript side."""

from __future__ import annotations

import logging
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from sqlalchemy import select

from connector import scheduler
from connector.db import get_db, utcnow
from connector.db.models import PrivacyAccount, PrivacyCycle, Team
from connector.platforms.forge.installations import ForgeInstallation
from connector.platforms.forge.modules import PRIVACY_FUNCTION, PRIVACY_MODULES
from connector.platforms.forge.privacy import OVERDUE_GRACE
from tests.connector.platforms.forge.conftest import (
    EVENTS_MODULE,
    SCHEDULED_MODULE,
    UI_MODULE,
    PlatformSite,
)
from tests.connector.practice.test_privacy import health_of, rate, rows_naming
from tests.support.prerequisites import missing
from tests.webhooks.support import (
    CUSTOMER_MEMBER,
    INTEGRATOR,
    ROBIN,
    SUPPLIER_LEAD,
    SUPPLIER_MEMBER,
    seed_app,
)

TRIGGER = "icm-personal-data-daily"
DUE = "/forge/personal-data/due"
ANSWER = "/forge/personal-data/answer"
HELD = {ROBIN, INTEGRATOR, SUPPLIER_LEAD, SUPPLIER_MEMBER, CUSTOMER_MEMBER}
FUNCTION_MODULE = {"key": PRIVACY_FUNCTION, "type": "core:endpoint"}


def run_the_function(site: PlatformSite) -> dict[str, Any]:
    """Forge runs the daily trigger's function (the sandbox does it in Node.js)."""
    if shutil.which("node") is None:
        missing("node is not installed: the Forge function cannot run")
    answer = requests.post(
        f"{site.sandbox.url}/_sandbox/forge/scheduled", json={"key": TRIGGER}, timeout=120
    )
    assert answer.status_code == 200, answer.text
    [run] = answer.json()["deliveries"]
    assert (run["function"], run["status"]) == (PRIVACY_FUNCTION, 200), run["error"]
    result: dict[str, Any] = run["result"]
    return result


def sandbox(site: PlatformSite, path: str, body: Any = None) -> Any:
    response = requests.post(site.sandbox.url + path, json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def reports(site: PlatformSite) -> list[list[dict[str, str]]]:
    answer = requests.get(site.sandbox.url + "/_sandbox/privacy/reports", timeout=30)
    batches: list[list[dict[str, str]]] = answer.json()["reports"]
    return batches


def as_module(site: PlatformSite, path: str, module: dict[str, Any], body: Any = None) -> Any:
    headers = site.forge_headers(module=module, account_id=None)
    return requests.post(site.url + path, json=body or {}, headers=headers, timeout=30)


def test_a_closed_account_on_a_forge_only_site_leaves_no_personal_data(
    forge_live: PlatformSite,
) -> None:
    app, site_id = forge_live.app, forge_live.site_id
    org = seed_app(app, site_id)
    with get_db(app).transaction() as session:
        [expectation] = org.expectation_ids
        rate(session, site_id, expectation, ROBIN, [2, 4, 5])
        rate(session, site_id, expectation, INTEGRATOR, [3, 4])
        before = health_of(session, site_id, org.relationship_id, utcnow())
        assert rows_naming(session, ROBIN)
    sandbox(forge_live, f"/_sandbox/privacy/accounts/{ROBIN}/close")

    result = run_the_function(forge_live)

    [batch] = reports(forge_live)
    assert {item["accountId"] for item in batch} == HELD
    assert all(item["updatedAt"].endswith("Z") for item in batch)
    assert result == {
        "batches": 1,
        "reported": len(HELD),
        "closed": 1,
        "updated": 0,
        "outcome": "reported",
    }
    with get_db(app).transaction() as session:
        assert rows_naming(session, ROBIN) == []
        assert health_of(session, site_id, org.relationship_id, utcnow()) == before
        # The function's token has no context: the installation still knows its site.
        installation = session.get(ForgeInstallation, forge_live.forge_app().installation_id)
        assert installation is not None and installation.site_id == site_id
    team = forge_live.call("GET", "/api/v1/teams/HR")
    assert (team.json()["leadAccountId"], team.json()["formerLead"]) == (None, True)

    # Tomorrow's run: the cycle holds for 7 days, nothing is reported again.
    assert run_the_function(forge_live)["outcome"] == "nothing due"
    assert len(reports(forge_live)) == 1


def test_a_rate_limited_report_waits_for_its_retry_after(forge_live: PlatformSite) -> None:
    app, site_id = forge_live.app, forge_live.site_id
    seed_app(app, site_id)
    sandbox(forge_live, "/_sandbox/privacy/settings", {"rateLimited": 1, "retryAfter": 600})
    started = utcnow()

    assert run_the_function(forge_live)["outcome"] == "rate limited"

    with get_db(app).transaction() as session:
        cycle = session.get(PrivacyCycle, site_id)
        assert cycle is not None and cycle.last_outcome == "rate limited"
        wait = cycle.next_run_at - started
        assert timedelta(seconds=600) <= wait < timedelta(seconds=660)
        assert session.scalars(select(PrivacyAccount.reported_at)).all() == [None] * len(HELD)
    # Forge runs it again before the Retry-After is over: nothing is sent.
    assert run_the_function(forge_live)["outcome"] == "nothing due"
    assert reports(forge_live) == []

    with get_db(app).transaction() as session:  # the Retry-After has passed
        cycle = session.get(PrivacyCycle, site_id)
        assert cycle is not None
        cycle.next_run_at = utcnow() - timedelta(seconds=1)
    assert run_the_function(forge_live)["reported"] == len(HELD)


def test_the_scheduler_leaves_a_forge_only_site_to_its_function(
    forge_live: PlatformSite, caplog: pytest.LogCaptureFixture
) -> None:
    app, site_id = forge_live.app, forge_live.site_id
    seed_app(app, site_id)
    forge_live.call("GET", "/api/v1/teams")  # Forge has invoked the app: an installed site
    now = utcnow()
    caplog.set_level(logging.INFO)
    caplog.clear()

    assert scheduler.report_personal_data(app, now) == 0

    with get_db(app).transaction() as session:
        assert session.get(PrivacyCycle, site_id) is None  # no "no reporter" turn, no delay
    assert [r for r in caplog.records if r.name.startswith("connector.")] == []

    # Still unreported past a cycle's grace (an app version without the function): a warning.
    late = now + OVERDUE_GRACE + timedelta(minutes=1)
    assert scheduler.report_personal_data(app, late) == 0
    [warning] = [r for r in caplog.records if "overdue" in r.getMessage()]
    assert (warning.levelname, getattr(warning, "accounts", None)) == ("WARNING", len(HELD))

    # Once the function has reported them, the site is quiet again.
    caplog.clear()
    run_the_function(forge_live)
    assert scheduler.report_personal_data(app, late) == 0
    assert [r for r in caplog.records if "overdue" in r.getMessage()] == []


def test_only_the_functions_token_reaches_the_reporting_routes(forge_live: PlatformSite) -> None:
    seed_app(forge_live.app, forge_live.site_id)
    lifecycle = {"key": "icm-lifecycle", "type": "core:trigger"}
    uninstall = {"key": "icm-pre-uninstall", "type": "core:preUninstall"}
    for module in (UI_MODULE, SCHEDULED_MODULE, EVENTS_MODULE, lifecycle, uninstall):
        for path in (DUE, ANSWER):
            refused = as_module(forge_live, path, module)
            assert refused.status_code == 403, (module, path, refused.text)
            assert refused.json()["error"]["code"] == "wrong_module"
    # Whether a function's invokeRemote names a module at all is undocumented: the routes take a
    # token naming none (as the sandbox signs it), or the function's, or its trigger's.
    assert forge_live.forge is not None
    token = forge_live.forge.invocation_token(
        forge_live.forge_app(), FUNCTION_MODULE, None, backend=True
    )
    bare = requests.post(
        forge_live.url + DUE, json={}, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert bare.status_code == 200, bare.text
    assert {item["accountId"] for item in bare.json()["accounts"]} == HELD
    trigger_module = {"key": TRIGGER, "type": "core:scheduledTrigger"}
    assert {FUNCTION_MODULE["key"], trigger_module["key"]} == PRIVACY_MODULES
    assert as_module(forge_live, DUE, FUNCTION_MODULE).status_code == 200
    assert as_module(forge_live, DUE, trigger_module).status_code == 200


def test_a_token_carrying_a_user_never_reaches_the_reporting_routes(
    forge_live: PlatformSite,
) -> None:
    seed_app(forge_live.app, forge_live.site_id)
    headers = forge_live.forge_headers(module=FUNCTION_MODULE, account_id=ROBIN)
    for path in (DUE, ANSWER):
        refused = requests.post(forge_live.url + path, json={}, headers=headers, timeout=30)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "user_token"


def test_an_answer_acts_only_on_the_callers_own_accounts(forge_live: PlatformSite) -> None:
    app, site_id = forge_live.app, forge_live.site_id
    seed_app(app, site_id)
    with get_db(app).transaction() as session:
        session.add(Team(site_id="elsewhere", key="OPS", name="Ops", lead_account_id="acc-other"))
    at = "2026-11-30T10:00:00.000Z"
    body = {
        "accounts": [{"accountId": a, "updatedAt": at} for a in ("acc-other", SUPPLIER_LEAD)],
        "status": 200,
        "updates": [
            {"accountId": "acc-other", "status": "closed"},
            {"accountId": SUPPLIER_LEAD, "status": "closed"},
            {"accountId": INTEGRATOR, "status": "closed"},  # not in the batch it reported
        ],
    }

    answer = as_module(forge_live, ANSWER, FUNCTION_MODULE, body)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"outcome": "batch reported", "reported": 1, "closed": 1, "updated": 0}
    with get_db(app).transaction() as session:
        leads = dict(session.execute(select(Team.key, Team.lead_account_id)).all())
        assert leads == {"OPS": "acc-other", "PAY": None, "HR": ROBIN}
        assert rows_naming(session, INTEGRATOR) != []


@pytest.mark.parametrize(
    "body",
    [
        {"accounts": [], "status": 200},
        {"accounts": [{"accountId": f"a-{n}"} for n in range(91)], "status": 200},
        {"accounts": [{"accountId": "a b"}], "status": 200},
        {"accounts": [{"accountId": "a-1"}], "status": "200"},
        {"accounts": [{"accountId": "a-1"}], "status": 200, "updates": {"a-1": "closed"}},
    ],
)
def test_a_malformed_answer_is_a_400(forge_live: PlatformSite, body: dict[str, Any]) -> None:
    answer = as_module(forge_live, ANSWER, FUNCTION_MODULE, body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "bad_answer"


def test_the_sandbox_signs_a_functions_call_as_forge_documents_it(forge_live: PlatformSite) -> None:
    """A backend invokeRemote carries no `context` (runtime-reference/invoke-remote-api), and the
    installation's contexts only their documented fields: the remote must do without them."""
    assert forge_live.forge is not None
    app = forge_live.forge_app()
    token = forge_live.forge.invocation_token(app, FUNCTION_MODULE, None, backend=True)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert "context" not in claims and "principal" not in claims
    assert "module" not in claims["app"]  # no module claim is documented for it
    assert claims["app"]["installation"]["contexts"] == [
        {"name": f"ari:cloud:{p}::site/{forge_live.site_id}", "apiBaseUrl": app.api_base(p)}
        for p in ("jira", "confluence")
    ]


def test_the_function_passes_its_own_tests(forge_tooling: Path) -> None:
    """node:test over forge/test/: the function against a stubbed @forge/api and remote."""
    node = shutil.which("node") or "node"
    tests = sorted(str(path) for path in (forge_tooling / "test").glob("*.test.mjs"))
    done = subprocess.run(
        [node, "--test", *tests],
        cwd=forge_tooling,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout
