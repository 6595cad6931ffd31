"""What the maps read from the site: health and trend as `connector.practice.health` has them, and
relationships blocked by other teams' issues (cross-team issue links), through the routes."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.db import get_db, utcnow
from connector.practice.crossteam import BLOCKS, LinkEvent, apply_link, note_linked_issue
from connector.practice.expectation_issues import IssueView
from connector.practice.health import HealthSnapshot, expectation_health, relationship_health
from connector.practice.models import Expectation, Relationship, Team
from macros.data import customer_map_view, integrator_map_view
from macros.links import JiraLinks
from macros.view import HealthHistory
from tests.macros.conftest import Site
from tests.macros.seed import install_site

LINKS = JiraLinks("https://acme.atlassian.net")
BLOCKED = "Payroll → People has 1 blocked cross-team link."
_ids = count(1)


def _expectation(session: Session, site_id: str, issue_key: str) -> Expectation:
    found = session.scalars(
        select(Expectation).where(
            Expectation.site_id == site_id, Expectation.jira_issue_key == issue_key
        )
    ).one()
    found.jira_issue_id = found.jira_issue_id or f"1{next(_ids):04d}"
    session.flush()
    return found


def _relationship(session: Session, site_id: str, supplier: str, customer: str) -> Relationship:
    teams = dict(session.execute(select(Team.key, Team.id).where(Team.site_id == site_id)).all())
    return session.scalars(
        select(Relationship).where(
            Relationship.supplier_id == teams[supplier], Relationship.customer_id == teams[customer]
        )
    ).one()


# --- health and trend -----------------------------------------------------------------------


def _snapshots(session: Session, site_id: str, subject: str, subject_id: int) -> None:
    """Three days of improving health before today."""
    today = utcnow().date()
    for days_ago, score in ((3, 0.45), (2, 0.6), (1, 0.75)):
        session.add(
            HealthSnapshot(
                site_id=site_id,
                subject=subject,
                subject_id=subject_id,
                day=today - timedelta(days=days_ago),
                score=score,
                band="at_risk",
                n=3,
            )
        )
    session.flush()


def test_the_maps_show_healthviews_health_with_the_trend_of_the_snapshots(site: Site) -> None:
    with get_db(site.app).transaction() as session:
        run = _relationship(session, site.site_id, "PAY", "HR")
        payslips = _expectation(session, site.site_id, "PAY-1")
        _snapshots(session, site.site_id, "relationship", run.id)
        _snapshots(session, site.site_id, "expectation", payslips.id)
        now = utcnow()
        view = customer_map_view(session, site.site_id, "PAY", LINKS, now)
        [shown] = [r for r in view.customers if r.id == str(run.id)]
        expected = relationship_health(session, site.site_id, [run.id], now)[run.id]
        by_expectation = expectation_health(session, site.site_id, [payslips.id], now)
    assert (shown.health.score, shown.health.n) == (expected.score, expected.n)
    assert shown.health.band == expected.band == "healthy"
    assert shown.health.trend == expected.trend == "up"
    [first] = [e for e in shown.expectations if e.id == str(payslips.id)]
    assert first.health.score == by_expectation[payslips.id].score
    assert first.health.trend == "up"
    assert all(e.health.trend == "flat" for e in shown.expectations if e is not first)

    doc = site.html("/macros/customer-map?team=PAY&sides=&expectations=true")
    assert "Improving" in doc and "Steady" in doc


# --- health over time: the sparklines ---------------------------------------------------------


def _snapshot(session: Session, site_id: str, subject: str, subject_id: int, days_ago: int) -> None:
    day = utcnow().date() - timedelta(days=days_ago)
    session.add(
        HealthSnapshot(
            site_id=site_id,
            subject=subject,
            subject_id=subject_id,
            day=day,
            score=0.3,
            band="unhealthy",
            n=3,
        )
    )
    session.flush()


def test_the_sparklines_read_the_last_90_days_of_snapshots_of_this_site_only(site: Site) -> None:
    with get_db(site.app).transaction() as session:
        run = _relationship(session, site.site_id, "PAY", "HR")
        payslips = _expectation(session, site.site_id, "PAY-1")
        _snapshots(session, site.site_id, "relationship", run.id)
        _snapshots(session, site.site_id, "expectation", payslips.id)
        _snapshot(session, site.site_id, "relationship", run.id, days_ago=90)  # a day too old
        other = install_site(session, host="other.atlassian.net")
        _snapshot(session, other.site_id, "relationship", run.id, days_ago=5)  # same id, elsewhere
        now = utcnow()
        plain = customer_map_view(session, site.site_id, "PAY", LINKS, now)
        listed = customer_map_view(
            session, site.site_id, "PAY", LINKS, now, expectation_history=True
        )
        whole = integrator_map_view(session, site.site_id, LINKS, now)
    [shown] = [r for r in plain.customers if r.id == str(run.id)]
    assert shown.history == HealthHistory(((86, 0.45), (87, 0.6), (88, 0.75)))
    assert [r.history for r in whole.relationships if r.id == str(run.id)] == [shown.history]
    # Each expectation's own only when asked (the expectations table shows them).
    assert all(e.history.points == () for r in plain.customers for e in r.expectations)
    [first] = [e for r in listed.customers for e in r.expectations if e.id == str(payslips.id)]
    assert first.history == shown.history

    words = "Health over the last 90 days: from 45% to 75%, lowest 45% (3 daily snapshots)"
    assert words in site.html("/macros/integrator-map")
    assert words in site.html("/macros/expectations?team=PAY&side=supplier")
    assert words in site.html("/macros/customer-map/static?team=PAY")


def test_a_new_snapshot_is_drawn_at_once(site: Site) -> None:
    before = site.html("/macros/integrator-map")
    assert "no daily snapshots yet" in before
    with get_db(site.app).transaction() as session:
        run = _relationship(session, site.site_id, "PAY", "HR")
        _snapshot(session, site.site_id, "relationship", run.id, days_ago=0)
    # The snapshot job's rows are part of the data version: the cached map is not served.
    assert "Health over the last 90 days: 30% (1 daily snapshot)" in site.html(
        "/macros/integrator-map"
    )


# --- blocked cross-team links -----------------------------------------------------------------


def _link(
    session: Session, site_id: str, blocker: tuple[str, str], blocked: tuple[str, str], kind: str
) -> None:
    """`blocker` (issue id, key) -kind-> `blocked`, as Jira's `issuelink_created` reports it."""
    at = utcnow()
    event = LinkEvent(str(next(_ids)), blocker[0], blocked[0], kind, "blocks", "is blocked by", at)
    apply_link(session, site_id, event)
    for issue_id, key in (blocker, blocked):
        note_linked_issue(session, site_id, IssueView(issue_id, key, key, "indeterminate", at))
    session.flush()


def _issue(session: Session, site_id: str, key: str) -> tuple[str, str]:
    found = _expectation(session, site_id, key)
    assert found.jira_issue_id is not None
    return found.jira_issue_id, key


def test_a_relationship_blocked_by_another_teams_issue_is_a_hot_spot(site: Site) -> None:
    with get_db(site.app).transaction() as session:
        payslips = _issue(session, site.site_id, "PAY-1")
        questions = _issue(session, site.site_id, "PAY-2")
        _link(session, site.site_id, ("90001", "IT-9"), payslips, BLOCKS)
        # Not counted: the team's own work, the expectation blocking, another kind of link.
        _link(session, site.site_id, ("90002", "PAY-77"), questions, BLOCKS)
        _link(session, site.site_id, payslips, ("90003", "IT-10"), BLOCKS)
        _link(session, site.site_id, ("90004", "FIN-4"), questions, "Relates")
        view = integrator_map_view(session, site.site_id, LINKS, utcnow())
    blocked = {(r.supplier.key, r.customer.key): r.blocked_links for r in view.relationships}
    assert blocked == {("PAY", "HR"): 1, ("PAY", "FIN"): 0, ("IT", "PAY"): 0}

    doc = site.html("/macros/integrator-map")
    assert "Blocked cross-team links (1)" in doc and BLOCKED in doc


def test_the_hot_spot_goes_when_the_blocking_issue_is_done(site: Site) -> None:
    with get_db(site.app).transaction() as session:
        payslips = _issue(session, site.site_id, "PAY-1")
        _link(session, site.site_id, ("90001", "IT-9"), payslips, BLOCKS)
    assert BLOCKED in site.html("/macros/integrator-map")

    with get_db(site.app).transaction() as session:
        done = IssueView("90001", "IT-9", "Upgrade the payroll host", "done", utcnow())
        note_linked_issue(session, site.site_id, done)

    # The cached map is not served: the link's change is part of the site's data version.
    assert BLOCKED not in site.html("/macros/integrator-map")


def test_a_blocker_whose_key_jira_has_not_told_yet_counts(site: Site) -> None:
    with get_db(site.app).transaction() as session:
        payslips = _issue(session, site.site_id, "PAY-1")
        event = LinkEvent("777", "90009", payslips[0], BLOCKS, "blocks", "is blocked by", utcnow())
        apply_link(session, site.site_id, event)
    assert BLOCKED in site.html("/macros/integrator-map")
