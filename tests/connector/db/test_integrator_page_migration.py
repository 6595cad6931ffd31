"""0014_integrator_page: review_packs holds an integrator's page (no relationship) beside the
relationships' packs, one subject per row; going back drops the integrators' rows only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from connector.db import Database, alembic_config
from connector.practice import relationships, teams
from tests.conftest import TEST_KEYRING, scratch_postgres

INSERT = text(
    "INSERT INTO review_packs (site_id, relationship_id, integrator_account_id, period, title,"
    " space_key, state, attempts, requested_at) VALUES ('s', :relationship, :integrator,"
    " '2026-Q4', :title, 'ICM', 'failed', 1, CURRENT_TIMESTAMP)"
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        found = Database(f"sqlite:///{tmp_path / 'packs.sqlite3'}", keyring=TEST_KEYRING)
        yield found
        found.engine.dispose()
        return
    with scratch_postgres("icm_packs") as url:
        found = Database(url, keyring=TEST_KEYRING)
        yield found
        found.engine.dispose()


def titles(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return list(connection.scalars(text("SELECT title FROM review_packs ORDER BY title")))


def test_one_subject_per_row_and_back_again(database: Database) -> None:
    database.migrate()
    with database.transaction() as session:
        for key in ("PAY", "HR"):
            teams.create_team(session, "s", key=key, name=key)
        rel = relationships.create_relationship(
            session, "s", supplier="PAY", customer="HR", service="x"
        )
        relationship_id = rel.id
    with database.engine.begin() as connection:
        connection.execute(
            INSERT, {"relationship": relationship_id, "integrator": None, "title": "pack"}
        )
        connection.execute(INSERT, {"relationship": None, "integrator": "abc", "title": "page"})
    for relationship, integrator in ((None, None), (relationship_id, "abc")):  # one subject
        values = {"relationship": relationship, "integrator": integrator, "title": "bad"}
        with pytest.raises(IntegrityError), database.engine.begin() as connection:
            connection.execute(INSERT, values)
    with pytest.raises(IntegrityError), database.engine.begin() as connection:  # one per period
        connection.execute(INSERT, {"relationship": None, "integrator": "abc", "title": "twice"})

    with database.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0013_forge_multi")
    assert titles(database) == ["pack"]

    database.migrate()
    assert titles(database) == ["pack"]
