"""The practice's words in a team lead's terms: one short glossary, shown by every map and page.

The same entries serve the macros (under each legend), the Jira pages on Connect (a template
global) and the Forge pages (which show the macros' fragments).
"""

from __future__ import annotations

from markupsafe import Markup

from connector.domain.health import MIN_RATINGS, THRESHOLDS

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Customer", "A team that receives something your team supplies (an internal customer)."),
    ("Supplier", "A team your team relies on for something it needs."),
    (
        "Expectation",
        "What a customer needs from a supplier, in the customer's own words, with measures "
        "that show whether it is met. The customer agrees to it before it counts.",
    ),
    (
        "Cadence",
        "How often, in days, the customer is asked to rate an expectation: one feedback round.",
    ),
    (
        "Health",
        "How well a supplier meets its customer's expectations, from the customer's ratings "
        f"and the measures met. {THRESHOLDS}. No score is shown until {MIN_RATINGS} ratings "
        "count.",
    ),
    (
        "Needs attention",
        "An unhealthy relationship, one without recent feedback, a customer with no agreed "
        "expectation, or an expectation without a measure.",
    ),
    (
        "Integrator",
        "A leader who connects teams across functions and settles what falls between them; "
        "the integrator map shows all teams for them.",
    ),
)


def glossary() -> Markup:
    """A closed disclosure: one line on the page until it is opened."""
    entry = Markup("<dt>{}</dt><dd>{}</dd>")
    entries = Markup("").join(entry.format(word, meaning) for word, meaning in GLOSSARY)
    return Markup(
        '<details class="glossary"><summary>What the words mean</summary><dl>{}</dl></details>'
    ).format(entries)
