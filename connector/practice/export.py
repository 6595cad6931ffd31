"""Expectations as rows for a spreadsheet: one per expectation, the columns review meetings use.

Only what the lists show: no feedback comment text (a comment may be restricted in Jira).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.practice.assessments import ExpectationView, assess_expectations
from connector.practice.expectations import list_expectations
from connector.practice.measure_values import ValuePoint
from connector.practice.models import Expectation, Feedback

COLUMNS = (
    "id",
    "supplier",
    "customer",
    "service",
    "statement",
    "state",
    "priority",
    "measures",
    "measureValues",
    "health",
    "band",
    "trend",
    "ratings",
    "lastFeedback",
    "jiraIssueKey",
)
MAX_ROWS = 10_000
PAGE = 100


def export_rows(
    session: Session, site_id: str, filters: Mapping[str, Any]
) -> list[list[str | float | int | None]]:
    """Every expectation the filters select (at most MAX_ROWS), in id order."""
    found: list[Expectation] = []
    cursor = None
    while len(found) < MAX_ROWS:
        page = list_expectations(session, site_id, **filters, limit=PAGE, cursor=cursor)
        found += page.values
        cursor = page.next_cursor
        if cursor is None:
            break
    found = found[:MAX_ROWS]
    views = assess_expectations(session, found)
    last = _last_feedback(session, site_id, [e.id for e in found])
    return [_row(view, last.get(view.expectation.id)) for view in views]


def _row(view: ExpectationView, last_feedback: datetime | None) -> list[str | float | int | None]:
    expectation = view.expectation
    score = view.health.score
    return [
        expectation.id,
        view.supplier_key,
        view.customer_key,
        expectation.relationship.service,
        expectation.statement,
        expectation.state,
        expectation.priority,
        "; ".join(_measure(m.name, m.target, m.unit, m.direction) for m in expectation.measures),
        "; ".join(_values(m.name, m.unit, m.history) for m in view.measures if m.history),
        None if score is None else round(score * 100),
        view.health.band,
        view.health.trend,
        view.feedback_count,
        last_feedback.date().isoformat() if last_feedback else None,
        expectation.jira_issue_key,
    ]


def _measure(name: str, target: float, unit: str | None, direction: str) -> str:
    sign = "≤" if direction == "atMost" else "≥"
    return f"{name} {sign} {_amount(target, unit)}"


def _amount(value: float, unit: str | None) -> str:
    return f"{value:g}{unit or ''}" if unit == "%" else f"{value:g} {unit or ''}".strip()


def _values(name: str, unit: str | None, history: Sequence[ValuePoint]) -> str:
    """A measure's recent values, oldest first, each with its day (and a dispute)."""
    said = (
        f"{_amount(p.value, unit)} on {p.day.isoformat()}{' (disputed)' if p.disputed else ''}"
        for p in history
    )
    return f"{name}: {', '.join(said)}"


def _last_feedback(session: Session, site_id: str, ids: list[int]) -> dict[int, datetime]:
    if not ids:
        return {}
    rows = session.execute(
        select(Feedback.expectation_id, func.max(Feedback.at))
        .where(Feedback.site_id == site_id, Feedback.expectation_id.in_(ids))
        .group_by(Feedback.expectation_id)
    )
    return {int(expectation_id): at for expectation_id, at in rows.all()}
