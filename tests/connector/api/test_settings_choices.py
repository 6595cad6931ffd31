"""The settings take only what the site's Jira has (issue #22, "validate at the door"): the issue
types and link types are offered from Jira and a name Jira lacks is refused with a 422 naming the
field; a measure without a target is refused too, never saved as 0."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask

from connector.db import get_db
from connector.practice.feedback_requests import ANSWERED, OPEN, FeedbackRequest
from sandbox.directory import USERS
from tests.support.api import Api, row_counts, seed
from tests.support.live import LiveSite

ADMIN = USERS[0].account_id  # the sandbox's Jira administrator


def test_the_sandbox_jira_offers_its_issue_types_and_link_types(live_site: LiveSite) -> None:
    answer = live_site.call("GET", "/api/v1/settings/choices", sub=ADMIN)
    assert answer.status_code == 200, answer.text
    choices = answer.json()
    # The sandbox's catalogue (sandbox/directory.py): no subtask among expectations' types.
    assert choices["issueTypes"] == ["Task", "Story", "Bug"]
    assert choices["epicIssueTypes"] == ["Epic"]
    assert "Relates" in choices["linkTypeNames"]
    assert "Internal customer" in choices["linkTypeNames"]  # the app makes it when missing
    asked = {c.path for c in live_site.sandbox.calls}
    assert {"/rest/api/3/issuetype", "/rest/api/3/issueLinkType"} <= asked


def test_an_issue_type_the_site_lacks_is_refused(live_site: LiveSite) -> None:
    answer = live_site.call("PUT", "/api/v1/settings", {"issueType": "Stroy"}, sub=ADMIN)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "not_in_jira"
    assert set(error["details"]) == {"issueType"}
    assert "'Stroy'" in error["details"]["issueType"] and "Story" in error["details"]["issueType"]
    kept = live_site.call("GET", "/api/v1/settings", sub=ADMIN).json()
    assert kept["issueType"] == "Task"  # nothing written
    # Jira's own spelling is kept whatever the case typed.
    saved = live_site.call("PUT", "/api/v1/settings", {"issueType": "story"}, sub=ADMIN)
    assert saved.status_code == 200 and saved.json()["issueType"] == "Story"


def test_every_name_jira_lacks_is_named(live_site: LiveSite) -> None:
    body = {"issueType": "Task", "epicIssueType": "Task", "linkTypeName": "Depends"}
    answer = live_site.call("PUT", "/api/v1/settings", body, sub=ADMIN)
    assert answer.status_code == 422, answer.text
    assert set(answer.json()["error"]["details"]) == {"epicIssueType", "linkTypeName"}


def test_a_non_admin_is_refused_before_jira_is_asked(api: Api) -> None:
    answer = api.as_("lead-PAY").call("PUT", "/settings", {"issueType": "Stroy"})
    assert answer.status_code == 403


def test_people_are_found_by_name(live_site: LiveSite) -> None:
    answer = live_site.call("GET", "/api/v1/people?query=emma", sub=ADMIN)
    assert answer.status_code == 200, answer.text
    assert answer.json()["values"] == [
        {"accountId": USERS[1].account_id, "displayName": "Emma Richards"}
    ]
    empty = live_site.call("GET", "/api/v1/people?query=", sub=ADMIN)
    assert empty.status_code == 422


def test_only_administrators_and_leads_look_people_up(api: Api) -> None:
    seed(api)  # lead-PAY leads Payroll
    assert api.ok("GET", "/people?query=Emma")["values"][0]["displayName"] == "Emma"
    assert api.as_("lead-PAY").ok("GET", "/people?query=Emma")["values"]
    for caller, code in (("acc-stranger", "role_required"), (None, "user_required")):
        answer = api.as_(caller).get("/people?query=Emma")
        assert answer.status_code == 403 and answer.json["error"]["code"] == code
    message = api.as_("acc-stranger").get("/people?query=Emma").json["error"]["message"]
    assert message == (
        "only a Jira administrator or a team's lead may look people up (to name leads and members)"
    )


def measure_body(api: Api, measure: dict[str, Any]) -> dict[str, Any]:
    rel = api.ok("GET", "/relationships?team=PAY&side=supplier")["values"][0]
    return {"relationshipId": rel["id"], "statement": "Payslips on time", "measures": [measure]}


def test_a_measure_without_a_target_is_refused(api: Api, app: Flask) -> None:
    seed(api)
    supplier = api.as_("lead-PAY")
    before = row_counts(app)
    for measure in ({"name": "Payslips on time"}, {"name": "Payslips on time", "target": None}):
        answer = supplier.post("/expectations", measure_body(api, measure))
        assert answer.status_code == 422, answer.get_data(as_text=True)
        assert "target" in str(answer.json["error"]["details"])
    assert row_counts(app) == before
    made = supplier.ok(
        "POST", "/expectations", measure_body(api, {"name": "On time", "target": 0}), 201
    )
    assert made["measures"][0]["target"] == 0  # an explicit 0 is a target


def test_an_open_request_for_feedback_is_shown_with_its_date(api: Api, app: Flask) -> None:
    """What the team page's "Waiting for you" reads: when feedback was asked and not answered."""
    made = seed(api)["expectation"]
    assert api.ok("GET", f"/expectations/{made['id']}")["feedbackRequestedAt"] is None
    asked = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    with get_db(app).transaction() as session:
        for window, state in ((1, OPEN), (2, ANSWERED)):
            session.add(
                FeedbackRequest(
                    site_id=api.site.cloud_id,
                    expectation_id=made["id"],
                    window=window,
                    state=state,
                    requested_at=asked.replace(day=window),
                )
            )
    shown = api.ok("GET", f"/expectations/{made['id']}")
    assert shown["feedbackRequestedAt"] == "2026-12-01T09:30:00+00:00"
    mapped = api.ok("GET", "/teams/PAY/map")["customers"][0]["expectations"][0]
    assert mapped["feedbackRequestedAt"] == shown["feedbackRequestedAt"]
