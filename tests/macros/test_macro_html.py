"""The HTML around the maps: the iframe document, dark mode, tables, errors, caching, speed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from macros.cache import cache_key
from macros.fragments import MacroParams
from macros.html import SESSION_EXPIRED, error_box, page, unknown_team_message
from macros.render import (
    render_customer_map,
    render_expectations,
    render_integrator_map,
)
from tests.macros.factories import integrator_map, team, team_map
from tests.macros.html_check import html5_problems
from tests.support.html5 import parse_strict

ALL_JS = "https://connect-cdn.atl-paas.net/all.js"


def test_static_page_has_no_script_at_all() -> None:
    doc = page(
        "Map", render_customer_map(team_map(4, 8)), static=True, theme=None, all_js_url=ALL_JS
    )
    assert "<script" not in doc.lower()
    assert "AP.resize" not in doc


def test_iframe_page_loads_all_js_async_and_resizes_only_if_ap_exists() -> None:
    doc = page("Map", "<p>x</p>", static=False, theme=None, all_js_url=ALL_JS)
    assert f'<script src="{ALL_JS}" async' in doc
    assert "window.AP&&typeof window.AP.resize==='function'" in doc
    offline = page("Map", "<p>x</p>", static=False, theme=None, all_js_url=None)
    assert "all.js" not in offline and "AP.resize" in offline
    nonced = page("Map", "<p>x</p>", static=False, theme=None, all_js_url=None, nonce="abc")
    assert '<script nonce="abc">' in nonced


@pytest.mark.parametrize("static", [True, False])
def test_whole_pages_are_well_formed_html5(static: bool) -> None:
    view = team_map(10, 40)
    body = render_customer_map(view, show_expectations=True) + render_expectations(view)
    body += render_integrator_map(integrator_map(20)) + error_box("<oops>")
    doc = page("A & B <map>", body, static=static, theme="dark", all_js_url=ALL_JS)
    assert doc.startswith('<!DOCTYPE html>\n<html lang="en"')
    parse_strict(doc)
    assert html5_problems(doc) == []  # and one title, a charset: what the parser allows
    assert "<title>A &amp; B &lt;map&gt;</title>" in doc


def test_checker_catches_broken_documents() -> None:
    good = page("t", "<p>x</p>", static=True, theme=None, all_js_url=None)
    assert html5_problems(good) == []
    assert html5_problems(good.replace("</main>", "")) != []
    assert html5_problems(good.replace("<!DOCTYPE html>", "")) != []


def test_dark_mode_by_media_query_and_by_explicit_theme() -> None:
    auto = page("t", "", static=True, theme=None, all_js_url=None)
    assert "@media (prefers-color-scheme: dark)" in auto
    assert "html.icm-theme-dark .icm" in auto and "--icm-healthy:#4BCE97" in auto
    assert '<html lang="en">' in auto
    dark = page("t", "", static=True, theme="dark", all_js_url=None)
    assert '<html lang="en" class="icm-theme-dark">' in dark
    hostile = page("t", "", static=True, theme='dark" onload="x', all_js_url=None)
    assert "onload" not in hostile


def test_customer_map_table_carries_every_relationship_in_words() -> None:
    view = team_map(6, 12)
    html = render_customer_map(view, show_expectations=True)
    table = html[html.index("<table") :]
    for rel in [*view.suppliers, *view.customers]:
        other = rel.supplier if rel in view.suppliers else rel.customer
        assert f'<a href="{other.issues_url}" target="_top">{other.name}</a>' in table
        assert rel.health.label in table
    assert table.count('<tr><th scope="row">') == 6
    assert "Improving" in table or "Worsening" in table or "Steady" in table
    for exp in view.customers[0].expectations:
        assert f'href="{exp.jira_issue_url}" target="_top"' in table


def test_expectations_table_shows_measures_feedback_and_issue_links() -> None:
    view = team_map(2, 8)
    html = render_expectations(view)
    exp = view.customers[0].expectations[0]
    assert exp.measures
    measure = exp.measures[0]
    assert f"{measure.name}: target ≤ 2{measure.unit}" in html
    assert f'<a href="{exp.jira_issue_url}" target="_top">{exp.jira_issue_key}</a>' in html
    assert html.count('<tr><th scope="row">') == 8
    assert "We supply" in html and "We receive from" in html


def test_error_box_is_short_escaped_and_announced() -> None:
    html = error_box(unknown_team_message("<img src=x onerror=alert(1)>"))
    assert 'role="alert"' in html and "<img" not in html and "&lt;img" in html
    assert "Traceback" not in error_box(SESSION_EXPIRED)


def test_options_parse_with_safe_defaults() -> None:
    def options(params: dict[str, str]) -> tuple[str, bool]:
        read = MacroParams.read(params)
        return read.sides, read.show_expectations

    assert options({}) == ("both", False)
    assert options({"sides": "Customers", "expectations": "true"}) == ("customers", True)
    assert options({"sides": "<x>"}) == ("both", False)


def test_rendering_is_byte_identical_for_equal_input() -> None:
    first = render_customer_map(team_map(20, 60, seed=3), show_expectations=True)
    assert first == render_customer_map(team_map(20, 60, seed=3), show_expectations=True)
    assert first != render_customer_map(team_map(20, 60, seed=4), show_expectations=True)
    assert render_integrator_map(integrator_map(30)) == render_integrator_map(integrator_map(30))


def test_cache_key_is_deterministic_and_separates_sites_and_versions() -> None:
    key = cache_key("customer-map", "site-a", {"team": "PAY", "sides": "both"}, "v7")
    assert key == cache_key("customer-map", "site-a", {"sides": "both", "team": "PAY"}, "v7")
    others = {
        cache_key("customer-map", "site-b", {"team": "PAY", "sides": "both"}, "v7"),
        cache_key("customer-map", "site-a", {"team": "PAY", "sides": "both"}, "v8"),
        cache_key("integrator-map", "site-a", {"team": "PAY", "sides": "both"}, "v7"),
        cache_key("customer-map", "site-a", {"team": "PAY|sides", "": "both"}, "v7"),
    }
    assert key not in others and len(others) == 4


# Render times (60 neighbours / 600 expectations, the integrator map at 200 teams) are measured
# by bench/bench_macros.py against its budget, not asserted here: a loaded machine is no failure.


def test_unknown_team_in_a_view_does_not_break_the_table() -> None:
    view = team_map(2, 2)
    lone = replace(view, suppliers=[], customers=[], team=team("SOLO", "Solo"))
    html = render_customer_map(lone)
    assert "None." in html and "0 suppliers" in html
