"""One health, one wording, in every rendering the service makes: the three macros (in the
frame and for PDF) and the Connect issue panel. The browser test compares the pages of both
platforms (`tests/browser/test_one_health_everywhere.py`)."""

from __future__ import annotations

import random
import re
from dataclasses import replace

import pytest

from connector.domain.health import Health as DomainHealth
from connector.platforms.connect.panel import render_panel
from connector.practice.models import Expectation
from macros.render import render_customer_map, render_expectations, render_integrator_map
from macros.view import CustomerMapView, Health, IntegratorMapView
from tests.macros.factories import relationship, team

# A health as any rendering might word it: the one format, and the ones it replaced.
SHOWN = re.compile(
    r"(?:Healthy|At risk|Unhealthy) · \d+%|No score yet · \d of 3 ratings so far"
    r"|(?i:healthy|at risk|unhealthy|no feedback(?: yet)?)\s*\(?\d+(?:\.\d+)?\s*%?\)?"
)
LEGEND = re.compile(r'<ul class="legend".*?</ul>|<details class="glossary">.*?</details>', re.S)


def _one_relationship(health: Health) -> tuple[CustomerMapView, IntegratorMapView]:
    pay, hr = team("PAY", "Payroll"), team("HR", "People")
    rel = relationship("r1", pay, hr, random.Random(5), 2)
    expectations = tuple(replace(e, health=health) for e in rel.expectations)
    rel = replace(rel, health=health, expectations=expectations)
    return CustomerMapView(pay, customers=(rel,)), IntegratorMapView([pay, hr], [rel])


@pytest.mark.parametrize(
    ("score", "n", "label"),
    [(0.583, 3, "At risk · 58%"), (0.9, 2, "No score yet · 2 of 3 ratings so far")],
)
@pytest.mark.parametrize("static", [False, True])
def test_every_macro_words_the_health_alike(score: float, n: int, label: str, static: bool) -> None:
    customer_map, integrator = _one_relationship(Health.of(score, n))
    for html in (
        render_customer_map(customer_map, show_expectations=True, static=static),
        render_expectations(customer_map, static=static),
        render_integrator_map(integrator, static=static),
    ):
        shown = set(SHOWN.findall(LEGEND.sub("", html)))
        assert shown == {label}, shown


def test_the_issue_panel_words_it_alike_and_explains_it_on_focus() -> None:
    expectation = Expectation(statement="Payslips on time", jira_issue_key="PAY-1")
    html = render_panel(expectation, DomainHealth(0.583, "at_risk", "flat", 3), all_js_url="")
    assert set(SHOWN.findall(html)) == {"At risk · 58%"}
    assert 'tabindex="0" title="58% from the customer&#39;s ratings' in html
