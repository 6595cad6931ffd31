"""GET /api/v1/operations: whether the machinery works on this site, in one answer.

The Jira sync backlog, parked webhook deliveries, the last run of each scheduled job (and, for the
scheduler as a whole, when each job last ran on any instance and whether it is overdue), the
app's installations, and the review packs and integrator pages whose last write failed (each
with its retry). It joins the practice, the webhook inbox and both installation stores, so it
lives with the platforms (the one layer that may see all of them). Jira administrators only, as
the parked deliveries it lists are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy.orm import Session

from connector.db import request_session, utcnow
from connector.platforms.sites import site_installations
from connector.practice.expectations import sync_backlog, sync_counts
from connector.practice.job_runs import JobRun, last_runs, schedule_status
from connector.practice.measure_counts import count_errors
from connector.practice.models import Expectation, Measure, SyncState
from connector.practice.review_packs import ReviewPack, failed_packs
from connector.practice.roles import require_admin
from connector.web.caller import caller_required, current_caller
from webhooks import inbox

bp = Blueprint("operations", __name__, url_prefix="/api/v1")


@bp.get("/operations")
@caller_required(context_qsh=True)
def operations() -> Response:
    session, caller = request_session(), current_caller()
    require_admin(session, caller)
    return jsonify(operations_view(session, caller.site_id, utcnow()))


def operations_view(session: Session, site_id: str, now: datetime) -> dict[str, Any]:
    backlog = sync_backlog(session, site_id)
    return {
        "sync": {
            "counts": sync_counts(session, site_id),
            "values": [_backlog_item(e) for e in backlog],
        },
        "parked": [row.as_json() for row in inbox.parked(session, site_id)],
        "jobs": [_run(run) for run in last_runs(session, site_id)],
        "scheduler": schedule_status(session, now),
        "installations": site_installations(session, site_id, now),
        "reviewPacks": [_failed_pack(pack) for pack in failed_packs(session, site_id)],
        "measures": [_refused_count(m) for m in count_errors(session, site_id)],
    }


def _refused_count(measure: Measure) -> dict[str, Any]:
    """A measure whose JQL Jira refused, with Jira's message (not counted until it changes)."""
    expectation = measure.expectation
    return {
        "expectationId": expectation.id,
        "measureId": measure.id,
        "name": measure.name,
        "statement": expectation.statement[:200],
        "jql": measure.jql,
        "countError": measure.count_error,
        "countedAt": measure.counted_at.isoformat() if measure.counted_at else None,
    }


def _failed_pack(pack: ReviewPack) -> dict[str, Any]:
    """A review pack (or an integrator's page) whose last write failed, and how to write it
    again."""
    return {
        "id": pack.id,
        "kind": "relationship" if pack.relationship_id is not None else "integrator",
        "relationshipId": pack.relationship_id,
        "integratorAccountId": pack.integrator_account_id,
        "period": pack.period,
        "title": pack.title,
        "error": pack.error,
        "attempts": pack.attempts,
        "requestedAt": pack.requested_at.isoformat(),
        "retry": f"/api/v1/review-packs/{pack.id}/retry",
    }


def _backlog_item(expectation: Expectation) -> dict[str, Any]:
    detached = expectation.sync_state == SyncState.DETACHED
    return {
        "id": expectation.id,
        "statement": expectation.statement[:200],
        "supplier": expectation.relationship.supplier.key,
        "customer": expectation.relationship.customer.key,
        "state": expectation.state,
        "syncState": expectation.sync_state,
        "syncError": expectation.sync_error,
        "jiraIssueKey": expectation.jira_issue_key,
        "action": "reattach" if detached else "retry",
    }


def _run(run: JobRun) -> dict[str, Any]:
    return {
        "job": run.job,
        "siteId": run.site_id,
        "startedAt": run.started_at.isoformat(),
        "finishedAt": run.finished_at.isoformat(),
        "outcome": run.outcome,
        "counts": run.counts,
        "error": run.error,
    }
