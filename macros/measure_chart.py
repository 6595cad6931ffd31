"""A measure over time: a small inline SVG of its recent values with the target as a dashed
line, and the same in words (read by screen readers in the iframe, printed in the static
rendering), like the health sparklines beside it."""

from __future__ import annotations

from macros.markup import direction_symbol, esc, fmt_number
from macros.view import MeasurePoint, MeasureView

WIDTH = 120.0
HEIGHT = 32.0
PAD = 3.0


def with_unit(value: float, unit: str) -> str:
    """99.8% but 3 days: a percent sign sits on its number, a word does not."""
    if not unit or unit == "%":
        return f"{fmt_number(value)}{unit}"
    return f"{fmt_number(value)} {unit}"


def _point_text(point: MeasurePoint, unit: str) -> str:
    disputed = " (disputed)" if point.disputed else ""
    return f"{with_unit(point.value, unit)} on {point.day.isoformat()}{disputed}"


def history_text(measure: MeasureView) -> str:
    """The chart in words: each value with its day, then the target."""
    target = f"target {direction_symbol(measure)} {with_unit(measure.target, measure.unit)}"
    if not measure.history:
        return f"{measure.name}: no values yet; {target}"
    values = ", ".join(_point_text(p, measure.unit) for p in measure.history)
    return f"{measure.name}: {values}; {target}"


def _scale(measure: MeasureView) -> tuple[float, float]:
    values = [p.value for p in measure.history] + [measure.target]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    return low, high


def _y(value: float, low: float, high: float) -> float:
    return PAD + (1 - (value - low) / (high - low)) * (HEIGHT - 2 * PAD)


def measure_chart(measure: MeasureView, *, static: bool = False) -> str:
    """The chart and its words; with no values, the words alone."""
    text_class = "chart-text" if static else "chart-text visually-hidden"
    words = f'<span class="{text_class}">{esc(history_text(measure))}</span>'
    if not measure.history:
        return f'<span class="measure-chart">{words}</span>'
    low, high = _scale(measure)
    step = (WIDTH - 2 * PAD) / max(len(measure.history) - 1, 1)
    points = [
        (PAD + i * step if len(measure.history) > 1 else WIDTH / 2, _y(p.value, low, high))
        for i, p in enumerate(measure.history)
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{"none" if p.disputed else "currentColor"}"'
        f' stroke="currentColor"/>'
        for (x, y), p in zip(points, measure.history, strict=True)
    )
    target = f"{_y(measure.target, low, high):.1f}"
    return (
        f'<span class="measure-chart"><svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH:g} {HEIGHT:g}" width="{WIDTH:g}" height="{HEIGHT:g}" '
        f'aria-hidden="true" focusable="false">'
        f'<line x1="0" x2="{WIDTH:g}" y1="{target}" y2="{target}" stroke="currentColor" '
        f'stroke-opacity=".5" stroke-dasharray="3 2"/>'
        f'<polyline points="{line}" fill="none" stroke="currentColor" stroke-width="1.5" '
        f'stroke-linejoin="round"/>{dots}</svg>{words}</span>'
    )
