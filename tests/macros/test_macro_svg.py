"""The SVG pictures: well-formed, titled, labelled, linked to Jira, safe with hostile names."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from macros.integrator_svg import integrator_svg
from macros.svg import customer_map_svg
from macros.view import (
    BAND_LABELS,
    CustomerMapView,
    Health,
    IntegratorMapView,
    RelationshipView,
    TeamView,
    hot_spots,
)
from tests.macros.factories import SITE, integrator_map, team, team_map

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it is well-formed


def _edge_groups(root: ET.Element) -> list[ET.Element]:
    """The link (or group) around each edge path."""
    return [
        g
        for g in root.iter()
        if g.tag in (f"{SVG}a", f"{SVG}g")
        and any((p.get("class") or "").startswith("edge ") for p in g.findall("svg:path", NS))
    ]


def test_customer_map_is_a_named_graph_of_links_not_an_image() -> None:
    """An image (`role="img"`) must hold nothing focusable (axe: nested-interactive); the map is
    a named group whose nodes and edges are links, each named by its own title."""
    root = _parse(customer_map_svg(team_map(6, 12)))
    assert root.get("role") == "group"
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert title is not None and title.text == "Customer map: Payroll"
    assert desc is not None and "3 suppliers" in (desc.text or "")
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    links = root.findall(".//svg:a", NS)
    assert links
    assert all((a.findtext("svg:title", "", NS)).strip() for a in links)
    assert root.get("viewBox", "").startswith("0 0 ")


def test_every_edge_has_a_text_health_label_trend_and_count() -> None:
    view = team_map(8, 16)
    root = _parse(customer_map_svg(view))
    groups = _edge_groups(root)
    assert len(groups) == 8
    rels = {r.issues_url: r for r in [*view.suppliers, *view.customers]}
    for group in groups:
        rel = rels[group.get("href")]
        label = " ".join(t.text or "" for t in group.findall("svg:text", NS))
        assert rel.health.label in label
        assert BAND_LABELS[rel.health.band] in label
        assert rel.health.trend_glyph in label
        assert f"{len(rel.expectations)} exp." in label
        title = group.find("svg:title", NS)
        assert title is not None and f"trend {rel.health.trend_text}" in (title.text or "")


def test_nodes_and_edges_link_to_the_given_jira_urls_in_the_top_window() -> None:
    view = team_map(4, 8)
    root = _parse(customer_map_svg(view, show_expectations=True))
    links = root.findall(".//svg:a", NS)
    hrefs = {a.get("href") for a in links}
    expected = {view.team.issues_url}
    for rel in [*view.suppliers, *view.customers]:
        expected |= {rel.issues_url, rel.supplier.issues_url, rel.customer.issues_url}
    for rel in view.customers:
        expected |= {e.jira_issue_url for e in rel.expectations}
    assert hrefs == expected
    assert all(a.get("target") == "_top" for a in links)
    assert all(a.get("{http://www.w3.org/1999/xlink}href") == a.get("href") for a in links)
    assert all(a.find("svg:title", NS) is not None for a in links)


def test_hostile_names_are_escaped_and_unsafe_links_dropped() -> None:
    evil = TeamView("EVIL", '<script>alert("x")</script> R&D \x01', "EV", "javascript:alert(1)")
    centre = team("PAY", "Payroll & <b>Co</b>")
    rel = RelationshipView(
        "r1", evil, centre, "</text><script>1</script>", Health.of(0.2, 5), (), f"{SITE}/r1"
    )
    svg = customer_map_svg(CustomerMapView(centre, [rel], []))
    root = _parse(svg)
    assert "<script" not in svg and "javascript:" not in svg
    assert "R&amp;D" in svg and "&lt;b&gt;Co&lt;/b&gt;" in svg
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "<script>" in texts  # shown literally, as text
    links = list(root.iter(f"{SVG}a"))
    assert links and all(a.get("href", "").startswith("https://") for a in links)


def test_colour_is_not_the_only_carrier_stroke_pattern_differs_by_band() -> None:
    view = team_map(8, 0)
    bands = ["healthy", "at_risk", "unhealthy", "no_feedback"]
    scores = [0.9, 0.5, 0.1, None]
    suppliers = [
        replace(r, health=Health.of(s, 5 if s is not None else 0))
        for r, s in zip(view.suppliers, scores, strict=False)
    ]
    root = _parse(customer_map_svg(replace(view, suppliers=suppliers, customers=[])))
    dashes = {}
    for path in root.iter(f"{SVG}path"):
        cls = path.get("class") or ""
        if cls.startswith("edge "):
            dashes[cls.split()[1]] = path.get("stroke-dasharray", "solid")
    assert sorted(dashes) == sorted(f"edge-{b}" for b in bands)
    assert len(set(dashes.values())) == 4


def test_integrator_svg_marks_hot_spots_and_titles_every_edge() -> None:
    view = integrator_map(20)
    spots = hot_spots(view)
    root = _parse(integrator_svg(view, spots))
    assert root.get("role") == "group"
    groups = _edge_groups(root)
    assert len(groups) == len(view.relationships)
    for group in groups:
        title = group.find("svg:title", NS)
        assert title is not None and "Health: " in (title.text or "")
    hot_edges = {s.relationship_id for s in spots if s.team_key is None}
    badges = [g for g in groups if g.find("svg:circle", NS) is not None]
    assert len(badges) == len(hot_edges) > 0
    rings = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "hot-ring"]
    assert len(rings) == len({s.team_key for s in spots if s.team_key})


def test_integrator_handles_teams_without_relationships_and_self_loops() -> None:
    a, b = team("A"), team("B")
    loop = RelationshipView("r1", a, a, "self service")
    root = _parse(integrator_svg(IntegratorMapView([a, b, team("C")], [loop]), []))
    assert len(root.findall(".//svg:a", NS)) >= 3
