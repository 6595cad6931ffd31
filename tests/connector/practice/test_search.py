"""Search and paging over many expectations, on SQLite and PostgreSQL: every page of every query
holds exactly what a plain reading of the words and filters selects, in id order, and a page's
health is what health reads for those expectations on its own."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from connector.db import utcnow
from connector.domain.words import terms, terms_of
from connector.practice import expectations, relationships, teams
from connector.practice.assessments import assess_expectations
from connector.practice.health import expectation_health
from connector.practice.models import Expectation, Feedback

SITE, OTHER = "site-a", "site-b"
WORDS = ["payslip", "payroll", "deadline", "invoice", "laptop", "policy", "policies", "day", "days"]
STATES = ["draft", "proposed", "agreed", "retired"]


def organisation(session: Session, site: str) -> list[int]:
    for key in ("PAY", "HR", "IT"):
        teams.create_team(session, site, key=key, name=key)
    return [
        relationships.create_relationship(
            session, site, supplier=supplier, customer="HR", service="s"
        ).id
        for supplier in ("PAY", "IT")
    ]


@pytest.fixture
def corpus(db_session: Session) -> list[Expectation]:
    """90 expectations of the site, words drawn from a few (plurals among them), in every state,
    across two relationships; and another site's expectations holding the same words."""
    chance = random.Random(5)
    for other in organisation(db_session, OTHER):
        expectations.create_expectation(
            db_session, OTHER, relationship_id=other, statement="payroll deadline payslip day"
        )
    rels = organisation(db_session, SITE)
    made = []
    for i in range(90):
        expectation = expectations.create_expectation(
            db_session,
            SITE,
            relationship_id=rels[i % 2],
            statement=" ".join(chance.sample(WORDS, 3)),
            why_it_matters=chance.choice([None, "Payslips", "the deadline"]),
            measures=[{"name": chance.choice(WORDS), "target": 1}] if i % 3 else [],
        )
        state = STATES[i % len(STATES)]
        if state in ("proposed", "agreed"):
            expectations.transition(db_session, SITE, expectation.id, "proposed")
        if state == "agreed":
            expectations.transition(db_session, SITE, expectation.id, "agreed")
        if state == "retired":
            expectations.retire_expectation(db_session, SITE, expectation.id)
        made.append(expectation)
    return made


def every_page(session: Session, limit: int, **filters: object) -> list[int]:
    found: list[int] = []
    cursor = None
    for _ in range(200):  # more pages than there are expectations: a cursor that stands still
        page = expectations.list_expectations(
            session,
            SITE,
            limit=limit,
            cursor=cursor,
            **filters,  # type: ignore[arg-type]
        )
        assert len(page.values) <= limit
        found += [e.id for e in page.values]
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor
    raise AssertionError(f"no last page after 200 ({found[:10]}...)")


def selected(
    made: list[Expectation], words: str | None, state: list[str] | None, rel: list[int] | None
) -> list[int]:
    wanted = set(terms(words)) if words else set()
    return sorted(
        e.id
        for e in made
        if wanted <= set(terms_of([e.statement, e.why_it_matters, *(m.name for m in e.measures)]))
        and ((e.state != "retired") if not state else ("all" in state or e.state in state))
        and (rel is None or e.relationship_id in rel)
    )


SEARCHES: list[tuple[str | None, list[str] | None]] = [
    (None, None),
    ("payroll", None),
    ("payslips", None),  # stored singular
    ("deadline payroll", None),
    ("day policy payslip", None),
    ("days deadline", ["all"]),
    ("payroll", ["agreed", "proposed"]),
    ("laptop invoice", ["retired"]),
    ("zeppelin payroll", None),
]


def test_every_page_holds_what_the_words_and_filters_select(
    db_session: Session, corpus: list[Expectation]
) -> None:
    for words, state in SEARCHES:
        for rel in (None, [corpus[1].relationship_id]):
            expected = selected(corpus, words, state, rel)
            assert expected or words == "zeppelin payroll"
            for limit in (1, 4, 25):
                found = every_page(db_session, limit, q=words, state=state, relationship_id=rel)
                assert found == expected, (words, state, rel, limit)


def test_a_pages_health_is_what_health_reads_for_it(
    db_session: Session, corpus: list[Expectation]
) -> None:
    now = utcnow()
    for n, expectation in enumerate(corpus[:12]):
        for measure in expectation.measures:
            measure.latest_value = n % 2  # target 1: met on odd ones
        for author in range(n % 4):
            db_session.add(
                Feedback(
                    site_id=SITE,
                    expectation_id=expectation.id,
                    rating=1 + (n + author) % 5,
                    author_account_id=f"acc-{author}",
                    source="api",
                    at=now - timedelta(days=n + author),
                )
            )
    db_session.flush()
    page = expectations.list_expectations(db_session, SITE, state=["all"], limit=12)
    views = assess_expectations(db_session, page.values, now)
    read = expectation_health(db_session, SITE, [e.id for e in page.values], now)
    assert [v.health for v in views] == [read[e.id] for e in page.values]
    assert {v.health.band for v in views} > {"no_feedback"}  # some have enough ratings


def test_a_word_finds_its_plural_and_back(db_session: Session) -> None:
    """Issue #25: "cookies" found nothing about a cookie. Expected results are written out."""
    rel = organisation(db_session, SITE)[0]
    stated = {
        "cookie": "A fresh cookie every Friday",
        "movies": "Two movies a month for the team",
        "analyses": "Quarterly analyses of the payroll",
        "policies": "Travel policies reviewed",
        "cache": "The cache is warmed before nine",
    }
    ids = {
        name: expectations.create_expectation(
            db_session, SITE, relationship_id=rel, statement=statement
        ).id
        for name, statement in stated.items()
    }

    def found(words: str) -> list[int]:
        page = expectations.list_expectations(db_session, SITE, limit=50, q=words)
        return [e.id for e in page.values]

    for words, name in [
        ("cookie", "cookie"),
        ("cookies", "cookie"),
        ("movie", "movies"),
        ("movies", "movies"),
        ("analysis", "analyses"),
        ("Analyses", "analyses"),
        ("policy", "policies"),
        ("caches", "cache"),
        ("cache warmed", "cache"),
    ]:
        assert found(words) == [ids[name]], words
    assert found("cookery") == []
    assert found("movie cookie") == []
