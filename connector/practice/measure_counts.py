"""Measures counted by JQL: Jira's approximate count, asked as the app, once per measure per
cadence (and on demand), and the JQL checked by Jira's parser when a measure is saved (through
the API, the team page's form, or `icm import`: one parse call for all of an import's queries).

Within Jira's rate limits: one call per measure per run, never repeated within the run. A 429
defers that measure until its `Retry-After` has passed (the HTTP session does not wait for this
call, `connector.jira.http.DEFERRED_ON_429`); a JQL Jira refuses (400) keeps Jira's message on
the measure, shown on the admin page and the expectation, and is not counted again until the
JQL changes; any other failure is tried again on a later run, an hour on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.db import get_db
from connector.domain.errors import ICMError, UpstreamError, ValidationFailed
from connector.domain.states import ExpectationState
from connector.jira.port import jira_site
from connector.jira.site import JiraCallFailed
from connector.practice.measure_values import JQL, MeasureValue, record_value
from connector.practice.models import Expectation, Measure

log = logging.getLogger(__name__)

RATE_LIMITED = timedelta(minutes=1)  # a 429 without Retry-After
RETRY_LATER = timedelta(hours=1)  # Jira unreachable, or a 5xx
COUNTED_STATES = [s.value for s in ExpectationState if s not in (ExpectationState.RETIRED,)]


class CountDeferred(ICMError):
    """Jira asked us to wait (429): the count is deferred, not retried in a loop."""

    status = 503
    code = "count_deferred"


@dataclass
class CountRun:
    counted: int = 0
    deferred: int = 0
    refused: int = 0
    failed: int = 0
    calls: int = 0
    errors: list[str] = field(default_factory=list)

    def as_counts(self) -> dict[str, int]:
        return {
            "counted": self.counted,
            "deferred": self.deferred,
            "refused": self.refused,
            "failed": self.failed,
        }


# --- checking a JQL when a measure is saved


def jql_refusals(
    app: Flask, session: Session, site_id: str, queries: Sequence[str]
) -> list[list[str]]:
    """Jira's parser's errors for each query (an empty list: Jira takes it), in one call for all
    of them. ValidationFailed when the site has no Jira to ask; UpstreamError when Jira could not
    answer (a 400 for the whole call refuses every query with Jira's message)."""
    try:
        return jira_site(app, session, site_id).jql_errors(queries)
    except LookupError as exc:
        raise ValidationFailed(
            "a measure counted by JQL needs Jira on this site, to check and count its JQL",
            details={"measures": ["no Jira installation to check the JQL against"]},
        ) from exc
    except JiraCallFailed as exc:
        if exc.status_code != 400:
            raise UpstreamError(f"Jira could not check the JQL: {exc.message}") from exc
        return [exc.messages for _ in queries]


def check_jql(
    app: Flask, session: Session, site_id: str, measures: Iterable[Mapping[str, Any]]
) -> None:
    """422 with Jira's own message when Jira's parser refuses a measure's JQL."""
    given = [(i, m) for i, m in enumerate(measures) if m.get("source") == "jql" and m.get("jql")]
    if not given:
        return
    errors = jql_refusals(app, session, site_id, [m["jql"] for _, m in given])
    refused = [(i, m, found) for (i, m), found in zip(given, errors, strict=True) if found]
    if refused:
        _, measure, found = refused[0]
        raise ValidationFailed(
            f"Jira refused the JQL of {measure.get('name')!r}: {'; '.join(found)}",
            code="jql_refused",
            details={"measures": {str(i): {"jql": f} for i, _, f in refused}},
        )


# --- counting


def is_due(measure: Measure, cadence_days: int, now: datetime) -> bool:
    """Counted once per cadence; never while a 429 defers it, nor while Jira refuses its JQL."""
    if measure.source != JQL or not measure.jql or measure.count_error:
        return False
    if measure.count_after is not None and measure.count_after > now:
        return False
    return measure.counted_at is None or measure.counted_at + timedelta(days=cadence_days) <= now


def due_measures(session: Session, site_id: str, now: datetime) -> list[int]:
    rows = session.execute(
        select(Measure, Expectation.cadence_days)
        .join(Expectation, Measure.expectation_id == Expectation.id)
        .where(
            Expectation.site_id == site_id,
            Expectation.state.in_(COUNTED_STATES),
            Measure.source == JQL,
        )
        .order_by(Measure.id)
    ).all()
    return [measure.id for measure, cadence in rows if is_due(measure, max(1, cadence), now)]


def count_measure(
    app: Flask, session: Session, measure: Measure, now: datetime, run: CountRun | None = None
) -> MeasureValue | None:
    """One call to Jira for one measure; the value recorded, or why not kept on the measure."""
    run = run if run is not None else CountRun()
    site_id = measure.expectation.site_id
    run.calls += 1
    try:
        count = jira_site(app, session, site_id).count_issues(measure.jql or "")
    except JiraCallFailed as exc:
        _failed(measure, exc, now, run)
        return None
    measure.counted_at, measure.count_after, measure.count_error = now, None, None
    try:
        value = record_value(session, measure, value=count, recorded_by=None, source=JQL, now=now)
    except ValidationFailed as exc:  # e.g. a count above 100 in a "%" measure
        measure.count_error = exc.message
        run.refused += 1
        return None
    run.counted += 1
    return value


def _failed(measure: Measure, exc: JiraCallFailed, now: datetime, run: CountRun) -> None:
    if exc.status_code == 429:
        wait = timedelta(seconds=exc.retry_after) if exc.retry_after else RATE_LIMITED
        measure.count_after = now + wait
        run.deferred += 1
    elif exc.status_code == 400:
        measure.count_error = "; ".join(exc.messages) or "Jira refused the JQL"
        measure.counted_at = now
        run.refused += 1
    else:
        measure.count_after = now + RETRY_LATER
        run.failed += 1
        run.errors.append(f"{exc.status_code}")
    log.info(
        "measure not counted",
        extra={"measure": measure.id, "status": exc.status_code, "after": measure.count_after},
    )


def count_site(app: Flask, site_id: str, now: datetime) -> CountRun:
    """Count every due measure of the site: one transaction, and one call, per measure."""
    run = CountRun()
    database = get_db(app)
    with database.transaction() as session:
        due = due_measures(session, site_id, now)
    for measure_id in due:
        with database.transaction() as session:
            measure = session.get(Measure, measure_id)
            if measure is not None:
                count_measure(app, session, measure, now, run)
    return run


def count_errors(session: Session, site_id: str) -> list[Measure]:
    """Measures whose JQL Jira refused: the admin page lists them with Jira's message."""
    return list(
        session.scalars(
            select(Measure)
            .join(Expectation, Measure.expectation_id == Expectation.id)
            .where(
                Expectation.site_id == site_id,
                Expectation.state.in_(COUNTED_STATES),
                Measure.count_error.is_not(None),
            )
            .order_by(Measure.id)
        )
    )
