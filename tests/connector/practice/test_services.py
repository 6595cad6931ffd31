"""The domain services on SQLite and PostgreSQL: rules, site scoping, the outbox, keyset pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.db.models import OutboxTask
from connector.domain.errors import Conflict, NotFound, ValidationFailed
from connector.practice import expectations, feedback, goals, relationships, teams
from connector.practice.assessments import assess_one
from connector.practice.maps import customer_map

SITE, OTHER = "site-a", "site-b"


def organisation(session: Session, site: str = SITE) -> int:
    teams.create_team(session, site, key="PAY", name="Payroll", jira_project_key="PAY")
    teams.create_team(session, site, key="HR", name="People")
    rel = relationships.create_relationship(
        session, site, supplier="PAY", customer="HR", service="payroll"
    )
    made = expectations.create_expectation(
        session,
        site,
        relationship_id=rel.id,
        statement="Paid right",
        measures=[{"name": "Right first time", "target": 99.5, "unit": "%"}],
    )
    return made.id


def tasks(session: Session) -> list[tuple[str, int | None]]:
    return [(t.kind, t.ref_id) for t in session.scalars(select(OutboxTask).order_by(OutboxTask.id))]


def test_agreeing_queues_one_push_and_edits_bump_the_version(db_session: Session) -> None:
    expectation_id = organisation(db_session)
    expectations.transition(db_session, SITE, expectation_id, "proposed")
    assert tasks(db_session) == []
    expectations.transition(db_session, SITE, expectation_id, "agreed")
    expectations.update_expectation(db_session, SITE, expectation_id, {"priority": "high"})
    expectations.update_expectation(db_session, SITE, expectation_id, {"statement": "Paid on time"})
    assert tasks(db_session) == [("expectation", expectation_id)]  # one pending task per thing
    assert expectations.expectation_by_id(db_session, SITE, expectation_id).version == 3


def test_measures_are_replaced(db_session: Session) -> None:
    expectation_id = organisation(db_session)
    changed = expectations.update_expectation(
        db_session,
        SITE,
        expectation_id,
        {
            "measures": [
                {"name": "A", "target": 1},
                {"name": "B", "target": 2, "direction": "atMost"},
            ]
        },
    )
    assert [(m.name, m.position) for m in changed.measures] == [("A", 0), ("B", 1)]


def test_another_site_sees_nothing(db_session: Session) -> None:
    expectation_id = organisation(db_session)
    with pytest.raises(NotFound):
        expectations.expectation_by_id(db_session, OTHER, expectation_id)
    with pytest.raises(NotFound):
        teams.team_by_key(db_session, OTHER, "PAY")
    relationship_id = expectations.expectation_by_id(
        db_session, SITE, expectation_id
    ).relationship_id
    with pytest.raises(ValidationFailed) as raised:  # site A's relationship, named from site B
        expectations.create_expectation(
            db_session, OTHER, relationship_id=relationship_id, statement="x"
        )
    assert raised.value.details == {"relationshipId": ["no such relationship"]}
    with pytest.raises(NotFound):
        relationships.relationship_by_id(db_session, OTHER, relationship_id)
    assert expectations.list_expectations(db_session, OTHER).values == []
    organisation(db_session, OTHER)  # the same keys are free there


def test_a_team_key_with_a_nul_byte_names_no_team(db_session: Session) -> None:
    # Keys come from URLs; PostgreSQL refuses to compare text holding NUL, so it is never asked.
    organisation(db_session)
    assert teams.find_team(db_session, SITE, "PAY\x00") is None
    with pytest.raises(NotFound):
        teams.team_by_key(db_session, SITE, "\x00")
    assert teams.team_by_key(db_session, SITE, "PAY").key == "PAY"


def test_duplicates_and_retirement_rules(db_session: Session) -> None:
    expectation_id = organisation(db_session)
    with pytest.raises(Conflict):
        teams.create_team(db_session, SITE, key="PAY", name="again")
    with pytest.raises(Conflict):
        relationships.create_relationship(
            db_session, SITE, supplier="PAY", customer="HR", service="payroll"
        )
    with pytest.raises(Conflict):
        teams.retire_team(db_session, SITE, "PAY")
    expectations.retire_expectation(db_session, SITE, expectation_id)
    rel_id = expectations.expectation_by_id(db_session, SITE, expectation_id).relationship_id
    relationships.retire_relationship(db_session, SITE, rel_id)
    assert teams.retire_team(db_session, SITE, "PAY").retired_at is not None


def test_keyset_pages(db_session: Session) -> None:
    for n in range(5):
        teams.create_team(db_session, SITE, key=f"T{n}", name=str(n))
    first = teams.list_teams(db_session, SITE, state=None, limit=2, cursor=None)
    second = teams.list_teams(db_session, SITE, state=None, limit=2, cursor=first.next_cursor)
    third = teams.list_teams(db_session, SITE, state=None, limit=2, cursor=second.next_cursor)
    assert [t.key for t in [*first.values, *second.values, *third.values]] == [
        "T0",
        "T1",
        "T2",
        "T3",
        "T4",
    ]
    assert third.next_cursor is None


def test_goals_queue_epics_and_health_starts_grey(db_session: Session) -> None:
    expectation_id = organisation(db_session)
    goal = goals.create_goal(db_session, SITE, team="PAY", title="Zero errors")
    assert ("goal", goal.id) in tasks(db_session)
    view = assess_one(db_session, expectations.expectation_by_id(db_session, SITE, expectation_id))
    assert view.health.band == "no_feedback" and view.feedback_count == 0
    team_map = customer_map(db_session, SITE, "HR")
    assert [e.relationship.supplier.key for e in team_map.suppliers] == ["PAY"]
    assert team_map.customers == []


def test_a_goal_is_found_only_on_its_own_site(db_session: Session) -> None:
    organisation(db_session)
    organisation(db_session, OTHER)
    goal = goals.create_goal(db_session, SITE, team="PAY", title="Zero errors")
    assert goals.goal_by_id(db_session, SITE, goal.id) is goal
    for attempt in (
        lambda: goals.goal_by_id(db_session, OTHER, goal.id),
        lambda: goals.update_goal(db_session, OTHER, goal.id, {"title": "Mine now"}),
        lambda: goals.retire_goal(db_session, OTHER, goal.id),
    ):
        with pytest.raises(NotFound) as raised:
            attempt()
        assert raised.value.details == {"id": goal.id}
    assert (goal.title, goal.state) == ("Zero errors", "active")
    assert (
        goals.list_goals(db_session, OTHER, team=None, state="all", limit=10, cursor=None).values
        == []
    )
    assert [
        g.id
        for g in goals.list_goals(
            db_session, SITE, team=None, state=None, limit=10, cursor=None
        ).values
    ] == [goal.id]


def test_an_expectation_cannot_take_another_sites_goal(db_session: Session) -> None:
    organisation(db_session)
    other_expectation = organisation(db_session, OTHER)
    foreign = goals.create_goal(db_session, SITE, team="PAY", title="Zero errors")
    rel_id = expectations.expectation_by_id(db_session, OTHER, other_expectation).relationship_id
    with pytest.raises(ValidationFailed) as raised:
        expectations.create_expectation(
            db_session, OTHER, relationship_id=rel_id, statement="x", goal_id=foreign.id
        )
    assert raised.value.details == {"goalId": ["no such goal"]}


def error_of(call: object) -> tuple[str, str, dict[str, object]]:
    with pytest.raises((NotFound, ValidationFailed)) as raised:
        call()  # type: ignore[operator]
    return (raised.value.code, raised.value.message, raised.value.details)


def test_lookups_from_another_site_are_not_found_and_say_what(db_session: Session) -> None:
    expectation_id = organisation(db_session)
    rel_id = expectations.expectation_by_id(db_session, SITE, expectation_id).relationship_id
    goal = goals.create_goal(db_session, SITE, team="PAY", title="Zero errors")
    assert feedback.feedback_for(db_session, SITE, expectation_id) == []
    assert error_of(lambda: expectations.expectation_by_id(db_session, OTHER, expectation_id)) == (
        "not_found",
        f"no expectation with id {expectation_id}",
        {"id": expectation_id},
    )
    assert error_of(lambda: goals.goal_by_id(db_session, OTHER, goal.id)) == (
        "not_found",
        f"no goal with id {goal.id}",
        {"id": goal.id},
    )
    assert error_of(lambda: relationships.relationship_by_id(db_session, OTHER, rel_id)) == (
        "not_found",
        f"no relationship with id {rel_id}",
        {"id": rel_id},
    )
    assert error_of(lambda: teams.team_by_key(db_session, OTHER, "PAY")) == (
        "not_found",
        "no team with key 'PAY'",
        {"key": "PAY"},
    )
    for call in (
        lambda: feedback.feedback_for(db_session, OTHER, expectation_id),
        lambda: feedback.record_feedback(
            db_session, OTHER, expectation_id, rating=5, author="acc-1"
        ),
    ):
        assert error_of(call) == (
            "not_found",
            f"no expectation {expectation_id} on this site",
            {},
        )
    assert feedback.feedback_for(db_session, SITE, expectation_id) == []
    assert error_of(
        lambda: relationships.list_relationships(
            db_session, OTHER, team="PAY", side=None, state=None, limit=10, cursor=None
        )
    ) == ("not_found", "no team with key 'PAY'", {"team": "PAY"})


def test_relationships_listed_by_team_and_side(db_session: Session) -> None:
    organisation(db_session)
    organisation(db_session, OTHER)

    def listed(site: str, side: str | None) -> list[tuple[str, str]]:
        page = relationships.list_relationships(
            db_session, site, team="PAY", side=side, state=None, limit=10, cursor=None
        )
        return [(r.supplier.key, r.customer.key) for r in page.values]

    assert listed(SITE, None) == listed(SITE, "supplier") == [("PAY", "HR")]
    assert listed(SITE, "customer") == []


def test_an_expectations_goal_and_relationship_must_fit(db_session: Session) -> None:
    expectation_id = organisation(db_session)
    rel_id = expectations.expectation_by_id(db_session, SITE, expectation_id).relationship_id
    supplier_goal = goals.create_goal(db_session, SITE, team="PAY", title="Zero errors")
    customer_goal = goals.create_goal(db_session, SITE, team="HR", title="Happy staff")
    made = expectations.create_expectation(
        db_session, SITE, relationship_id=rel_id, statement="On time", goal_id=supplier_goal.id
    )
    assert made.goal is supplier_goal
    reason = "the goal belongs to HR, not the supplier PAY"
    assert error_of(
        lambda: expectations.create_expectation(
            db_session, SITE, relationship_id=rel_id, statement="x", goal_id=customer_goal.id
        )
    ) == ("validation_failed", reason, {"goalId": [reason]})
    missing = customer_goal.id + 1000
    assert error_of(
        lambda: expectations.create_expectation(
            db_session, SITE, relationship_id=rel_id, statement="x", goal_id=missing
        )
    ) == ("validation_failed", f"no goal with id {missing}", {"goalId": ["no such goal"]})
    assert error_of(
        lambda: expectations.create_expectation(
            db_session, SITE, relationship_id=rel_id + 1000, statement="x"
        )
    ) == (
        "validation_failed",
        f"no relationship with id {rel_id + 1000}",
        {"relationshipId": ["no such relationship"]},
    )
    for each in (expectation_id, made.id):
        expectations.retire_expectation(db_session, SITE, each)
    relationships.retire_relationship(db_session, SITE, rel_id)
    assert error_of(
        lambda: expectations.create_expectation(
            db_session, SITE, relationship_id=rel_id, statement="x"
        )
    ) == (
        "validation_failed",
        "the relationship is retired",
        {"relationshipId": ["relationship is retired"]},
    )


def test_a_relationship_needs_live_teams_of_this_site(db_session: Session) -> None:
    organisation(db_session)
    teams.create_team(db_session, SITE, key="OLD", name="Old")
    teams.retire_team(db_session, SITE, "OLD")
    teams.create_team(db_session, OTHER, key="FAR", name="Far away")
    cases = [
        ("FAR", "HR", "supplier", "no such team", "'FAR'"),
        ("PAY", "OLD", "customer", "the team is retired", "'OLD'"),
    ]
    for supplier, customer, field, reason, key in cases:
        assert error_of(
            lambda s=supplier, c=customer: relationships.create_relationship(
                db_session, SITE, supplier=s, customer=c, service="x"
            )
        ) == ("validation_failed", f"{field}: {reason} ({key})", {field: [reason]})
