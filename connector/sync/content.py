"""What an expectation or a goal looks like as a Jira issue: summary, ADF description, labels."""

from __future__ import annotations

from typing import Any

from connector.practice.models import Expectation, Goal, Measure, SiteSettings

LABEL = "internal-customer"
EXPECTATION_PROPERTY = "icm.expectation"
GOAL_PROPERTY = "icm.goal"
SUMMARY_LIMIT = 254  # Jira's summary holds 255 characters


def expectation_marker(expectation_id: int) -> str:
    """A label that finds the issue even before its entity property is set (crash recovery)."""
    return f"icm-e-{expectation_id}"


def goal_marker(goal_id: int) -> str:
    return f"icm-g-{goal_id}"


def truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def expectation_summary(expectation: Expectation) -> str:
    prefix = f"{expectation.relationship.customer.name} expects: "
    return prefix + truncate(expectation.statement, SUMMARY_LIMIT - len(prefix))


def expectation_fields(expectation: Expectation, settings: SiteSettings) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "summary": expectation_summary(expectation),
        "description": expectation_description(expectation),
    }
    goal = expectation.goal
    if goal is not None and goal.jira_epic_key:
        fields["parent"] = {"key": goal.jira_epic_key}
    return fields


def expectation_property(expectation: Expectation) -> dict[str, Any]:
    return {
        "id": expectation.id,
        "siteId": expectation.site_id,
        "version": expectation.version,
        "relationshipId": expectation.relationship_id,
    }


def goal_fields(goal: Goal) -> dict[str, Any]:
    body = [_paragraph(goal.description)] if goal.description else []
    body.append(
        _paragraph(
            f"A goal of {goal.team.name}, set to meet its internal customers' "
            "expectations; the expectations' issues are its children."
        )
    )
    return {"summary": truncate(goal.title, SUMMARY_LIMIT), "description": _doc(body)}


def goal_property(goal: Goal) -> dict[str, Any]:
    return {"id": goal.id, "siteId": goal.site_id, "teamKey": goal.team.key}


def expectation_description(expectation: Expectation) -> dict[str, Any]:
    relationship = expectation.relationship
    content = [
        _heading(f"What {relationship.customer.name} expects"),
        _paragraph(expectation.statement),
    ]
    if expectation.why_it_matters:
        content += [_heading("Why it matters"), _paragraph(expectation.why_it_matters)]
    if expectation.measures:
        content += [_heading("Measures of performance"), _measures(expectation.measures)]
    if expectation.growth_opportunity:
        content += [_heading("Opportunity for growth"), _paragraph(expectation.growth_opportunity)]
    content.append(
        _paragraph(
            f"{relationship.supplier.name} supplies {relationship.customer.name} with "
            f"{relationship.service}. Priority {expectation.priority}; feedback is asked for "
            f"every {expectation.cadence_days} days."
        )
    )
    return _doc(content)


def _measures(measures: list[Measure]) -> dict[str, Any]:
    items = []
    for m in measures:
        sign = "≥" if m.direction == "atLeast" else "≤"
        unit = f" {m.unit}" if m.unit else ""
        source = f" (counted by JQL: {m.jql})" if m.source == "jql" and m.jql else ""
        items.append(
            {
                "type": "listItem",
                "content": [_paragraph(f"{m.name}: {sign} {m.target:g}{unit}{source}")],
            }
        )
    return {"type": "bulletList", "content": items}


def _doc(content: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": content}


def _heading(text: str) -> dict[str, Any]:
    return {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": text}]}


def _paragraph(text: str) -> dict[str, Any]:
    return (
        {"type": "paragraph", "content": [{"type": "text", "text": text}]}
        if text
        else {"type": "paragraph"}
    )
