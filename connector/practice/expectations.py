"""Expectations: recorded in the customer's words, proposed, agreed, kept, retired.

Agreeing one, or editing one already agreed, queues its push to Jira in the same transaction;
an edit of an agreed expectation bumps `version`, which is how the sync knows to update the issue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from connector.db import utcnow
from connector.domain.errors import Conflict, NotFound, ValidationFailed
from connector.domain.states import COMMITTED, ExpectationState, check_transition
from connector.practice.crossteam import DESTINATION, IssueLink, LinkOrigin, LinkState
from connector.practice.models import Expectation, Goal, Measure, Relationship, SyncState
from connector.practice.outbox import TaskKind, enqueue
from connector.practice.pagination import Page, page_of_rows
from connector.practice.relationships import relationship_by_id
from connector.practice.search import index_expectation, searched
from connector.practice.settings import site_settings
from connector.practice.teams import find_team

S = ExpectationState
# The fields search reads: a change to one re-indexes the expectation's words.
SEARCHED = frozenset({"statement", "why_it_matters", "growth_opportunity", "measures"})


def expectation_by_id(session: Session, site_id: str, expectation_id: int) -> Expectation:
    found = session.get(Expectation, expectation_id)
    if found is None or found.site_id != site_id:
        raise NotFound(f"no expectation with id {expectation_id}", details={"id": expectation_id})
    return found


def create_expectation(
    session: Session,
    site_id: str,
    *,
    relationship_id: int,
    statement: str,
    measures: Iterable[Mapping[str, Any]] = (),
    cadence_days: int | None = None,
    priority: str | None = None,
    goal_id: int | None = None,
    why_it_matters: str | None = None,
    growth_opportunity: str | None = None,
) -> Expectation:
    relationship = _live_relationship(session, site_id, relationship_id)
    expectation = Expectation(
        site_id=site_id,
        relationship=relationship,
        statement=statement,
        why_it_matters=why_it_matters,
        growth_opportunity=growth_opportunity,
        priority=priority or "medium",
        cadence_days=cadence_days or site_settings(session, site_id).default_cadence_days,
        state=S.DRAFT.value,
        sync_state=SyncState.PENDING.value,
        version=1,
        synced_version=0,
    )
    expectation.goal = _goal_for(session, relationship, goal_id)
    expectation.measures = [_measure(i, m) for i, m in enumerate(measures)]
    session.add(expectation)
    session.flush()
    index_expectation(session, expectation)
    return expectation


def update_expectation(
    session: Session, site_id: str, expectation_id: int, changes: Mapping[str, Any]
) -> Expectation:
    expectation = expectation_by_id(session, site_id, expectation_id)
    if expectation.state == S.RETIRED:
        raise Conflict("a retired expectation cannot be edited", code="retired")
    _apply(session, expectation, changes)
    if expectation.state in COMMITTED and changes:
        expectation.version += 1
        _queue_push(session, expectation)
    session.flush()
    return expectation


def transition(
    session: Session,
    site_id: str,
    expectation_id: int,
    to: str,
    text: Mapping[str, Any] | None = None,
) -> Expectation:
    """Move along the state machine; `text` is a counter-proposal (proposed -> proposed only)."""
    expectation = expectation_by_id(session, site_id, expectation_id)
    target = check_transition(expectation.state, to)
    if text and not (expectation.state == S.PROPOSED and target == S.PROPOSED):
        raise ValidationFailed(
            "the text can change only in a counter-proposal (proposed -> proposed)",
            details={name: ["only in a counter-proposal"] for name in text},
        )
    _apply(session, expectation, text or {})
    expectation.state = target.value
    if target == S.AGREED:
        expectation.agreed_at = expectation.agreed_at or utcnow()
        if expectation.jira_issue_key:
            expectation.version += 1
        _queue_push(session, expectation)
    session.flush()
    return expectation


def retire_expectation(session: Session, site_id: str, expectation_id: int) -> Expectation:
    expectation = expectation_by_id(session, site_id, expectation_id)
    if expectation.state != S.RETIRED:
        transition(session, site_id, expectation_id, S.RETIRED.value)
    return expectation


def list_expectations(
    session: Session,
    site_id: str,
    *,
    team: Sequence[str] | None = None,
    side: str | None = None,
    state: Sequence[str] | None = None,
    relationship_id: Sequence[int] | None = None,
    q: str | None = None,
    issue_key: str | None = None,
    limit: int = 25,
    cursor: str | None = None,
) -> Page[Expectation]:
    """Each filter given several values means any of them; the filters and the search all hold."""
    query = select(Expectation.id).where(Expectation.site_id == site_id)
    if issue_key is not None:
        query = query.where(Expectation.jira_issue_key == issue_key.upper())
    if relationship_id:
        query = query.where(Expectation.relationship_id.in_(relationship_id))
    if team:
        query = query.where(
            Expectation.relationship_id.in_(_relationships_of(session, site_id, team, side))
        )
    if not state:
        query = query.where(Expectation.state != S.RETIRED.value)
    elif "all" not in state:
        query = query.where(Expectation.state.in_(state))
    if q is None:
        return page_of_rows(session, Expectation, query, Expectation.id, limit=limit, cursor=cursor)
    query, order = searched(query, site_id, q)
    page: Page[Expectation] = page_of_rows(
        session,
        Expectation,
        query,
        order,
        limit=limit,
        cursor=cursor,
        equal_columns=[Expectation.id],
    )
    return page


def add_link(session: Session, site_id: str, expectation_id: int, issue_key: str) -> IssueLink:
    """Link the expectation's issue to another team's work (`issue_key` serves it)."""
    expectation = expectation_by_id(session, site_id, expectation_id)
    if expectation.state == S.RETIRED:
        raise Conflict("a retired expectation cannot be linked", code="retired")
    link_type = site_settings(session, site_id).link_type_name
    exists = session.scalars(
        select(IssueLink.id).where(
            IssueLink.expectation_id == expectation.id,
            IssueLink.other_issue_key == issue_key,
            IssueLink.link_type_name == link_type,
            IssueLink.state != LinkState.REMOVED.value,
        )
    ).first()
    if exists is not None or issue_key == expectation.jira_issue_key:
        raise Conflict(
            f"expectation {expectation.id} is already linked to {issue_key}", code="duplicate"
        )
    link = IssueLink(
        site_id=site_id,
        expectation_id=expectation.id,
        expectation_side=DESTINATION,  # "issue_key serves the expectation's issue"
        other_issue_key=issue_key,
        link_type_name=link_type,
        origin=LinkOrigin.APP.value,
        state=LinkState.PENDING.value,
    )
    session.add(link)
    session.flush()
    enqueue(session, site_id, TaskKind.LINK, link.id)
    return link


def _relationships_of(session: Session, site_id: str, keys: Sequence[str], side: str | None) -> Any:
    ids = []
    for key in keys:
        team = find_team(session, site_id, key)
        if team is None:
            raise NotFound(f"no team with key {key!r}", details={"team": key})
        ids.append(team.id)
    sides = {
        "supplier": Relationship.supplier_id.in_(ids),
        "customer": Relationship.customer_id.in_(ids),
    }
    where = sides[side] if side in sides else or_(*sides.values())
    return select(Relationship.id).where(Relationship.site_id == site_id, where)


def _live_relationship(session: Session, site_id: str, relationship_id: int) -> Relationship:
    try:
        relationship = relationship_by_id(session, site_id, relationship_id)
    except NotFound as exc:
        raise ValidationFailed(
            exc.message, details={"relationshipId": ["no such relationship"]}
        ) from exc
    if relationship.state != "active":
        raise ValidationFailed(
            "the relationship is retired", details={"relationshipId": ["relationship is retired"]}
        )
    return relationship


def _goal_for(session: Session, relationship: Relationship, goal_id: int | None) -> Goal | None:
    if goal_id is None:
        return None
    goal = session.get(Goal, goal_id)
    if goal is None or goal.site_id != relationship.site_id:
        raise ValidationFailed(f"no goal with id {goal_id}", details={"goalId": ["no such goal"]})
    if goal.team_id != relationship.supplier_id:
        reason = (
            f"the goal belongs to {goal.team.key}, not the supplier {relationship.supplier.key}"
        )
        raise ValidationFailed(reason, details={"goalId": [reason]})
    return goal


def _measure(position: int, data: Mapping[str, Any], kept: Measure | None = None) -> Measure:
    """A measure from its JSON; `kept`, the one of the same name already there, is updated in
    place so that its values (its history) stay with it."""
    measure = kept or Measure()
    source, jql = data.get("source", "manual"), data.get("jql")
    if kept is not None and (kept.source, kept.jql) != (source, jql):
        kept.count_error = kept.count_after = kept.counted_at = None  # a new JQL is counted anew
    measure.position = position
    measure.name = data["name"]
    measure.target = data["target"]
    measure.unit = data.get("unit")
    measure.direction = data.get("direction", "atLeast")
    measure.source, measure.jql = source, jql
    return measure


def _replace_measures(expectation: Expectation, given: Sequence[Mapping[str, Any]]) -> None:
    existing = {m.name: m for m in expectation.measures}
    expectation.measures = [
        _measure(i, m, existing.pop(m["name"], None)) for i, m in enumerate(given)
    ]


def _apply(session: Session, expectation: Expectation, changes: Mapping[str, Any]) -> None:
    _apply_fields(session, expectation, changes)
    if SEARCHED.intersection(changes):
        session.flush()
        index_expectation(session, expectation)


def _apply_fields(session: Session, expectation: Expectation, changes: Mapping[str, Any]) -> None:
    for name, value in changes.items():
        if name == "measures":
            _replace_measures(expectation, value)
            session.flush()  # the replaced measures go before their successors arrive
        elif name == "goal_id":
            expectation.goal = _goal_for(session, expectation.relationship, value)
            if expectation.goal is not None:
                _queue_goal(session, expectation.goal)
        else:
            setattr(expectation, name, value)


def reattach(session: Session, site_id: str, expectation_id: int) -> Expectation:
    """Give a detached expectation (its issue was deleted in Jira) a new issue: queue its push."""
    expectation = expectation_by_id(session, site_id, expectation_id)
    if expectation.sync_state != SyncState.DETACHED:
        raise Conflict(
            f"expectation {expectation.id} is not detached (syncState {expectation.sync_state!r})",
            code="not_detached",
            details={"syncState": expectation.sync_state},
        )
    if expectation.state not in COMMITTED:
        raise Conflict(
            f"only a committed expectation has a Jira issue; this one is {expectation.state!r}",
            code="not_committed",
            details={"state": expectation.state, "allowed": sorted(s.value for s in COMMITTED)},
        )
    expectation.sync_state = SyncState.PENDING.value
    _queue_push(session, expectation)
    session.flush()
    return expectation


def retry_sync(session: Session, site_id: str, expectation_id: int) -> Expectation:
    """Push a committed expectation to Jira now (a failed or waiting push is tried at once)."""
    expectation = expectation_by_id(session, site_id, expectation_id)
    if expectation.state not in COMMITTED:
        raise Conflict(
            f"only a committed expectation is pushed to Jira; this one is {expectation.state!r}",
            code="not_committed",
            details={"state": expectation.state, "allowed": sorted(s.value for s in COMMITTED)},
        )
    if expectation.sync_state == SyncState.DETACHED:
        raise Conflict(
            f"expectation {expectation.id} is detached: its issue was deleted; reattach it",
            code="detached",
            details={"syncState": expectation.sync_state},
        )
    _queue_push(session, expectation)
    session.flush()
    return expectation


OUT_OF_STEP = (SyncState.PENDING.value, SyncState.FAILED.value, SyncState.DETACHED.value)


def _out_of_step(site_id: str) -> list[Any]:
    return [
        Expectation.site_id == site_id,
        Expectation.sync_state.in_(OUT_OF_STEP),
        Expectation.state.in_([s.value for s in COMMITTED]),
    ]


def sync_backlog(session: Session, site_id: str, *, limit: int = 100) -> list[Expectation]:
    """Expectations whose Jira issue is not in step: waiting, failing or detached, oldest first."""
    query = select(Expectation).where(*_out_of_step(site_id)).order_by(Expectation.id)
    return list(session.scalars(query.limit(limit)))


def sync_counts(session: Session, site_id: str) -> dict[str, int]:
    """How many committed expectations are pending, failed and detached."""
    rows = session.execute(
        select(Expectation.sync_state, func.count())
        .where(*_out_of_step(site_id))
        .group_by(Expectation.sync_state)
    )
    counts = dict.fromkeys(OUT_OF_STEP, 0)
    counts.update({state: int(n) for state, n in rows})
    return counts


def _queue_push(session: Session, expectation: Expectation) -> None:
    if expectation.sync_state == SyncState.DETACHED:
        return  # edits are kept; only `reattach` makes a new issue for a deleted one
    expectation.sync_state = SyncState.PENDING.value
    expectation.sync_error = None
    session.flush()
    if expectation.goal is not None:
        _queue_goal(session, expectation.goal)
    enqueue(session, expectation.site_id, TaskKind.EXPECTATION, expectation.id)


def _queue_goal(session: Session, goal: Goal) -> None:
    if goal.jira_epic_key is None:
        enqueue(session, goal.site_id, TaskKind.GOAL, goal.id)
