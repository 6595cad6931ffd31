"""An empty site's integrator map (the Forge general page, the macro) says what to do next."""

from __future__ import annotations

from macros.render import render_integrator_map
from macros.view import IntegratorMapView
from tests.support.html5 import parse_strict


def test_an_empty_site_is_told_how_to_set_up_its_teams() -> None:
    for static in (False, True):
        html = render_integrator_map(IntegratorMapView(teams=(), relationships=()), static=static)
        assert "No teams are in the customer map yet" in html
        assert "Set up your team" in html and "<svg" not in html
        parse_strict(f"<!DOCTYPE html><title>t</title>{html}")
