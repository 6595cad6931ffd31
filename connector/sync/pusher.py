"""Push a batch of app records to Jira issues, never twice.

New issues go in one bulk create per 50 that also writes their entity property and marker
label (`IssueUpdateDetails.properties`), so a new record costs no call of its own; existing ones
are edited with their property in the same `PUT`. Every issue is written once per push: no
second write to the same issue that Jira's per-issue write limit would count.

A record that went through a create before (`IssueWork.maybe_made`: the caller counts attempts,
committed before each create) is looked up first (JQL on the entity property, or the marker
label) and adopted if found: a crash after the create, or a create that Jira did but answered
with a 503, leaves an issue the next run finds. A record never sent to a create needs no search.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from connector.jira.site import BULK_LIMIT, Created, JiraCallFailed, JiraSite
from connector.sync.content import LABEL


@dataclass
class IssueWork:
    """One record to push: what to write, and (after `push`) what happened."""

    ref: int
    marker: str
    property_key: str
    property_value: dict[str, Any]
    project: str | None
    issue_type: str
    fields: dict[str, Any]
    issue_key: str | None
    issue_id: str | None = None
    maybe_made: bool = True  # an earlier create may have made its issue: search before creating
    done: bool = False
    error: str | None = None

    def fail(self, error: JiraCallFailed | str) -> None:
        self.error = error.message if isinstance(error, JiraCallFailed) else error
        self.done = False


@dataclass
class SyncHooks:
    """Test seams; `after_create` runs between the bulk create and setting the properties."""

    after_create: Callable[[list[IssueWork]], None] | None = None
    create_calls: list[int] = field(default_factory=list)  # sizes of the bulk creates made


def push(jira: JiraSite, works: Sequence[IssueWork], hooks: SyncHooks | None = None) -> None:
    hooks = hooks or SyncHooks()
    fresh = [w for w in works if w.issue_key is None and _has_project(w)]
    try:
        adopt(jira, [w for w in fresh if w.maybe_made])
    except JiraCallFailed as exc:
        for work in fresh:
            work.fail(exc)
        fresh = []
    new = [w for w in fresh if w.issue_key is None]
    for start in range(0, len(new), BULK_LIMIT):
        create(jira, new[start : start + BULK_LIMIT], hooks)
    for work in works:
        if work.error is None and work.issue_key is not None and not work.done:
            _edit(jira, work)


def adopt(jira: JiraSite, works: Sequence[IssueWork]) -> None:
    """Find issues made for these records by an earlier, interrupted run."""
    if not works:
        return
    by_ref = {w.ref: w for w in works}
    by_marker = {w.marker: w for w in works}
    prop = works[0].property_key
    ids = ", ".join(str(ref) for ref in by_ref)
    markers = ", ".join(by_marker)
    jql = f"issue.property[{prop}].id in ({ids}) OR labels in ({markers}) ORDER BY key ASC"
    for issue in jira.search_jql(jql, fields=("labels",), properties=(prop,)):
        work = _owner(issue, prop, by_ref, by_marker)
        if work is not None and work.issue_key is None:
            work.issue_key, work.issue_id = issue["key"], str(issue["id"])


def create(jira: JiraSite, works: Sequence[IssueWork], hooks: SyncHooks) -> None:
    updates: list[dict[str, Any]] = [
        {
            "fields": {
                **w.fields,
                "project": {"key": w.project},
                "issuetype": {"name": w.issue_type},
                "labels": [LABEL, w.marker],
            },
            "properties": [{"key": w.property_key, "value": w.property_value}],
        }
        for w in works
    ]
    hooks.create_calls.append(len(updates))
    try:
        results: list[Created] = jira.create_issues(updates)
    except JiraCallFailed as exc:
        for work in works:
            work.fail(exc)  # maybe made anyway (a 503): the next run adopts before creating
        return
    for work, result in zip(works, results, strict=True):
        if result.key is None:
            work.fail(result.error or "not created")
        else:
            work.issue_key, work.issue_id = result.key, result.id
            work.done = True  # made with its property and labels: nothing left to write
    if hooks.after_create is not None:
        hooks.after_create([w for w in works if w.issue_key])


def _edit(jira: JiraSite, work: IssueWork) -> None:
    """One `PUT` for an existing or adopted issue: its fields, labels and entity property."""
    if work.issue_key is None:
        return
    try:
        jira.edit_issue(
            work.issue_key,
            work.fields,
            update={"labels": [{"add": LABEL}, {"add": work.marker}]},
            properties={work.property_key: work.property_value},
        )
    except JiraCallFailed as exc:
        work.fail(exc)
        return
    work.done = True


def _has_project(work: IssueWork) -> bool:
    if work.project:
        return True
    work.fail("the supplier team has no Jira project key")
    return False


def _owner(
    issue: dict[str, Any],
    prop: str,
    by_ref: dict[int, IssueWork],
    by_marker: dict[str, IssueWork],
) -> IssueWork | None:
    value = (issue.get("properties") or {}).get(prop)
    if isinstance(value, dict) and value.get("id") in by_ref:
        work = by_ref[value["id"]]
        site = value.get("siteId")
        owner_site = work.property_value.get("siteId")
        return work if site in (None, owner_site) else None
    for label in issue.get("fields", {}).get("labels") or []:
        if label in by_marker:
            return by_marker[label]
    return None
