"""Fixtures shared by every test: apps on a migrated database, PostgreSQL when asked, the specs."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from connector import create_app
from connector.db import Database
from connector.db.secrets import Keyring, new_key
from connector.practice.privacy import erase_also
from sandbox.contracts import default_specs_dir
from tests.support.atlassian import KeyServer, new_rsa_key, public_pem, serve
from tests.support.live import LiveSite
from tests.support.live import live_site as start_live_site
from tests.support.prerequisites import missing, required
from webhooks.erasure import erase_account as inbox_erasure_of_account

APP_BASE_URL = "https://icm.example.test"
# The key of the databases the store tests open directly (apps make theirs in the instance folder).
TEST_KEYRING = Keyring([new_key()])


def specs_dir() -> Path | None:
    candidate = default_specs_dir()
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session", autouse=True)
def everything_ci_needs() -> None:
    """In CI (ICM_REQUIRE_ALL=1) the run stops at once when a prerequisite is missing, rather than
    at the first test that needs it (the sandbox would otherwise run its contract check off)."""
    if not required():
        return
    chromium = os.environ.get("ICM_CHROMIUM", "/usr/bin/chromium")
    absent = [
        what
        for what, present in (
            ("Atlassian's specs (ICM_SPECS_DIR)", specs_dir() is not None),
            ("PostgreSQL (ICM_TEST_POSTGRES_URL)", bool(os.environ.get("ICM_TEST_POSTGRES_URL"))),
            ("npm", shutil.which("npm") is not None),
            ("node", shutil.which("node") is not None),
            (f"Chromium ({chromium})", Path(chromium).exists()),
        )
        if not present
    ]
    if absent:
        pytest.exit(f"ICM_REQUIRE_ALL=1 but missing: {', '.join(absent)}", returncode=3)


@pytest.fixture(scope="session", autouse=True)
def inbox_erasure() -> None:
    """What the app factory registers, for the tests that erase without building an app."""
    erase_also("webhook_inbox", inbox_erasure_of_account)


@pytest.fixture(scope="session")
def specs() -> Path:
    found = specs_dir()
    if found is None:
        missing("Atlassian's specs are not beside the checkout (set ICM_SPECS_DIR)")
    return found


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrations run once)."""
    path = tmp_path_factory.mktemp("template") / "icm.sqlite3"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    database.engine.dispose()
    return path


@pytest.fixture(scope="session")
def install_keys() -> Iterator[KeyServer]:
    server = KeyServer()
    with serve(server) as url:
        server.url = url
        yield server


@pytest.fixture(scope="session")
def signing_key() -> Any:
    return new_rsa_key()


@pytest.fixture
def kid(install_keys: KeyServer, signing_key: Any) -> str:
    kid = f"kid-{uuid.uuid4().hex[:12]}"
    install_keys.keys[kid] = public_pem(signing_key)
    return kid


@pytest.fixture
def app_config(tmp_path: Path, sqlite_template: Path, install_keys: KeyServer) -> dict[str, Any]:
    database = tmp_path / "icm.sqlite3"
    shutil.copy(sqlite_template, database)
    return {
        "TESTING": True,
        "BASE_URL": APP_BASE_URL,
        "DATABASE_URL": f"sqlite:///{database}",
        "INSTALL_KEYS_URL": install_keys.url,
        "ALLOWED_PRODUCT_HOSTS": "*.atlassian.net,127.0.0.1,localhost",
        "LOG_FORMAT": "json",
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    application = create_app(app_config)
    yield application
    application.extensions["icm.db"].engine.dispose()


@pytest.fixture
def live_site(app_config: dict[str, Any]) -> Iterator[LiveSite]:
    """The app on a free port, installed into a fresh sandbox site (Jira and Confluence).

    Spec validation is on whenever Atlassian's documents are beside the checkout.
    """
    with start_live_site(app_config, specs_dir()) as site:
        yield site
        assert site.sandbox.contract_violations == [], site.sandbox.contract_violations


# --- PostgreSQL: ICM_TEST_POSTGRES_URL switches it on (CI does); otherwise those tests skip.


@contextmanager
def scratch_postgres(prefix: str) -> Iterator[str]:
    """The URL of a PostgreSQL database of its own on ICM_TEST_POSTGRES_URL's server, dropped
    after (skipped, or failed under ICM_REQUIRE_ALL, without that server)."""
    server_url = os.environ.get("ICM_TEST_POSTGRES_URL")
    if not server_url:
        missing("set ICM_TEST_POSTGRES_URL to run the PostgreSQL suite")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with scratch_postgres("icm_test") as url:
        yield url


@pytest.fixture(scope="session")
def migrated_databases() -> Iterator[dict[str, Database]]:
    cache: dict[str, Database] = {}
    yield cache
    for database in cache.values():
        database.engine.dispose()


def _migrated(kind: str, request: pytest.FixtureRequest, cache: dict[str, Database]) -> Database:
    if kind not in cache:
        if kind == "postgres":
            url = request.getfixturevalue("postgres_url")
        else:
            folder = request.getfixturevalue("tmp_path_factory").mktemp("sqlite")
            url = f"sqlite:///{folder / 'contract.sqlite3'}"
        database = Database(url, keyring=TEST_KEYRING)
        database.migrate()
        cache[kind] = database
    return cache[kind]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_session(
    request: pytest.FixtureRequest, migrated_databases: dict[str, Database]
) -> Iterator[Session]:
    """A session on a migrated SQLite or PostgreSQL database, rolled back after the test."""
    database = _migrated(request.param, request, migrated_databases)
    connection = database.engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()
