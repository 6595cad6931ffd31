"""Server-side SVG of the integrator map: every team and relationship, with hot spots marked.

Edges carry their health in colour, stroke pattern and their own title; hot edges also get a
visible text badge (labelling all thousand edges would only hide the map), and the table carries
every label.
"""

from __future__ import annotations

from collections import defaultdict

from macros.layered import LayeredLayout, Route, layered_layout
from macros.layout import Box
from macros.markup import esc, shorten
from macros.style import colour
from macros.svg import (
    edge_path,
    link_close,
    link_open,
    markers,
    node_rect,
    num,
    relationship_title,
    svg_open,
    team_title,
    text,
)
from macros.view import HotSpot, IntegratorMapView, TeamView

# Parallel relationships between two teams are drawn side by side, not on top of each other.
PARALLEL_OFFSET = 4.0


def integrator_layout(view: IntegratorMapView) -> LayeredLayout:
    edges = [(r.id, r.supplier.key, r.customer.key) for r in view.relationships]
    return layered_layout([t.key for t in view.teams], edges)


def _path(route: Route, offset: float) -> str:
    pts = route.points
    d = [f"M{num(pts[0].x)},{num(pts[0].y + offset)}"]
    d.extend(f"L{num(p.x)},{num(p.y + offset)}" for p in pts[1:])
    return " ".join(d)


def _hot_badge(route: Route, offset: float) -> str:
    pts = route.points
    a, b = pts[len(pts) // 2 - 1], pts[len(pts) // 2]
    x, y = (a.x + b.x) / 2, (a.y + b.y) / 2 + offset
    return (
        f'<circle cx="{num(x)}" cy="{num(y)}" r="7" class="hot" fill="{colour("hot")}"/>'
        f'<text x="{num(x)}" y="{num(y + 4)}" font-size="11" font-weight="700" '
        f'text-anchor="middle" fill="#FFFFFF" style="fill:#FFFFFF">!</text>'
    )


def _edges(view: IntegratorMapView, layout: LayeredLayout, hot: set[str], prefix: str) -> list[str]:
    rels = {r.id: r for r in view.relationships}
    seen: dict[tuple[str, str], int] = defaultdict(int)
    parts = ['<g class="edges">']
    for route in layout.routes:
        rel = rels[route.rel_id]
        pair = (min(rel.supplier.key, rel.customer.key), max(rel.supplier.key, rel.customer.key))
        offset = seen[pair] * PARALLEL_OFFSET
        seen[pair] += 1
        title = relationship_title(rel)
        is_hot = rel.id in hot
        cls = " edge-hot" if is_hot else ""
        parts.append(
            f"{link_open(rel.issues_url)}<title>{esc(title)}</title>"
            f"{edge_path(_path(route, offset), rel.health.band, prefix, cls)}"
            f"{_hot_badge(route, offset) if is_hot else ''}"
            f"{link_close(rel.issues_url)}"
        )
    parts.append("</g>")
    return parts


def _node(team: TeamView, box: Box, spots: list[HotSpot]) -> str:
    role = "team"
    if spots:
        role = "hot spot: " + "; ".join(s.message for s in spots)
    title = team_title(team, role)
    ring = ""
    if spots:
        ring = (
            f'<rect x="{num(box.x - 3)}" y="{num(box.y - 3)}" width="{num(box.w + 6)}" '
            f'height="{num(box.h + 6)}" rx="6" class="hot-ring" fill="none" '
            f'stroke="{colour("hot")}" stroke-width="2" stroke-dasharray="4 2"/>'
        )
    mark = "⚠ " if spots else ""
    return (
        f"{link_open(team.issues_url)}<title>{esc(title)}</title>{ring}"
        f"{node_rect(box.x, box.y, box.w, box.h, 'node')}"
        f"{text(box.x + 8, box.y + 17, mark + shorten(team.name, 26), size=13, bold=True)}"
        f"{text(box.x + 8, box.y + 33, team.key, size=11, cls='muted')}"
        f"{link_close(team.issues_url)}"
    )


def _teams(view: IntegratorMapView) -> dict[str, TeamView]:
    teams = {t.key: t for t in view.teams}
    for rel in view.relationships:
        teams.setdefault(rel.supplier.key, rel.supplier)
        teams.setdefault(rel.customer.key, rel.customer)
    return teams


def integrator_desc(view: IntegratorMapView, spots: list[HotSpot]) -> str:
    teams = _teams(view)
    return (
        f"{len(teams)} teams and {len(view.relationships)} relationships, suppliers to the left of "
        f"their customers. {len(spots)} hot spots are marked with a warning sign and listed above "
        f"the map; the table that follows lists every relationship with its health."
    )


def integrator_svg(
    view: IntegratorMapView, spots: list[HotSpot], *, id_prefix: str = "icm-integrator"
) -> str:
    layout = integrator_layout(view)
    hot_rels = {s.relationship_id for s in spots if s.relationship_id and s.team_key is None}
    by_team: dict[str, list[HotSpot]] = defaultdict(list)
    for spot in spots:
        if spot.team_key:
            by_team[spot.team_key].append(spot)
    teams = _teams(view)
    parts = [
        svg_open(
            id_prefix, layout.width, layout.height, "Integrator map", integrator_desc(view, spots)
        ),
        markers(id_prefix),
        *_edges(view, layout, hot_rels, id_prefix),
        '<g class="nodes">',
        *(_node(teams[k], box, by_team.get(k, [])) for k, box in sorted(layout.nodes.items())),
        "</g></svg>",
    ]
    return "".join(parts)
