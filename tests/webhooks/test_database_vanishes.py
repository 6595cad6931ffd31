"""The intake when PostgreSQL goes silent (issue #24) and when its committer thread dies
(issue #25): webhooks are answered 503 with Retry-After within their budget while the database
is away, the next one is stored within seconds after, nothing acknowledged is lost, and the
readiness probe says what is wrong meanwhile."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import make_url, select

from connector import create_app
from connector.db import get_db
from tests.support.atlassian import FakeSite
from tests.support.blackhole import BlackholeProxy, blackhole_proxy
from tests.webhooks.support import deliver, install
from webhooks.committer import GroupCommitter
from webhooks.inbox import InboxDelivery
from webhooks.intake import COMMITTER

# Jira waits about 10 s for an answer; the outage lasts 40 s unless told otherwise (a shorter
# one still has to be a real blackhole: sockets held open, nothing answered).
BUDGET_SECONDS = 10.0
OUTAGE_SECONDS = float(os.environ.get("ICM_TEST_BLACKHOLE_SECONDS", "40"))
BODY = {"webhookEvent": "comment_created", "timestamp": 1, "comment": {"id": "1"}}


@pytest.fixture
def proxied(app_config: dict[str, Any]) -> Iterator[tuple[Flask, BlackholeProxy]]:
    url = make_url(app_config.get("DATABASE_URL") or "sqlite://")
    if not url.drivername.startswith("postgresql"):
        pytest.skip("the group committer and a network between us and the database: PostgreSQL")
    with blackhole_proxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        through = url.set(host="127.0.0.1", port=proxy.port)
        app = create_app(
            {**app_config, "DATABASE_URL": through.render_as_string(hide_password=False)}
        )
        yield app, proxy
        committer: GroupCommitter = app.extensions[COMMITTER]
        committer.engine.dispose()
        get_db(app).engine.dispose()


def stored_ids(url: str) -> set[str]:
    """What the inbox holds, read around the proxy."""
    from connector.db import Database

    database = Database(url)
    try:
        with database.transaction() as session:
            return set(session.scalars(select(InboxDelivery.webhook_id)))
    finally:
        database.engine.dispose()


def timed_delivery(app: Flask, site: FakeSite, webhook_id: str) -> tuple[int, float, Any]:
    started = time.monotonic()
    response = deliver(app.test_client(), site, "comment-created", BODY, webhook_id=webhook_id)
    return response.status_code, time.monotonic() - started, response


@pytest.mark.slow
@pytest.mark.postgres
def test_a_silent_database_is_survived(
    proxied: tuple[Flask, BlackholeProxy], app_config: dict[str, Any], signing_key: Any, kid: str
) -> None:
    app, proxy = proxied
    site = install(app, signing_key, kid)
    acknowledged: list[str] = []
    refused: list[str] = []
    for _ in range(3):
        webhook_id = str(uuid.uuid4())
        status, _, _ = timed_delivery(app, site, webhook_id)
        assert status == 204
        acknowledged.append(webhook_id)
    checks = app.test_client().get("/readyz").json["checks"]
    assert (checks["database"], checks["committer"]) == ("ok", "ok")

    proxy.start_blackhole()
    outage_ends = time.monotonic() + OUTAGE_SECONDS
    answers: list[tuple[int, float]] = []
    lock = threading.Lock()

    def one() -> None:
        webhook_id = str(uuid.uuid4())
        status, took, response = timed_delivery(app, site, webhook_id)
        with lock:
            answers.append((status, took))
            if status == 204:
                acknowledged.append(webhook_id)
            else:
                assert status == 503, response.get_data(as_text=True)
                assert int(response.headers["Retry-After"]) > 0
                refused.append(webhook_id)

    while time.monotonic() < outage_ends - BUDGET_SECONDS:
        pair = [threading.Thread(target=one) for _ in range(2)]
        for thread in pair:
            thread.start()
        for thread in pair:
            thread.join()
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503 and ready.json["checks"]["database"] == "failing"
    time.sleep(max(0.0, outage_ends - time.monotonic()))
    proxy.end_blackhole()

    assert answers and all(status == 503 for status, _ in answers), answers
    assert max(took for _, took in answers) <= BUDGET_SECONDS, answers

    # After it: the next webhook is stored within seconds (Jira's redeliveries among them).
    recovered_by = time.monotonic() + 15
    while True:
        webhook_id = str(uuid.uuid4())
        status, _took, _ = timed_delivery(app, site, webhook_id)
        if status == 204:
            acknowledged.append(webhook_id)
            break
        refused.append(webhook_id)
        assert time.monotonic() < recovered_by, "the intake did not come back"
    for webhook_id in refused:  # Jira delivers the refused ones again
        assert timed_delivery(app, site, webhook_id)[0] == 204
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200, ready.json

    held = stored_ids(app_config["DATABASE_URL"])
    assert set(acknowledged) <= held  # nothing acknowledged is lost
    assert set(refused) <= held


@pytest.mark.slow
@pytest.mark.postgres
# The test ends the committer's thread on purpose, with an exception the thread does not catch.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_dead_committer_thread_is_restarted(
    proxied: tuple[Flask, BlackholeProxy], app_config: dict[str, Any], signing_key: Any, kid: str
) -> None:
    app, _ = proxied
    site = install(app, signing_key, kid)
    committer: GroupCommitter = app.extensions[COMMITTER]
    first = str(uuid.uuid4())
    assert timed_delivery(app, site, first)[0] == 204

    def die(_size: int) -> None:
        committer.on_batch = None
        raise SystemExit  # ends the committer's thread, as an uncaught error would

    committer.on_batch = die
    second = str(uuid.uuid4())
    assert timed_delivery(app, site, second)[0] == 204  # answered, then the thread died
    deadline = time.monotonic() + 5
    while committer._thread is not None and committer._thread.is_alive():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    ready = app.test_client().get("/readyz")  # says so, and starts it again
    assert ready.status_code == 503 and ready.json["checks"]["committer"] == "down"
    assert app.test_client().get("/readyz").json["checks"]["committer"] == "ok"

    committer.on_batch = die  # dies again; the next delivery finds it gone and starts it
    assert timed_delivery(app, site, str(uuid.uuid4()))[0] == 204
    deadline = time.monotonic() + 5
    while committer._thread is not None and committer._thread.is_alive():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    third = str(uuid.uuid4())
    status, took, _ = timed_delivery(app, site, third)
    assert status == 204 and took < 2.0  # not the 30 s wait it was
    assert committer.restarts == 2
    assert {first, second, third} <= stored_ids(app_config["DATABASE_URL"])
