"""A measure over time in the macros' tables: the chart with its target line, and its words
(hidden for the eye in the iframe, printed in the static rendering)."""

from __future__ import annotations

from datetime import date

from macros.measure_chart import history_text, measure_chart
from macros.view import MeasurePoint, MeasureView

PAYSLIPS = MeasureView(
    "Payslips right",
    99.5,
    "%",
    "atLeast",
    97.0,
    (MeasurePoint(date(2026, 10, 31), 99.8), MeasurePoint(date(2026, 11, 30), 97.0, disputed=True)),
)


def test_the_words_say_each_value_its_day_a_dispute_and_the_target() -> None:
    assert history_text(PAYSLIPS) == (
        "Payslips right: 99.8% on 2026-10-31, 97% on 2026-11-30 (disputed); target ≥ 99.5%"
    )
    answers = MeasureView("Answers", 2, "days", "atMost")
    assert history_text(answers) == "Answers: no values yet; target ≤ 2 days"


def test_the_chart_draws_the_values_and_a_dashed_target_line() -> None:
    html = measure_chart(PAYSLIPS)
    assert html.count("<circle") == 2 and 'fill="none"' in html  # the disputed one is hollow
    assert 'stroke-dasharray="3 2"' in html  # the target
    # 99.8 is the highest value: drawn at the top; 97 the lowest: at the bottom.
    assert 'points="3.0,3.0 117.0,29.0"' in html
    assert 'aria-hidden="true"' in html
    assert 'class="chart-text visually-hidden"' in html


def test_the_static_rendering_prints_the_words_and_no_values_draw_nothing() -> None:
    assert 'class="chart-text"' in measure_chart(PAYSLIPS, static=True)
    bare = measure_chart(MeasureView("Answers", 2, "days", "atMost"))
    assert "<svg" not in bare and "no values yet" in bare
