"""Server-side SVG of the integrator map: every team and relationship, with hot spots marked.

Edges carry their health in colour, stroke pattern and their own title; hot edges also get a
visible text badge (labelling all thousand edges would only hide the map), and the table carries
every label.

The layout is chosen for the width it is shown at, so that labels stay readable without scaling
the picture down: left to right (suppliers left of their customers) when the layers fit across,
otherwise top to bottom (suppliers above), with rows no wider than the frame. A map is drawn
for a narrow frame (a 760 px Confluence page, an A4 page) and, when a wide frame (1,264 px)
would show it differently, for that one too; a very large organisation gets one overview, shown
scaled to the frame, with a full-size view to scroll.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from macros.layered import LayeredLayout, Route, layered_layout
from macros.layout import Box
from macros.markup import esc, wrap
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
# The widths a map is laid out for: an A4 page's content and a 760 px Confluence page (less its
# padding) show 700 px at full size; a 1,264 px frame shows 1,200 px.
NARROW = 700.0
WIDE = 1200.0
# Past this many teams no layout keeps every label readable within a page: one overview.
OVERVIEW_TEAMS = 60
Fit = Literal["any", "narrow", "wide"]


@dataclass(frozen=True, slots=True)
class Drawing:
    """One layout of the map and the frames it is for (`any`: every width)."""

    fit: Fit
    layout: LayeredLayout
    budget: float

    @property
    def oversized(self) -> bool:
        """Wider than its frame holds at full size: shown scaled, with a full-size view."""
        return self.layout.width > self.budget


def _edges_of(view: IntegratorMapView) -> list[tuple[str, str, str]]:
    return [(r.id, r.supplier.key, r.customer.key) for r in view.relationships]


def integrator_layout(view: IntegratorMapView) -> LayeredLayout:
    """Left to right at full size (the overview of a large organisation)."""
    return layered_layout([t.key for t in view.teams], _edges_of(view))


def _fitted(view: IntegratorMapView, across: LayeredLayout, budget: float) -> LayeredLayout:
    if across.width <= budget:
        return across
    keys = [t.key for t in view.teams]
    return layered_layout(keys, _edges_of(view), direction="tb", max_width=budget)


def integrator_drawings(view: IntegratorMapView, *, static: bool = False) -> list[Drawing]:
    """The layouts to draw: one for every width, or one for narrow and one for wide frames.

    The static rendering (PDF, export) is for an A4 page: the narrow one only."""
    across = integrator_layout(view)
    if len(_teams(view)) > OVERVIEW_TEAMS:
        return [Drawing("any", across, NARROW)]
    narrow = _fitted(view, across, NARROW)
    if static:
        return [Drawing("any", narrow, NARROW)]
    wide = _fitted(view, across, WIDE)
    if wide == narrow:
        return [Drawing("any", narrow, NARROW)]
    return [Drawing("narrow", narrow, NARROW), Drawing("wide", wide, WIDE)]


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
        f'<circle cx="{num(x)}" cy="{num(y)}" r="8" class="hot" fill="{colour("hot")}"/>'
        f'<text x="{num(x)}" y="{num(y + 4.5)}" font-size="12" font-weight="700" '
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


# About how many characters of a bold 13 px name fit a pixel.
NAME_CHARS_PER_PX = 1 / 7.8


def _names(team: TeamView, box: Box, mark: str) -> str:
    """The name on one line in a wide box, two in a narrow one; the key on the last line."""
    lines = 1 if box.h < 50 else 2
    names = wrap(mark + team.name, int((box.w - 16) * NAME_CHARS_PER_PX), lines)
    parts = [
        text(box.x + 8, box.y + 18 + 15 * i, line, size=13, bold=True)
        for i, line in enumerate(names)
    ]
    parts.append(text(box.x + 8, box.bottom - 8, team.key, size=12, cls="muted"))
    return "".join(parts)


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
        f"{node_rect(box.x, box.y, box.w, box.h, 'node')}{_names(team, box, mark)}"
        f"{link_close(team.issues_url)}"
    )


def _teams(view: IntegratorMapView) -> dict[str, TeamView]:
    teams = {t.key: t for t in view.teams}
    for rel in view.relationships:
        teams.setdefault(rel.supplier.key, rel.supplier)
        teams.setdefault(rel.customer.key, rel.customer)
    return teams


def integrator_desc(
    view: IntegratorMapView, spots: list[HotSpot], layout: LayeredLayout | None = None
) -> str:
    teams = _teams(view)
    where = "above" if layout is not None and layout.direction == "tb" else "to the left of"
    return (
        f"{len(teams)} teams and {len(view.relationships)} relationships, suppliers {where} "
        f"their customers. {len(spots)} hot spots are marked with a warning sign and listed above "
        f"the map; the table that follows lists every relationship with its health."
    )


def integrator_svg(
    view: IntegratorMapView,
    spots: list[HotSpot],
    *,
    id_prefix: str = "icm-integrator",
    layout: LayeredLayout | None = None,
) -> str:
    """The map in `layout` (by default left to right at full size)."""
    layout = layout or integrator_layout(view)
    hot_rels = {s.relationship_id for s in spots if s.relationship_id and s.team_key is None}
    by_team: dict[str, list[HotSpot]] = defaultdict(list)
    for spot in spots:
        if spot.team_key:
            by_team[spot.team_key].append(spot)
    teams = _teams(view)
    parts = [
        svg_open(
            id_prefix,
            layout.width,
            layout.height,
            "Integrator map",
            integrator_desc(view, spots, layout),
        ),
        markers(id_prefix),
        *_edges(view, layout, hot_rels, id_prefix),
        '<g class="nodes">',
        *(_node(teams[k], box, by_team.get(k, [])) for k, box in sorted(layout.nodes.items())),
        "</g></svg>",
    ]
    return "".join(parts)
