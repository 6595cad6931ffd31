"""What the site's Jira offers that the settings and the team setup name: its issue types, its
issue link types, its people. The settings are checked against it when they are saved, so that
a misspelt issue type is refused at the door instead of failing every sync later.

Asked as the app (`GET /rest/api/3/issuetype`, `GET /rest/api/3/issueLinkType`,
`GET /rest/api/3/user/search`); tests may put a `(session, site_id) -> Catalogue` factory in
`app.extensions[CATALOGUE]` and a `(session, site_id, query) -> people` one in
`app.extensions[PEOPLE]` (the real questions are tested against the sandbox).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from connector.domain.errors import UpstreamError, ValidationFailed
from connector.jira.port import jira_site
from connector.jira.site import JiraCallFailed

CATALOGUE = "icm.jira_catalogue"
PEOPLE = "icm.jira_people"
# The link type the app creates itself when Jira lacks it (connector/sync/links.py).
OWN_LINK_TYPE = "Internal customer"


@dataclass(frozen=True)
class Catalogue:
    issue_types: tuple[str, ...]  # standard issue types (hierarchy level 0, no subtasks)
    epic_types: tuple[str, ...]  # level 1: what a goal may be
    link_types: tuple[str, ...]

    def link_choices(self) -> tuple[str, ...]:
        """Jira's link types, and the app's own one, which the sync creates when missing."""
        known = {name.lower() for name in self.link_types}
        return self.link_types + (() if OWN_LINK_TYPE.lower() in known else (OWN_LINK_TYPE,))


CatalogueFactory = Callable[[Session, str], Catalogue]


def ask_jira(session: Session, site_id: str) -> Catalogue:
    try:
        jira = jira_site(current_app, session, site_id)
        types: Any = jira.call("GET", "issuetype") or []
        links = jira.link_types()
    except LookupError:
        raise ValidationFailed(
            "this site has no Jira installation to take issue types from",
            code="no_jira",
        ) from None
    except JiraCallFailed as exc:
        raise UpstreamError(
            f"could not ask Jira which issue types and link types it has: {exc.message}"
        ) from exc
    return Catalogue(
        issue_types=_names(t for t in types if _level(t) == 0 and not t.get("subtask")),
        epic_types=_names(t for t in types if _level(t) == 1),
        link_types=_names({"name": link.name} for link in links),
    )


def _level(issue_type: Mapping[str, Any]) -> int:
    level = issue_type.get("hierarchyLevel")
    return int(level) if isinstance(level, int) else 0


def _names(items: Any) -> tuple[str, ...]:
    """Distinct names in Jira's order (team-managed projects repeat the same name)."""
    seen: dict[str, str] = {}
    for item in items:
        name = str(item.get("name") or "")
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return tuple(seen.values())


def catalogue(session: Session, site_id: str) -> Catalogue:
    factory: CatalogueFactory = current_app.extensions.get(CATALOGUE) or ask_jira
    return factory(session, site_id)


def check_settings(session: Session, site_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes with Jira's spelling of each name; a 422 naming every field Jira lacks."""
    names = [n for n in ("issue_type", "epic_issue_type", "link_type_name") if n in changes]
    if not names:
        return dict(changes)
    found = catalogue(session, site_id)
    choices = {
        "issue_type": ("issueType", "issue type", found.issue_types),
        "epic_issue_type": ("epicIssueType", "issue type for goals (epics)", found.epic_types),
        "link_type_name": ("linkTypeName", "issue link type", found.link_choices()),
    }
    checked, problems = dict(changes), {}
    for name in names:
        field, what, offered = choices[name]
        match = next((o for o in offered if o.lower() == str(changes[name]).lower()), None)
        if match is None:
            problems[field] = (
                f"Jira on this site has no {what} {changes[name]!r}; choose one of: "
                + ", ".join(offered)
            )
        else:
            checked[name] = match
    if problems:
        raise ValidationFailed("; ".join(problems.values()), code="not_in_jira", details=problems)
    return checked


People = list[dict[str, str]]


def people(session: Session, site_id: str, query: str) -> People:
    """People of the site whose name matches `query` (Jira's user search; no apps, no bots):
    `[{"accountId", "displayName"}]`."""
    factory: Callable[[Session, str, str], People] = (
        current_app.extensions.get(PEOPLE) or ask_jira_for_people
    )
    return factory(session, site_id, query)


def ask_jira_for_people(session: Session, site_id: str, query: str) -> People:
    try:
        found: Any = jira_site(current_app, session, site_id).call(
            "GET", "user/search", params={"query": query, "maxResults": 20}
        )
    except LookupError:
        return []
    except JiraCallFailed as exc:
        raise UpstreamError(f"could not search Jira's people: {exc.message}") from exc
    return [
        {"accountId": str(u["accountId"]), "displayName": str(u.get("displayName") or "")}
        for u in found or []
        if u.get("accountType") == "atlassian" and u.get("accountId")
    ]
