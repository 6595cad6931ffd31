"""The worker: claims with a lease, retries with backoff, parks after 5 tries, replays."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from connector.db import get_db, utcnow
from connector.platforms.connect import tokens
from tests.support.api import make_admins
from tests.support.atlassian import FakeSite
from tests.webhooks.support import captured, deliver, install, seed_app
from webhooks import handlers, inbox
from webhooks.inbox import InboxDelivery, claim
from webhooks.worker import drain_inbox


def all_rows(app: Flask) -> list[InboxDelivery]:
    with get_db(app).transaction() as session:
        return list(session.scalars(select(InboxDelivery).order_by(InboxDelivery.id)))


def make_due(app: Flask) -> None:
    with get_db(app).transaction() as session:
        session.execute(update(InboxDelivery).values(next_attempt_at=utcnow()))


@pytest.fixture
def broken_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(_ctx: Any) -> str:
        raise RuntimeError("the database of record is on fire")

    monkeypatch.setitem(handlers.HANDLERS, "comment_created", explode)


@pytest.mark.usefixtures("broken_handler")
def test_failing_delivery_backs_off_then_parks(
    app: Flask, client: FlaskClient, site: FakeSite
) -> None:
    deliver(client, site, "comment-created", captured("comment_created.json"))
    delays = []
    for attempt in range(1, 6):
        assert drain_inbox(app) == 1
        [row] = all_rows(app)
        assert row.attempts == attempt
        if attempt < 5:
            assert row.state == "pending"
            delays.append(round((row.next_attempt_at - utcnow()).total_seconds()))
            assert drain_inbox(app) == 0  # not due yet
            make_due(app)
    assert delays == [2, 4, 8, 16]
    [row] = all_rows(app)
    assert (row.state, row.last_error) == (
        "parked",
        "RuntimeError: the database of record is on fire",
    )


def admin(
    client: FlaskClient, site: FakeSite, method: str, path: str, subject: str = "acc-admin"
) -> Any:
    make_admins(client.application, "acc-admin")
    token = tokens.sign_context_token(
        client_key=site.client_key, shared_secret=site.shared_secret, subject=subject
    )
    return client.open(path, method=method, headers={"Authorization": f"JWT {token}"})


def test_parked_deliveries_are_listed_and_replayed(
    app: Flask, client: FlaskClient, site: FakeSite, signing_key: Any, kid: str
) -> None:
    deliver(client, site, "issue-updated", "not json")
    other = install(app, signing_key, kid)
    deliver(client, other, "issue-updated", "{also not json")
    listed = admin(client, site, "GET", "/webhooks/admin/parked")
    assert listed.status_code == 200
    [entry] = listed.json["values"]
    assert (entry["state"], entry["lastError"], entry["body"]) == (
        "parked",
        "the body is not JSON",
        "not json",
    )
    foreign = all_rows(app)[1].id
    assert (
        admin(client, site, "POST", f"/webhooks/admin/parked/{foreign}/replay").status_code == 404
    )
    replayed = admin(client, site, "POST", f"/webhooks/admin/parked/{entry['id']}/replay")
    assert (replayed.status_code, replayed.json["state"], replayed.json["attempts"]) == (
        200,
        "pending",
        0,
    )
    drain_inbox(app)  # still not JSON: parked again at once, with its reason
    assert all_rows(app)[0].state == "parked"
    unsigned = client.get("/webhooks/admin/parked")
    assert unsigned.status_code == 401


def test_parked_deliveries_are_for_jira_administrators_only(
    client: FlaskClient, site: FakeSite
) -> None:
    """A restricted comment's raw delivery must not reach any reader of the site."""
    deliver(client, site, "issue-updated", "not json")
    listed = admin(client, site, "GET", "/webhooks/admin/parked", subject="acc-reader")
    assert listed.status_code == 403 and listed.json["error"]["code"] == "role_required"
    [row] = all_rows(client.application)
    replay = admin(
        client, site, "POST", f"/webhooks/admin/parked/{row.id}/replay", subject="acc-reader"
    )
    assert replay.status_code == 403
    assert all_rows(client.application)[0].state == "parked"


def test_replay_after_a_fix_processes_the_delivery(
    app: Flask, client: FlaskClient, site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_app(app, site.cloud_id)
    original = handlers.HANDLERS["comment_created"]
    monkeypatch.setitem(handlers.HANDLERS, "comment_created", lambda _ctx: 1 / 0)
    deliver(client, site, "comment-created", captured("comment_created.json"))
    with get_db(app).transaction() as session:
        session.execute(update(InboxDelivery).values(attempts=4))
    drain_inbox(app)
    [row] = all_rows(app)
    assert row.state == "parked"
    monkeypatch.setitem(handlers.HANDLERS, "comment_created", original)
    assert admin(client, site, "POST", f"/webhooks/admin/parked/{row.id}/replay").status_code == 200
    drain_inbox(app)
    assert all_rows(app)[0].state == "done"


def test_a_dead_workers_lease_runs_out(app: Flask, client: FlaskClient, site: FakeSite) -> None:
    seed_app(app, site.cloud_id)
    deliver(client, site, "comment-created", captured("comment_created.json"))
    with get_db(app).transaction() as session:
        assert claim(session, limit=10, lease=timedelta(minutes=5), worker="dead").ids != []
    assert drain_inbox(app) == 0  # leased to a worker that never finishes
    with get_db(app).transaction() as session:
        session.execute(update(InboxDelivery).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert drain_inbox(app) == 1
    [row] = all_rows(app)
    assert (row.state, row.attempts) == ("done", 2)


def test_concurrent_workers_take_each_delivery_once(
    any_app: Flask, signing_key: Any, kid: str
) -> None:
    if get_db(any_app).is_sqlite:
        pytest.skip("several workers need PostgreSQL (SQLite runs one worker)")
    site = install(any_app, signing_key, kid)
    client = any_app.test_client()
    for _ in range(200):
        deliver(client, site, "issue-updated", captured("jira_issue_updated.assignee_change.json"))
    taken: list[int] = []

    def work(name: str) -> None:
        taken.append(drain_inbox(any_app, worker=name, limit=1000))

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(taken) == 200
    rows = all_rows(any_app)
    assert {r.state for r in rows} == {"done"} and {r.attempts for r in rows} == {1}


def test_prune_keeps_parked_rows(app: Flask, client: FlaskClient, site: FakeSite) -> None:
    deliver(client, site, "issue-updated", "not json")
    deliver(client, site, "issue-updated", {"webhookEvent": "sprint_started"})
    with get_db(app).transaction() as session:
        assert inbox.prune(session, utcnow() + timedelta(seconds=1)) == 1
    assert [r.state for r in all_rows(app)] == ["parked"]
