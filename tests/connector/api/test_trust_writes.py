"""Trust, second pass (issue #24), through the API: a lead cannot silence its customers by
enrolling them, every write refuses a token without a user and a stranger (enumerated from the
OpenAPI document), and what only the site's people may see needs a signed-in user."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from connector.db import get_db, utcnow
from connector.practice.models import Relationship
from connector.practice.outbox import OutboxTask
from connector.practice.review_packs import PackState, ReviewPack
from tests.support.api import Api, row_counts, seed

SUPPLIER, CUSTOMER = "lead-PAY", "lead-HR"
STRANGER = "acc-stranger"
CROSS_ENROL = (
    "only a Jira administrator may put someone on both sides of a relationship: enrol a lead,"
    " member or integrator of a team on the other side of one of this team's relationships,"
    " or relate two teams that share people"
)


def refused(response: Any, code: str = "role_required") -> str:
    assert response.status_code == 403, response.get_data(as_text=True)
    assert response.json["error"]["code"] == code, response.json
    return str(response.json["error"]["message"])


# --- 1. membership a lead cannot abuse


def test_a_supplier_lead_cannot_enrol_its_customers(api: Api, app: Flask) -> None:
    made = seed(api)
    api.as_(CUSTOMER).ok("PUT", "/teams/HR/members", {"accountIds": ["hr-1"]})
    before = row_counts(app)
    for victim in (CUSTOMER, "hr-1"):
        body = {"accountIds": ["pay-1", victim]}
        assert refused(api.as_(SUPPLIER).call("PUT", "/teams/PAY/members", body)) == CROSS_ENROL
    assert row_counts(app) == before
    assert api.as_(SUPPLIER).ok("GET", "/teams/PAY/members") == {"accountIds": [SUPPLIER]}
    # So the customer side still rates its supplier.
    path = f"/expectations/{made['expectation']['id']}/feedback"
    assert api.as_("hr-1").ok("POST", path, {"rating": 2}, 201)["rating"] == 2
    # Nor the other way round (IT supplies PAY: IT's lead may not enrol PAY's people).
    refused(api.as_("lead-IT").call("PUT", "/teams/IT/members", {"accountIds": [SUPPLIER]}))
    # A relationship's integrator is on the customer's side too.
    payroll = f"/relationships/{made['payroll']['id']}"
    api.as_(CUSTOMER).ok("PATCH", payroll, {"integratorAccountId": "boss"})
    refused(api.as_(SUPPLIER).call("PUT", "/teams/PAY/members", {"accountIds": ["boss"]}))
    # An administrator may (and the lead may then keep them when it sets the list again).
    api.ok("PUT", "/teams/PAY/members", {"accountIds": ["hr-1"]})
    kept = api.as_(SUPPLIER).ok("PUT", "/teams/PAY/members", {"accountIds": ["hr-1", "pay-2"]})
    assert kept == {"accountIds": [SUPPLIER, "hr-1", "pay-2"]}


def test_enrolling_first_and_relating_after_is_refused_too(api: Api) -> None:
    seed(api)
    api.ok("POST", "/teams", {"key": "OPS", "name": "Ops", "leadAccountId": "lead-OPS"}, 201)
    # OPS's lead enrols HR's lead while OPS and HR are not related, then relates them.
    api.as_("lead-OPS").ok("PUT", "/teams/OPS/members", {"accountIds": [CUSTOMER]})
    body = {"supplier": "OPS", "customer": "HR", "service": "night shifts"}
    assert refused(api.as_("lead-OPS").post("/relationships", body)) == CROSS_ENROL
    assert api.ok("POST", "/relationships", body, 201)["service"] == "night shifts"


@pytest.mark.parametrize(
    "account",
    ["a b", "x\u0000y", "\ud800", "", "a" * 129, "557058:f581%2f", "-leading-dash"],
)
def test_member_ids_are_atlassian_account_ids(api: Api, account: str) -> None:
    seed(api)
    response = api.as_(SUPPLIER).call("PUT", "/teams/PAY/members", {"accountIds": [account]})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["error"]["details"]["accountIds"]["0"] == [
        "must be an Atlassian accountId: 1-128 letters, digits, ':', '-' or '_'"
    ]


def test_real_account_id_shapes_are_taken(api: Api) -> None:
    seed(api)
    ids = ["5b10ac8d82e05b22cc7d4ef5", "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077", "a" * 128]
    got = api.as_(SUPPLIER).ok("PUT", "/teams/PAY/members", {"accountIds": ids})
    assert got == {"accountIds": [SUPPLIER, *sorted(ids)]}


# --- 2. every write guarded


def committed(api: Api) -> dict[str, Any]:
    made = seed(api)
    path = f"/expectations/{made['expectation']['id']}/transitions"
    api.as_(SUPPLIER).ok("POST", path, {"to": "proposed"})
    api.as_(CUSTOMER).ok("POST", path, {"to": "agreed"})
    made["goal"] = api.ok("POST", "/goals", {"team": "PAY", "title": "Paid on time"}, 201)
    return made


# A body each write would take from the right caller (so a refusal is the guard's, not the
# body's); a write the document gains without an entry here fails the test below.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/teams"): {"key": "EVIL", "name": "Evil"},
    ("PATCH", "/teams/{key}"): {"name": "Renamed"},
    ("DELETE", "/teams/{key}"): None,
    ("PUT", "/teams/{key}/members"): {"accountIds": [STRANGER]},
    ("POST", "/relationships"): {"supplier": "PAY", "customer": "IT", "service": "x"},
    ("PATCH", "/relationships/{relationshipId}"): {"service": "y"},
    ("DELETE", "/relationships/{relationshipId}"): None,
    ("POST", "/goals"): {"team": "PAY", "title": "Mine"},
    ("PATCH", "/goals/{goalId}"): {"title": "Theirs"},
    ("DELETE", "/goals/{goalId}"): None,
    ("POST", "/expectations"): {"relationshipId": 0, "statement": "Paid twice"},
    ("PATCH", "/expectations/{expectationId}"): {"priority": "low"},
    ("DELETE", "/expectations/{expectationId}"): None,
    ("POST", "/expectations/{expectationId}/transitions"): {"to": "met"},
    ("POST", "/expectations/{expectationId}/links"): {"issueKey": "IT-1"},
    ("POST", "/expectations/{expectationId}/reattach"): None,
    ("POST", "/expectations/{expectationId}/sync"): None,
    ("POST", "/expectations/{expectationId}/feedback"): {"rating": 5},
    ("PUT", "/settings"): {"issueType": "Bug"},
    ("POST", "/import"): {"format": "csv", "content": "team,name\nEVIL,Evil\n"},
    ("POST", "/expectations/{expectationId}/measures/{measureId}/values"): {"value": 99.9},
    ("POST", "/expectations/{expectationId}/measures/{measureId}/values/{valueId}/dispute"): {
        "comment": "Not what we saw"
    },
    ("POST", "/expectations/{expectationId}/measures/{measureId}/count"): None,
    ("POST", "/relationships/{relationshipId}/review-pack"): None,
    ("POST", "/review-packs/integrator"): None,
    ("POST", "/review-packs/{packId}/retry"): None,
}


def writes(app: Flask) -> list[tuple[str, str]]:
    document = app.test_client().get("/api/v1/openapi.json").json
    return sorted(
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("post", "put", "patch", "delete")
    )


def outbox(app: Flask) -> list[tuple[Any, ...]]:
    with get_db(app).transaction() as session:
        rows = session.execute(
            select(OutboxTask.id, OutboxTask.state, OutboxTask.attempts, OutboxTask.due_at)
        )
        return sorted(tuple(row) for row in rows)


def failed_pack(app: Flask, relationship_id: int) -> int:
    """A review pack whose write failed (no Confluence here), for its retry route."""
    with get_db(app).transaction() as session:
        site_id = session.scalars(select(Relationship.site_id)).first()
        pack = ReviewPack(
            site_id=site_id,
            relationship_id=relationship_id,
            period="2026-Q4",
            title="Payroll → People: review 2026-Q4",
            space_key="ICM",
            state=PackState.FAILED.value,
            error="Confluence could not be reached",
        )
        session.add(pack)
        session.flush()
        return pack.id


def test_every_write_refuses_a_token_without_a_user_and_a_stranger(api: Api, app: Flask) -> None:
    made = committed(api)
    found = writes(app)
    assert set(found) == set(BODIES), "give each write of the OpenAPI document a body here"
    measure = made["expectation"]["measures"][0]["id"]
    value = api.as_(SUPPLIER).ok(
        "POST",
        f"/expectations/{made['expectation']['id']}/measures/{measure}/values",
        {"value": 99.9},
        201,
    )
    ids = {
        "key": "PAY",
        "relationshipId": made["payroll"]["id"],
        "goalId": made["goal"]["id"],
        "expectationId": made["expectation"]["id"],
        "measureId": measure,
        "valueId": value["id"],
        "packId": failed_pack(app, made["payroll"]["id"]),
    }
    # The push failed and waits for its backoff: a retry by anyone but the supplier must not
    # reset it (a loop over ids would spend the site's Jira rate limit).
    with get_db(app).transaction() as session:
        later = utcnow().replace(year=utcnow().year + 1)
        session.execute(update(OutboxTask).values(state="failed", attempts=7, due_at=later))
    before, queued = row_counts(app), outbox(app)
    for method, path in found:
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        body = BODIES[(method, path)]
        if isinstance(body, dict) and "relationshipId" in body:
            body = body | {"relationshipId": made["payroll"]["id"]}
        refused(api.as_(None).call(method, url, body), "user_required")
        refused(api.as_(STRANGER).call(method, url, body))
    assert row_counts(app) == before
    assert outbox(app) == queued
    # The parked-delivery replay (outside the API document) too.
    replay = "/webhooks/admin/parked/1/replay"
    for user, code in ((None, "user_required"), (STRANGER, "role_required")):
        token = api.site.tenant_token("POST", replay, **({"sub": user} if user else {}))
        refused(api.client.post(replay, headers={"Authorization": f"JWT {token}"}), code)


def test_the_sync_retry_is_the_supplier_sides(api: Api, app: Flask) -> None:
    made = committed(api)
    one = f"/expectations/{made['expectation']['id']}/sync"
    message = refused(api.as_(CUSTOMER).post(one))
    assert message.startswith("only the supplier side (its lead and members)")
    assert api.as_(SUPPLIER).ok("POST", one)["syncState"] == "pending"


# --- 3. no user: nothing only the site's people may see


def test_reading_comments_members_and_relationships_needs_a_user(api: Api) -> None:
    made = seed(api)
    api.as_(SUPPLIER).ok("PUT", "/teams/PAY/members", {"accountIds": ["pay-1"]})
    expectation = made["expectation"]["id"]
    api.as_(CUSTOMER).ok(
        "POST", f"/expectations/{expectation}/feedback", {"rating": 4, "comment": "Fine"}, 201
    )
    anonymous = api.as_(None)
    for path in (
        f"/expectations/{expectation}/feedback",
        "/teams/PAY/members",
        "/relationships",
        f"/relationships/{made['payroll']['id']}",
    ):
        assert (
            refused(anonymous.get(path), "user_required") == "reading this needs a signed-in user"
        )
        assert api.as_(STRANGER).get(path).status_code == 200
    assert anonymous.ok("GET", "/teams/PAY")["members"] == []
    assert api.as_(STRANGER).ok("GET", "/teams/PAY")["members"] == [SUPPLIER, "pay-1"]
