"""Health over time in the macros' tables: a sparkline of the daily snapshots, and its words."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from macros.render import render_customer_map, render_expectations, render_integrator_map
from macros.sparkline import history_text, sparkline, sparkline_points
from macros.view import HealthHistory, IntegratorMapView
from tests.macros.factories import integrator_map, team_map

SVG = "{http://www.w3.org/2000/svg}"
RISING = HealthHistory(((0, 0.2), (30, 0.5), (89, 0.9)))


def _svg(html: str) -> ET.Element:
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return ET.fromstring(html[start:end])  # noqa: S314 - our own output


def test_the_line_goes_from_the_oldest_day_on_the_left_to_today_on_the_right() -> None:
    line = _svg(sparkline(RISING)).find(f"{SVG}polyline")
    assert line is not None
    points = [tuple(float(v) for v in p.split(",")) for p in line.get("points", "").split()]
    assert points[0][0] == 0 and points[-1][0] == 90  # 90 days across 90 units
    ys = [y for _, y in points]
    assert ys == sorted(ys, reverse=True)  # rising health: the line climbs (y grows downwards)
    assert all(2 <= y <= 18 for y in ys)


def test_a_steady_quarter_is_two_points_not_ninety() -> None:
    steady = HealthHistory(tuple((day, 0.8) for day in range(90)))
    assert len(sparkline_points(steady)) == 2
    dip = HealthHistory(tuple((day, 0.4 if day == 45 else 0.8) for day in range(90)))
    assert len(sparkline_points(dip)) == 5  # both ends, and the three days around the dip


def test_the_words_say_what_the_line_shows() -> None:
    assert history_text(RISING) == (
        "Health over the last 90 days: from 20% to 90%, lowest 20% (3 daily snapshots)"
    )
    assert history_text(HealthHistory(((89, 0.5),))) == (
        "Health over the last 90 days: 50% (1 daily snapshot)"
    )
    assert history_text(HealthHistory()) == "Health over the last 90 days: no daily snapshots yet"
    empty = sparkline(HealthHistory())  # nothing to draw: the words alone
    assert "<svg" not in empty and "no daily snapshots yet" in empty


def test_the_picture_is_hidden_from_screen_readers_the_words_are_not() -> None:
    shown = sparkline(RISING)
    root = _svg(shown)
    assert root.get("aria-hidden") == "true" and root.get("focusable") == "false"
    assert '<span class="spark-text visually-hidden">Health over the last 90 days' in shown
    # Printed in the static rendering, where nobody hovers and PDF has no screen reader.
    assert '<span class="spark-text">Health over the last 90 days' in sparkline(RISING, static=True)


def test_every_row_of_the_maps_tables_has_its_sparkline() -> None:
    view = team_map(6, 12)
    rel = view.customers[0]
    rising = replace(rel, history=RISING)
    view = replace(view, customers=[rising, *view.customers[1:]])
    html = render_customer_map(view)
    assert html.count('class="sparkline"') == 6
    assert history_text(RISING) in html

    exp = replace(rel.expectations[0], history=RISING)
    listed = replace(view, customers=[replace(rising, expectations=(exp,))])
    table = render_expectations(listed)
    rows = 1 + sum(len(r.expectations) for r in view.suppliers)
    assert table.count('<span class="spark">') == rows
    assert table.count('class="sparkline"') == 1  # the others have no snapshots yet
    assert history_text(RISING) in table

    whole = integrator_map(20)
    html = render_integrator_map(IntegratorMapView(whole.teams, whole.relationships))
    assert html.count('class="sparkline"') == len(whole.relationships)
    static = render_integrator_map(whole, static=True)
    assert "visually-hidden" not in static.split("<table", 1)[1]
