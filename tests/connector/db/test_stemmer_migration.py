"""0011_stemmer: an index written by the old stemmer is rebuilt, so "cookie" finds "cookies"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from connector.db import Database
from connector.practice import expectations, relationships, teams
from tests.conftest import TEST_KEYRING, scratch_postgres


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own (the shared PostgreSQL test database is migrated to the head)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    with scratch_postgres("icm_stem") as url:
        yield url


def test_the_index_is_rebuilt_with_the_new_stems(database_url: str) -> None:
    database = Database(database_url, keyring=TEST_KEYRING)
    try:
        database.migrate("0009_perf")
        with database.transaction() as session:  # the schema of 0009 is the models' own
            for key in ("PAY", "HR"):
                teams.create_team(session, "s", key=key, name=key)
            rel = relationships.create_relationship(
                session, "s", supplier="PAY", customer="HR", service="x"
            )
            made = expectations.create_expectation(
                session,
                "s",
                relationship_id=rel.id,
                statement="Fresh cookies on Fridays",
                cadence_days=30,  # given: the site's settings table gains columns after 0009
            )
            # what the hand-written stemmer stored: cookies -> cooky
            session.execute(text("DELETE FROM expectation_terms"))
            session.execute(
                text(
                    "INSERT INTO expectation_terms (expectation_id, term, site_id) VALUES "
                    "(:id, 'fresh', 's'), (:id, 'cooky', 's'), (:id, 'on', 's'), "
                    "(:id, 'friday', 's')"
                ),
                {"id": made.id},
            )

        database.migrate()

        with database.transaction() as session:
            stored = session.execute(text("SELECT term FROM expectation_terms ORDER BY term"))
            assert stored.scalars().all() == ["cooki", "fresh", "friday", "on"]
            for words in ("cookie", "cookies", "fridays"):
                page = expectations.list_expectations(session, "s", limit=5, q=words)
                assert [e.id for e in page.values] == [made.id], words
    finally:
        database.engine.dispose()
