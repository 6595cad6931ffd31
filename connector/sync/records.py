"""Expectations and goals as issue work for the pusher, and the outcome written back."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.orm import Session

from connector.domain.states import COMMITTED
from connector.jira.site import JiraSite
from connector.practice.models import Expectation, Goal, SyncState
from connector.practice.outbox import OutboxTask, complete, defer
from connector.practice.settings import site_settings
from connector.sync import content
from connector.sync.pusher import IssueWork, SyncHooks, push


def count_expectation_creates(session: Session, ref_ids: Sequence[int]) -> None:
    """Committed before the push: these expectations may go into a bulk create from now on."""
    _count_creates(session, Expectation, Expectation.jira_issue_key, ref_ids)


def count_goal_creates(session: Session, ref_ids: Sequence[int]) -> None:
    _count_creates(session, Goal, Goal.jira_epic_key, ref_ids)


def _count_creates(
    session: Session, model: type[Expectation] | type[Goal], key: object, ref_ids: Sequence[int]
) -> None:
    if not ref_ids:
        return
    session.execute(
        update(model)
        .where(model.id.in_(ref_ids), key.is_(None))  # type: ignore[attr-defined]
        .values(
            jira_create_attempts=model.jira_create_attempts + 1,
            updated_at=model.updated_at,  # bookkeeping, not a change of the record
        )
        .execution_options(synchronize_session=False)
    )


def push_expectations(
    session: Session, jira: JiraSite, tasks: list[OutboxTask], hooks: SyncHooks
) -> None:
    pairs = []
    for task in tasks:
        # Locked: a webhook detaching it waits for this push rather than being overwritten.
        # Only its own row: PostgreSQL cannot lock the outer-joined relationship and teams.
        expectation = (
            session.get(Expectation, task.ref_id, with_for_update={"of": Expectation})
            if task.ref_id
            else None
        )
        if expectation is None or not _wanted(expectation):
            complete(task)  # gone, or not (or no longer) a commitment: nothing for Jira
        else:
            pairs.append((task, expectation, _expectation_work(session, expectation)))
    push(jira, [work for _, _, work in pairs], hooks)
    for task, expectation, work in pairs:
        _record_expectation(expectation, work)
        if work.done:
            complete(task)
        else:
            defer([task], work.error)


def push_goals(session: Session, jira: JiraSite, tasks: list[OutboxTask], hooks: SyncHooks) -> None:
    pairs = []
    for task in tasks:
        goal = session.get(Goal, task.ref_id) if task.ref_id else None
        if goal is None or (goal.state == "retired" and goal.jira_epic_key is None):
            complete(task)
        else:
            pairs.append((task, goal, _goal_work(session, goal)))
    push(jira, [work for _, _, work in pairs], hooks)
    for task, goal, work in pairs:
        goal.jira_epic_key = work.issue_key or goal.jira_epic_key
        goal.sync_state = SyncState.SYNCED.value if work.done else SyncState.FAILED.value
        goal.sync_error = None if work.done else naming_the_setting(work, "Issue type for goals")
        if work.done:
            complete(task)
        else:
            defer([task], work.error)


def naming_the_setting(work: IssueWork, setting: str) -> str | None:
    """Jira's error, and when Jira refused the issue type, the setting that chose it: what an
    administrator changes (the admin page) and what a customer reads on the team page."""
    error = work.error
    if error and "issuetype" in error.lower():
        return (
            f"{error}. The app's setting “{setting}” is {work.issue_type!r}, which this project"
            " does not have: a Jira administrator changes it on the app's settings page"
        )
    return error


def _wanted(expectation: Expectation) -> bool:
    if expectation.state not in COMMITTED or expectation.sync_state == SyncState.DETACHED:
        return False  # a detached expectation's issue was deleted on purpose: never re-create it
    return expectation.jira_issue_key is None or expectation.version > expectation.synced_version


def _expectation_work(session: Session, expectation: Expectation) -> IssueWork:
    settings = site_settings(session, expectation.site_id)
    return IssueWork(
        ref=expectation.id,
        marker=content.expectation_marker(expectation.id),
        property_key=content.EXPECTATION_PROPERTY,
        property_value=content.expectation_property(expectation),
        project=expectation.relationship.supplier.jira_project_key,
        issue_type=settings.issue_type,
        fields=content.expectation_fields(expectation, settings),
        issue_key=expectation.jira_issue_key,
        issue_id=expectation.jira_issue_id,
        maybe_made=expectation.jira_create_attempts != 1,  # 1: only this push's own count
    )


def _goal_work(session: Session, goal: Goal) -> IssueWork:
    settings = site_settings(session, goal.site_id)
    return IssueWork(
        ref=goal.id,
        marker=content.goal_marker(goal.id),
        property_key=content.GOAL_PROPERTY,
        property_value=content.goal_property(goal),
        project=goal.team.jira_project_key,
        issue_type=settings.epic_issue_type,
        fields=content.goal_fields(goal),
        issue_key=goal.jira_epic_key,
        maybe_made=goal.jira_create_attempts != 1,
    )


def _record_expectation(expectation: Expectation, work: IssueWork) -> None:
    if work.issue_key:
        expectation.jira_issue_key = work.issue_key
        expectation.jira_issue_id = work.issue_id or expectation.jira_issue_id
    if work.done:
        expectation.synced_version = expectation.version
        expectation.sync_state = SyncState.SYNCED.value
        expectation.sync_error = None
        return
    expectation.sync_state = SyncState.FAILED.value
    expectation.sync_error = naming_the_setting(work, "Issue type for expectations")
