"""Scheduled work (`flask --app connector icm scheduler`, APScheduler 3.x), which may run in
every instance of a deployment: one of them does each job at a time.

Wiring, like the app factory: its jobs call the practice, the sync and the webhook inbox.

Jobs are defined in code, so they live in a MemoryJobStore with fixed ids, `replace_existing`,
`coalesce` and `max_instances=1`. When a job fires, the instance takes the job's lock
(`connector.db.locks`: a PostgreSQL advisory lock, or a file lock beside a SQLite database), which
the database or the kernel releases if the instance dies; under it, the job runs only when no
instance has run it within half its period (`job_runs` holds one row per run under the job's id,
`SCHEDULE`). So with several instances each job runs about once a period, by whichever fires
first, and a killed instance's work is taken up at another's next firing. Each job is a plain
function of the app (and the time) that tests call directly, and idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy.orm import Session

import connector.db.models  # noqa: F401  (every table on Base.metadata, for the purge)
from connector.db import Base, get_db, utcnow
from connector.db.locks import held
from connector.platforms.connect.privacy import connect_reporter
from connector.platforms.forge.privacy import OVERDUE_GRACE, reported_by_forge
from connector.platforms.sites import jira_sites
from connector.practice.feedback_requests import send_due_requests
from connector.practice.health import snapshot_site_health
from connector.practice.job_runs import SCHEDULE, Outcome, last_started, prune_runs, record_run
from connector.practice.measure_counts import count_site
from connector.practice.privacy import (
    held_sites,
    overdue_accounts,
    purge_site,
    report_site,
    sites_to_purge,
    track_accounts,
)
from connector.practice.review_integrator import write_integrator_pages
from connector.practice.review_packs import write_site_packs
from connector.sync.worker import drain_outbox
from webhooks.inbox import prune, prune_parked
from webhooks.reconcile import reconcile_site

log = logging.getLogger(__name__)

UTC = ZoneInfo("UTC")
INBOX_KEEP = timedelta(days=14)


def _per_site(app: Flask, job: str, work: Callable[[str], int]) -> int:
    """Run `work` for every site; one site's failure is logged and never stops the others.
    Each site's run is recorded in `job_runs`."""
    total = 0
    with get_db(app).transaction() as session:
        sites = jira_sites(session)
    for site_id in sites:
        started, done, error = utcnow(), 0, None
        try:
            done = work(site_id)
        except Exception as exc:
            error = type(exc).__name__
            log.exception("scheduled job failed for a site", extra={"job": job, "site": site_id})
        total += done
        _record(app, job, site_id, started, {"done": done}, error)
    return total


def _record(
    app: Flask,
    job: str,
    site_id: str | None,
    started: datetime,
    counts: dict[str, int],
    error: str | None = None,
) -> None:
    outcome = Outcome.FAILED if error else Outcome.OK
    with get_db(app).transaction() as session:
        record_run(session, job, site_id, started, utcnow(), outcome, counts, error)


def _recorded(app: Flask, job: str, work: Callable[[], int]) -> int:
    """Run a job over every site at once, recording the run (a failure is recorded, then raised)."""
    started = utcnow()
    try:
        done = work()
    except Exception as exc:
        _record(app, job, None, started, {}, type(exc).__name__)
        raise
    _record(app, job, None, started, {"done": done})
    return done


def request_feedback_due(app: Flask, now: datetime) -> int:
    """Comment on each due expectation's issue, mentioning the customer lead."""
    return _per_site(app, "request_feedback_due", lambda site: send_due_requests(app, site, now))


def reconcile(app: Flask, now: datetime) -> int:
    """Repair missed webhooks from a JQL search per site."""
    return _per_site(app, "reconcile", lambda site: reconcile_site(app, site, now))


def count_measures(app: Flask, now: datetime) -> int:
    """Count each due JQL measure (once per its expectation's cadence): one call per measure."""
    return _per_site(app, "count_measures", lambda site: count_site(app, site, now).counted)


def snapshot_health(app: Flask, today: date) -> int:
    """Today's health of every live expectation and relationship (rerun: overwritten)."""
    now = utcnow()
    return _per_site(
        app, "snapshot_health", lambda site: snapshot_site_health(app, site, now, today)
    )


def write_review_packs(app: Flask, now: datetime) -> int:
    """In a quarter's last week, every relationship's review pack, on sites that asked for it
    (the setting is off by default)."""

    def work(site_id: str) -> int:  # packs written (then the integrators' pages, uncounted)
        with get_db(app).transaction() as session:
            written = write_site_packs(app, session, site_id, now)
            write_integrator_pages(app, session, site_id, now)
            return written

    return _per_site(app, "write_review_packs", work)


def prune_inbox(app: Flask, now: datetime) -> int:
    """Done and ignored deliveries after INBOX_KEEP; parked ones (and the unreadable bodies kept
    for inspection) after PARKED_KEEP_DAYS; old job runs (each job's newest run stays)."""
    parked_keep = timedelta(days=float(app.config.get("PARKED_KEEP_DAYS", 30)))

    def work() -> int:  # deliveries pruned (job runs go too, uncounted)
        with get_db(app).transaction() as session:
            prune_runs(session, now - INBOX_KEEP)
            return prune(session, now - INBOX_KEEP) + prune_parked(session, now - parked_keep)

    return _recorded(app, "prune_inbox", work)


def retry_pending_syncs(app: Flask) -> int:
    return _recorded(app, "retry_pending_syncs", lambda: drain_outbox(app))


def report_personal_data(app: Flask, now: datetime) -> int:
    """Each site's turn of the personal data reporting cycle, when due (docs/personal-data.md).

    A site with a Connect installation is reported from here. A Forge-only site is reported by
    its Forge app (the daily function of forge/src/privacy.js, which calls the remote), so it is
    left alone here: only a warning when its accounts are overdue (an app version without the
    function, or a failing one). Returns accounts reported."""
    database = get_db(app)
    with database.transaction() as session:
        track_accounts(session, now)  # every site's accounts: once per run, not once per site
        sites = held_sites(session)
    total = 0
    for site_id in sites:
        try:
            with database.transaction() as session:
                reporter = connect_reporter(session, site_id, app.config)
                if reporter is None and reported_by_forge(session, site_id):
                    _warn_if_overdue(session, site_id, now)
                    continue
            total += report_site(database, site_id, reporter, now, tracked=True).reported
        except Exception:
            log.exception("personal data report failed for a site", extra={"site": site_id})
    return total


def _warn_if_overdue(session: Session, site_id: str, now: datetime) -> None:
    late = overdue_accounts(session, site_id, now, OVERDUE_GRACE)
    if late:
        log.warning(
            "personal data report overdue on a Forge site: is its app version the one with the "
            "icm-personal-data function?",
            extra={"site": site_id, "accounts": late},
        )


def purge_uninstalled(app: Flask, now: datetime) -> int:
    """Delete the data of sites uninstalled more than PURGE_AFTER_UNINSTALL_DAYS ago."""
    keep = timedelta(days=float(app.config.get("PURGE_AFTER_UNINSTALL_DAYS", 30)))
    database = get_db(app)
    with database.transaction() as session:
        sites = sites_to_purge(session, now, keep)
    for site_id in sites:
        with database.transaction() as session:
            counts = purge_site(session, site_id, Base.metadata, dry_run=False, now=now)
        log.info("site purged after uninstall", extra={"site": site_id, "rows": counts})
    return len(sites)


# --- the job wrappers read the clock, so the functions above stay testable


def _feedback_job(app: Flask) -> None:
    request_feedback_due(app, utcnow())


def _reconcile_job(app: Flask) -> None:
    reconcile(app, utcnow())


def _count_job(app: Flask) -> None:
    count_measures(app, utcnow())


def _snapshot_job(app: Flask) -> None:
    snapshot_health(app, utcnow().date())


def _review_packs_job(app: Flask) -> None:
    write_review_packs(app, utcnow())


def _prune_job(app: Flask) -> None:
    prune_inbox(app, utcnow())


def _privacy_job(app: Flask) -> None:
    _recorded(app, "report_personal_data", lambda: report_personal_data(app, utcnow()))


def _purge_job(app: Flask) -> None:
    _recorded(app, "purge_uninstalled", lambda: purge_uninstalled(app, utcnow()))


def _every(job_id: str) -> IntervalTrigger:
    return IntervalTrigger(seconds=SCHEDULE[job_id].total_seconds(), timezone=UTC)


JOBS: tuple[tuple[str, Callable[[Flask], Any], Any], ...] = (
    ("icm.request_feedback_due", _feedback_job, _every("icm.request_feedback_due")),
    ("icm.reconcile", _reconcile_job, _every("icm.reconcile")),
    ("icm.retry_pending_syncs", retry_pending_syncs, _every("icm.retry_pending_syncs")),
    # Each JQL measure is due once per its cadence (or after a 429's Retry-After): an hourly look.
    ("icm.count_measures", _count_job, _every("icm.count_measures")),
    ("icm.snapshot_health", _snapshot_job, CronTrigger(hour=0, minute=15, timezone=UTC)),
    ("icm.prune_inbox", _prune_job, CronTrigger(hour=3, minute=0, timezone=UTC)),
    # After the snapshot, so a pack shows the day's health; only in a quarter's last week.
    ("icm.write_review_packs", _review_packs_job, CronTrigger(hour=1, minute=0, timezone=UTC)),
    # Hourly look for due cycles (each site's is 7 days or its Cycle-Period), off the hour mark
    # as Atlassian asks; it never sleeps on a Retry-After, it reschedules the site.
    ("icm.report_personal_data", _privacy_job, _every("icm.report_personal_data")),
    ("icm.purge_uninstalled", _purge_job, CronTrigger(hour=3, minute=37, timezone=UTC)),
)
WORK = {job_id: func for job_id, func, _trigger in JOBS}


def run_job(app: Flask, job_id: str) -> bool:
    """What fires: the job, unless another instance holds it or ran it within half its period.
    True when this instance ran it (a failure is logged and recorded; the next firing retries)."""
    database = get_db(app)
    with held(database.engine, job_id) as mine:
        if not mine:
            log.info("scheduled job running in another instance", extra={"job": job_id})
            return False
        started = utcnow()
        with database.transaction() as session:
            last = last_started(session, job_id)
        if last is not None and started - last < SCHEDULE[job_id] / 2:
            return False  # another instance has run it this period
        error = None
        try:
            WORK[job_id](app)
        except Exception as exc:
            error = type(exc).__name__
            log.exception("scheduled job failed", extra={"job": job_id})
        _record(app, job_id, None, started, {}, error)
        return True


def build_scheduler(
    app: Flask, scheduler_class: type[BaseScheduler] = BlockingScheduler
) -> BaseScheduler:
    scheduler = scheduler_class(
        jobstores={"default": MemoryJobStore()},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone=UTC,
    )
    for job_id, _func, trigger in JOBS:
        scheduler.add_job(
            run_job, trigger, args=[app, job_id], id=job_id, name=job_id, replace_existing=True
        )
    return scheduler


def run(app: Flask) -> None:
    """A scheduler process (one per instance is fine): blocks until interrupted."""
    scheduler = build_scheduler(app)
    log.info("scheduler starting", extra={"jobs": [job_id for job_id, _, _ in JOBS]})
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")
