"""A review pack as a Confluence page body in Atlassian Document Format.

The daily health history is drawn as a table: one row per week, one cell per day, each cell
coloured by its band and holding the score. ADF has no inline SVG, and an image would be a media
node backed by an attachment uploaded through another API; a table with cell colours is plain
ADF that Confluence shows in the page, keeps in its PDF export, and reads out to a screen
reader, and the numbers stay legible when printed in black and white.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from connector.jira.adf import adf_doc, adf_mention, adf_paragraph, adf_text
from connector.practice.review_content import DayHealth, ExpectationPart, MeasureLine, ReviewContent

Node = dict[str, Any]
MacroNode = Callable[[str, Mapping[str, str]], Node]

# Confluence's table cell highlight colours, one per band.
BAND_COLOURS = {
    "healthy": "#abf5d1",
    "at_risk": "#f8e6a0",
    "unhealthy": "#ffd5d2",
    "no_feedback": "#dcdfe4",
}
BAND_WORDS = {
    "healthy": "healthy",
    "at_risk": "at risk",
    "unhealthy": "unhealthy",
    "no_feedback": "no feedback",
}
BAND_STATUS = {
    "healthy": "green",
    "at_risk": "yellow",
    "unhealthy": "red",
    "no_feedback": "neutral",
}
STATE_STATUS = {
    "agreed": "blue",
    "at_risk": "yellow",
    "met": "green",
    "breached": "red",
    "proposed": "purple",
    "draft": "neutral",
}
TREND_WORDS = {"up": "improving ↑", "down": "worsening ↓", "flat": "steady →"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def text(value: str, *marks: str) -> Node:
    node = adf_text(value)
    if marks:
        node["marks"] = [{"type": m} for m in marks]
    return node


def heading(level: int, value: str) -> Node:
    return {"type": "heading", "attrs": {"level": level}, "content": [text(value)]}


def paragraph(*nodes: Node) -> Node:
    return adf_paragraph(*nodes) if nodes else {"type": "paragraph", "content": []}


def status(value: str, colour: str) -> Node:
    return {"type": "status", "attrs": {"text": value, "color": colour}}


def cell(*blocks: Node, header: bool = False, background: str | None = None) -> Node:
    node: Node = {
        "type": "tableHeader" if header else "tableCell",
        "attrs": {},
        "content": list(blocks) or [paragraph()],
    }
    if background:
        node["attrs"]["background"] = background
    return node


def table(header: Sequence[str], rows: Iterable[Sequence[Node]]) -> Node:
    head = {"type": "tableRow", "content": [cell(paragraph(text(h)), header=True) for h in header]}
    body = [{"type": "tableRow", "content": list(row)} for row in rows]
    return {"type": "table", "attrs": {"layout": "default"}, "content": [head, *body]}


def bullets(items: Iterable[Sequence[Node]]) -> Node:
    return {
        "type": "bulletList",
        "content": [{"type": "listItem", "content": [paragraph(*item)]} for item in items],
    }


def score_text(score: float | None) -> str:
    return "-" if score is None else f"{round(score * 100)}"


def number(value: float) -> str:
    return f"{value:g}"


def _health_line(label: str, day: DayHealth | None) -> list[Node]:
    if day is None:
        return [cell(paragraph(text(label))), cell(paragraph(text("no snapshot in the period")))]
    return [
        cell(paragraph(text(label))),
        cell(
            paragraph(
                text(f"{score_text(day.score)} "),
                status(BAND_WORDS[day.band], BAND_STATUS[day.band]),
                text(f" on {day.day.isoformat()}"),
            )
        ),
    ]


def health_section(content: ReviewContent) -> list[Node]:
    summary = table(
        ("When", "Health (0-100)"),
        [
            _health_line("Start of the period", content.start),
            _health_line("End of the period", content.end),
            [
                cell(paragraph(text("Trend (the last five daily snapshots)"))),
                cell(paragraph(text(TREND_WORDS[content.trend]))),
            ],
        ],
    )
    return [heading(2, "Health"), summary, *history_calendar(content)]


def history_calendar(content: ReviewContent) -> list[Node]:
    """The daily history: a week per row, a day per column, coloured by band."""
    by_day = {d.day: d for d in content.days}
    if not by_day:
        return [paragraph(text("No daily health was recorded in the period."))]
    first = content.period.first_day
    monday = first - timedelta(days=first.weekday())
    rows = []
    while monday <= content.period.last_day:
        week = [monday + timedelta(days=i) for i in range(7)]
        if any(day in by_day for day in week):
            rows.append(
                [cell(paragraph(text(monday.strftime("%d %b")))), *map(_day_cell(by_day), week)]
            )
        monday += timedelta(days=7)
    legend = [
        text("Daily health, 0-100, one cell a day: "),
        *[
            node
            for band, word in BAND_WORDS.items()
            for node in (status(word, BAND_STATUS[band]), text(" "))
        ],
    ]
    return [heading(3, "Daily health"), paragraph(*legend), table(("Week of", *WEEKDAYS), rows)]


def _day_cell(by_day: Mapping[date, DayHealth]) -> Callable[[date], Node]:
    def render(day: date) -> Node:
        found = by_day.get(day)
        if found is None:
            return cell()
        return cell(paragraph(text(score_text(found.score))), background=BAND_COLOURS[found.band])

    return render


def _measure_row(measure: MeasureLine) -> list[Node]:
    sign = "≤" if measure.direction == "atMost" else "≥"
    unit = f" {measure.unit}" if measure.unit else ""
    latest = "no value yet" if measure.latest is None else f"{number(measure.latest)}{unit}"
    met = (
        status("no value", "neutral")
        if measure.met is None
        else status("met", "green")
        if measure.met
        else status("not met", "red")
    )
    return [
        cell(paragraph(text(measure.name))),
        cell(paragraph(text(f"{sign} {number(measure.target)}{unit}"))),
        cell(paragraph(text(latest))),
        cell(paragraph(met)),
    ]


def expectation_section(part: ExpectationPart) -> list[Node]:
    e = part.expectation
    blocks: list[Node] = [
        heading(3, f"“{e.statement}”"),
        paragraph(
            text("State: "),
            status(e.state.replace("_", " "), STATE_STATUS.get(e.state, "neutral")),
            *(
                [
                    text("  Health: "),
                    status(BAND_WORDS[part.health.band], BAND_STATUS[part.health.band]),
                ]
                if part.health is not None
                else []
            ),
            *([text(f"  Jira: {e.jira_issue_key}")] if e.jira_issue_key else []),
        ),
    ]
    if e.why_it_matters:
        blocks.append(paragraph(text("Why it matters: ", "strong"), text(e.why_it_matters)))
    if part.measures:
        blocks.append(
            table(("Measure", "Target", "Latest value", "Met?"), map(_measure_row, part.measures))
        )
    else:
        blocks.append(paragraph(text("No measures recorded.")))
    if part.ratings:
        blocks.append(
            table(
                ("Rated on", "Rating", "Comment", "By"),
                [
                    [
                        cell(paragraph(text(r.at.date().isoformat()))),
                        cell(paragraph(text(f"{r.rating}/5"))),
                        cell(paragraph(*([text(r.comment)] if r.comment else []))),
                        cell(paragraph(adf_mention(r.author_account_id))),
                    ]
                    for r in part.ratings
                ],
            )
        )
    else:
        blocks.append(paragraph(text("No ratings in the period.")))
    if e.growth_opportunity:
        blocks.append(paragraph(text("Growth opportunity: ", "strong"), text(e.growth_opportunity)))
    return blocks


def you_said_we_did(content: ReviewContent) -> list[Node]:
    done = content.improvements
    if not done:
        return [
            heading(2, "You said → we did"),
            paragraph(text("No improvement was done in the period.")),
        ]
    rows = [
        [
            cell(paragraph(text(f"“{part.expectation.statement}”"))),
            cell(paragraph(text(improvement.line()))),
            cell(paragraph(text(improvement.done_at.date().isoformat()))),
        ]
        for part, improvement in done
    ]
    return [heading(2, "You said → we did"), table(("You said", "We did", "Done on"), rows)]


def attention(content: ReviewContent) -> list[Node]:
    blocks: list[Node] = [heading(2, "At risk or breached")]
    if content.trouble:
        blocks.append(
            bullets(
                [
                    text(f"“{p.expectation.statement}” "),
                    status(
                        p.expectation.state.replace("_", " "),
                        STATE_STATUS.get(p.expectation.state, "neutral"),
                    ),
                    *(
                        [
                            text(" health "),
                            status(BAND_WORDS[p.health.band], BAND_STATUS[p.health.band]),
                        ]
                        if p.health is not None
                        else []
                    ),
                ]
                for p in content.trouble
            )
        )
    else:
        blocks.append(paragraph(text("Nothing is at risk or breached.")))
    blocks.append(heading(2, "Open for the next period"))
    blocks.append(heading(3, "Expectations proposed"))
    blocks.append(
        bullets([[text(f"“{e.statement}” ({e.state})")] for e in content.proposed])
        if content.proposed
        else paragraph(text("None."))
    )
    blocks.append(heading(3, "Stale feedback"))
    blocks.append(
        bullets(
            [
                [
                    text(f"“{p.expectation.statement}”: "),
                    text(
                        f"last rated {p.last_rated_at.date().isoformat()}"
                        if p.last_rated_at
                        else "never rated"
                    ),
                    text(f", asked every {p.expectation.cadence_days} days"),
                ]
                for p in content.stale
            ]
        )
        if content.stale
        else paragraph(text("None: every agreed expectation was rated on its cadence."))
    )
    return blocks


def review_document(content: ReviewContent, macro_node: MacroNode, written_at: datetime) -> Node:
    r = content.relationship
    period = content.period
    intro = paragraph(
        text(f"{r.supplier.name} supplies {r.customer.name}: ", "strong"),
        text(r.service),
        text(
            f". Review of {period.label} ({period.first_day.isoformat()} to "
            f"{period.last_day.isoformat()}), written by the Internal Customer Map on "
            f"{written_at.date().isoformat()}."
        ),
    )
    notes = {
        "type": "panel",
        "attrs": {"panelType": "info"},
        "content": [
            paragraph(
                text(
                    "Asking for the pack again rewrites this page: keep the meeting's notes and"
                    " actions in a child page or in comments."
                )
            )
        ],
    }
    blocks: list[Node] = [intro, notes, *health_section(content), heading(2, "Expectations")]
    if content.agreed:
        for part in content.agreed:
            blocks += expectation_section(part)
    else:
        blocks.append(paragraph(text("No expectation is agreed yet.")))
    blocks += you_said_we_did(content)
    blocks += attention(content)
    blocks += [
        heading(2, f"{r.supplier.name}'s customer map (live)"),
        macro_node(
            "customer-map", {"team": r.supplier.key, "sides": "both", "expectations": "true"}
        ),
    ]
    return adf_doc(*blocks)


def parent_document(content: ReviewContent) -> Node:
    r = content.relationship
    return adf_doc(
        paragraph(
            text(
                f"Quarterly reviews of what {r.supplier.name} supplies to {r.customer.name}"
                f" ({r.service}), one page a period, written by the Internal Customer Map."
            )
        )
    )
