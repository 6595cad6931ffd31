"""Search over expectations: an inverted index of their words, kept beside them.

Each expectation's statement, why it matters, growth opportunity and measure names become terms
(`connector.domain.words`), one row per term, indexed by (site, term). A search asks for the rows
holding every term of the query, so SQLite and PostgreSQL answer it alike, and from an index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, Select, String, and_, delete, insert, select
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from connector.db import Base
from connector.domain.errors import ValidationFailed
from connector.domain.words import MAX_TERM, terms, terms_of
from connector.practice.models import Expectation

MAX_QUERY_TERMS = 8


class ExpectationTerm(Base):
    __tablename__ = "expectation_terms"
    __table_args__ = (
        Index("ix_expectation_terms_site_id_term", "site_id", "term", "expectation_id"),
    )

    expectation_id: Mapped[int] = mapped_column(
        ForeignKey("expectations.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(String(MAX_TERM), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255))


def searchable_text(expectation: Expectation) -> list[str | None]:
    return [
        expectation.statement,
        expectation.why_it_matters,
        expectation.growth_opportunity,
        *(measure.name for measure in expectation.measures),
    ]


def index_expectation(session: Session, expectation: Expectation) -> None:
    """Replace the expectation's terms with those of its text as it is now (it has an id)."""
    session.execute(delete(ExpectationTerm).where(ExpectationTerm.expectation_id == expectation.id))
    rows = [
        {"expectation_id": expectation.id, "term": term, "site_id": expectation.site_id}
        for term in terms_of(searchable_text(expectation))
    ]
    if rows:
        session.execute(insert(ExpectationTerm), rows)


def search_terms(query: str) -> list[str]:
    """The terms of a search (422 when it has none, or too many)."""
    wanted = terms(query)
    if not wanted:
        raise ValidationFailed(
            "the search has no words", details={"q": ["give at least one letter or digit"]}
        )
    if len(wanted) > MAX_QUERY_TERMS:
        raise ValidationFailed(
            f"the search has {len(wanted)} words; at most {MAX_QUERY_TERMS}",
            details={"q": [f"at most {MAX_QUERY_TERMS} words"]},
        )
    return wanted


def searched(query: Select[Any], site_id: str, words: str) -> tuple[Select[Any], Any]:
    """`query` narrowed to the expectations holding every term of `words`, and the column to page
    by. The first term's index rows, walked in expectation order from the cursor, drive the
    search; each further term is one index lookup per candidate, so a page reads about as many
    rows as it needs whatever the database knows of the table.

    The lookups are correlated EXISTS with OFFSET 0, which keeps PostgreSQL from turning them into
    a join: without statistics (a table just loaded, before autovacuum's ANALYZE) it estimated
    one row per term and planned that join as a nested loop re-reading the second term's whole
    index range for each row of the first (300 ms at 20,000 expectations instead of 1 ms)."""
    first, *others = search_terms(words)
    driver = aliased(ExpectationTerm)
    query = query.join(
        driver,
        and_(
            driver.expectation_id == Expectation.id,
            driver.site_id == site_id,
            driver.term == first,
        ),
    )
    for term in others:
        also = aliased(ExpectationTerm)
        query = query.where(
            select(also.expectation_id)
            .where(
                also.expectation_id == driver.expectation_id,
                also.site_id == site_id,
                also.term == term,
            )
            .offset(0)
            .exists()
        )
    return query, driver.expectation_id
