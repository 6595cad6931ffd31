"""Who may do what, through the API (README "Who may do what"): each attack of issue #11 is a
refused call that writes nothing, and each role can do its part."""

from __future__ import annotations

from typing import Any

import requests
from flask import Flask

from sandbox.directory import USERS
from tests.support.api import Api, row_counts, seed
from tests.support.live import LiveSite

SUPPLIER, CUSTOMER = "lead-PAY", "lead-HR"
STRANGER = "acc-stranger"


def refused(response: Any, code: str = "role_required") -> str:
    assert response.status_code == 403, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["code"] == code, error
    return str(error["message"])


def proposed(api: Api) -> dict[str, Any]:
    made = seed(api)
    path = f"/expectations/{made['expectation']['id']}/transitions"
    api.as_(SUPPLIER).ok("POST", path, {"to": "proposed"})
    return made


def test_a_token_without_a_user_writes_nothing(api: Api, app: Flask) -> None:
    made = seed(api)
    anonymous = api.as_(None)
    before = row_counts(app)
    refused(anonymous.post("/teams", {"key": "EVIL", "name": "Evil"}), "user_required")
    refused(anonymous.call("PUT", "/settings", {"issueType": "Bug"}), "user_required")
    refused(anonymous.delete(f"/expectations/{made['expectation']['id']}"), "user_required")
    refused(anonymous.post("/expectations/1/feedback", {"rating": 1}), "user_required")
    assert row_counts(app) == before
    assert api.ok("GET", "/settings")["issueType"] == "Task"
    # Reads stay open to any user of the site, and to a token without one.
    assert anonymous.get("/teams").status_code == 200


def test_a_stranger_cannot_agree_or_counter_propose_for_the_customer(api: Api, app: Flask) -> None:
    made = proposed(api)
    path = f"/expectations/{made['expectation']['id']}/transitions"
    stranger = api.as_(STRANGER)
    before = row_counts(app)
    message = refused(stranger.post(path, {"to": "agreed"}))
    assert message == (
        "only the customer side's lead or the relationship's integrator may agree or"
        " counter-propose"
    )
    refused(stranger.post(path, {"to": "proposed", "statement": "Paid whenever"}))
    # Neither may the supplier agree with itself, nor an administrator sign for the customer.
    refused(api.as_(SUPPLIER).post(path, {"to": "agreed"}))
    refused(api.post(path, {"to": "agreed"}))
    assert row_counts(app) == before  # no Jira issue queued
    assert api.ok("GET", f"/expectations/{made['expectation']['id']}")["state"] == "proposed"


def test_the_integrator_may_agree(api: Api) -> None:
    made = proposed(api)
    api.ok("PATCH", f"/relationships/{made['payroll']['id']}", {"integratorAccountId": "boss"})
    path = f"/expectations/{made['expectation']['id']}/transitions"
    assert api.as_("boss").ok("POST", path, {"to": "agreed"})["state"] == "agreed"
    assert api.as_("boss").ok("POST", path, {"to": "at_risk"})["state"] == "at_risk"
    refused(api.as_(SUPPLIER).post(path, {"to": "met"}))


def test_the_supplier_cannot_make_itself_the_integrator(api: Api) -> None:
    made = proposed(api)
    payroll = f"/relationships/{made['payroll']['id']}"
    message = refused(api.as_(SUPPLIER).patch(payroll, {"integratorAccountId": SUPPLIER}))
    assert "integrator" in message
    body = {"supplier": "PAY", "customer": "IT", "service": "x", "integratorAccountId": SUPPLIER}
    refused(api.as_(SUPPLIER).post("/relationships", body))
    path = f"/expectations/{made['expectation']['id']}/transitions"
    refused(api.as_(SUPPLIER).post(path, {"to": "agreed"}))
    assert (
        api.as_(CUSTOMER).ok("PATCH", payroll, {"integratorAccountId": "boss"})[
            "integratorAccountId"
        ]
        == "boss"
    )


def test_no_one_but_an_administrator_sets_a_teams_lead(api: Api) -> None:
    seed(api)
    refused(api.as_(STRANGER).patch("/teams/HR", {"leadAccountId": STRANGER}))
    refused(api.as_(CUSTOMER).patch("/teams/HR", {"leadAccountId": STRANGER}))
    refused(api.as_(STRANGER).post("/teams", {"key": "NEW", "name": "New"}))
    refused(api.as_(CUSTOMER).delete("/teams/HR"))
    assert api.ok("GET", "/teams/HR")["leadAccountId"] == CUSTOMER


def test_the_supplier_side_never_rates_itself(api: Api, app: Flask) -> None:
    made = seed(api)
    expectation = made["expectation"]["id"]
    api.as_(SUPPLIER).ok("PUT", "/teams/PAY/members", {"accountIds": ["pay-1"]})
    api.as_(CUSTOMER).ok("PUT", "/teams/HR/members", {"accountIds": ["hr-1"]})
    path = f"/expectations/{expectation}/feedback"
    before = row_counts(app)
    for account in (SUPPLIER, "pay-1", STRANGER):
        refused(api.as_(account).post(path, {"rating": 5}))
    assert row_counts(app) == before
    assert api.as_("hr-1").ok("POST", path, {"rating": 2}, 201)["authorAccountId"] == "hr-1"
    assert api.as_(CUSTOMER).ok("POST", path, {"rating": 3}, 201)["rating"] == 3


def test_only_the_supplier_side_records_and_edits(api: Api) -> None:
    made = seed(api)
    one = f"/expectations/{made['expectation']['id']}"
    api.as_(SUPPLIER).ok("PUT", "/teams/PAY/members", {"accountIds": ["pay-1"]})
    body = {"relationshipId": made["payroll"]["id"], "statement": "Payslips by e-mail"}
    refused(api.as_(CUSTOMER).post("/expectations", body))
    refused(api.as_(STRANGER).patch(one, {"priority": "low"}))
    refused(api.as_(STRANGER).post(one + "/links", {"issueKey": "IT-1"}))
    assert api.as_("pay-1").ok("POST", "/expectations", body, 201)["state"] == "draft"
    assert api.as_("pay-1").ok("PATCH", one, {"priority": "low"})["priority"] == "low"
    # Retiring is for either side's lead only.
    refused(api.as_("pay-1").delete(one))
    assert api.as_(SUPPLIER).delete(one).status_code == 204


def test_members_are_set_by_the_lead_or_an_administrator(api: Api) -> None:
    seed(api)
    refused(api.as_(STRANGER).call("PUT", "/teams/PAY/members", {"accountIds": [STRANGER]}))
    refused(api.as_(CUSTOMER).call("PUT", "/teams/PAY/members", {"accountIds": [CUSTOMER]}))
    assert api.as_(SUPPLIER).ok("PUT", "/teams/PAY/members", {"accountIds": ["b", "a", "a"]}) == {
        "accountIds": [SUPPLIER, "a", "b"]
    }
    assert api.ok("PUT", "/teams/PAY/members", {"accountIds": ["c"]}) == {
        "accountIds": [SUPPLIER, "c"]
    }
    assert api.as_(STRANGER).ok("GET", "/teams/PAY/members") == {"accountIds": [SUPPLIER, "c"]}
    team = api.as_(STRANGER).ok("GET", "/teams/PAY")
    assert team["members"] == [SUPPLIER, "c"] and team["permissions"] == {"manage": False}
    assert api.as_(SUPPLIER).ok("GET", "/teams/PAY")["permissions"] == {"manage": True}


def test_me(api: Api) -> None:
    seed(api)
    api.as_(SUPPLIER).ok("PUT", "/teams/PAY/members", {"accountIds": ["pay-1"]})
    # On both sides of PAY -> HR: only an administrator puts someone there (CROSS_ENROL).
    api.ok("PUT", "/teams/HR/members", {"accountIds": ["pay-1"]})
    assert api.as_("pay-1").ok("GET", "/me") == {
        "accountId": "pay-1",
        "siteAdmin": False,
        "teams": [{"key": "HR", "role": "member"}, {"key": "PAY", "role": "member"}],
    }
    assert api.as_(SUPPLIER).ok("GET", "/me")["teams"] == [{"key": "PAY", "role": "lead"}]
    assert api.ok("GET", "/me") == {"accountId": "acc-1", "siteAdmin": True, "teams": []}
    assert api.as_(None).ok("GET", "/me") == {"accountId": None, "siteAdmin": False, "teams": []}


def test_permissions_say_what_the_caller_may_do(api: Api) -> None:
    made = proposed(api)
    one = f"/expectations/{made['expectation']['id']}"
    assert api.as_(CUSTOMER).ok("GET", one)["permissions"] == {
        "transitions": ["proposed", "agreed", "retired"],
        "edit": False,
        "rate": True,
        "sync": False,
    }
    assert api.as_(SUPPLIER).ok("GET", one)["permissions"] == {
        "transitions": ["draft", "retired"],
        "edit": True,
        "rate": False,
        "sync": False,
    }
    listed = api.as_(STRANGER).ok("GET", "/expectations")["values"]
    assert listed[0]["permissions"] == {
        "transitions": [],
        "edit": False,
        "rate": False,
        "sync": False,
    }


def test_relationships_and_goals_by_their_teams_leads(api: Api) -> None:
    made = seed(api)
    refused(api.as_(STRANGER).post("/goals", {"team": "PAY", "title": "Mine"}))
    refused(api.as_(CUSTOMER).post("/goals", {"team": "PAY", "title": "Theirs"}))
    goal = api.as_(SUPPLIER).ok("POST", "/goals", {"team": "PAY", "title": "Ours"}, 201)
    refused(api.as_(STRANGER).delete(f"/goals/{goal['id']}"))
    body = {"supplier": "PAY", "customer": "IT", "service": "pay slips"}
    refused(api.as_(STRANGER).post("/relationships", body))
    assert api.as_(SUPPLIER).ok("POST", "/relationships", body, 201)["service"] == "pay slips"
    laptops = f"/relationships/{made['laptops']['id']}"
    refused(api.as_(STRANGER).patch(laptops, {"integratorAccountId": STRANGER}))
    assert api.as_(CUSTOMER).patch(laptops, {"service": "x"}).status_code == 403
    assert api.as_("lead-IT").ok("PATCH", laptops, {"service": "new laptops"})["service"] == (
        "new laptops"
    )


def test_jira_is_asked_who_administers_it(live_site: LiveSite) -> None:
    """Against the sandbox's Jira (`POST /rest/api/3/permissions/check` as the app)."""
    body = {"issueType": "Story"}
    admin, other = USERS[0].account_id, USERS[3].account_id
    answer = live_site.call("PUT", "/api/v1/settings", body, sub=other)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "role_required"
    assert live_site.call("GET", "/api/v1/me", sub=other).json()["siteAdmin"] is False
    assert live_site.call("PUT", "/api/v1/settings", body, sub=admin).status_code == 200
    made = requests.post(
        f"{live_site.sandbox.url}/_sandbox/admins", json={"accountIds": [other]}, timeout=10
    )
    assert made.status_code == 200
    live_site.app.extensions.pop("icm.site_admin_cache", None)  # the minute the answer is kept
    assert live_site.call("PUT", "/api/v1/settings", body, sub=other).status_code == 200
    assert live_site.call("PUT", "/api/v1/settings", body, sub=admin).status_code == 403
    asked = [c for c in live_site.sandbox.calls if c.path == "/rest/api/3/permissions/check"]
    assert asked and all(c.status == 200 for c in asked)


def test_a_customer_lead_relates_its_own_team_and_names_the_integrator(api: Api) -> None:
    """README: relationships are created by a lead "of its own team", either side; the customer
    side's lead (not the supplier's) names the integrator."""
    seed(api)
    body = {"supplier": "IT", "customer": "HR", "service": "desks"}
    made = api.as_(CUSTOMER).ok("POST", "/relationships", body, 201)
    assert (made["supplier"]["key"], made["customer"]["key"]) == ("IT", "HR")
    named = {"supplier": "PAY", "customer": "HR", "service": "x", "integratorAccountId": STRANGER}
    assert api.as_(CUSTOMER).ok("POST", "/relationships", named, 201)["integratorAccountId"] == (
        STRANGER
    )
    by_supplier = {**named, "customer": "IT", "supplier": "PAY"}
    assert "customer side's lead" in refused(api.as_(SUPPLIER).post("/relationships", by_supplier))
    refused(api.as_(CUSTOMER).post("/relationships", {**body, "customer": "PAY"}))  # not its team


def test_a_refusal_names_the_rule_and_the_action(api: Api) -> None:
    seed(api)
    body = {"supplier": "PAY", "customer": "IT", "service": "x"}
    error = api.as_(STRANGER).post("/relationships", body).json["error"]
    assert error == {
        "code": "role_required",
        "message": "only a Jira administrator or the lead of one of its teams may manage a "
        "relationship",
        "details": {"action": "manage_relationship"},
    }
    nobody = api.as_(None).post("/relationships", body).json["error"]
    assert (nobody["code"], nobody["message"]) == (
        "user_required",
        "this change needs a signed-in user",
    )
