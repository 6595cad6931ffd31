"""Accessible HTML tables: the text alternative beside each map, and the expectations macro.

Each table carries everything the picture shows (health in words, trend in words, counts, links),
so a screen-reader or keyboard user loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from macros.html import health_badge, link, trend_cell
from macros.layout import Side
from macros.markup import esc, feedback_text, fmt_date, measure_text
from macros.view import (
    CustomerMapView,
    ExpectationView,
    HotSpot,
    IntegratorMapView,
    RelationshipView,
)


def _table(caption: str, headers: Sequence[str], rows: list[str]) -> str:
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    if not rows:
        rows = [f'<tr><td colspan="{len(headers)}">None.</td></tr>']
    return (
        f'<div class="table-wrap" role="region" aria-label="{esc(caption)}" tabindex="0">'
        f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _row(header: str, cells: Sequence[str]) -> str:
    return f'<tr><th scope="row">{header}</th>{"".join(f"<td>{c}</td>" for c in cells)}</tr>'


def _expectation_list(expectations: Sequence[ExpectationView]) -> str:
    if not expectations:
        return "None"
    items = [
        f"<li>{link(e.jira_issue_url, e.statement)} ({esc(e.state.replace('_', ' '))}; "
        f"{health_badge(e.health)})</li>"
        for e in expectations
    ]
    return f'<ul class="plain">{"".join(items)}</ul>'


def _flags(rel: RelationshipView, spots: Sequence[HotSpot] = ()) -> str:
    flags = []
    if rel.stale:
        flags.append("Feedback stale")
    if rel.blocked_links:
        flags.append(f"{rel.blocked_links} blocked links")
    flags.extend(s.message for s in spots if s.kind not in ("stale_relationship", "blocked_links"))
    return "; ".join(esc(f) for f in flags) or "None"


def _last_feedback(rel: RelationshipView) -> str:
    return esc(fmt_date(rel.last_feedback_at))


def customer_map_table(
    view: CustomerMapView,
    rows_in_order: Sequence[tuple[Side, RelationshipView]],
    *,
    show_expectations: bool,
) -> str:
    """Rows in the map's order: suppliers first, then customers."""
    headers = ["Team", "Side", "What is supplied", "Health", "Trend", "Ratings", "Expectations"]
    headers += ["Last feedback", "Flags", "Jira"]
    rows = []
    for side, rel in rows_in_order:
        is_supplier = side == "supplier"
        other = rel.supplier if is_supplier else rel.customer
        count = str(len(rel.expectations))
        expectations = (
            f"{count}{_expectation_list(rel.expectations)}"
            if show_expectations and not is_supplier
            else count
        )
        rows.append(
            _row(
                link(other.issues_url, other.name),
                [
                    "Supplier" if is_supplier else "Customer",
                    esc(rel.service),
                    health_badge(rel.health),
                    trend_cell(rel.health),
                    str(rel.health.n),
                    expectations,
                    _last_feedback(rel),
                    _flags(rel),
                    link(rel.issues_url, "Issues"),
                ],
            )
        )
    return _table(f"Suppliers and customers of {view.team.name}", headers, rows)


def _by_names(rel: RelationshipView) -> tuple[str, str, str]:
    return (rel.supplier.name.casefold(), rel.customer.name.casefold(), rel.id)


def integrator_table(view: IntegratorMapView, spots: Sequence[HotSpot]) -> str:
    by_rel: dict[str, list[HotSpot]] = {}
    for spot in spots:
        if spot.relationship_id is not None:
            by_rel.setdefault(spot.relationship_id, []).append(spot)
    headers = ["Supplier", "Customer", "What is supplied", "Health", "Trend", "Ratings"]
    headers += ["Expectations", "Last feedback", "Hot spots", "Jira"]
    rels = sorted(view.relationships, key=_by_names)
    rows = [
        _row(
            link(rel.supplier.issues_url, rel.supplier.name),
            [
                link(rel.customer.issues_url, rel.customer.name),
                esc(rel.service),
                health_badge(rel.health),
                trend_cell(rel.health),
                str(rel.health.n),
                str(len(rel.expectations)),
                _last_feedback(rel),
                _flags(rel, by_rel.get(rel.id, [])),
                link(rel.issues_url, "Issues"),
            ],
        )
        for rel in rels
    ]
    return _table("All relationships", headers, rows)


def _measures(expectation: ExpectationView) -> str:
    if not expectation.measures:
        return "No measure"
    items = "".join(f"<li>{esc(measure_text(m))}</li>" for m in expectation.measures)
    return f'<ul class="plain">{items}</ul>'


def expectations_table(view: CustomerMapView) -> str:
    """A team's expectations: those its customers hold of it, and those it holds of suppliers."""
    headers = ["Expectation", "Relationship", "State", "Measures", "Health", "Trend"]
    headers += ["Last feedback", "Jira issue"]
    rows = []
    for rel in [*view.customers, *view.suppliers]:
        role = "We supply" if rel.supplier.key == view.team.key else "We receive from"
        other = rel.customer if rel.supplier.key == view.team.key else rel.supplier
        for exp in rel.expectations:
            rows.append(
                _row(
                    esc(exp.statement),
                    [
                        f"{role} {link(other.issues_url, other.name)}: {esc(rel.service)}",
                        esc(exp.state.replace("_", " ")),
                        _measures(exp),
                        health_badge(exp.health),
                        trend_cell(exp.health),
                        esc(feedback_text(exp.last_feedback)),
                        link(exp.jira_issue_url, exp.jira_issue_key or "Not in Jira yet"),
                    ],
                )
            )
    return _table(f"Expectations of and by {view.team.name}", headers, rows)
