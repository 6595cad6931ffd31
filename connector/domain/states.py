"""The expectation state machine (DESIGN §2), enforced here and nowhere else.

draft -> proposed -> agreed -> (at_risk <-> agreed) -> met / breached -> retired;
a supplier may counter-propose (proposed -> proposed), and a met or breached expectation
can be reopened (-> agreed), as Jira's reopen does.
"""

from __future__ import annotations

import enum

from connector.domain.errors import Conflict


class ExpectationState(enum.StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    AGREED = "agreed"
    AT_RISK = "at_risk"
    MET = "met"
    BREACHED = "breached"
    RETIRED = "retired"


S = ExpectationState
ALLOWED: dict[ExpectationState, tuple[ExpectationState, ...]] = {
    S.DRAFT: (S.PROPOSED, S.RETIRED),
    S.PROPOSED: (S.PROPOSED, S.AGREED, S.DRAFT, S.RETIRED),
    S.AGREED: (S.AT_RISK, S.MET, S.BREACHED, S.RETIRED),
    S.AT_RISK: (S.AGREED, S.MET, S.BREACHED, S.RETIRED),
    S.MET: (S.AGREED, S.RETIRED),
    S.BREACHED: (S.AGREED, S.RETIRED),
    S.RETIRED: (),
}
# States whose expectations are live commitments: synced to Jira, asked for feedback.
COMMITTED = frozenset({S.AGREED, S.AT_RISK, S.MET, S.BREACHED})


def allowed_from(state: str) -> tuple[ExpectationState, ...]:
    return ALLOWED[ExpectationState(state)]


def check_transition(current: str, target: str) -> ExpectationState:
    """The target state, or a 409 naming the moves allowed from `current`."""
    allowed = allowed_from(current)
    try:
        wanted = ExpectationState(target)
    except ValueError:
        wanted = None
    if wanted is None or wanted not in allowed:
        names = [s.value for s in allowed]
        raise Conflict(
            f"an expectation cannot move from {current!r} to {target!r}; "
            f"allowed: {', '.join(names) if names else 'none (retired is final)'}",
            code="illegal_transition",
            details={"from": current, "to": target, "allowed": names},
        )
    return wanted
