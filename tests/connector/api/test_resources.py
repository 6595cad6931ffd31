"""Teams, relationships, goals, settings and the customer map through the API; every refusal
is the right 4xx and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.support.api import Api, install, row_counts, seed


def test_team_crud_by_key(api: Api) -> None:
    body = {"key": "PAY", "name": "Payroll", "jiraProjectKey": "PAY", "leadAccountId": "acc-1"}
    made = api.ok("POST", "/teams", body, 201)
    assert made == {
        **body,
        "retiredAt": None,
        "formerLead": False,
        "members": ["acc-1"],  # the lead counts as a member
        "permissions": {"manage": True},
    }
    assert api.ok("GET", "/teams/PAY") == made
    assert api.ok("PATCH", "/teams/PAY", {"name": "Pay & Benefits"})["name"] == "Pay & Benefits"
    assert api.delete("/teams/PAY").status_code == 204
    assert api.ok("GET", "/teams")["values"] == []
    assert api.ok("GET", "/teams?state=retired")["values"][0]["key"] == "PAY"


def test_relationship_crud(api: Api) -> None:
    made = seed(api)
    payroll = made["payroll"]
    assert payroll["supplier"] == {"key": "PAY", "name": "Payroll"}
    assert payroll["customer"]["key"] == "HR" and payroll["state"] == "active"
    updated = api.ok("PATCH", f"/relationships/{payroll['id']}", {"integratorAccountId": "boss"})
    assert updated["integratorAccountId"] == "boss"
    listed = api.ok("GET", "/relationships?team=PAY&side=customer")["values"]
    assert [r["service"] for r in listed] == ["laptops"]
    # An expectation still lives on it: retire that first.
    assert api.delete(f"/relationships/{payroll['id']}").status_code == 409
    api.as_("lead-HR").delete(f"/expectations/{made['expectation']['id']}")
    assert api.delete(f"/relationships/{payroll['id']}").status_code == 204
    assert api.ok("GET", f"/relationships/{payroll['id']}")["state"] == "retired"


def test_goals(api: Api) -> None:
    seed(api)
    goal = api.ok("POST", "/goals", {"team": "PAY", "title": "Zero errors"}, 201)
    assert goal["team"] == "PAY" and goal["jiraEpicKey"] is None
    assert api.ok("PATCH", f"/goals/{goal['id']}", {"description": "why"})["description"] == "why"
    assert [g["id"] for g in api.ok("GET", "/goals?team=PAY")["values"]] == [goal["id"]]
    assert api.delete(f"/goals/{goal['id']}").status_code == 204
    assert api.ok("GET", "/goals")["values"] == []


def test_settings(api: Api) -> None:
    assert api.ok("GET", "/settings")["issueType"] == "Task"
    changed = api.ok("PUT", "/settings", {"issueType": "Story", "defaultCadenceDays": 14})
    assert changed["issueType"] == "Story" and changed["defaultCadenceDays"] == 14
    made = seed(api)["expectation"]
    assert made["cadenceDays"] == 30  # given explicitly
    rel = api.ok("GET", "/relationships?team=PAY&side=supplier")["values"][0]
    default = api.as_("lead-PAY").ok(
        "POST", "/expectations", {"relationshipId": rel["id"], "statement": "x"}, 201
    )
    assert default["cadenceDays"] == 14


def test_customer_map(api: Api) -> None:
    seed(api)
    customer_map = api.ok("GET", "/teams/PAY/map")
    assert customer_map["team"]["key"] == "PAY"
    assert [r["customer"]["key"] for r in customer_map["customers"]] == ["HR"]
    assert [r["supplier"]["key"] for r in customer_map["suppliers"]] == ["IT"]
    hr = customer_map["customers"][0]
    assert hr["health"]["band"] == "no_feedback"
    assert hr["expectations"][0]["statement"].startswith("Everyone is paid")


def test_pagination_walks_every_row_once(api: Api) -> None:
    for n in range(7):
        api.ok("POST", "/teams", {"key": f"T{n}", "name": f"Team {n}"}, 201)
    seen: list[str] = []
    cursor = ""
    while True:
        page = api.ok("GET", f"/teams?limit=3{'&cursor=' + cursor if cursor else ''}")
        seen += [t["key"] for t in page["values"]]
        if page["nextCursor"] is None:
            break
        cursor = page["nextCursor"]
    assert seen == [f"T{n}" for n in range(7)]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "fields"),
    [
        ("POST", "/teams", {"key": "pay", "name": ""}, 422, {"key", "name"}),
        ("POST", "/teams", {"key": "PAY", "name": "x", "colour": "red"}, 422, {"colour"}),
        ("POST", "/teams", ["not", "an", "object"], 400, set()),
        ("POST", "/teams", {"key": "PAY", "name": "Payroll again"}, 409, set()),
        (
            "POST",
            "/relationships",
            {"supplier": "PAY", "customer": "PAY", "service": "x"},
            422,
            {"customer"},
        ),
        (
            "POST",
            "/relationships",
            {"supplier": "PAY", "customer": "NOPE", "service": "x"},
            422,
            {"customer"},
        ),
        (
            "POST",
            "/relationships",
            {"supplier": "PAY", "customer": "HR", "service": "monthly payroll run"},
            409,
            set(),
        ),
        (
            "POST",
            "/expectations",
            {"relationshipId": 99999, "statement": "x"},
            422,
            {"relationshipId"},
        ),
        (
            "POST",
            "/expectations",
            {"relationshipId": "one", "statement": ""},
            422,
            {"relationshipId", "statement"},
        ),
        (
            "POST",
            "/expectations",
            {
                "relationshipId": 1,
                "statement": "x",
                "measures": [{"name": "m", "target": "high", "source": "jql"}],
            },
            422,
            {"measures"},
        ),
        ("PATCH", "/expectations/99999", {"priority": "low"}, 404, set()),
        ("GET", "/teams/NOPE", None, 404, set()),
        ("GET", "/teams?limit=0", None, 422, {"limit"}),
        ("GET", "/teams?limit=101", None, 422, {"limit"}),
        ("GET", "/teams?cursor=garbage!", None, 400, set()),
        ("DELETE", "/teams/PAY", None, 409, set()),
        ("POST", "/goals", {"team": "NOPE", "title": "x"}, 422, {"team"}),
        ("PUT", "/settings", {"defaultCadenceDays": 0}, 422, {"defaultCadenceDays"}),
    ],
)
def test_refusals_write_nothing(
    api: Api, app: Flask, method: str, path: str, body: Any, status: int, fields: set[str]
) -> None:
    seed(api)
    before = row_counts(app)
    response = api.call(method, path, body)
    assert response.status_code == status, response.json
    error = response.json["error"]
    assert error["code"] and error["message"]
    assert fields <= set(error["details"])
    assert row_counts(app) == before


@pytest.mark.parametrize("too_big", [2**31, 2**63], ids=["beyond-postgresql", "beyond-sqlite"])
def test_an_id_the_database_cannot_hold_is_refused_not_a_500(
    api: Api, app: Flask, too_big: int
) -> None:
    """Found by test_api_fuzz: the database driver raised OverflowError, so the answer was 500."""
    expectation = seed(api)["expectation"]["id"]
    before = row_counts(app)
    for method, path, body in [
        ("GET", f"/expectations/{too_big}", None),
        ("PATCH", f"/goals/{too_big}", {"title": "x"}),
        ("DELETE", f"/relationships/{too_big}", None),
        ("GET", f"/expectations/{too_big}/feedback", None),
        ("POST", f"/expectations/{too_big}/links", {"issueKey": "IT-1"}),
    ]:
        response = api.call(method, path, body)
        assert response.status_code == 404, (method, path, response.json)
        assert response.json["error"]["details"] == {"id": too_big}
    for method, path, body, field in [
        ("POST", "/expectations", {"relationshipId": too_big, "statement": "x"}, "relationshipId"),
        ("PATCH", f"/expectations/{expectation}", {"goalId": too_big}, "goalId"),
        ("GET", f"/expectations?relationshipId={too_big}", None, "relationshipId"),
    ]:
        response = api.call(method, path, body)
        assert response.status_code == 422, (method, path, response.json)
        assert field in response.json["error"]["details"]
    assert row_counts(app) == before


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/teams", {"key": "NUL", "name": "a\u0000b"}, "name"),
        ("PATCH", "/teams/PAY", {"leadAccountId": "\u0000"}, "leadAccountId"),
        ("PUT", "/settings", {"issueType": "Task\u0000"}, "issueType"),
        ("POST", "/expectations/{e}/feedback", {"rating": 3, "comment": "\ud800"}, "comment"),
        ("PATCH", "/expectations/{e}", {"measures": [{"name": "\udc00", "target": 1}]}, "measures"),
        ("POST", "/expectations/{e}/links", {"issueKey": "A" * 40 + "-1"}, "issueKey"),
    ],
)
def test_text_no_database_can_store_is_a_422(
    api: Api, app: Flask, method: str, path: str, body: Any, field: str
) -> None:
    """Found by test_api_fuzz on PostgreSQL (NUL, an issue key over its 32-character column) and
    on both databases (an unpaired surrogate is not UTF-8): each was a 500."""
    expectation = seed(api)["expectation"]["id"]
    before = row_counts(app)
    response = api.call(method, path.format(e=expectation), body)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["details"]
    assert row_counts(app) == before


def test_a_key_with_nul_names_no_team(api: Api) -> None:
    """Found by test_api_fuzz on PostgreSQL, which refuses even to compare a NUL: a 500. Now a
    400 naming NUL before anything is looked up (issue #24: the same for every route)."""
    seed(api)
    for path in ("/teams/PAY%00", "/teams/%00/map"):
        response = api.get(path)
        assert response.status_code == 400, response.json
        assert response.json["error"]["code"] == "nul_in_request"


def test_not_json_is_a_400(api: Api, app: Flask) -> None:
    before = row_counts(app)
    response = api.post("/teams", raw="key=PAY")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
    assert row_counts(app) == before


def test_sites_never_see_each_other(api: Api, app: Flask, signing_key: Any, kid: str) -> None:
    made = seed(api)
    other = Api(
        app.test_client(), install(app, signing_key, kid, base_url="https://b.atlassian.net")
    )
    expectation = made["expectation"]["id"]
    relationship = made["payroll"]["id"]
    before = row_counts(app)
    assert other.get("/teams/PAY").status_code == 404
    assert other.get(f"/expectations/{expectation}").status_code == 404
    assert other.get(f"/relationships/{relationship}").status_code == 404
    assert other.patch(f"/expectations/{expectation}", {"priority": "low"}).status_code == 404
    assert (
        other.post(f"/expectations/{expectation}/transitions", {"to": "proposed"}).status_code
        == 404
    )
    assert other.delete("/teams/HR").status_code == 404
    assert (
        other.post("/expectations", {"relationshipId": relationship, "statement": "x"}).status_code
        == 422
    )
    assert other.ok("GET", "/expectations")["values"] == []
    assert other.ok("GET", "/teams")["values"] == []
    assert row_counts(app) == before
    # The same key is free on the other site.
    assert other.post("/teams", {"key": "PAY", "name": "B's payroll"}).status_code == 201


def test_every_api_route_is_guarded(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") and rule.rule != "/api/v1/openapi.json":
            view = app.view_functions[rule.endpoint]
            assert getattr(view, "icm_context_qsh", None) is True, rule.rule


def test_unsigned_call_is_refused(app: Flask) -> None:
    response = app.test_client().get("/api/v1/teams")
    assert response.status_code == 401
