"""Accessible HTML tables: the text alternative beside each map, and the expectations macro.

Each table carries everything the picture shows (health in words, trend in words, counts, links),
plus each row's health over the last 90 days, so a screen-reader or keyboard user loses nothing.
They are built to fit a 760 px Confluence page: few columns (side by row group, health, trend,
ratings and the sparkline in one cell), long words allowed to break, headers with soft hyphens.
"""

from __future__ import annotations

from collections.abc import Sequence

from macros.html import health_badge, link, trend_cell
from macros.layout import Side
from macros.markup import esc, feedback_text, fmt_date, measure_text
from macros.measure_chart import measure_chart
from macros.sparkline import sparkline
from macros.view import (
    CustomerMapView,
    ExpectationView,
    Health,
    HealthHistory,
    HotSpot,
    IntegratorMapView,
    RelationshipView,
)

SHY = "\u00ad"  # a soft hyphen: a long header may break there, and only there
HEALTH = "Health (90 days)"


def _table(caption: str, headers: Sequence[str], groups: Sequence[tuple[str, list[str]]]) -> str:
    """A table whose rows come in groups, each with an optional heading row (`""`: none)."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    span = len(headers)
    bodies = []
    for heading, rows in groups:
        if not rows:
            continue
        lead = (
            f'<tr class="group"><th scope="rowgroup" colspan="{span}">{esc(heading)}</th></tr>'
            if heading
            else ""
        )
        bodies.append("<tbody>" + lead + "".join(rows) + "</tbody>")
    if not bodies:
        bodies = [f'<tbody><tr><td colspan="{span}">None.</td></tr></tbody>']
    return (
        f'<div class="table-wrap" role="region" aria-label="{esc(caption)}" tabindex="0">'
        f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"{''.join(bodies)}</table></div>"
    )


def _free(html: str) -> str:
    """Free text (a service, a statement, hot spots): it may break anywhere rather than widen the
    table. Names and short words keep theirs, so that "Issues" never becomes "Issu-es"."""
    return f'<div class="free">{html}</div>'


def _row(header: str, cells: Sequence[str]) -> str:
    return f'<tr><th scope="row">{header}</th>{"".join(f"<td>{c}</td>" for c in cells)}</tr>'


def _ratings(n: int) -> str:
    return f"{n} rating" if n == 1 else f"{n} ratings"


def health_cell(health: Health, history: HealthHistory, *, static: bool) -> str:
    """Band and score, trend, number of ratings and the 90-day sparkline, one under the other."""
    return (
        f"{health_badge(health)}"
        f'<span class="cell-line">{trend_cell(health)} · {_ratings(health.n)}</span>'
        f"{sparkline(history, static=static)}"
    )


def _date(text: str) -> str:
    return f'<span class="nowrap">{esc(text)}</span>'


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
        flags.append("No recent feedback")
    if rel.blocked_links:
        flags.append(f"{rel.blocked_links} blocked links")
    flags.extend(s.message for s in spots if s.kind not in ("stale_relationship", "blocked_links"))
    return "; ".join(esc(f) for f in flags) or "Nothing"


def _last_feedback(rel: RelationshipView) -> str:
    return _date(fmt_date(rel.last_feedback_at))


def customer_map_table(
    view: CustomerMapView,
    rows_in_order: Sequence[tuple[Side, RelationshipView]],
    *,
    show_expectations: bool,
    static: bool = False,
) -> str:
    """Rows in the map's order: suppliers first, then customers, each side a row group."""
    headers = ["Team", "What is supplied", HEALTH, f"Expec{SHY}tations", "Last feedback"]
    headers += ["Needs attention", "Jira"]
    groups: dict[Side, list[str]] = {"supplier": [], "customer": []}
    for side, rel in rows_in_order:
        is_supplier = side == "supplier"
        other = rel.supplier if is_supplier else rel.customer
        count = str(len(rel.expectations))
        expectations = (
            f"{count}{_expectation_list(rel.expectations)}"
            if show_expectations and not is_supplier
            else count
        )
        groups[side].append(
            _row(
                link(other.issues_url, other.name),
                [
                    _free(esc(rel.service)),
                    health_cell(rel.health, rel.history, static=static),
                    _free(expectations),
                    _last_feedback(rel),
                    _free(_flags(rel)),
                    link(rel.issues_url, "Issues"),
                ],
            )
        )
    return _table(
        f"Suppliers and customers of {view.team.name}",
        headers,
        [
            (f"Suppliers ({len(groups['supplier'])})", groups["supplier"]),
            (f"Customers ({len(groups['customer'])})", groups["customer"]),
        ],
    )


def _by_names(rel: RelationshipView) -> tuple[str, str, str]:
    return (rel.supplier.name.casefold(), rel.customer.name.casefold(), rel.id)


def integrator_table(
    view: IntegratorMapView, spots: Sequence[HotSpot], *, static: bool = False
) -> str:
    by_rel: dict[str, list[HotSpot]] = {}
    for spot in spots:
        if spot.relationship_id is not None:
            by_rel.setdefault(spot.relationship_id, []).append(spot)
    headers = ["Supplier", "Customer", "What is supplied", HEALTH, f"Expec{SHY}tations"]
    headers += ["Last feedback", "Needs attention", "Jira"]
    rels = sorted(view.relationships, key=_by_names)
    rows = [
        _row(
            link(rel.supplier.issues_url, rel.supplier.name),
            [
                link(rel.customer.issues_url, rel.customer.name),
                _free(esc(rel.service)),
                health_cell(rel.health, rel.history, static=static),
                str(len(rel.expectations)),
                _last_feedback(rel),
                _free(_flags(rel, by_rel.get(rel.id, []))),
                link(rel.issues_url, "Issues"),
            ],
        )
        for rel in rels
    ]
    return _table("All relationships", headers, [("", rows)])


def _measures(expectation: ExpectationView, *, static: bool = False) -> str:
    if not expectation.measures:
        return "No measure"
    items = "".join(
        f"<li>{esc(measure_text(m))} {measure_chart(m, static=static)}</li>"
        for m in expectation.measures
    )
    return f'<ul class="plain">{items}</ul>'


def expectations_table(view: CustomerMapView, *, static: bool = False) -> str:
    """A team's expectations: those its customers hold of it, and those it holds of suppliers."""
    headers = ["Expectation", f"Relation{SHY}ship", "State", "Measures", HEALTH]
    headers += ["Last feedback", "Jira issue"]
    rows = []
    for rel in [*view.customers, *view.suppliers]:
        role = "We supply" if rel.supplier.key == view.team.key else "We receive from"
        other = rel.customer if rel.supplier.key == view.team.key else rel.supplier
        for exp in rel.expectations:
            rows.append(
                _row(
                    _free(esc(exp.statement)),
                    [
                        _free(f"{role} {link(other.issues_url, other.name)}: {esc(rel.service)}"),
                        esc(exp.state.replace("_", " ")),
                        _free(_measures(exp, static=static)),
                        health_cell(exp.health, exp.history, static=static),
                        _free(esc(feedback_text(exp.last_feedback))),
                        link(exp.jira_issue_url, exp.jira_issue_key or "Not in Jira yet"),
                    ],
                )
            )
    return _table(f"Expectations of and by {view.team.name}", headers, [("", rows)])
