"""The operations view: sync backlog, parked deliveries, job runs and installations, as JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from connector import scheduler
from connector.db import get_db
from connector.practice.job_runs import JobRun
from connector.practice.models import Expectation
from connector.practice.outbox import OutboxTask
from tests.support.api import Api, seed
from webhooks.inbox import InboxDelivery

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _agree(api: Api, expectation_id: int, supplier: str, customer: str) -> None:
    """The supplier's lead proposes, the customer's lead agrees (README: who may do what)."""
    path = f"/expectations/{expectation_id}/transitions"
    api.as_(supplier).ok("POST", path, {"to": "proposed"})
    api.as_(customer).ok("POST", path, {"to": "agreed"})


def _set(app: Flask, expectation_id: int, **values: Any) -> None:
    with get_db(app).transaction() as session:
        expectation = session.get(Expectation, expectation_id)
        assert expectation is not None
        for name, value in values.items():
            setattr(expectation, name, value)


def test_operations_show_the_backlog_parked_deliveries_jobs_and_installations(
    api: Api, app: Flask
) -> None:
    made = seed(api)
    first = made["expectation"]["id"]
    it = api.as_("lead-IT")  # IT supplies PAY its laptops
    second = it.ok(
        "POST", "/expectations", {"relationshipId": made["laptops"]["id"], "statement": "Fast"}, 201
    )["id"]
    third = it.ok(
        "POST",
        "/expectations",
        {"relationshipId": made["laptops"]["id"], "statement": "Draft"},
        201,
    )["id"]
    _agree(api, first, "lead-PAY", "lead-HR")
    _agree(api, second, "lead-IT", "lead-PAY")
    _set(app, first, sync_state="failed", sync_error="Jira said 400: issue type unknown")
    _set(app, second, sync_state="detached", jira_issue_key=None)
    with get_db(app).transaction() as session:
        session.add(
            InboxDelivery(
                site_id=api.site.cloud_id,
                client_key=api.site.client_key,
                event="jira:issue_updated",
                webhook_id="w-1",
                body="{}",
                state="parked",
                attempts=5,
                last_error="no expectation for issue PAY-9",
            )
        )
    scheduler.snapshot_health(app, date(2026, 6, 1))
    scheduler.prune_inbox(app, NOW)

    view = api.ok("GET", "/operations")

    assert view["sync"]["counts"] == {"pending": 0, "failed": 1, "detached": 1}
    backlog = {item["id"]: item for item in view["sync"]["values"]}
    assert set(backlog) == {first, second}  # the draft has no Jira issue to be out of step
    assert third not in backlog
    assert backlog[first]["syncError"] == "Jira said 400: issue type unknown"
    assert (backlog[first]["action"], backlog[second]["action"]) == ("retry", "reattach")
    [parked] = view["parked"]
    assert (parked["event"], parked["lastError"]) == (
        "jira:issue_updated",
        "no expectation for issue PAY-9",
    )
    jobs = {run["job"]: run for run in view["jobs"]}
    assert set(jobs) == {"snapshot_health", "prune_inbox"}
    assert jobs["snapshot_health"]["outcome"] == "ok"
    assert jobs["snapshot_health"]["siteId"] == api.site.cloud_id
    assert jobs["prune_inbox"]["siteId"] is None
    [installation] = view["installations"]
    assert (installation["platform"], installation["product"], installation["state"]) == (
        "connect",
        "jira",
        "installed",
    )


def test_retry_queues_the_push_now_and_reattach_refuses_what_is_not_detached(
    api: Api, app: Flask
) -> None:
    made = seed(api)
    expectation = made["expectation"]["id"]
    payroll = api.as_("lead-PAY")  # the supplier resyncs its own
    assert payroll.post(f"/expectations/{expectation}/sync").status_code == 409  # a draft
    _agree(api, expectation, "lead-PAY", "lead-HR")
    _set(app, expectation, sync_state="failed", sync_error="boom")
    with get_db(app).transaction() as session:
        task = session.scalars(select(OutboxTask).where(OutboxTask.ref_id == expectation)).one()
        task.due_at = NOW + timedelta(days=1)
        task.attempts = 7
    retried = payroll.ok("POST", f"/expectations/{expectation}/sync")
    assert (retried["syncState"], retried["syncError"]) == ("pending", None)
    with get_db(app).transaction() as session:
        task = session.scalars(select(OutboxTask).where(OutboxTask.ref_id == expectation)).one()
        assert task.attempts == 0
    _set(app, expectation, sync_state="detached")
    refused = payroll.post(f"/expectations/{expectation}/sync")
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "detached")


def test_a_failing_site_job_is_recorded_as_failed_with_its_error_class(
    api: Api, app: Flask
) -> None:
    def broken(site: str) -> int:
        raise RuntimeError("secret-ish details stay out")

    scheduler._per_site(app, "reconcile", broken)
    with get_db(app).transaction() as session:
        [run] = session.scalars(select(JobRun)).all()
        assert (run.job, run.outcome, run.error) == ("reconcile", "failed", "RuntimeError")
        assert run.site_id == api.site.cloud_id


def test_the_operations_view_is_for_jira_administrators(api: Api) -> None:
    seed(api)
    refused = api.as_("lead-PAY").get("/operations")
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "role_required")
    assert api.get("/operations").status_code == 200  # the tests' site administrator
