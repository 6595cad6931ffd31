"""The Rovo agent's actions, invoked as Forge invokes an endpoint-backed action (sandbox/rovo.py):
a FIT of the action's module for the user chatting, the inputs plus the product context. For each
action: the answer to a user whose role allows it, the refusal of one whose role does not (also
when the inputs name someone else), and bad inputs (a sentence, nothing written)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from connector.db import get_db, utcnow
from connector.platforms.forge.modules import ROVO_ACTIONS, ROVO_AGENT
from connector.platforms.forge.rovo import HANDLERS
from connector.practice.models import Expectation, Feedback, Measure
from sandbox.directory import USERS
from sandbox.rovo import invoke_action
from tests.connector.platforms.forge.conftest import FORGE_DIR, UI_MODULE, PlatformSite
from tests.connector.platforms.forge.test_manifest import manifest
from tests.support.api import make_admins

ADMIN = "admin-not-on-a-team"
INTEGRATOR, PAY_LEAD, PAY_MEMBER, HR_LEAD, HR_MEMBER = (u.account_id for u in USERS)
OUTSIDER = "someone-on-no-team"
STATEMENT = "payslips   right first time, every month  (no exceptions!)"


def as_user(site: PlatformSite, account: str, method: str, path: str, body: Any = None) -> Any:
    headers = site.forge_headers(account_id=account)
    answer = requests.request(method, site.url + path, json=body, headers=headers, timeout=30)
    assert answer.status_code < 300, answer.text
    return answer.json() if answer.content else None


@pytest.fixture
def org(forge_live: PlatformSite) -> dict[str, Any]:
    """PAY (lead, member) supplies HR (lead, member) its payroll run; an integrator; one agreed
    expectation of HR's, at risk, its measure off target and no rating for 40 days."""
    make_admins(forge_live.app, ADMIN)
    for key, name, lead in (("PAY", "Payroll", PAY_LEAD), ("HR", "People", HR_LEAD)):
        team = {"key": key, "name": name, "jiraProjectKey": None, "leadAccountId": lead}
        as_user(forge_live, ADMIN, "POST", "/api/v1/teams", team)
    as_user(forge_live, PAY_LEAD, "PUT", "/api/v1/teams/PAY/members", {"accountIds": [PAY_MEMBER]})
    as_user(forge_live, HR_LEAD, "PUT", "/api/v1/teams/HR/members", {"accountIds": [HR_MEMBER]})
    rel = as_user(
        forge_live,
        ADMIN,
        "POST",
        "/api/v1/relationships",
        {"supplier": "PAY", "customer": "HR", "service": "monthly payroll run"},
    )
    as_user(
        forge_live,
        ADMIN,
        "PATCH",
        f"/api/v1/relationships/{rel['id']}",
        {"integratorAccountId": INTEGRATOR},
    )
    made = as_user(
        forge_live,
        PAY_LEAD,
        "POST",
        "/api/v1/expectations",
        {
            "relationshipId": rel["id"],
            "statement": "Everyone is paid on the last working day",
            "measures": [{"name": "Paid on time", "target": 99.5, "unit": "%"}],
            "cadenceDays": 30,
        },
    )
    path = f"/api/v1/expectations/{made['id']}/transitions"
    as_user(forge_live, PAY_LEAD, "POST", path, {"to": "proposed"})
    as_user(forge_live, HR_LEAD, "POST", path, {"to": "agreed"})
    as_user(forge_live, HR_LEAD, "POST", path, {"to": "at_risk"})
    with get_db(forge_live.app).transaction() as session:
        expectation = session.get(Expectation, made["id"])
        assert expectation is not None
        expectation.agreed_at = utcnow() - timedelta(days=40)
        expectation.jira_issue_key = "PAY-7"
        expectation.measures[0].latest_value = 97.0
    return {"relationship": rel, "expectation": made}


def act(
    site: PlatformSite,
    action: str,
    inputs: dict[str, Any],
    account: str | None,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    answer = invoke_action(site.forge, action, inputs, account_id=account, context=context)  # type: ignore[arg-type]
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    body: dict[str, Any] = answer.json()
    assert isinstance(body["message"], str) and body["message"]
    return body


def counts(site: PlatformSite) -> tuple[int, int, int]:
    with get_db(site.app).transaction() as session:
        return (
            session.scalar(select(func.count()).select_from(Expectation)) or 0,
            session.scalar(select(func.count()).select_from(Measure)) or 0,
            session.scalar(select(func.count()).select_from(Feedback)) or 0,
        )


# --- list expectations ---------------------------------------------------------------------


def test_list_answers_what_my_customers_expect_and_where_we_are_late(
    forge_live: PlatformSite, org: dict[str, Any]
) -> None:
    mine = act(forge_live, "list-expectations", {}, PAY_MEMBER)
    assert mine["outcome"] == "answered" and mine["teams"] == ["PAY"]
    [item] = mine["expectations"]
    assert item["statement"] == "Everyone is paid on the last working day"
    assert item["customer"] == "People" and item["state"] == "at_risk"
    assert "Everyone is paid on the last working day" in mine["message"]
    # The questions to ask come from the site's settings, in one place.
    assert mine["conversation"]["followUps"][0]["question"] == "Why does this matter to you?"

    late = act(forge_live, "list-expectations", {"promised": True}, PAY_LEAD)
    assert late["expectations"][0]["late"] == [
        "marked at risk",
        "Paid on time is 97 %, the target is at least 99.5 %",
        "no rating for 40 days (feedback was agreed every 30 days)",
    ]
    assert "1 late" in late["message"]


def test_list_is_for_the_tokens_user_not_the_one_the_inputs_name(
    forge_live: PlatformSite, org: dict[str, Any]
) -> None:
    # HR's lead asks what *its* customers expect, with inputs naming Payroll's lead: HR has none.
    hr = act(
        forge_live,
        "list-expectations",
        {"accountId": PAY_LEAD, "user": PAY_LEAD},
        HR_LEAD,
        context={"accountId": PAY_LEAD},
    )
    assert hr["teams"] == ["HR"] and hr["expectations"] == []
    assert hr["message"] == "Nothing is expected of People in the customer map yet."
    suppliers = act(forge_live, "list-expectations", {"side": "suppliers"}, HR_LEAD)
    assert [e["supplier"] for e in suppliers["expectations"]] == ["Payroll"]
    # Reads are open to every user of the site: naming a team is a question, not a role.
    named = act(forge_live, "list-expectations", {"team": "payroll"}, OUTSIDER)
    assert len(named["expectations"]) == 1
    # Without a user (no `principal`), nothing is answered, whatever the context says.
    nobody = act(forge_live, "list-expectations", {}, None, context={"accountId": PAY_LEAD})
    assert nobody["outcome"] == "refused" and "signed-in user" in nobody["message"]
    assert "expectations" not in nobody


def test_list_explains_bad_inputs_and_a_user_on_no_team(
    forge_live: PlatformSite, org: dict[str, Any]
) -> None:
    side = act(forge_live, "list-expectations", {"side": "sideways", "promised": "yes"}, PAY_LEAD)
    assert side["outcome"] == "invalid"
    assert "side must be customers or suppliers (got 'sideways')" in side["message"]
    assert "promised must be true or false (got 'yes')" in side["message"]
    unknown = act(forge_live, "list-expectations", {"team": "Treasury"}, PAY_LEAD)
    assert unknown["outcome"] == "invalid"
    assert "No team is called 'Treasury'" in unknown["message"]
    assert "People (HR), Payroll (PAY)" in unknown["message"]
    alone = act(forge_live, "list-expectations", {}, OUTSIDER)
    assert alone["outcome"] == "answered" and "on no team" in alone["message"]
    assert alone["expectations"] == [] and alone["conversation"]["seedQuestion"]


# --- relationship health -------------------------------------------------------------------


def test_health_of_our_relationship_with_another_team(
    forge_live: PlatformSite, org: dict[str, Any]
) -> None:
    answer = act(forge_live, "relationship-health", {"otherTeam": "Payroll"}, HR_MEMBER)
    assert answer["outcome"] == "answered"
    [rel] = answer["relationships"]
    assert rel["supplier"] == "Payroll" and rel["customer"] == "People"
    assert rel["health"]["band"] == "no_feedback" and rel["health"]["n"] == 0
    assert "Payroll supplies People (monthly payroll run): no feedback yet" in answer["message"]
    # Inputs naming someone else change nothing: the user is the token's.
    same = act(
        forge_live, "relationship-health", {"otherTeam": "HR", "accountId": HR_LEAD}, PAY_LEAD
    )
    assert [r["id"] for r in same["relationships"]] == [rel["id"]]
    nobody = act(forge_live, "relationship-health", {"otherTeam": "Payroll"}, None)
    assert nobody["outcome"] == "refused" and "relationships" not in nobody


def test_health_explains_bad_inputs(forge_live: PlatformSite, org: dict[str, Any]) -> None:
    missing = act(forge_live, "relationship-health", {"team": "HR"}, HR_LEAD)
    assert missing["outcome"] == "invalid" and "otherTeam is needed" in missing["message"]
    wrong = act(forge_live, "relationship-health", {"otherTeam": 42}, HR_LEAD)
    assert "otherTeam must be text (got 42)" in wrong["message"]
    none = act(forge_live, "relationship-health", {"otherTeam": "HR", "team": "HR"}, HR_LEAD)
    assert none["message"] == "People and People have no relationship in the customer map."


# --- draft an expectation ------------------------------------------------------------------

DRAFT = {
    "customer": "People",
    "statement": STATEMENT,
    "whyItMatters": "people  trust their pay",
    "measureName": "Payslips right first time",
    "measureTarget": 99.5,
    "measureUnit": "%",
    "measureDirection": "atLeast",
    "growthOpportunity": "self-service corrections",
    "cadenceDays": 30,
}


def test_the_supplier_side_drafts_in_the_customers_words(
    forge_live: PlatformSite, org: dict[str, Any]
) -> None:
    answer = act(forge_live, "draft-expectation", DRAFT, PAY_MEMBER)
    assert answer["outcome"] == "drafted" and answer["state"] == "draft"
    assert STATEMENT in answer["message"] and "It is a draft" in answer["message"]
    made = as_user(forge_live, PAY_MEMBER, "GET", f"/api/v1/expectations/{answer['expectationId']}")
    assert made["statement"] == STATEMENT  # not trimmed, not rewritten
    assert made["whyItMatters"] == "people  trust their pay"
    assert made["growthOpportunity"] == "self-service corrections"
    assert made["cadenceDays"] == 30 and made["state"] == "draft"
    assert [(m["name"], m["target"], m["unit"], m["direction"]) for m in made["measures"]] == [
        ("Payslips right first time", 99.5, "%", "atLeast")
    ]


@pytest.mark.parametrize(
    ("account", "extra", "rule"),
    [
        (HR_LEAD, {}, "only the supplier side"),
        # The customer's lead names Payroll and Payroll's lead in the inputs and the context.
        (
            HR_LEAD,
            {"supplier": "PAY", "accountId": PAY_LEAD, "author": PAY_LEAD},
            "only the supplier side",
        ),
        (HR_MEMBER, {"supplier": "Payroll"}, "only the supplier side"),
        (INTEGRATOR, {}, "only the supplier side"),
        (ADMIN, {}, "only the supplier side"),
        (OUTSIDER, {"supplier": "PAY"}, "only the supplier side"),
        (None, {}, "signed-in user"),
    ],
)
def test_a_draft_by_anyone_else_is_refused_and_writes_nothing(
    forge_live: PlatformSite,
    org: dict[str, Any],
    account: str | None,
    extra: dict[str, Any],
    rule: str,
) -> None:
    before = counts(forge_live)
    answer = act(
        forge_live,
        "draft-expectation",
        {**DRAFT, **extra},
        account,
        context={"accountId": PAY_LEAD},
    )
    assert answer["outcome"] == "refused", answer
    assert rule in answer["message"]
    assert "expectationId" not in answer
    assert counts(forge_live) == before


@pytest.mark.parametrize(
    ("inputs", "said"),
    [
        ({"customer": "People"}, "statement is needed"),
        ({"statement": "x"}, "customer is needed"),
        ({**DRAFT, "measureTarget": "lots"}, "measureTarget must be a number (got 'lots')"),
        ({**DRAFT, "measureName": None}, "measureName is needed with measureTarget"),
        ({**DRAFT, "measureTarget": None}, "measureTarget is needed with measureName"),
        ({**DRAFT, "cadenceDays": 0}, "cadenceDays must be a whole number from 1 to 366 (got 0)"),
        ({**DRAFT, "measureDirection": "sideways"}, "measures"),
        ({**DRAFT, "statement": "x" * 5001}, "statement"),
        ({**DRAFT, "customer": "Treasury"}, "No team is called 'Treasury' (customer)"),
        ({**DRAFT, "customer": "Payroll"}, "supplies nothing to Payroll"),
    ],
)
def test_a_bad_draft_is_explained_and_writes_nothing(
    forge_live: PlatformSite, org: dict[str, Any], inputs: dict[str, Any], said: str
) -> None:
    before = counts(forge_live)
    answer = act(forge_live, "draft-expectation", inputs, PAY_LEAD)
    assert answer["outcome"] == "invalid", answer
    assert said in answer["message"] and answer["message"].endswith("Nothing was written.")
    assert counts(forge_live) == before


# --- record feedback -------------------------------------------------------------------------


def test_the_customer_side_and_the_integrator_record_ratings(
    forge_live: PlatformSite, org: dict[str, Any]
) -> None:
    target = org["expectation"]["id"]
    given = act(
        forge_live,
        "record-feedback",
        {"expectationId": target, "rating": 4, "comment": "better  lately"},
        HR_MEMBER,
    )
    assert given["outcome"] == "recorded" and given["expectationId"] == target
    assert "rating of 4 out of 5" in given["message"] and "“better  lately”" in given["message"]
    # On the expectation's Jira issue, the product context names it.
    on_issue = act(
        forge_live,
        "record-feedback",
        {"rating": 5},
        INTEGRATOR,
        context={"jira": {"issueKey": "pay-7"}},
    )
    assert on_issue["outcome"] == "recorded" and on_issue["expectationId"] == target
    listed = as_user(forge_live, HR_LEAD, "GET", f"/api/v1/expectations/{target}/feedback")[
        "values"
    ]
    assert [(f["rating"], f["comment"], f["authorAccountId"], f["source"]) for f in listed] == [
        (5, None, INTEGRATOR, "rovo"),
        (4, "better  lately", HR_MEMBER, "rovo"),
    ]


@pytest.mark.parametrize(
    ("account", "extra", "rule"),
    [
        (PAY_LEAD, {}, "never the supplier side"),
        # The supplier's lead names the customer's lead as the author, in inputs and context.
        (PAY_LEAD, {"author": HR_LEAD, "accountId": HR_LEAD}, "never the supplier side"),
        (PAY_MEMBER, {}, "never the supplier side"),
        (OUTSIDER, {"accountId": HR_MEMBER}, "only the customer side"),
        (ADMIN, {}, "only the customer side"),
        (None, {}, "signed-in user"),
    ],
)
def test_a_rating_by_anyone_else_is_refused_and_writes_nothing(
    forge_live: PlatformSite,
    org: dict[str, Any],
    account: str | None,
    extra: dict[str, Any],
    rule: str,
) -> None:
    inputs = {"expectationId": org["expectation"]["id"], "rating": 1, **extra}
    answer = act(forge_live, "record-feedback", inputs, account, context={"accountId": HR_LEAD})
    assert answer["outcome"] == "refused", answer
    assert rule in answer["message"]
    assert counts(forge_live)[2] == 0


@pytest.mark.parametrize(
    ("inputs", "context", "said"),
    [
        ({"rating": 7}, None, "rating must be a whole number from 1 to 5 (got 7)"),
        ({"rating": "four"}, None, "rating must be a whole number from 1 to 5 (got 'four')"),
        ({"rating": True}, None, "rating must be a whole number from 1 to 5 (got True)"),
        ({}, None, "rating is needed"),
        ({"rating": 4, "expectationId": None}, {}, "expectationId is needed"),
        ({"rating": 4, "expectationId": 999999}, None, "There is no expectation #999999"),
        ({"rating": 4, "expectationId": None}, {"jira": {"issueKey": "PAY-99"}}, "PAY-99 is not"),
        ({"rating": 4, "comment": "x" * 5001}, None, "comment must be at most 5000 characters"),
    ],
)
def test_a_bad_rating_is_explained_and_writes_nothing(
    forge_live: PlatformSite,
    org: dict[str, Any],
    inputs: dict[str, Any],
    context: dict[str, Any] | None,
    said: str,
) -> None:
    full = {"expectationId": org["expectation"]["id"], **inputs}
    answer = act(forge_live, "record-feedback", full, HR_LEAD, context=context)
    assert answer["outcome"] == "invalid", answer
    assert said in answer["message"] and answer["message"].endswith("Nothing was written.")
    assert counts(forge_live)[2] == 0


# --- tokens ------------------------------------------------------------------------------------


def test_each_action_route_takes_only_its_own_tokens(forge_live: PlatformSite) -> None:
    url = forge_live.url + "/forge/rovo/record-feedback"
    ui = forge_live.forge_headers(module=UI_MODULE, account_id=HR_LEAD)
    listing = forge_live.forge_headers(module={"key": "list-expectations", "type": "rovo:action"})
    endpoint = forge_live.forge_headers(module={"key": "icm-rovo-feedback", "type": "rovo:action"})
    for headers in (ui, listing):
        answer = requests.post(
            url, json={"rating": 5, "expectationId": 1}, headers=headers, timeout=10
        )
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "wrong_module"
    # ... and an action's token opens no API route nor page: the actions are all it may call.
    for path in ("/api/v1/teams", "/forge/ui/team-page"):
        api = requests.get(forge_live.url + path, headers=listing, timeout=10)
        assert api.status_code == 403 and api.json()["error"]["code"] == "wrong_module"
    assert requests.post(url, json={"rating": 5}, timeout=10).status_code == 401
    bare = requests.post(
        url, data="[]", headers={**endpoint, "Content-Type": "application/json"}, timeout=10
    )
    assert bare.status_code == 400
    # The endpoint's own key is accepted too (which one Forge sends is not documented).
    wrapped = requests.post(url, json={"payload": {"rating": 9}}, headers=endpoint, timeout=10)
    assert wrapped.status_code == 200 and wrapped.json()["outcome"] == "invalid"
    unknown = requests.post(
        forge_live.url + "/forge/rovo/delete-everything", json={}, headers=endpoint, timeout=10
    )
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_action"


def test_the_sandbox_invokes_an_action_over_http(
    forge_live: PlatformSite, org: dict[str, Any]
) -> None:
    answer = requests.post(
        f"{forge_live.sandbox.url}/_sandbox/forge/rovo/relationship-health",
        json={"accountId": HR_LEAD, "inputs": {"otherTeam": "PAY"}},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == 200
    assert answer.json()["answer"]["relationships"][0]["service"] == "monthly payroll run"
    refused = requests.post(
        f"{forge_live.sandbox.url}/_sandbox/forge/rovo/general-page", json={}, timeout=10
    )
    assert refused.status_code == 400 and "not an action" in refused.json()["error"]


def test_the_manifest_declares_the_agent_and_its_actions() -> None:
    """Read with PyYAML (Atlassian's validator runs in test_manifest.py)."""
    modules = manifest(FORGE_DIR)["modules"]
    [agent] = modules["rovo:agent"]
    assert agent["key"] == ROVO_AGENT and agent["actions"] == list(ROVO_ACTIONS)
    assert len(agent["name"]) <= 30
    assert all(len(s) <= 85 for s in agent["conversationStarters"])
    actions = {a["key"]: a for a in modules["action"]}
    assert {key: a["endpoint"] for key, a in actions.items()} == ROVO_ACTIONS
    assert {key: a["actionVerb"] for key, a in actions.items()} == {
        "list-expectations": "GET",
        "relationship-health": "GET",
        "draft-expectation": "CREATE",
        "record-feedback": "CREATE",
    }
    endpoints = {e["key"]: e for e in modules["endpoint"]}
    for key, endpoint in ROVO_ACTIONS.items():
        assert endpoints[endpoint]["route"]["path"] == f"/forge/rovo/{key}"
        assert key in HANDLERS
        inputs = actions[key]["inputs"]
        assert len(inputs) <= 10
        assert all(i["type"] in ("string", "integer", "number", "boolean") for i in inputs.values())
        assert not {"accountId", "author", "user"} & set(inputs)  # never who, only what
    # The prompt is a resource file; the questions themselves come from the settings.
    resource, _, name = agent["prompt"].removeprefix("resource:").partition(";")
    [folder] = [r["path"] for r in manifest(FORGE_DIR)["resources"] if r["key"] == resource]
    prompt = (FORGE_DIR / folder / name).read_text()
    assert "ONE AT A TIME" in prompt and "conversation" in prompt and "DRAFT only" in prompt
