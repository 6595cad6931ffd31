"""A cheap fingerprint of everything a site's macros show, so a rendered map can be reused.

One SQL statement (a UNION ALL of aggregates over indexed `site_id` columns): counts catch
deletions, maxima of the change timestamps catch edits (a renamed Jira site too), sums catch
feedback edited in place. The UTC date is part of it because health decays with time, staleness
is judged against the clock; the newest health snapshot (trend, sparklines) counts too.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from connector.practice.crossteam import IssueLink
from connector.practice.expectation_issues import DONE
from connector.practice.health import HealthSnapshot
from connector.practice.measure_values import MeasureValue
from connector.practice.models import Expectation, Feedback, Measure, Relationship, Team


def _as_text(table: str, *values: Any) -> list[Any]:
    """A tagged row of five text columns (UNION needs one shape; SQL keeps no row order)."""
    padded = [*values, *([None] * (5 - len(values)))]
    return [literal(table), *(cast(v, String) if v is not None else null() for v in padded)]


def _statement(site_id: Any) -> CompoundSelect[Any]:
    """One row per table (tenants, teams, relationships, ...), five text columns each."""
    measures = (
        select(
            *_as_text(
                "measures",
                func.count(),
                func.max(Measure.latest_at),
                func.sum(Measure.latest_value),
            )
        )
        .join(Expectation, Measure.expectation_id == Expectation.id)
        .where(Expectation.site_id == site_id)
    )
    feedback = select(
        *_as_text(
            "feedback",
            func.count(),
            func.max(Feedback.created_at),
            func.max(Feedback.at),
            func.sum(Feedback.rating),
            func.sum(func.length(Feedback.comment)),
        )
    ).where(Feedback.site_id == site_id)
    # The blocked-links hot spot: a link added or removed (a newer Jira event), its blocking
    # issue's key learnt or that issue done.
    links = select(
        *_as_text(
            "links",
            func.count(),
            func.max(IssueLink.event_at),
            func.count(IssueLink.other_issue_key),
            func.sum(case((IssueLink.other_status_category == DONE, 1), else_=0)),
        )
    ).where(IssueLink.site_id == site_id)
    # Each measure's history: a value added or removed, a dispute made.
    values = select(
        *_as_text(
            "measure_values",
            func.count(),
            func.max(MeasureValue.id),
            func.max(MeasureValue.disputed_at),
            func.sum(MeasureValue.value),
        )
    ).where(MeasureValue.site_id == site_id)
    return union_all(
        select(*_as_text("teams", func.count(), func.max(Team.updated_at))).where(
            Team.site_id == site_id
        ),
        select(*_as_text("relationships", func.count(), func.max(Relationship.updated_at))).where(
            Relationship.site_id == site_id
        ),
        select(*_as_text("expectations", func.count(), func.max(Expectation.updated_at))).where(
            Expectation.site_id == site_id
        ),
        measures,
        values,
        feedback,
        links,
        # The sparklines and the trend: the daily snapshot job adds rows at whatever hour it
        # runs. The newest id of the whole table (one step down its primary key) rather than a
        # count over the site's snapshots, which grow by one row per relationship a day.
        select(*_as_text("snapshots", func.max(HealthSnapshot.id))),
    )


# Built once: the statement is the same for every site, only the bound parameter changes.
_STATEMENT = _statement(bindparam("site_id", type_=String))


def data_version(session: Session, site_id: str, now: datetime) -> str:
    """Changes whenever a team, relationship, expectation, measure, rating or cross-team link of
    the site does, when the daily health snapshots are taken, and each day. Where the site's Jira
    lives is part of the cache key instead (`macros.fragments`), since the platforms, not the
    practice's tables, know it."""
    rows = sorted(tuple(row) for row in session.execute(_STATEMENT, {"site_id": site_id}))
    fingerprint = ";".join(",".join(str(v) for v in row) for row in rows)
    fingerprint += ";" + now.date().isoformat()
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:32]
