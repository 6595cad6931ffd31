"""The scheduler in every instance, on both databases: each job runs once a period, by one
instance at a time, and an instance killed in the middle of a job (SIGKILL: no cleanup) leaves
nothing held, so another instance runs the job at its next firing, once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from connector import create_app, scheduler
from connector.db import get_db, utcnow
from connector.practice.job_runs import JobRun, record_run, schedule_status

JOB = "icm.reconcile"  # every 15 minutes


class Counting:
    def __init__(self, hold: threading.Event | None = None) -> None:
        self.calls = 0
        self.started = threading.Event()
        self.hold = hold

    def __call__(self, _app: Flask) -> None:
        self.calls += 1
        self.started.set()
        if self.hold is not None:
            assert self.hold.wait(30)


@pytest.fixture
def other(app_config: dict[str, Any]) -> Iterator[Flask]:
    """A second instance of the service on the same database."""
    second = create_app(app_config)
    yield second
    get_db(second).engine.dispose()


def runs(app: Flask, job: str = JOB) -> list[str]:
    with get_db(app).transaction() as session:
        return list(session.scalars(select(JobRun.outcome).where(JobRun.job == job)))


def test_two_instances_run_a_job_once_a_period(
    app: Flask, other: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = Counting()
    monkeypatch.setitem(scheduler.WORK, JOB, work)

    assert scheduler.run_job(app, JOB) is True
    assert scheduler.run_job(other, JOB) is False  # ran within half its period
    assert scheduler.run_job(app, JOB) is False
    assert work.calls == 1
    assert runs(app) == ["ok"]


def test_a_job_running_in_one_instance_is_skipped_by_the_other(
    app: Flask, other: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    work = Counting(hold=release)
    monkeypatch.setitem(scheduler.WORK, JOB, work)
    first = threading.Thread(target=scheduler.run_job, args=(app, JOB))
    first.start()
    try:
        assert work.started.wait(30)
        assert scheduler.run_job(other, JOB) is False  # held: nobody waits
    finally:
        release.set()
        first.join(30)
    assert work.calls == 1


def test_a_failed_run_is_recorded_and_the_next_firing_tries_again(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(_app: Flask) -> None:
        raise RuntimeError("Jira is down")

    monkeypatch.setitem(scheduler.WORK, JOB, failing)
    assert scheduler.run_job(app, JOB) is True
    assert runs(app) == ["failed"]


CHILD = """
import json, sys, time
from connector import create_app, scheduler
app = create_app(json.loads(sys.argv[1]))
def long_job(_app):
    print("running", flush=True)
    time.sleep(120)
scheduler.WORK[sys.argv[2]] = long_job
scheduler.run_job(app, sys.argv[2])
"""


@pytest.mark.slow
def test_a_killed_scheduler_leaves_its_job_to_another_instance(
    app: Flask, app_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = {k: v for k, v in app_config.items() if isinstance(v, str | int | bool)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(config), JOB],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "running"
        work = Counting()
        monkeypatch.setitem(scheduler.WORK, JOB, work)
        assert scheduler.run_job(app, JOB) is False  # the child holds it

        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)

        assert scheduler.run_job(app, JOB) is True  # released with the process
        assert scheduler.run_job(app, JOB) is False
        assert work.calls == 1
        assert runs(app) == ["ok"]  # the killed run recorded nothing
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
        if child.stdout is not None:
            child.stdout.close()


def test_the_operations_status_flags_a_job_not_run_for_two_periods(app: Flask) -> None:
    assert scheduler.run_job(app, JOB) is True
    with get_db(app).transaction() as session:
        [ran] = session.scalars(select(JobRun).where(JobRun.job == JOB)).all()
        now = ran.started_at
        fresh = {s["job"]: s for s in schedule_status(session, now + timedelta(minutes=40))}
        late = {s["job"]: s for s in schedule_status(session, now + timedelta(minutes=41))}
    assert fresh[JOB]["overdue"] is False and fresh[JOB]["everySeconds"] == 900
    assert late[JOB]["overdue"] is True  # 2 x 15 minutes and a 10-minute grace
    assert fresh[JOB]["lastStartedAt"] == ran.started_at.isoformat()
    assert fresh["icm.snapshot_health"] == {
        "job": "icm.snapshot_health",
        "everySeconds": 86_400,
        "lastStartedAt": None,
        "lastFinishedAt": None,
        "outcome": None,
        "overdue": False,
    }


def test_readiness_says_when_a_scheduled_job_is_overdue(app: Flask) -> None:
    client = app.test_client()
    checks = client.get("/readyz").json["checks"]
    assert checks["database"] == checks["scheduler"] == "ok"
    assert set(checks.values()) == {"ok"}  # the committer too, where there is one (PostgreSQL)
    with get_db(app).transaction() as session:
        long_ago = utcnow() - timedelta(hours=1)
        record_run(session, JOB, None, long_ago, long_ago, "ok", {})

    answer = client.get("/readyz")

    assert answer.status_code == 200  # this instance still serves
    assert answer.json["checks"]["scheduler"] == "overdue: icm.reconcile"
