"""Who may do what (the README's role table), as pure rules.

The caller's standing towards one relationship (supplier or customer side, lead or member, its
integrator, a site administrator) is worked out by `connector.practice.roles`; here is only which
actions each standing allows, and the message a refusal names.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from connector.domain.errors import Forbidden
from connector.domain.states import ExpectationState, allowed_from


class Action(enum.StrEnum):
    MANAGE_TEAMS = "manage_teams"  # create, rename, retire teams; set a team's lead
    MANAGE_MEMBERS = "manage_members"  # a team's member list
    # put one person on both sides of a relationship: enrol in a team a lead, member or integrator
    # of a team on the other side of one of its relationships, or relate two teams sharing people
    CROSS_ENROL = "cross_enrol"
    MANAGE_RELATIONSHIP = "manage_relationship"  # create, edit, retire relationships
    MANAGE_GOAL = "manage_goal"  # a supplier team's goals
    NAME_INTEGRATOR = "name_integrator"  # set a relationship's integrator
    EDIT = "edit"  # record, edit, propose; retry or reattach its sync; link its issue
    AGREE = "agree"  # agree or counter-propose
    MOVE = "move"  # at risk, met, breached, reopened
    RETIRE = "retire"  # retire an expectation
    RATE = "rate"  # API, panel, Jira comment
    RECORD_VALUE = "record_value"  # a measure's value by hand; count a JQL measure now
    DISPUTE_VALUE = "dispute_value"  # a comment beside a measure's value
    ADMINISTER = "administer"  # settings, parked deliveries, replay
    REVIEW_PACK = "review_pack"  # write the relationship's review pack page in Confluence
    INTEGRATOR_PAGE = "integrator_page"  # write an integrator's own review page in Confluence


@dataclass(frozen=True)
class Standing:
    """The caller's relation to one relationship (or to one team: then only `*_lead`/`*_member`
    of the supplier side are used, as "that team")."""

    account_id: str | None
    site_admin: bool = False
    supplier_lead: bool = False
    supplier_member: bool = False
    customer_lead: bool = False
    customer_member: bool = False
    integrator: bool = False


# The actions a Jira administrator may take (the only ones that ask Jira who is one).
ADMIN_ACTIONS = frozenset(
    {
        Action.MANAGE_TEAMS,
        Action.MANAGE_MEMBERS,
        Action.CROSS_ENROL,
        Action.MANAGE_RELATIONSHIP,
        Action.MANAGE_GOAL,
        Action.NAME_INTEGRATOR,
        Action.ADMINISTER,
    }
)

RULES: dict[Action, str] = {
    Action.MANAGE_TEAMS: (
        "only a Jira administrator may create, rename or retire teams or set their leads"
    ),
    Action.MANAGE_MEMBERS: "only a Jira administrator or the team's lead may change its members",
    Action.CROSS_ENROL: (
        "only a Jira administrator may put someone on both sides of a relationship: enrol a lead,"
        " member or integrator of a team on the other side of one of this team's relationships,"
        " or relate two teams that share people"
    ),
    Action.MANAGE_RELATIONSHIP: (
        "only a Jira administrator or the lead of one of its teams may manage a relationship"
    ),
    Action.MANAGE_GOAL: "only a Jira administrator or the team's lead may manage its goals",
    Action.NAME_INTEGRATOR: (
        "only a Jira administrator or the customer side's lead may name a relationship's integrator"
    ),
    Action.EDIT: (
        "only the supplier side (its lead and members) may record, edit, propose or resync"
        " an expectation"
    ),
    Action.AGREE: (
        "only the customer side's lead or the relationship's integrator may agree or"
        " counter-propose"
    ),
    Action.MOVE: (
        "only the customer side's lead or the relationship's integrator may mark an expectation"
        " at risk, met, breached or reopen it"
    ),
    Action.RETIRE: "only the lead of the supplier or the customer side may retire an expectation",
    Action.RATE: (
        "only the customer side (lead and members) or the relationship's integrator may rate;"
        " never the supplier side"
    ),
    Action.RECORD_VALUE: (
        "only the supplier side (its lead and members) may record or count a measure's value"
    ),
    Action.DISPUTE_VALUE: (
        "only the customer side (lead and members) or the relationship's integrator may dispute"
        " a measure's value; never the supplier side"
    ),
    Action.ADMINISTER: "only a Jira administrator may do this",
    Action.REVIEW_PACK: (
        "only the supplier side's lead, the customer side's lead or the relationship's integrator"
        " may write its review pack"
    ),
    Action.INTEGRATOR_PAGE: (
        "only the integrator whose page it is may write an integrator review page"
        " (a Jira administrator may retry one that failed)"
    ),
}


def allows(action: Action, s: Standing) -> bool:
    if s.account_id is None:
        return False
    supplier_side = s.supplier_lead or s.supplier_member
    customer_side = s.customer_lead or s.customer_member
    match action:
        case Action.MANAGE_TEAMS | Action.ADMINISTER | Action.CROSS_ENROL:
            return s.site_admin
        case Action.MANAGE_MEMBERS | Action.MANAGE_GOAL:
            return s.site_admin or s.supplier_lead
        case Action.NAME_INTEGRATOR:
            return s.site_admin or s.customer_lead
        case Action.MANAGE_RELATIONSHIP:
            return s.site_admin or s.supplier_lead or s.customer_lead
        case Action.EDIT | Action.RECORD_VALUE:
            return supplier_side
        case Action.AGREE | Action.MOVE:
            return s.customer_lead or s.integrator
        case Action.RETIRE:
            return s.supplier_lead or s.customer_lead
        case Action.REVIEW_PACK:
            return s.supplier_lead or s.customer_lead or s.integrator
        case Action.INTEGRATOR_PAGE:  # `integrator`: the page's own integrator
            return s.integrator
        case Action.RATE | Action.DISPUTE_VALUE:
            # A supplier never grades itself, even when it is also the integrator or a customer.
            return (customer_side or s.integrator) and not supplier_side
    return False


def refusal(action: Action, standing: Standing) -> str | None:
    """The rule that refuses `action`, or None when the standing allows it."""
    return None if allows(action, standing) else RULES[action]


USER_REQUIRED = "this change needs a signed-in user"


def require_user(account_id: str | None) -> None:
    """403 `user_required` for a caller without a user (a token without `sub`/`principal`)."""
    if not account_id:
        raise Forbidden(USER_REQUIRED, code="user_required")


def require(action: Action, standing: Standing) -> None:
    """403 naming the rule: `user_required` without a user, else `role_required`."""
    require_user(standing.account_id)
    rule = refusal(action, standing)
    if rule is not None:
        raise Forbidden(rule, code="role_required", details={"action": action.value})


S = ExpectationState


def transition_action(current: str, target: str) -> Action:
    """Which action a move is: propose/withdraw (supplier), agree/counter (customer), retire, or
    a move of a live commitment (customer lead or integrator)."""
    wanted = target
    if wanted == S.RETIRED:
        return Action.RETIRE
    if current == S.DRAFT or (current == S.PROPOSED and wanted == S.DRAFT):
        return Action.EDIT
    if current == S.PROPOSED:
        return Action.AGREE
    return Action.MOVE


def permitted_transitions(current: str, standing: Standing) -> list[str]:
    return [
        state.value
        for state in allowed_from(current)
        if allows(transition_action(current, state.value), standing)
    ]
