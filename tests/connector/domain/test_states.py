"""The expectation state machine (DESIGN §2), every move from every state.

The table below is written out from the design, not copied from the code: a move added or
removed in `connector.domain.states` (retired -> agreed, agreed -> draft, ...) fails here.
"""

from __future__ import annotations

import itertools

import pytest

from connector.domain.errors import Conflict
from connector.domain.states import COMMITTED, ExpectationState, allowed_from, check_transition

STATES = ("draft", "proposed", "agreed", "at_risk", "met", "breached", "retired")

# draft -> proposed -> agreed -> (at_risk <-> agreed) -> met / breached -> retired;
# a counter-proposal (proposed -> proposed), a proposal sent back (proposed -> draft),
# a reopened met/breached expectation (-> agreed), and retirement from anywhere but retired.
LEGAL = {
    ("draft", "proposed"),
    ("draft", "retired"),
    ("proposed", "proposed"),
    ("proposed", "agreed"),
    ("proposed", "draft"),
    ("proposed", "retired"),
    ("agreed", "at_risk"),
    ("agreed", "met"),
    ("agreed", "breached"),
    ("agreed", "retired"),
    ("at_risk", "agreed"),
    ("at_risk", "met"),
    ("at_risk", "breached"),
    ("at_risk", "retired"),
    ("met", "agreed"),
    ("met", "retired"),
    ("breached", "agreed"),
    ("breached", "retired"),
}


def test_the_states_are_the_designs() -> None:
    assert tuple(s.value for s in ExpectationState) == STATES


@pytest.mark.parametrize(
    ("current", "target"), sorted(p for p in itertools.product(STATES, STATES) if p in LEGAL)
)
def test_legal_move(current: str, target: str) -> None:
    moved = check_transition(current, target)
    assert moved == ExpectationState(target) and isinstance(moved, ExpectationState)


@pytest.mark.parametrize(
    ("current", "target"), sorted(p for p in itertools.product(STATES, STATES) if p not in LEGAL)
)
def test_illegal_move_is_a_conflict_naming_the_allowed_ones(current: str, target: str) -> None:
    with pytest.raises(Conflict) as raised:
        check_transition(current, target)
    allowed = sorted(t for s, t in LEGAL if s == current)
    error = raised.value
    assert error.code == "illegal_transition" and error.status == 409
    assert {**error.details, "allowed": sorted(error.details["allowed"])} == {
        "from": current,
        "to": target,
        "allowed": allowed,
    }
    assert f"cannot move from {current!r} to {target!r}" in error.message
    listed = ", ".join(error.details["allowed"]) if allowed else "none (retired is final)"
    assert error.message.endswith(f"; allowed: {listed}")


@pytest.mark.parametrize("state", STATES)
def test_allowed_from_lists_the_legal_moves_in_order(state: str) -> None:
    expected = sorted((t for s, t in LEGAL if s == state), key=STATES.index)
    assert sorted((s.value for s in allowed_from(state)), key=STATES.index) == expected


def test_retired_is_final_and_reopening_goes_back_to_agreed() -> None:
    assert allowed_from("retired") == ()
    with pytest.raises(Conflict):
        check_transition("retired", "agreed")
    with pytest.raises(Conflict):
        check_transition("agreed", "draft")
    assert check_transition("met", "agreed") == "agreed"
    assert check_transition("breached", "agreed") == "agreed"


def test_unknown_target_is_a_conflict_not_a_crash() -> None:
    with pytest.raises(Conflict) as raised:
        check_transition("draft", "done")
    assert sorted(raised.value.details["allowed"]) == ["proposed", "retired"]


def test_unknown_current_state_is_refused() -> None:
    with pytest.raises(ValueError):
        allowed_from("done")


def test_committed_states_are_the_live_commitments() -> None:
    assert {s.value for s in COMMITTED} == {"agreed", "at_risk", "met", "breached"}
