"""The role table (README "Who may do what") as pure rules, cell by cell."""

from __future__ import annotations

import pytest

from connector.domain.errors import Forbidden
from connector.domain.roles import (
    Action,
    Standing,
    allows,
    permitted_transitions,
    require,
    transition_action,
)

A = Action
ADMIN = Standing("a", site_admin=True)
SUPPLIER_LEAD = Standing("s", supplier_lead=True, supplier_member=True)
SUPPLIER_MEMBER = Standing("m", supplier_member=True)
CUSTOMER_LEAD = Standing("c", customer_lead=True, customer_member=True)
CUSTOMER_MEMBER = Standing("n", customer_member=True)
INTEGRATOR = Standing("i", integrator=True)
STRANGER = Standing("x")
ROLES = {
    "admin": ADMIN,
    "supplier lead": SUPPLIER_LEAD,
    "supplier member": SUPPLIER_MEMBER,
    "customer lead": CUSTOMER_LEAD,
    "customer member": CUSTOMER_MEMBER,
    "integrator": INTEGRATOR,
    "stranger": STRANGER,
}
TABLE = {
    A.MANAGE_TEAMS: {"admin"},
    A.MANAGE_MEMBERS: {"admin", "supplier lead"},
    A.CROSS_ENROL: {"admin"},
    A.MANAGE_RELATIONSHIP: {"admin", "supplier lead", "customer lead"},
    A.MANAGE_GOAL: {"admin", "supplier lead"},
    A.NAME_INTEGRATOR: {"admin", "customer lead"},
    A.EDIT: {"supplier lead", "supplier member"},
    A.AGREE: {"customer lead", "integrator"},
    A.MOVE: {"customer lead", "integrator"},
    A.RETIRE: {"supplier lead", "customer lead"},
    A.RATE: {"customer lead", "customer member", "integrator"},
    A.RECORD_VALUE: {"supplier lead", "supplier member"},
    A.DISPUTE_VALUE: {"customer lead", "customer member", "integrator"},
    A.ADMINISTER: {"admin"},
    A.REVIEW_PACK: {"supplier lead", "customer lead", "integrator"},
    A.INTEGRATOR_PAGE: {"integrator"},
}


@pytest.mark.parametrize("action", list(Action))
def test_each_cell_of_the_table(action: Action) -> None:
    assert {name for name, s in ROLES.items() if allows(action, s)} == TABLE[action]


def test_a_supplier_who_is_also_the_integrator_still_cannot_rate() -> None:
    both = Standing("s", supplier_lead=True, supplier_member=True, integrator=True)
    assert not allows(A.RATE, both)
    assert not allows(A.DISPUTE_VALUE, both)  # nor dispute its own figures


def test_no_user_no_action() -> None:
    nobody = Standing(None, site_admin=True, customer_lead=True)
    assert not any(allows(action, nobody) for action in Action)
    with pytest.raises(Forbidden) as refused:
        require(A.RATE, nobody)
    assert refused.value.code == "user_required"


def test_moves_are_the_right_action() -> None:
    assert transition_action("draft", "proposed") == A.EDIT
    assert transition_action("proposed", "draft") == A.EDIT
    assert transition_action("proposed", "proposed") == A.AGREE
    assert transition_action("proposed", "agreed") == A.AGREE
    assert transition_action("agreed", "met") == A.MOVE
    assert transition_action("met", "agreed") == A.MOVE
    assert transition_action("agreed", "retired") == A.RETIRE
    assert permitted_transitions("agreed", CUSTOMER_LEAD) == [
        "at_risk",
        "met",
        "breached",
        "retired",
    ]
    assert permitted_transitions("agreed", SUPPLIER_LEAD) == ["retired"]
    assert permitted_transitions("retired", ADMIN) == []


def test_the_review_pack_rule_is_named() -> None:
    with pytest.raises(Forbidden) as refused:
        require(A.REVIEW_PACK, SUPPLIER_MEMBER)
    assert refused.value.message == (
        "only the supplier side's lead, the customer side's lead or the relationship's integrator"
        " may write its review pack"
    )


def test_the_integrator_page_rule_is_named() -> None:
    with pytest.raises(Forbidden) as refused:
        require(A.INTEGRATOR_PAGE, CUSTOMER_LEAD)
    assert refused.value.code == "role_required"
    assert refused.value.message == (
        "only the integrator whose page it is may write an integrator review page"
        " (a Jira administrator may retry one that failed)"
    )
