"""Health over time as a sparkline: a small inline SVG of the daily snapshots, with its words.

The picture is decoration for the eye (`aria-hidden`); the words beside it are the text
alternative, read by screen readers in the iframe and printed in the static (PDF) rendering.
"""

from __future__ import annotations

from connector.domain.health import percent
from macros.markup import esc
from macros.view import HealthHistory

WIDTH = 90.0
HEIGHT = 20.0
PAD = 2.0


def history_text(history: HealthHistory) -> str:
    """The sparkline in words: how many snapshots, where it started and ended, its lowest."""
    scores = [score for _, score in history.points]
    span = f"Health over the last {history.days} days"
    if not scores:
        return f"{span}: no daily snapshots yet"
    days = "daily snapshot" if len(scores) == 1 else "daily snapshots"
    if len(scores) == 1:
        return f"{span}: {percent(scores[0])} (1 {days})"
    return (
        f"{span}: from {percent(scores[0])} to {percent(scores[-1])}, "
        f"lowest {percent(min(scores))} "
        f"({len(scores)} {days})"
    )


def sparkline_points(history: HealthHistory) -> list[str]:
    """The polyline's points as "x,y", y to a quarter of a unit (a twentieth of the height, finer
    than the eye sees); a day that changes nothing between equal neighbours is left out, so a
    steady quarter is two points. Written for speed: the integrator map draws a thousand."""
    step = WIDTH / max(history.days - 1, 1)
    quarters = 4 * (HEIGHT - 2 * PAD)
    days = [day for day, _ in history.points]
    ys = [
        int(4 * PAD + (1 - (0.0 if s < 0 else 1.0 if s > 1 else s)) * quarters + 0.5)
        for _, s in history.points
    ]
    last = len(ys) - 1
    return [
        f"{days[i] * step:.1f},{ys[i] / 4:g}"
        for i in range(len(ys))
        if i in (0, last) or not (ys[i - 1] == ys[i] == ys[i + 1])
    ]


def sparkline(history: HealthHistory, *, static: bool = False) -> str:
    """The sparkline and its words; in the static rendering the words are printed, in the iframe
    they are there for screen readers only (the table beside them says the same in full)."""
    text_class = "spark-text" if static else "spark-text visually-hidden"
    words = f'<span class="{text_class}">{esc(history_text(history))}</span>'
    points = sparkline_points(history)
    if not points:  # nothing to draw: the words alone (a new site has no snapshots yet)
        return f'<span class="spark">{words}</span>'
    if len(points) == 1:
        points = [points[0], points[0]]
    end_x, end_y = points[-1].split(",")
    guide = f"{PAD + 0.3 * (HEIGHT - 2 * PAD):.1f}"  # the healthy band starts at 0.7
    return (
        f'<span class="spark"><svg xmlns="http://www.w3.org/2000/svg" class="sparkline" '
        f'viewBox="-2 0 {WIDTH + 4:g} {HEIGHT:g}" width="{WIDTH + 4:g}" height="{HEIGHT:g}" '
        f'aria-hidden="true" focusable="false">'
        f'<line x1="0" x2="{WIDTH:g}" y1="{guide}" y2="{guide}" class="spark-guide" '
        f'stroke="currentColor" stroke-opacity=".25" stroke-dasharray="2 2"/>'
        f'<polyline points="{" ".join(points)}" fill="none" stroke="currentColor" '
        f'stroke-width="1.5" stroke-linejoin="round"/>'
        f'<circle cx="{end_x}" cy="{end_y}" r="2" fill="currentColor"/></svg>{words}</span>'
    )
