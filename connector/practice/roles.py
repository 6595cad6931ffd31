"""The caller's standing towards a relationship or a team, and whether it is a Jira administrator.

The rules themselves are `connector.domain.roles`; this module only looks things up: a team's
lead and its member list (`connector.practice.members`), the relationship's integrator, and Jira's
answer to "does this account hold the ADMINISTER global permission?", asked as the app
(`POST /rest/api/3/permissions/check`: the app may check any user's permissions, on Connect with
its JWT and on Forge with its app token) and remembered for a minute per site and account.
A site without Jira (Confluence only) has no Jira administrators: nobody passes the check there.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from cachetools import TTLCache
from flask import current_app
from sqlalchemy.orm import Session

from connector.domain.caller import Caller
from connector.domain.errors import ValidationFailed
from connector.domain.roles import (
    ADMIN_ACTIONS,
    Action,
    Standing,
    allows,
    permitted_transitions,
    require,
)
from connector.domain.roles import require_user as domain_require_user
from connector.domain.states import ExpectationState
from connector.jira.port import jira_site
from connector.jira.site import JiraCallFailed
from connector.practice.members import member_of
from connector.practice.models import Expectation, Relationship, SyncState, Team

log = logging.getLogger(__name__)

ADMIN_TTL_SECONDS = 60.0
ADMIN_CACHE_SIZE = 10_000
_LOCK = threading.Lock()
ADMIN_CHECK = "icm.site_admin_check"  # tests may set a (session, site_id, account_id) -> bool
_CACHE = "icm.site_admin_cache"

AdminCheck = Callable[[Session, str, str], bool]
# tests may set a (session, site_id, account_id, issue_key) -> bool at this key
BROWSE_CHECK = "icm.browse_check"
BrowseCheck = Callable[[Session, str, str, str], bool]


def ask_jira_if_admin(session: Session, site_id: str, account_id: str) -> bool:
    try:
        answer: Any = jira_site(current_app, session, site_id).call(
            "POST",
            "permissions/check",
            json={"accountId": account_id, "globalPermissions": ["ADMINISTER"]},
        )
    except LookupError:
        return False  # no Jira on this site
    granted = answer.get("globalPermissions") if isinstance(answer, dict) else None
    if not isinstance(granted, list) or not all(isinstance(p, str) for p in granted):
        # Not the documented shape (a list of permission keys): no answer, so "no", not kept.
        raise JiraCallFailed("POST", "permissions/check", 200, ["not a list of permissions"])
    return "ADMINISTER" in granted


def is_site_admin(session: Session, site_id: str, account_id: str | None) -> bool:
    """Whether the account holds Jira's ADMINISTER permission on the site; "no" when Jira cannot
    be asked (not remembered: the next request asks again)."""
    if account_id is None:
        return False
    cache = _admin_cache()
    key = (site_id, account_id)
    with _LOCK:  # cachetools' caches are not thread-safe
        hit = cache.get(key)
    if hit is not None:
        return hit
    check: AdminCheck = current_app.extensions.get(ADMIN_CHECK) or ask_jira_if_admin
    try:
        answer = check(session, site_id, account_id)
    except JiraCallFailed as exc:
        log.warning("administrator check failed; refusing", extra={"status": exc.details})
        return False
    with _LOCK:
        cache[key] = answer
    return answer


def _admin_cache() -> TTLCache[tuple[str, str], bool]:
    """The process's answers, each kept ADMIN_TTL_SECONDS from its own asking; when full, the
    least recently used goes (one at a time: no burst of checks after a clear)."""
    cache: TTLCache[tuple[str, str], bool] | None = current_app.extensions.get(_CACHE)
    if cache is None:
        cache = TTLCache(maxsize=ADMIN_CACHE_SIZE, ttl=ADMIN_TTL_SECONDS, timer=_clock)
        current_app.extensions[_CACHE] = cache
    return cache


def _clock() -> float:
    return time.monotonic()


def ask_jira_if_browsable(session: Session, site_id: str, account_id: str, issue_key: str) -> bool:
    """Jira's own answer to "may this account browse this issue?", asked as the app (as for
    administrators): the issue's id, then `BROWSE_PROJECTS` on it for the account. An issue that
    does not exist is one nobody may browse."""
    try:
        site = jira_site(current_app, session, site_id)
    except LookupError:
        return False  # no Jira on this site
    try:
        issue: Any = site.call("GET", f"issue/{issue_key}", params={"fields": "project"})
    except JiraCallFailed as exc:
        if exc.status_code == 404:
            return False
        raise
    issue_id = issue.get("id") if isinstance(issue, dict) else None
    if not isinstance(issue_id, str) or not issue_id.isdigit():
        raise JiraCallFailed("GET", "issue", 200, ["not an issue"])
    wanted = {"issues": [int(issue_id)], "permissions": ["BROWSE_PROJECTS"]}
    answer: Any = site.call(
        "POST", "permissions/check", json={"accountId": account_id, "projectPermissions": [wanted]}
    )
    grants = answer.get("projectPermissions") if isinstance(answer, dict) else None
    if not isinstance(grants, list) or not all(isinstance(g, dict) for g in grants):
        raise JiraCallFailed("POST", "permissions/check", 200, ["not a list of permissions"])
    return any(
        grant.get("permission") == "BROWSE_PROJECTS"
        and int(issue_id) in (grant.get("issues") or [])
        for grant in grants
    )


def require_browsable(session: Session, caller: Caller, issue_key: str) -> None:
    """422 unless the caller may browse `issue_key` in Jira (the same answer when there is no such
    issue): a link the app makes must not tell anyone what their own rights would not."""
    require_user(caller)
    check: BrowseCheck = current_app.extensions.get(BROWSE_CHECK) or ask_jira_if_browsable
    if not check(session, caller.site_id, str(caller.account_id), issue_key):
        raise ValidationFailed(
            f"{issue_key} is not an issue you may browse in Jira (or there is no such issue)",
            code="issue_not_browsable",
            details={"issueKey": ["not an issue you may browse"]},
        )


def relationship_standing(
    session: Session,
    site_id: str,
    account: str | None,
    relationship: Relationship,
    *,
    ask_admin: bool = False,
) -> Standing:
    """The account's standing; Jira is asked about administrators only when `ask_admin`
    (no expectation action turns on it)."""
    supplier, customer = relationship.supplier, relationship.customer
    teams = member_of(session, account, [supplier, customer])
    return Standing(
        account_id=account,
        site_admin=ask_admin and is_site_admin(session, site_id, account),
        supplier_lead=account is not None and supplier.lead_account_id == account,
        supplier_member=supplier.id in teams,
        customer_lead=account is not None and customer.lead_account_id == account,
        customer_member=customer.id in teams,
        integrator=account is not None and relationship.integrator_account_id == account,
    )


def team_standing(
    session: Session, site_id: str, account: str | None, teams: Sequence[Team | None]
) -> Standing:
    """Towards one or two teams: the lead of any of them stands as "the team". Membership is not
    read: every action taken on teams (domain/roles.py: managing teams, members, goals and
    relationships) is for administrators and leads only, so it would decide nothing."""
    return Standing(
        account_id=account,
        site_admin=is_site_admin(session, site_id, account),
        supplier_lead=account is not None
        and any(team is not None and team.lead_account_id == account for team in teams),
    )


def pair_standing(
    session: Session,
    site_id: str,
    account: str | None,
    supplier: Team | None,
    customer: Team | None,
) -> Standing:
    """Towards a relationship not made yet: the leads of the two teams it would join."""
    return Standing(
        account_id=account,
        site_admin=is_site_admin(session, site_id, account),
        supplier_lead=account is not None
        and supplier is not None
        and supplier.lead_account_id == account,
        customer_lead=account is not None
        and customer is not None
        and customer.lead_account_id == account,
    )


def require_on_pair(
    session: Session,
    caller: Caller,
    actions: Sequence[Action],
    supplier: Team | None,
    customer: Team | None,
) -> Standing:
    """Each of `actions` on a relationship between the two teams, before it exists."""
    require_user(caller)
    standing = pair_standing(session, caller.site_id, caller.account_id, supplier, customer)
    for action in actions:
        require(action, standing)
    return standing


def require_on_relationship(
    session: Session, caller: Caller, action: Action, relationship: Relationship
) -> Standing:
    require_user(caller)
    standing = relationship_standing(
        session,
        caller.site_id,
        caller.account_id,
        relationship,
        ask_admin=action in ADMIN_ACTIONS,
    )
    require(action, standing)
    return standing


def require_on_teams(
    session: Session, caller: Caller, action: Action, *teams: Team | None
) -> Standing:
    require_user(caller)
    standing = team_standing(session, caller.site_id, caller.account_id, teams)
    require(action, standing)
    return standing


def require_user(caller: Caller) -> None:
    domain_require_user(caller.account_id)


def require_admin(session: Session, caller: Caller) -> None:
    require_on_teams(session, caller, Action.ADMINISTER)


def expectation_permissions(
    session: Session, site_id: str, account: str | None, expectations: Sequence[Expectation]
) -> dict[int, dict[str, Any]]:
    """What the account may do with each expectation (the JSON's `permissions`)."""
    standings: dict[int, Standing] = {}
    answer: dict[int, dict[str, Any]] = {}
    for expectation in expectations:
        relationship = expectation.relationship
        standing = standings.get(relationship.id)
        if standing is None:
            standing = relationship_standing(session, site_id, account, relationship)
            standings[relationship.id] = standing
        live = expectation.state != ExpectationState.RETIRED
        edit = live and allows(Action.EDIT, standing)
        answer[expectation.id] = {
            "transitions": permitted_transitions(expectation.state, standing),
            "edit": edit,
            "rate": allows(Action.RATE, standing),
            "sync": edit and expectation.sync_state in (SyncState.DETACHED, SyncState.FAILED),
        }
    return answer
