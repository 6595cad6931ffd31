"""What the Rovo agent's four actions do, for the user of the invocation token.

Each answers a sentence the agent can relay: the answer, a refusal naming the role rule
(`connector.domain.roles`), or what was wrong with the inputs. Inputs are what the model
extracted from the conversation and may be wrong (rovo-action page): they choose *what* to
read or write, never *who* is asking; extra inputs (an account id, a role) are ignored. A refusal
or a bad input writes nothing. The statement and the answers stay in the customer's words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from connector.api import schemas
from connector.db import utcnow
from connector.domain.caller import Caller
from connector.domain.errors import Forbidden, ICMError
from connector.domain.health import Health
from connector.domain.roles import Action
from connector.domain.states import ExpectationState
from connector.platforms.forge.rovo_inputs import (
    Answer,
    Inputs,
    invalid,
    refused,
    require_user,
)
from connector.practice.assessments import assess_expectations
from connector.practice.expectations import create_expectation
from connector.practice.feedback import record_feedback, site_expectation
from connector.practice.health import relationship_health
from connector.practice.members import teams_of
from connector.practice.models import Expectation, Feedback, Relationship, Team
from connector.practice.roles import require_on_relationship
from connector.practice.settings import site_settings

S = ExpectationState
SOURCE_ROVO = "rovo"
LISTED_AT_MOST = 50
PROMISED = (S.AGREED.value, S.AT_RISK.value, S.MET.value, S.BREACHED.value)
BANDS = {
    "healthy": "healthy",
    "at_risk": "at risk",
    "unhealthy": "unhealthy",
    "no_feedback": "no feedback yet",
}
# --- who and which teams -------------------------------------------------------------------


def live_teams(session: Session, site_id: str) -> Sequence[Team]:
    return session.scalars(
        select(Team).where(Team.site_id == site_id, Team.retired_at.is_(None)).order_by(Team.key)
    ).all()


def team_named(session: Session, site_id: str, words: str, input_name: str) -> Team:
    """The live team whose key or name is `words` (any case)."""
    teams = live_teams(session, site_id)
    wanted = words.strip().casefold()
    for team in teams:
        if wanted in (team.key.casefold(), team.name.casefold()):
            return team
    known = ", ".join(f"{t.name} ({t.key})" for t in teams[:20]) or "none yet"
    raise invalid(f"No team is called {words!r} ({input_name}); the teams are: {known}.")


def own_teams(session: Session, caller: Caller) -> list[Team]:
    account = require_user(caller)
    return [team for team, _role in teams_of(session, caller.site_id, account)]


def active_relationships(session: Session, site_id: str, *where: Any) -> Sequence[Relationship]:
    return (
        session.scalars(
            select(Relationship)
            .where(Relationship.site_id == site_id, Relationship.state == "active", *where)
            .order_by(Relationship.id)
        )
        .unique()
        .all()
    )


# --- what was promised, and where it is late ------------------------------------------------


def _number(value: float) -> str:
    return f"{value:g}"


def late_reasons(
    expectation: Expectation, last_rating: datetime | None, now: datetime
) -> list[str]:
    """Why a promise is late: its state, a measure off target, feedback not asked on cadence."""
    reasons = []
    if expectation.state == S.AT_RISK:
        reasons.append("marked at risk")
    if expectation.state == S.BREACHED:
        reasons.append("breached")
    for measure in expectation.measures:
        if measure.attained is False and measure.latest_value is not None:
            unit = f" {measure.unit}" if measure.unit else ""
            bound = "at least" if measure.direction == "atLeast" else "at most"
            reasons.append(
                f"{measure.name} is {_number(measure.latest_value)}{unit}, the target is"
                f" {bound} {_number(measure.target)}{unit}"
            )
    since = last_rating or expectation.agreed_at
    if expectation.state in (S.AGREED, S.AT_RISK) and since is not None:
        days = (now - since).days
        if days > expectation.cadence_days:
            reasons.append(
                f"no rating for {days} days (feedback was agreed every"
                f" {expectation.cadence_days} days)"
            )
    return reasons


def last_ratings(session: Session, site_id: str, ids: Iterable[int]) -> dict[int, datetime]:
    rows = session.execute(
        select(Feedback.expectation_id, func.max(Feedback.at))
        .where(Feedback.site_id == site_id, Feedback.expectation_id.in_(list(ids)))
        .group_by(Feedback.expectation_id)
    ).all()
    return {expectation_id: at for expectation_id, at in rows}  # noqa: C416 (typed rows)


def _health_words(health: Health) -> str:
    words = BANDS[health.band]
    if health.score is not None:
        words += f" ({round(health.score * 100)}%)"
    return words


# --- the actions ------------------------------------------------------------------------------


def list_expectations(
    session: Session, caller: Caller, inputs: Inputs, _context: Mapping[str, Any]
) -> Answer:
    """What the team's customers expect of it (or it of its suppliers); `promised`: only the
    agreed ones, each with where it is late."""
    require_user(caller)
    named, side = inputs.text("team"), (inputs.text("side") or "customers").strip().lower()
    promised = inputs.flag("promised")
    if side not in ("customers", "suppliers"):
        inputs.problems.append(f"side must be customers or suppliers (got {side!r})")
    inputs.check()
    teams = (
        [team_named(session, caller.site_id, named, "team")]
        if named
        else own_teams(session, caller)
    )
    if not teams:
        alone = "You are on no team in the customer map: name the team to ask about (team)."
        data: dict[str, Any] = {
            "teams": [],
            "expectations": [],
            "conversation": conversation(session, caller),
        }
        return Answer("answered", alone, data)
    ids = [t.id for t in teams]
    mine = Relationship.supplier_id if side == "customers" else Relationship.customer_id
    relationships = active_relationships(session, caller.site_id, mine.in_(ids))
    query = select(Expectation).where(
        Expectation.relationship_id.in_([r.id for r in relationships]),
        Expectation.state.in_(PROMISED if promised else [s.value for s in S if s != S.RETIRED]),
    )
    found = session.scalars(query.order_by(Expectation.id).limit(LISTED_AT_MOST)).unique().all()
    views = assess_expectations(session, list(found))
    rated, now = last_ratings(session, caller.site_id, [e.id for e in found]), utcnow()
    items = [
        _item(v.expectation, v.health, late_reasons(v.expectation, rated.get(v.id), now))
        for v in views
    ]
    whose = " and ".join(t.name for t in teams)
    if not items:
        what = (
            "promised to" if promised else ("expected of" if side == "customers" else "expected by")
        )
        message = f"Nothing is {what} {whose} in the customer map yet."
    else:
        late = sum(1 for i in items if i["late"])
        lines = [_line(i, side) for i in items]
        head = f"{len(items)} expectation(s) for {whose}" + (f", {late} late" if promised else "")
        message = head + ":\n" + "\n".join(lines)
    data = {"teams": [t.key for t in teams], "expectations": items}
    return Answer("answered", message, {**data, "conversation": conversation(session, caller)})


def conversation(session: Session, caller: Caller) -> dict[str, Any]:
    """The questions to ask, from the site's settings (the agent's prompt reads them here)."""
    settings = site_settings(session, caller.site_id)
    return {"seedQuestion": settings.seed_question, "followUps": settings.asked_follow_ups}


def _item(expectation: Expectation, health: Health, late: list[str]) -> dict[str, Any]:
    relationship = expectation.relationship
    return {
        "id": expectation.id,
        "supplier": relationship.supplier.name,
        "customer": relationship.customer.name,
        "service": relationship.service,
        "statement": expectation.statement,
        "state": expectation.state,
        "health": health.as_json(),
        "jiraIssueKey": expectation.jira_issue_key,
        "late": late,
    }


def _line(item: dict[str, Any], side: str) -> str:
    who = item["customer"] if side == "customers" else item["supplier"]
    band = BANDS[item["health"]["band"]]
    line = f"- #{item['id']} {who} ({item['service']}): “{item['statement']}”"
    line += f" — {item['state']}, {band}"
    return line + (f"; late: {'; '.join(item['late'])}" if item["late"] else "")


def relationship_health_answer(
    session: Session, caller: Caller, inputs: Inputs, _context: Mapping[str, Any]
) -> Answer:
    """How healthy the relationships between the user's team (or `team`) and `otherTeam` are."""
    require_user(caller)
    other_words, named = inputs.text("otherTeam", required=True) or "", inputs.text("team")
    inputs.check()
    other = team_named(session, caller.site_id, other_words, "otherTeam")
    ours = (
        [team_named(session, caller.site_id, named, "team")]
        if named
        else own_teams(session, caller)
    )
    if not ours:
        raise invalid("You are on no team in the customer map: name your team (team).")
    ids = [t.id for t in ours if t.id != other.id]
    relationships = active_relationships(
        session,
        caller.site_id,
        or_(
            Relationship.supplier_id.in_(ids) & (Relationship.customer_id == other.id),
            (Relationship.supplier_id == other.id) & Relationship.customer_id.in_(ids),
        ),
    )
    whose = " and ".join(t.name for t in ours)
    if not relationships:
        return Answer(
            "answered", f"{whose} and {other.name} have no relationship in the customer map."
        )
    health = relationship_health(session, caller.site_id, [r.id for r in relationships])
    items, lines = [], []
    for r in relationships:
        h = health[r.id]
        items.append(
            {
                "id": r.id,
                "supplier": r.supplier.name,
                "customer": r.customer.name,
                "service": r.service,
                "health": h.as_json(),
            }
        )
        lines.append(
            f"- {r.supplier.name} supplies {r.customer.name} ({r.service}):"
            f" {_health_words(h)}, trend {h.trend}, from {h.n} counted rating(s)"
        )
    return Answer(
        "answered",
        f"The relationships of {whose} with {other.name}:\n" + "\n".join(lines),
        {"relationships": items},
    )


def draft_expectation(
    session: Session, caller: Caller, inputs: Inputs, _context: Mapping[str, Any]
) -> Answer:
    """A draft, in the customer's words, on the relationship the user's team supplies: only the
    supplier side records (the role table); proposing and agreeing stay with the people."""
    require_user(caller)
    customer_words = inputs.text("customer", required=True) or ""
    supplier_words = inputs.text("supplier")
    body = _expectation_body(inputs)
    inputs.check()
    customer = team_named(session, caller.site_id, customer_words, "customer")
    relationship = _supplied_relationship(session, caller, customer, supplier_words)
    try:
        require_on_relationship(session, caller, Action.EDIT, relationship)
    except Forbidden as exc:
        raise refused(
            f"I cannot record this: {exc.message}. Share the words with"
            f" {relationship.supplier.name} so that its lead or members record them."
        ) from exc
    try:
        data = schemas.ExpectationIn().load({**body, "relationshipId": relationship.id})
    except ValidationError as exc:
        raise invalid(f"I could not use these inputs: {_fields(exc.messages)}.") from exc
    made = create_expectation(session, caller.site_id, **data)
    message = (
        f"Drafted expectation #{made.id}: what {customer.name} expects of"
        f" {relationship.supplier.name} ({relationship.service}), in their words:"
        f" “{made.statement}”."
        " It is a draft: review it and propose it to the customer from the team page."
    )
    return Answer("drafted", message, {"expectationId": made.id, "state": made.state})


def _expectation_body(inputs: Inputs) -> dict[str, Any]:
    """The expectation's fields as the API takes them, each in the words given (not rewritten)."""
    body: dict[str, Any] = {"statement": inputs.text("statement", required=True)}
    for name in ("whyItMatters", "growthOpportunity"):
        body[name] = inputs.text(name)
    cadence = inputs.integer("cadenceDays", 1, 366)
    if cadence is not None:
        body["cadenceDays"] = cadence
    measure, target = inputs.text("measureName"), inputs.number("measureTarget")
    direction = inputs.text("measureDirection") or "atLeast"
    if measure is not None:
        if target is None:
            inputs.problems.append("measureTarget is needed with measureName (a number)")
        body["measures"] = [
            {
                "name": measure,
                "target": target,
                "unit": inputs.text("measureUnit"),
                "direction": direction,
            }
        ]
    elif target is not None:
        inputs.problems.append("measureName is needed with measureTarget")
    return body


def _fields(messages: Any) -> str:
    if isinstance(messages, dict):
        return "; ".join(f"{name} {_fields(value)}" for name, value in messages.items())
    if isinstance(messages, list):
        return ", ".join(_fields(m) for m in messages)
    return str(messages).rstrip(".")


def _supplied_relationship(
    session: Session, caller: Caller, customer: Team, supplier_words: str | None
) -> Relationship:
    """The one relationship supplying `customer`: from the named supplier, else from one of the
    user's teams; when the user's teams supply it nothing, the first supplier (the role check
    then refuses with the rule)."""
    if supplier_words:
        suppliers = [team_named(session, caller.site_id, supplier_words, "supplier")]
    else:
        suppliers = own_teams(session, caller)
    found = active_relationships(
        session,
        caller.site_id,
        Relationship.customer_id == customer.id,
        Relationship.supplier_id.in_([t.id for t in suppliers]),
    )
    if not found and not supplier_words:
        found = active_relationships(
            session, caller.site_id, Relationship.customer_id == customer.id
        )
        found = found[:1]
    if not found:
        named = " or ".join(t.name for t in suppliers) or "your team"
        raise invalid(f"{named} supplies nothing to {customer.name} in the customer map.")
    if len(found) > 1:
        services = "; ".join(f"{r.supplier.name}: {r.service}" for r in found)
        raise invalid(
            f"{customer.name} receives several services ({services}): name the supplier team,"
            " or record this one on the team page."
        )
    return found[0]


def record_rating(
    session: Session, caller: Caller, inputs: Inputs, context: Mapping[str, Any]
) -> Answer:
    """A rating (1..5) with its comment, by the user, of the expectation named by id or by the
    Jira issue the agent was opened on; only the customer side or the integrator may rate."""
    account = require_user(caller)
    expectation_id = inputs.integer("expectationId", 1, schemas.MAX_ID)
    rating = inputs.integer("rating", 1, 5, required=True) or 0  # told by check() when missing
    comment = inputs.text("comment")
    if comment is not None and len(comment) > 5000:
        inputs.problems.append("comment must be at most 5000 characters")
    issue_key = ((context.get("jira") or {}) if isinstance(context.get("jira"), dict) else {}).get(
        "issueKey"
    )
    if expectation_id is None and not issue_key:
        inputs.problems.append("expectationId is needed (list the expectations to find it)")
    inputs.check()
    expectation = _rated_expectation(session, caller.site_id, expectation_id, issue_key)
    try:
        given = record_feedback(
            session,
            caller.site_id,
            expectation.id,
            rating=rating,
            comment=comment,
            author=account,
            source=SOURCE_ROVO,
        )
    except Forbidden as exc:
        raise refused(f"I cannot record this rating: {exc.message}.") from exc
    except ICMError as exc:
        raise invalid(f"I could not record this rating: {exc.message}.") from exc
    relationship = expectation.relationship
    message = (
        f"Recorded your rating of {given.rating} out of 5 for what {relationship.customer.name}"
        f" expects of {relationship.supplier.name}: “{expectation.statement}”"
        + (f", with your comment: “{given.comment}”." if given.comment else ".")
    )
    return Answer("recorded", message, {"feedbackId": given.id, "expectationId": expectation.id})


def _rated_expectation(
    session: Session, site_id: str, expectation_id: int | None, issue_key: Any
) -> Expectation:
    if expectation_id is not None:
        try:
            return site_expectation(session, site_id, expectation_id)
        except ICMError as exc:
            raise invalid(f"There is no expectation #{expectation_id} on this site.") from exc
    found = session.scalars(
        select(Expectation).where(
            Expectation.site_id == site_id, Expectation.jira_issue_key == str(issue_key).upper()
        )
    ).first()
    if found is None:
        raise invalid(f"The issue {issue_key} is not an internal customer expectation.")
    return found
