"""A payroll relationship with a quarter's worth of practice, for review pack tests: the
organisation through the API, what happened in 2026-Q4 (and just before it) as the app records it,
and readers of the ADF page the app writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from connector.db import get_db
from connector.practice.crossteam import Improvement
from connector.practice.feedback import apply_comment, comment_event
from connector.practice.health import HealthSnapshot
from connector.practice.measure_values import MeasureValue
from connector.practice.models import Expectation, Feedback, Measure
from sandbox.confluence.store import Page
from sandbox.directory import USERS
from tests.connector.platforms.forge.conftest import PlatformSite

SUPPLIER_LEAD, CUSTOMER_LEAD, INTEGRATOR, MEMBER, OUTSIDER = (u.account_id for u in USERS)
TITLE = "Payroll → People Operations: review 2026-Q4"
PARENT = "Payroll → People Operations: reviews"
Q4 = "2026-Q4"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def texts(node: Any) -> Iterator[str]:
    """Every text of an ADF node, status labels included, in document order."""
    if isinstance(node, dict):
        if node.get("type") == "text":
            yield str(node["text"])
        if node.get("type") == "status":
            yield str(node["attrs"]["text"])
        for child in node.get("content") or []:
            yield from texts(child)


def sections(document: dict[str, Any]) -> dict[str, str]:
    """The document's text under each level-2 heading."""
    found: dict[str, list[str]] = {"intro": []}
    current = "intro"
    for block in document["content"]:
        if block["type"] == "heading" and block["attrs"]["level"] == 2:
            current = "".join(texts(block))
            found[current] = []
        else:
            found[current].append(" ".join(texts(block)))
    return {k: " ".join(" ".join(v).split()) for k, v in found.items()}


def nodes(node: Any, kind: str) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") == kind:
            yield node
        for child in node.get("content") or []:
            yield from nodes(child, kind)


def call(site: PlatformSite, method: str, path: str, body: Any = None) -> Any:
    answer = site.call(method, path, body)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def organise(site: PlatformSite) -> int:
    """Payroll supplies People Operations; the caller (the sandbox's administrator) names the
    leads and the integrator, and chooses the space for review packs."""
    call(site, "PUT", "/api/v1/settings", {"reviewSpaceKey": "ICM"})
    for key, name, lead in (
        ("PAY", "Payroll", SUPPLIER_LEAD),
        ("HR", "People Operations", CUSTOMER_LEAD),
    ):
        team = {"key": key, "name": name, "jiraProjectKey": key, "leadAccountId": lead}
        call(site, "POST", "/api/v1/teams", team)
    relationship = call(
        site,
        "POST",
        "/api/v1/relationships",
        {
            "supplier": "PAY",
            "customer": "HR",
            "service": "monthly payroll run",
            "integratorAccountId": INTEGRATOR,
        },
    )
    for statement, measures in (
        (
            "Payslips are right the first time",
            [
                {"name": "correct payslips", "target": 99.5, "unit": "%"},
                {"name": "days to fix", "target": 2, "unit": "days", "direction": "atMost"},
            ],
        ),
        ("Questions answered within a day", []),
        ("A payroll calendar a year ahead", []),
    ):
        call(
            site,
            "POST",
            "/api/v1/expectations",
            {
                "relationshipId": relationship["id"],
                "statement": statement,
                "whyItMatters": "People trust their pay",
                "measures": measures,
                "growthOpportunity": f"Growth for: {statement}",
                "cadenceDays": 30,
            },
        )
    relationship_id: int = relationship["id"]
    return relationship_id


def record_the_quarter(site: PlatformSite, relationship_id: int) -> None:
    """What happened, inside 2026-Q4 and just before it (Q3), written as the app records it."""
    with get_db(site.app).transaction() as session:
        first, second, third = session.scalars(
            select(Expectation)
            .where(Expectation.relationship_id == relationship_id)
            .order_by(Expectation.id)
        ).all()
        first.state, second.state, third.state = "agreed", "at_risk", "proposed"
        correct, days_to_fix = session.scalars(
            select(Measure).where(Measure.expectation_id == first.id).order_by(Measure.position)
        ).all()
        site_id = first.site_id
        for measure, value, day in (
            (correct, 99.7, date(2026, 11, 1)),  # stands for a Q4 day: not a Q3 value
            (days_to_fix, 3.0, date(2026, 9, 20)),  # Q3's, still the latest in Q4
        ):
            session.add(
                MeasureValue(
                    site_id=site_id,
                    expectation_id=first.id,
                    measure_id=measure.id,
                    value=value,
                    day=day,
                    recorded_by=SUPPLIER_LEAD,
                    recorded_at=at(day.isoformat()),
                )
            )
        for expectation, rating, comment, author, when in (
            (first, 4, "Q4: October payslips were fine", CUSTOMER_LEAD, "2026-10-20"),
            (first, 2, "Q4: November had two errors", MEMBER, "2026-11-18"),
            (first, 5, "Q3: summer was perfect", CUSTOMER_LEAD, "2026-09-15"),
            (second, 3, "Q3: answers took a week", MEMBER, "2026-08-01"),
        ):
            session.add(
                Feedback(
                    site_id=site_id,
                    expectation_id=expectation.id,
                    rating=rating,
                    comment=comment,
                    author_account_id=author,
                    source="api",
                    at=at(when),
                )
            )
        for issue, summary, when in (
            ("10101", "Payslip preview before the run", "2026-11-02"),
            ("10102", "Old fix from the summer", "2026-09-20"),
        ):
            session.add(
                Improvement(
                    site_id=site_id,
                    expectation_id=first.id,
                    issue_id=issue,
                    issue_key=f"IT-{issue[-1]}",
                    summary=summary,
                    done_at=at(when),
                )
            )
        for day, score, band in (
            (date(2026, 9, 30), 0.123, "unhealthy"),
            (date(2026, 10, 1), 0.81, "healthy"),
            (date(2026, 10, 2), 0.66, "at_risk"),
            (date(2026, 11, 20), 0.38, "unhealthy"),
        ):
            session.add(
                HealthSnapshot(
                    site_id=site_id,
                    subject="relationship",
                    subject_id=relationship_id,
                    day=day,
                    score=score,
                    band=band,
                    n=3,
                )
            )
        session.flush()
        first.jira_issue_key, first.jira_issue_id = "PAY-1", "20001"
        # A restricted Jira comment with a rating: never recorded, so never in a pack.
        restricted = {
            "id": "777",
            "body": "Rating: 1/5 RESTRICTED salary detail",
            "author": {"accountId": CUSTOMER_LEAD},
            "created": "2026-11-10T10:00:00.000+0000",
            "visibility": {"type": "role", "value": "Administrators"},
        }
        event = comment_event(restricted, "20001", "PAY-1", at("2026-11-10"))
        assert apply_comment(session, site_id, event) == "ignored: a restricted comment"


def page_titled(site: PlatformSite, title: str) -> Page:
    found = [p for p in site.sandbox.state.confluence.pages.values() if p.title == title]
    assert len(found) == 1, [p.title for p in site.sandbox.state.confluence.pages.values()]
    return found[0]
