"""The expectation lifecycle through the API: record, propose, counter-propose, agree, edit."""

from __future__ import annotations

from typing import Any

from flask import Flask

from connector.db import get_db
from connector.db.models import OutboxTask
from connector.practice.models import Expectation
from tests.support.api import Api, row_counts, seed

SUPPLIER, CUSTOMER = "lead-PAY", "lead-HR"  # the leads of the seeded payroll relationship


def test_created_as_a_draft_with_everything_the_design_names(api: Api) -> None:
    made = seed(api)["expectation"]
    assert made["state"] == "draft"
    assert made["jiraIssueKey"] is None
    assert made["syncState"] == "pending"
    assert made["feedbackCount"] == 0
    assert made["health"] == {
        "score": None,
        "band": "no_feedback",
        "trend": "flat",
        "n": 0,
        "label": "No score yet · 0 of 3 ratings so far",
        "explanation": "A score shows once 3 ratings from the customer count (one per person "
        "per feedback round); 0 so far.",
    }
    assert made["measures"][0]["direction"] == "atLeast"
    assert made["supplier"] == "PAY" and made["customer"] == "HR"
    assert api.as_(SUPPLIER).ok("GET", f"/expectations/{made['id']}") == made


def test_propose_counter_propose_agree(api: Api, app: Flask) -> None:
    made = seed(api)["expectation"]
    path = f"/expectations/{made['id']}/transitions"
    assert api.as_(SUPPLIER).ok("POST", path, {"to": "proposed"})["state"] == "proposed"
    customer = api.as_(CUSTOMER)
    countered = customer.ok("POST", path, {"to": "proposed", "statement": "Paid by the 28th"})
    assert countered["statement"] == "Paid by the 28th"
    agreed = customer.ok("POST", path, {"to": "agreed"})
    assert agreed["state"] == "agreed" and agreed["agreedAt"]
    with get_db(app).transaction() as session:
        kinds = [(t.kind, t.ref_id) for t in session.query(OutboxTask)]
    assert ("expectation", made["id"]) in kinds


def test_illegal_move_is_a_409_naming_the_allowed(api: Api, app: Flask) -> None:
    made = seed(api)["expectation"]
    before = row_counts(app)
    response = api.as_(CUSTOMER).post(f"/expectations/{made['id']}/transitions", {"to": "met"})
    assert response.status_code == 409
    assert response.json["error"]["details"]["allowed"] == ["proposed", "retired"]
    assert row_counts(app) == before


def test_text_changes_only_in_a_counter_proposal(api: Api) -> None:
    made = seed(api)["expectation"]
    response = api.as_(SUPPLIER).post(
        f"/expectations/{made['id']}/transitions", {"to": "proposed", "statement": "new words"}
    )
    assert response.status_code == 422
    assert "statement" in response.json["error"]["details"]
    assert api.ok("GET", f"/expectations/{made['id']}")["state"] == "draft"


def test_editing_an_agreed_expectation_bumps_its_version(api: Api) -> None:
    made = seed(api)["expectation"]
    api = api.as_(SUPPLIER)
    api.ok("POST", f"/expectations/{made['id']}/transitions", {"to": "proposed"})
    api.as_(CUSTOMER).ok("POST", f"/expectations/{made['id']}/transitions", {"to": "agreed"})
    edited = api.ok(
        "PATCH",
        f"/expectations/{made['id']}",
        {
            "measures": [
                {"name": "Paid on time", "target": 100, "unit": "%"},
                {"name": "Queries answered in days", "target": 2, "direction": "atMost"},
            ],
        },
    )
    assert edited["version"] == 2
    assert [m["name"] for m in edited["measures"]] == ["Paid on time", "Queries answered in days"]
    again = api.ok("PATCH", f"/expectations/{made['id']}", {"priority": "low"})
    assert again["version"] == 3


def test_draft_edits_do_not_bump_the_version(api: Api) -> None:
    made = seed(api)["expectation"]
    edited = api.as_(SUPPLIER).ok(
        "PATCH", f"/expectations/{made['id']}", {"statement": "Paid right"}
    )
    assert edited["version"] == 1 and edited["statement"] == "Paid right"


def test_retire_is_soft(api: Api) -> None:
    made = seed(api)["expectation"]
    api = api.as_(CUSTOMER)  # either side's lead may retire it
    assert api.delete(f"/expectations/{made['id']}").status_code == 204
    assert api.ok("GET", f"/expectations/{made['id']}")["state"] == "retired"
    assert api.ok("GET", "/expectations")["values"] == []
    retired = api.ok("GET", "/expectations?state=retired")["values"]
    assert [e["id"] for e in retired] == [made["id"]]
    supplier = api.as_(SUPPLIER)
    assert supplier.patch(f"/expectations/{made['id']}", {"priority": "low"}).status_code == 409


def test_goal_must_belong_to_the_supplier(api: Api) -> None:
    made = seed(api)
    it_goal = api.ok("POST", "/goals", {"team": "IT", "title": "Fast laptops"}, 201)
    pay_goal = api.ok("POST", "/goals", {"team": "PAY", "title": "Zero payroll errors"}, 201)
    path = f"/expectations/{made['expectation']['id']}"
    api = api.as_(SUPPLIER)
    response = api.patch(path, {"goalId": it_goal["id"]})
    assert response.status_code == 422 and "goalId" in response.json["error"]["details"]
    assert api.ok("PATCH", path, {"goalId": pay_goal["id"]})["goalId"] == pay_goal["id"]


def test_links_are_queued(api: Api) -> None:
    made = seed(api)["expectation"]
    api = api.as_(SUPPLIER)
    path = f"/expectations/{made['id']}/links"
    assert api.ok("POST", path, {"issueKey": "IT-12"}, 201) == {
        "issueKey": "IT-12",
        "issueId": None,
        "linkType": "Internal customer",
        "origin": "app",
        "syncState": "pending",
        "blocksExpectation": False,
    }
    assert api.post(path, {"issueKey": "IT-12"}).status_code == 409
    assert api.post(path, {"issueKey": "it 12"}).status_code == 422
    assert api.ok("GET", f"/expectations/{made['id']}")["links"][0]["issueKey"] == "IT-12"


def test_list_filters_by_team_and_side(api: Api) -> None:
    made = seed(api)
    api.as_("lead-IT").ok(
        "POST",
        "/expectations",
        {"relationshipId": made["laptops"]["id"], "statement": "A laptop on day one"},
        201,
    )

    def ids(query: str) -> list[Any]:
        return [e["customer"] for e in api.ok("GET", f"/expectations?{query}")["values"]]

    assert ids("team=PAY&side=supplier") == ["HR"]
    assert ids("team=PAY&side=customer") == ["PAY"]
    assert sorted(ids("team=PAY")) == ["HR", "PAY"]
    assert ids("team=IT&side=customer") == []
    assert ids("state=agreed") == []
    assert api.get("/expectations?team=NOPE").status_code == 404
    assert api.get("/expectations?side=sideways").status_code == 422


def test_list_finds_the_expectation_behind_an_issue(api: Api, app: Flask) -> None:
    """What the Forge issue panel asks: `?issueKey=` (any state, as the panel does)."""
    made = seed(api)["expectation"]
    with get_db(app).transaction() as session:
        row = session.get(Expectation, made["id"])
        assert row is not None
        row.jira_issue_key = "PAY-7"

    def found(query: str) -> list[Any]:
        return [e["id"] for e in api.ok("GET", f"/expectations?{query}")["values"]]

    assert found("issueKey=PAY-7&state=all") == [made["id"]]
    assert found("issueKey=PAY-8&state=all") == []
    assert api.get("/expectations?issueKey=not-a-key").status_code == 422
