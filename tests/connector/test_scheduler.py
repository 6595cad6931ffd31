"""Scheduled jobs, called directly with a clock: feedback requests, reconciliation, snapshots;
and the scheduler's wiring (ids, triggers, defaults), never by sleeping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import select

from connector import scheduler
from connector.db import get_db
from connector.practice.crossteam import Improvement
from connector.practice.feedback import record_feedback
from connector.practice.feedback_requests import FeedbackRequest
from connector.practice.health import HealthSnapshot
from connector.practice.models import Expectation, Feedback
from tests.webhooks.support import (
    ROBIN,
    adf_plain,
    install,
    mentions,
    seed_app,
    use_fake_jira,
)
from webhooks.reconcile import jql_since

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def requests_of(app: Flask) -> list[tuple[str, str | None]]:
    with get_db(app).transaction() as session:
        rows = session.scalars(select(FeedbackRequest).order_by(FeedbackRequest.id))
        return [(r.state, r.comment_id) for r in rows]


def test_wiring(app: Flask) -> None:
    built = scheduler.build_scheduler(app, BackgroundScheduler)
    built.start(paused=True)
    jobs = {job.id: job for job in built.get_jobs()}
    built.shutdown(wait=False)
    assert set(jobs) == {
        "icm.request_feedback_due",
        "icm.reconcile",
        "icm.retry_pending_syncs",
        "icm.snapshot_health",
        "icm.prune_inbox",
        "icm.report_personal_data",
        "icm.purge_uninstalled",
        "icm.write_review_packs",
    }
    for job_id, job in jobs.items():
        assert (job.coalesce, job.max_instances, job.args) == (True, 1, (app, job_id))
        assert job.misfire_grace_time == 300
        assert job.func is scheduler.run_job
    assert {
        "icm.request_feedback_due": scheduler._feedback_job,
        "icm.reconcile": scheduler._reconcile_job,
        "icm.retry_pending_syncs": scheduler.retry_pending_syncs,
        "icm.snapshot_health": scheduler._snapshot_job,
        "icm.prune_inbox": scheduler._prune_job,
        "icm.report_personal_data": scheduler._privacy_job,
        "icm.purge_uninstalled": scheduler._purge_job,
        "icm.write_review_packs": scheduler._review_packs_job,
    } == scheduler.WORK


def test_triggers_keep_the_designed_rhythm(app: Flask) -> None:
    built = scheduler.build_scheduler(app, BackgroundScheduler)
    triggers = {job.id: job.trigger for job in built.get_jobs()}
    intervals = {
        job_id: trigger.interval
        for job_id, trigger in triggers.items()
        if isinstance(trigger, IntervalTrigger)
    }
    assert intervals == {
        "icm.request_feedback_due": timedelta(hours=1),
        "icm.reconcile": timedelta(minutes=15),  # the JQL window (jql_since) assumes this
        "icm.retry_pending_syncs": timedelta(minutes=1),
        "icm.report_personal_data": timedelta(minutes=61),  # off the hour, as Atlassian asks
    }
    daily = {job_id: str(t) for job_id, t in triggers.items() if isinstance(t, CronTrigger)}
    assert daily == {
        "icm.snapshot_health": "cron[hour='0', minute='15']",
        "icm.prune_inbox": "cron[hour='3', minute='0']",
        "icm.purge_uninstalled": "cron[hour='3', minute='37']",
        "icm.write_review_packs": "cron[hour='1', minute='0']",
    }
    start = datetime(2026, 6, 1, 0, 20, tzinfo=UTC)
    assert triggers["icm.snapshot_health"].get_next_fire_time(None, start) == datetime(
        2026, 6, 2, 0, 15, tzinfo=UTC
    )
    assert all(str(t.timezone) == "UTC" for t in triggers.values())


def test_feedback_request_once_per_window(app: Flask, signing_key: Any, kid: str) -> None:
    site = install(app, signing_key, kid)
    jira = use_fake_jira(app)
    seed_app(app, site.cloud_id, agreed_at=NOW - timedelta(days=31))
    assert scheduler.request_feedback_due(app, NOW) == 1
    assert scheduler.request_feedback_due(app, NOW + timedelta(hours=1)) == 0
    [(key, adf)] = jira.comments
    assert key == "TES-1" and mentions(adf) == [ROBIN]
    assert "Rating: N/5" in adf_plain(adf)
    assert requests_of(app) == [("open", "10001")]


def test_answer_closes_the_request(app: Flask, signing_key: Any, kid: str) -> None:
    site = install(app, signing_key, kid)
    use_fake_jira(app)
    [e] = seed_app(app, site.cloud_id, agreed_at=NOW - timedelta(days=31)).expectation_ids
    scheduler.request_feedback_due(app, NOW)
    with get_db(app).transaction() as session:
        record_feedback(session, site.cloud_id, e, rating=4, author=ROBIN)
    assert requests_of(app) == [("answered", "10001")]


def test_failed_request_is_retried_and_cites_improvements(
    app: Flask, signing_key: Any, kid: str
) -> None:
    site = install(app, signing_key, kid)
    jira = use_fake_jira(app)
    [e] = seed_app(app, site.cloud_id, agreed_at=NOW - timedelta(days=31)).expectation_ids
    with get_db(app).transaction() as session:
        session.add(
            Improvement(
                site_id=site.cloud_id,
                expectation_id=e,
                issue_id="9",
                issue_key="IT-9",
                summary="Payslip check automated",
                done_at=NOW,
            )
        )
    jira.fail = True
    assert scheduler.request_feedback_due(app, NOW) == 0
    assert requests_of(app)[0][0] == "failed"
    jira.fail = False
    assert scheduler.request_feedback_due(app, NOW + timedelta(minutes=5)) == 1
    assert "you said → we did:\nPayslip check automated (IT-9)" in adf_plain(jira.comments[0][1])
    with get_db(app).transaction() as session:
        assert session.scalars(select(Improvement.request_id)).one() is not None


def test_not_due_when_recently_rated_or_not_committed(
    app: Flask, signing_key: Any, kid: str
) -> None:
    site = install(app, signing_key, kid)
    jira = use_fake_jira(app)
    proposed, e = seed_app(
        app, site.cloud_id, issues=[("PAY-1", "1"), ("PAY-2", "2")]
    ).expectation_ids
    with get_db(app).transaction() as session:
        session.get(Expectation, proposed).state = "proposed"  # type: ignore[union-attr]
        session.add(
            Feedback(
                site_id=site.cloud_id,
                expectation_id=e,
                rating=4,
                author_account_id=ROBIN,
                source="api",
                at=NOW - timedelta(days=3),
            )
        )
    assert scheduler.request_feedback_due(app, NOW) == 0
    assert jira.comments == []


def search_hit(status: str, comments: list[dict[str, Any]], updated: datetime) -> dict[str, Any]:
    return {
        "id": "11901",
        "key": "TES-1",
        "fields": {
            "summary": "Payslips",
            "status": {"name": status, "statusCategory": {"key": status}},
            "updated": updated.isoformat(),
            "comment": {"comments": comments, "total": len(comments)},
        },
    }


def adf_comment(comment_id: str, text: str, at: datetime) -> dict[str, Any]:
    body = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }
    return {
        "id": comment_id,
        "author": {"accountId": ROBIN},
        "body": body,
        "created": at.isoformat(),
        "updated": at.isoformat(),
    }


def test_reconcile_repairs_missed_webhooks_idempotently(
    app: Flask, signing_key: Any, kid: str
) -> None:
    site = install(app, signing_key, kid)
    jira = use_fake_jira(app)
    [e] = seed_app(app, site.cloud_id).expectation_ids
    comment = adf_comment("501", "Rating: 2/5 — slow", NOW - timedelta(hours=1))
    jira.issues = [search_hit("done", [comment], NOW - timedelta(minutes=30))]
    for run in range(2):
        assert scheduler.reconcile(app, NOW + timedelta(minutes=run)) == 1
    with get_db(app).transaction() as session:
        assert session.get(Expectation, e).state == "met"  # type: ignore[union-attr]
        rows = session.scalars(select(Feedback)).all()
        assert [(f.external_id, f.rating, f.comment) for f in rows] == [("501", 2, "slow")]
    assert jira.searches[0].startswith('labels = internal-customer AND updated >= "-')
    assert (
        jira.searches[1] == 'labels = internal-customer AND updated >= "-11m" ORDER BY updated ASC'
    )
    jira.issues = [search_hit("done", [], NOW)]  # the comment was deleted meanwhile
    scheduler.reconcile(app, NOW + timedelta(minutes=5))
    with get_db(app).transaction() as session:
        assert session.scalars(select(Feedback)).all() == []


def test_jql_window_is_relative() -> None:
    assert jql_since(None, NOW).startswith('labels = internal-customer AND updated >= "-1450m"')


def test_snapshot_job_is_idempotent(app: Flask, signing_key: Any, kid: str) -> None:
    site = install(app, signing_key, kid)
    seed_app(app, site.cloud_id)
    assert scheduler.snapshot_health(app, date(2026, 6, 1)) == 2
    assert scheduler.snapshot_health(app, date(2026, 6, 1)) == 2
    with get_db(app).transaction() as session:
        assert len(session.scalars(select(HealthSnapshot)).all()) == 2
