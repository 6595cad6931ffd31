"""The database: a typed declarative base, one engine per app, sessions scoped to a unit of work.

SQLite (WAL) in the instance folder by default; PostgreSQL through ICM_DATABASE_URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from flask import Flask, current_app, g
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, make_url, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from connector.db.deadlines import answer_within, ping_on_checkout
from connector.db.secrets import (
    Keyring,
    SecretKeysMissing,
    instance_keys,
    parse_keys,
    use_keyring,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
MIGRATIONS = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


def rows_affected(result: Any) -> int:
    """How many rows an UPDATE or DELETE touched (0 when the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)


class Database:
    """One engine and session factory; `transaction()` is the unit of work."""

    def __init__(self, url: str, *, echo: bool = False, keyring: Keyring | None = None) -> None:
        self.url = url
        self.engine: Engine = _make_engine(url, echo=echo)
        use_keyring(self.engine, keyring)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self, within: float = 3.0) -> None:
        """SELECT 1 on a connection of its own (not the pool's, whose pre-ping could wait on a
        silent socket), answered within `within` seconds or failed as a lost connection."""
        if self.is_sqlite:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return
        with self._probe.connect() as connection, answer_within(connection, within):
            connection.execute(text("SELECT 1"))

    @cached_property
    def _probe(self) -> Engine:
        return create_engine(
            self.url,
            poolclass=NullPool,
            hide_parameters=True,
            connect_args=postgres_connect_args(self.url),
        )

    def migrate(self, revision: str = "heads") -> None:
        with self.engine.begin() as connection:
            if not self.is_sqlite:  # a migration may rewrite a big table: no statement timeout
                connection.execute(text("SET LOCAL statement_timeout = 0"))
            config = alembic_config(connection)
            command.upgrade(config, revision)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


def alembic_config(connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


# A database that goes away must not hold a request, a worker or the intake for ever.
# PostgreSQL: a connection attempt gives up after CONNECT_TIMEOUT; TCP keepalives (and
# tcp_user_timeout, for data sent and never acknowledged) find a peer that vanished from the
# network; the server ends a statement after STATEMENT_TIMEOUT and a transaction left idle after
# IDLE_IN_TRANSACTION_TIMEOUT. Options given in ICM_DATABASE_URL's query win over these. A
# server silent behind an open socket is noticed by a client-side deadline where an answer is
# due in time (`connector.db.deadlines`). SQLite (a local file): a lock is waited for at most
# SQLITE_BUSY_SECONDS, then the statement fails ("database is locked").
CONNECT_TIMEOUT = 5
HOT_PATH_CONNECT_TIMEOUT = 3
STATEMENT_TIMEOUT_MS = 60_000
IDLE_IN_TRANSACTION_TIMEOUT_MS = 120_000
SQLITE_BUSY_SECONDS = 10
POSTGRES_CONNECT_ARGS: dict[str, Any] = {
    "connect_timeout": CONNECT_TIMEOUT,
    "keepalives": 1,
    "keepalives_idle": 15,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
    "options": (
        f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
        f" -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT_MS}"
    ),
}


def postgres_connect_args(url: str, **overrides: Any) -> dict[str, Any]:
    """The connection settings above (with `overrides`), less those the URL sets itself (none
    for SQLite)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return {}
    wanted = POSTGRES_CONNECT_ARGS | overrides
    return {name: value for name, value in wanted.items() if name not in parsed.query}


def _make_engine(url: str, *, echo: bool) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            hide_parameters=True,  # rows hold accountIds: never in a log line or an error
            connect_args={"timeout": SQLITE_BUSY_SECONDS},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(
        url, echo=echo, hide_parameters=True, connect_args=postgres_connect_args(url)
    )
    event.listen(engine, "checkout", ping_on_checkout)
    return engine


def unpinged_engine(url: str) -> Engine:
    """A small pool without a ping before each use, for a hot path that retries on its own: a
    connection that died fails its statement, the pool is then renewed, and the retry works. It
    gives up connecting sooner (the intake answers within Jira's wait)."""
    return create_engine(
        url,
        pool_size=2,
        max_overflow=2,
        hide_parameters=True,
        connect_args=postgres_connect_args(url, connect_timeout=HOT_PATH_CONNECT_TIMEOUT),
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_app(app: Flask) -> None:
    url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'icm.sqlite3'}"
    app.config["DATABASE_URL"] = url
    app.extensions["icm.db"] = Database(url, keyring=app_keyring(app))
    app.teardown_appcontext(_close_request_session)


def app_keyring(app: Flask) -> Keyring:
    """ICM_SECRET_KEYS; lacking it, a key in the instance folder for the demo and the tests."""
    keys = parse_keys(app.config.get("SECRET_KEYS"))
    if not keys:
        if not (app.testing or app.debug or app.config.get("SECRET_KEYS_AUTOCREATE")):
            raise SecretKeysMissing(
                "set ICM_SECRET_KEYS to one or more comma-separated Fernet keys (make one with "
                "`python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`)"
            )
        keys = instance_keys(app.instance_path)
    return Keyring(keys)


def get_db(app: Flask | None = None) -> Database:
    database: Database = (app or current_app).extensions["icm.db"]
    return database


def request_session() -> Session:
    """The session of the current request; committed by the view, closed at teardown."""
    if "icm_session" not in g:
        g.icm_session = get_db().sessions()
    session: Session = g.icm_session
    return session


def _close_request_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("icm_session", None)
    if session is not None:
        session.close()
