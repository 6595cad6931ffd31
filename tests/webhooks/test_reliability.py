"""10,000 deliveries (10% duplicates, edits arriving before their comments) drained by real
`icm worker` processes, one of them killed with SIGKILL mid-way and restarted: every rating is
counted exactly once, with its latest value, and nothing is lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from connector.db import get_db
from connector.practice.models import Feedback
from tests.webhooks.support import ROBIN, comment_payload, install, seed_app
from webhooks.inbox import Delivery, InboxDelivery, event_time, store

ROOT = Path(__file__).resolve().parents[2]
TOTAL, DUPLICATES, EDITS, EXPECTATIONS = 10_000, 1_000, 500, 50
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def plan(site_id: str, client_key: str) -> tuple[list[Delivery], dict[str, int]]:
    """The deliveries in arrival order, and the rating each comment must end with."""
    rng = random.Random(20260301)
    creates = TOTAL - DUPLICATES - EDITS
    latest: dict[str, int] = {}
    unique: list[Delivery] = []
    for n in range(creates):
        comment_id, rating = str(100_000 + n), rng.randint(1, 5)
        issue = (f"PAY-{n % EXPECTATIONS + 1}", str(n % EXPECTATIONS + 1))
        at = T0 + timedelta(seconds=n)
        unique.append(
            delivery(site_id, client_key, "comment_created", comment_id, rating, at, at, issue)
        )
        latest[comment_id] = rating
        if n < EDITS:  # edited an hour later; the edit arrives *before* its comment
            edited = rng.randint(1, 5)
            edit = delivery(
                site_id,
                client_key,
                "comment_updated",
                comment_id,
                edited,
                at + timedelta(hours=1),
                at,
                issue,
            )
            unique.insert(len(unique) - 1, edit)
            latest[comment_id] = edited
    arrivals = list(unique)
    for position in sorted(rng.sample(range(len(unique)), DUPLICATES), reverse=True):
        # Atlassian retries with the same identifier, some time after the first attempt.
        later = rng.randint(position + 1, min(len(arrivals), position + 2000))
        arrivals.insert(later, unique[position])
    assert len(arrivals) == TOTAL
    return arrivals, latest


def delivery(
    site_id: str,
    client_key: str,
    event: str,
    comment_id: str,
    rating: int,
    at: datetime,
    created: datetime,
    issue: tuple[str, str],
) -> Delivery:
    body = comment_payload(
        event,
        comment_id=comment_id,
        body=f"Rating: {rating}/5 — n{comment_id}",
        at=at,
        created=created,
        author=ROBIN,
        issue=issue,
    )
    return Delivery(
        site_id=site_id,
        client_key=client_key,
        event=event,
        webhook_id=f"{event}-{comment_id}",
        retry_count=0,
        flow="Primary",
        body=json.dumps(body),
        event_at=event_time(body["timestamp"]),
    )


def start_worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ICM_DATABASE_URL": url,
        "ICM_WEBHOOK_LEASE_SECONDS": "2",
        "ICM_LOG_LEVEL": "WARNING",
        "ICM_SECRET_KEYS_AUTOCREATE": "1",  # the tests' key in the instance folder
    }
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "connector",
        "icm",
        "worker",
        "--idle-sleep",
        "0.1",
    ]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)


def done_count(app: Flask) -> int:
    with get_db(app).transaction() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(InboxDelivery).where(InboxDelivery.state == "done")
            )
            or 0
        )


def wait_for(predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.slow
def test_ten_thousand_deliveries_survive_a_killed_worker(
    any_app: Flask, signing_key: Any, kid: str, tmp_path: Path
) -> None:
    site = install(any_app, signing_key, kid)
    issues = [(f"PAY-{i}", str(i)) for i in range(1, EXPECTATIONS + 1)]
    seed_app(any_app, site.cloud_id, issues=issues)
    arrivals, latest = plan(site.cloud_id, site.client_key)
    database = get_db(any_app)
    url = database.engine.url.render_as_string(hide_password=False)
    workers = 1 if database.is_sqlite else 2
    log = tmp_path / "worker.log"
    running = [start_worker(url, log) for _ in range(workers)]
    stored = 0
    try:
        for start in range(0, TOTAL, 1000):
            with database.transaction() as session:
                stored += sum(store(session, d) for d in arrivals[start : start + 1000])
            if start == 4000:
                wait_for(lambda: done_count(any_app) >= 2000, 60)
                victim = running.pop(0)
                victim.send_signal(signal.SIGKILL)  # mid-batch, leases held
                victim.wait()
                running.append(start_worker(url, log))
        assert stored == TOTAL - DUPLICATES
        wait_for(lambda: done_count(any_app) == stored, 90)
    finally:
        for worker in running:
            worker.send_signal(signal.SIGTERM)
        for worker in running:
            worker.wait(timeout=10)
    with database.transaction() as session:
        counted = {f.external_id: f.rating for f in session.scalars(select(Feedback))}
        states = dict(
            session.execute(
                select(InboxDelivery.state, func.count()).group_by(InboxDelivery.state)
            ).all()
        )
    assert states == {"done": TOTAL - DUPLICATES}, log.read_text()[-2000:]
    assert counted == latest
