"""Server-side SVG of the customer map, and the pieces the integrator map shares with it.

The SVG is a focusable graph, not an image: a named group (its title and description) whose
every node and edge is a link named by its own title, to the Jira issues behind it (target _top,
since the macro sits in an iframe). An image (`role="img"`) may hold nothing focusable, so it
would have to drop the links; the table after each picture carries the same links again. Health
is shown by colour, stroke pattern and a text label, never by colour alone.
"""

from __future__ import annotations

from connector.domain.health import Band
from macros.layout import (
    EXPECTATION_LINE_H,
    LABEL_LINE_H,
    NAME_CHARS_PER_PX,
    NAME_LINE_H,
    Box,
    CustomerMapLayout,
    EdgeLayout,
    Point,
    Sides,
    customer_map_layout,
    expectation_lines,
)
from macros.markup import dom_id, esc, health_text, safe_url, wrap
from macros.style import BANDS, DASHES, colour
from macros.view import (
    BAND_LABELS,
    CustomerMapView,
    ExpectationView,
    RelationshipView,
    TeamView,
)


def num(value: float) -> str:
    return f"{value:.1f}"


def link_open(url: str | None) -> str:
    """An SVG link that opens in the top window, or a plain group when there is nothing to open.

    Its accessible name comes from the `<title>` that follows it.
    """
    href = safe_url(url)
    if href is None:
        return "<g>"
    return f'<a href="{esc(href)}" xlink:href="{esc(href)}" target="_top">'


def link_close(url: str | None) -> str:
    return "</a>" if safe_url(url) is not None else "</g>"


def svg_open(prefix: str, width: float, height: float, title: str, desc: str) -> str:
    """A picture that scales to its frame: as wide as the frame up to its natural width (never
    blown up), its height following from the viewBox. `--icm-full` is the natural width, which
    the full-size view of a large map uses (`macros.render`)."""
    title_id, desc_id = dom_id(prefix, "title"), dom_id(prefix, "desc")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="map" viewBox="0 0 {num(width)} {num(height)}" width="100%" '
        f'style="max-width:{num(width)}px;--icm-full:{num(width)}px" '
        f'role="group" aria-labelledby="{title_id}" aria-describedby="{desc_id}" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{title_id}">{esc(title)}</title><desc id="{desc_id}">{esc(desc)}</desc>'
    )


def markers(prefix: str) -> str:
    parts = ["<defs>"]
    for band in BANDS:
        parts.append(
            f'<marker id="{dom_id(prefix, "arrow", band)}" viewBox="0 0 10 10" refX="10" '
            f'refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" class="fill-{band}" fill="{colour(band)}"/></marker>'
        )
    parts.append("</defs>")
    return "".join(parts)


def edge_path(d: str, band: Band, prefix: str, extra_class: str = "") -> str:
    dash = DASHES[band]
    dash_attr = f' stroke-dasharray="{dash}"' if dash != "none" else ""
    return (
        f'<path d="{d}" class="edge edge-{band}{extra_class}" fill="none" '
        f'stroke="{colour(band)}" stroke-width="2"{dash_attr} '
        f'marker-end="url(#{dom_id(prefix, "arrow", band)})"/>'
    )


def text(
    x: float, y: float, content: str, *, size: float = 12, cls: str = "", bold: bool = False
) -> str:
    cls_attr = f' class="{cls}"' if cls else ""
    weight = ' font-weight="600"' if bold else ""
    return (
        f'<text x="{num(x)}" y="{num(y)}" font-size="{num(size)}"{weight}{cls_attr} '
        f'fill="{colour("fg")}">{esc(content)}</text>'
    )


def relationship_title(rel: RelationshipView) -> str:
    count = len(rel.expectations)
    parts = [
        f"{rel.supplier.name} supplies {rel.customer.name}: {rel.service}.",
        f"Health: {health_text(rel.health)}.",
        f"{count} expectation{'' if count == 1 else 's'}.",
    ]
    if rel.stale:
        parts.append("Feedback is stale.")
    if rel.blocked_links:
        parts.append(f"{rel.blocked_links} blocked cross-team links.")
    return " ".join(parts)


def team_title(team: TeamView, role: str) -> str:
    project = f", Jira project {team.jira_project_key}" if team.jira_project_key else ""
    return f"{team.name} ({team.key}{project}), {role}"


def node_rect(x: float, y: float, w: float, h: float, cls: str) -> str:
    fill, stroke = (
        (colour("team"), colour("team-stroke"))
        if cls == "team"
        else (
            colour("node"),
            colour("node-stroke"),
        )
    )
    return (
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" rx="4" '
        f'class="{cls}" fill="{fill}" stroke="{stroke}"/>'
    )


def _this_team(team: TeamView, box: Box) -> str:
    """The team in the middle: its name on up to three lines, its key below."""
    lines = wrap(team.name, int((box.w - 16) * NAME_CHARS_PER_PX), 3)
    top = box.y + max(0.0, (box.h - 18 * len(lines) - 20) / 2)
    names = "".join(
        text(box.x + 8, top + 18 + 18 * i, line, size=14, bold=True) for i, line in enumerate(lines)
    )
    return (
        f"{link_open(team.issues_url)}<title>{esc(team_title(team, 'this team'))}</title>"
        f"{node_rect(box.x, box.y, box.w, box.h, 'team')}{names}"
        f"{text(box.x + 8, top + 18 * len(lines) + 18, team.key, size=12, cls='muted')}"
        f"{link_close(team.issues_url)}"
    )


def _neighbour_node(team: TeamView, box: Box, role: str, names: tuple[str, ...]) -> str:
    """A supplier or customer: its name, wrapped (the lines under it are its edge's label)."""
    lines = "".join(
        text(box.x + 10, box.y + 20 + NAME_LINE_H * i, name, size=14, bold=True)
        for i, name in enumerate(names)
    )
    return (
        f"{link_open(team.issues_url)}<title>{esc(team_title(team, role))}</title>"
        f"{node_rect(box.x, box.y, box.w, box.h, 'node')}{lines}"
        f"{link_close(team.issues_url)}"
    )


# About how many characters of a 12 px line fit a pixel.
LINE_CHARS_PER_PX = 1 / 6.7


def _expectation_line(exp: ExpectationView, x: float, y: float, width: float) -> str:
    """An expectation under its customer: a dot in its band's colour, its statement and band.
    A transparent rectangle over its lines takes the clicks, so the gaps between the letters
    open the expectation, not the customer's box behind it."""
    band = exp.health.band
    title = f"{exp.statement} ({exp.state}; health {health_text(exp.health)})"
    statement = expectation_lines(exp)
    lines = "".join(
        text(x + 12, y + EXPECTATION_LINE_H * i, line, size=12) for i, line in enumerate(statement)
    )
    top = y - EXPECTATION_LINE_H + 4
    hit = (
        f'<rect x="{num(x)}" y="{num(top)}" width="{num(width)}" '
        f'height="{num(EXPECTATION_LINE_H * len(statement))}" fill="transparent"/>'
    )
    return (
        f"{link_open(exp.jira_issue_url)}<title>{esc(title)}</title>{hit}"
        f'<circle cx="{num(x + 4)}" cy="{num(y - 4)}" r="3.5" class="fill-{band}" '
        f'fill="{colour(band)}"/>{lines}'
        f"{link_close(exp.jira_issue_url)}"
    )


def _neighbour(edge: EdgeLayout) -> str:
    team = edge.rel.supplier if edge.side == "supplier" else edge.rel.customer
    box = edge.node
    parts = [_neighbour_node(team, box, edge.side, edge.names)]
    if edge.show_expectations:
        y = box.y + edge.head + 12
        for exp in edge.rel.expectations:
            parts.append(_expectation_line(exp, box.x + 10, y, box.w - 20))
            y += EXPECTATION_LINE_H * len(expectation_lines(exp))
    return "".join(parts)


def _edge(edge: EdgeLayout, prefix: str) -> str:
    rel, s, b, e = edge.rel, edge.start, edge.bend, edge.end
    if edge.side == "supplier":
        mid = (b.x + e.x) / 2
        d = f"M{num(s.x)},{num(s.y)} H{num(b.x)} C{_c(mid, b.y)} {_c(mid, e.y)} {_c(e.x, e.y)}"
    else:
        mid = (s.x + b.x) / 2
        d = f"M{num(s.x)},{num(s.y)} C{_c(mid, s.y)} {_c(mid, b.y)} {_c(b.x, b.y)} H{num(e.x)}"
    title = relationship_title(rel)
    lb = edge.label
    first = lb.bottom - 2 - LABEL_LINE_H * (len(edge.labels) - 1)
    label = "".join(
        text(lb.x, first + LABEL_LINE_H * i, line, size=12, cls="edge-label")
        for i, line in enumerate(edge.labels)
    )
    return (
        f"{link_open(rel.issues_url)}<title>{esc(title)}</title>"
        f"{edge_path(d, rel.health.band, prefix)}{label}"
        f"{link_close(rel.issues_url)}"
    )


def _c(x: float, y: float) -> str:
    return f"{num(x)},{num(y)}"


def _heading(at: Point | None, label: str) -> str:
    return text(at.x, at.y, label, size=13, bold=True, cls="muted") if at else ""


def customer_map_desc(view: CustomerMapView, layout: CustomerMapLayout) -> str:
    counts: dict[str, int] = {}
    for edge in layout.edges:
        label = BAND_LABELS[edge.rel.health.band].lower()
        counts[label] = counts.get(label, 0) + 1
    summary = ", ".join(f"{n} {band}" for band, n in sorted(counts.items())) or "no relationships"
    n_sup = sum(1 for e in layout.edges if e.side == "supplier")
    n_cus = len(layout.edges) - n_sup
    return (
        f"{view.team.name} in the middle, {n_sup} suppliers on the left and {n_cus} customers on "
        f"the right. Relationship health: {summary}. The table that follows lists the same "
        f"information with links."
    )


def customer_map_svg(
    view: CustomerMapView,
    *,
    sides: Sides = "both",
    show_expectations: bool = False,
    id_prefix: str = "icm-map",
    layout: CustomerMapLayout | None = None,
) -> str:
    if layout is None:
        layout = customer_map_layout(view, sides=sides, show_expectations=show_expectations)
    t = layout.team
    n_sup = sum(1 for e in layout.edges if e.side == "supplier")
    parts = [
        svg_open(
            id_prefix,
            layout.width,
            layout.height,
            f"Customer map: {view.team.name}",
            customer_map_desc(view, layout),
        ),
        markers(id_prefix),
        _heading(layout.supplier_heading, f"Suppliers ({n_sup})"),
        _heading(layout.customer_heading, f"Customers ({len(layout.edges) - n_sup})"),
        # Nodes first: each edge's label is written on its neighbour's box, over it.
        '<g class="nodes">',
        *(_neighbour(edge) for edge in layout.edges),
        _this_team(view.team, t),
        '</g><g class="edges">',
        *(_edge(edge, id_prefix) for edge in layout.edges),
        "</g></svg>",
    ]
    return "".join(parts)
