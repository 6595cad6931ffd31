"""What each scheduled job did, run by run: when, how it ended, how much it handled.

The scheduler and the Forge scheduled trigger record every run here, so the operations view shows
what really happened rather than what was meant to.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Index, String, delete, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime, rows_affected

# The scheduler's jobs and how often each runs: `connector.scheduler` builds its triggers from
# these, and records each run under the job's id (beside the per-site rows the job writes), so
# any instance can tell whether this period's run happened and the operations view can flag a job
# that has not run for two periods.
SCHEDULE: dict[str, timedelta] = {
    "icm.request_feedback_due": timedelta(hours=1),
    "icm.reconcile": timedelta(minutes=15),  # the JQL window (webhooks.reconcile) assumes this
    "icm.retry_pending_syncs": timedelta(minutes=1),
    "icm.snapshot_health": timedelta(days=1),
    "icm.prune_inbox": timedelta(days=1),
    "icm.report_personal_data": timedelta(minutes=61),  # off the hour, as Atlassian asks
    "icm.purge_uninstalled": timedelta(days=1),
    "icm.write_review_packs": timedelta(days=1),  # does work only in a quarter's last week
}
SCHEDULER_RUN = "icm.%"  # the scheduler's own rows, one per run of a job
OVERDUE_GRACE = timedelta(minutes=10)


class Outcome(enum.StrEnum):
    OK = "ok"
    PARTIAL = "partial"  # some sites failed, the others were done
    FAILED = "failed"


class JobRun(Base):
    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_id", "job", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str | None] = mapped_column(String(255), index=True)  # None: every site
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(16))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(255))  # the exception's class, never its text


def record_run(
    session: Session,
    job: str,
    site_id: str | None,
    started: datetime,
    finished: datetime,
    outcome: str,
    counts: dict[str, Any],
    error: str | None = None,
) -> JobRun:
    run = JobRun(
        job=job,
        site_id=site_id,
        started_at=started,
        finished_at=finished,
        outcome=Outcome(outcome).value,
        counts=dict(counts),
        error=error[:255] if error else None,
    )
    session.add(run)
    session.flush()
    return run


def last_runs(session: Session, site_id: str) -> list[JobRun]:
    """The newest run of each job that concerned this site (its own, or one over every site)."""
    mine = or_(JobRun.site_id == site_id, JobRun.site_id.is_(None)) & JobRun.job.not_like(
        SCHEDULER_RUN
    )
    newest = select(func.max(JobRun.id)).where(mine).group_by(JobRun.job)
    return list(session.scalars(select(JobRun).where(JobRun.id.in_(newest)).order_by(JobRun.job)))


def prune_runs(session: Session, before: datetime) -> int:
    """Forget runs started before `before`, keeping each job's newest."""
    newest = select(func.max(JobRun.id)).group_by(JobRun.job, JobRun.site_id)
    result = session.execute(
        delete(JobRun).where(JobRun.started_at < before, JobRun.id.not_in(newest))
    )
    return rows_affected(result)


def last_started(session: Session, job: str) -> datetime | None:
    """When the newest recorded run of `job` started, on any instance."""
    started: datetime | None = session.scalar(
        select(JobRun.started_at).where(JobRun.job == job).order_by(JobRun.id.desc()).limit(1)
    )
    return started


def schedule_status(session: Session, now: datetime) -> list[dict[str, Any]]:
    """Each scheduled job: its period, its newest run, and whether it is overdue (no run for two
    periods and a grace; a job never run is not yet overdue: nothing says since when)."""
    newest = select(func.max(JobRun.id)).where(JobRun.job.like(SCHEDULER_RUN)).group_by(JobRun.job)
    runs = {run.job: run for run in session.scalars(select(JobRun).where(JobRun.id.in_(newest)))}
    status = []
    for job, period in SCHEDULE.items():
        run = runs.get(job)
        status.append(
            {
                "job": job,
                "everySeconds": int(period.total_seconds()),
                "lastStartedAt": run.started_at.isoformat() if run else None,
                "lastFinishedAt": run.finished_at.isoformat() if run else None,
                "outcome": run.outcome if run else None,
                "overdue": run is not None and run.started_at < now - 2 * period - OVERDUE_GRACE,
            }
        )
    return status
