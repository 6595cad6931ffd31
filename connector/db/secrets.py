"""Secrets at rest: columns of type `EncryptedText` hold Fernet tokens, never the clear text.

The keys come from `ICM_SECRET_KEYS` (comma-separated Fernet keys, never Flask's SECRET_KEY).
The first key encrypts; every key decrypts, so a rotation is: put a new key first, run
`flask --app connector icm rotate-keys` (it re-encrypts every encrypted column under the first
key), then drop the old key. Without ICM_SECRET_KEYS, the demo and the tests (TESTING, DEBUG or
ICM_SECRET_KEYS_AUTOCREATE) keep a key in `instance/secret.keys`; production refuses to start.

Each engine carries its own keyring (on its dialect), so two apps in one process never mix keys.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Engine, MetaData, Table, Text, select, update
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

KEY_FILE = "secret.keys"
_ATTRIBUTE = "icm_keyring"


class SecretKeysMissing(RuntimeError):
    """No key to encrypt or decrypt with: configure ICM_SECRET_KEYS."""


class SecretUnreadable(RuntimeError):
    """A stored secret no configured key can open (a lost or dropped key)."""


class Keyring:
    """The configured Fernet keys: the first encrypts, all of them decrypt."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise SecretKeysMissing("ICM_SECRET_KEYS holds no key")
        try:
            fernets = [Fernet(key.encode("ascii")) for key in keys]
            self._fernet = MultiFernet(fernets)
            self._first = fernets[0]
        except (ValueError, UnicodeEncodeError) as error:
            # The message never repeats the key itself.
            raise SecretKeysMissing(
                "ICM_SECRET_KEYS must be comma-separated Fernet keys (url-safe base64 of 32 bytes)"
            ) from error
        self.size = len(keys)

    def __repr__(self) -> str:  # never the keys
        return f"<Keyring of {self.size} key(s)>"

    def encrypt(self, clear: str) -> str:
        return self._fernet.encrypt(clear.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        return _opened(self._fernet.decrypt, token).decode("utf-8")

    def under_first_key(self, token: str) -> bool:
        """Whether the first key (the one that encrypts) opens `token` by itself."""
        try:
            self._first.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            return False
        return True

    def rotate(self, token: str) -> str:
        """The same secret under the first key (raises SecretUnreadable if no key opens it)."""
        return _opened(self._fernet.rotate, token).decode("ascii")


def _opened(operation: Callable[[bytes], bytes], token: str) -> bytes:
    """`operation` (decrypt or rotate) applied to the token; SecretUnreadable if no key opens it."""
    try:
        return operation(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError) as error:
        raise SecretUnreadable(
            "a stored secret cannot be decrypted with any key in ICM_SECRET_KEYS"
        ) from error


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def parse_keys(value: object) -> list[str]:
    """`ICM_SECRET_KEYS` as a list: a comma-separated string or a list of strings."""
    if value is None:
        return []
    items: Iterable[object] = value.split(",") if isinstance(value, str) else value  # type: ignore[assignment]
    return [str(item).strip() for item in items if str(item).strip()]


def instance_keys(instance_path: str | Path) -> list[str]:
    """The keys kept in the instance folder, made on first use (demo and tests only)."""
    path = Path(instance_path) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(new_key() + "\n")
    return parse_keys(path.read_text(encoding="ascii").replace("\n", ","))


def use_keyring(engine: Engine, keyring: Keyring | None) -> None:
    setattr(engine.dialect, _ATTRIBUTE, keyring)


def keyring_of(bind: Engine | Connection | Any) -> Keyring:
    dialect = bind if not hasattr(bind, "dialect") else bind.dialect
    keyring: Keyring | None = getattr(dialect, _ATTRIBUTE, None)
    if keyring is None:
        raise SecretKeysMissing("no ICM_SECRET_KEYS configured for this database")
    return keyring


class EncryptedText(TypeDecorator[str]):
    """A string stored as a Fernet token under the engine's keyring; read back in clear."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return keyring_of(dialect).encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return keyring_of(dialect).decrypt(value)


def encrypted_columns(metadata: MetaData) -> list[tuple[Table, str]]:
    """Every (table, column) whose type is EncryptedText, found from the models."""
    return [
        (table, column.name)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


def _stored(connection: Connection, table: Table, name: str) -> tuple[Any, list[Any]]:
    """The raw tokens of one encrypted column (lightweight columns, no EncryptedText processing),
    with their rows' keys."""
    keys = [column.name for column in table.primary_key.columns]
    raw = sql_table(table.name, *[sql_column(key) for key in keys], sql_column(name))
    rows = connection.execute(
        select(*[raw.c[key] for key in keys], raw.c[name]).where(raw.c[name].is_not(None))
    ).all()
    return raw, list(rows)


def secrets_to_rotate(connection: Connection, metadata: MetaData) -> tuple[int, int]:
    """(stored secrets, those the first key does not open): when the second is 0, rotating moves
    nothing, and a first key that is not the new one is the likely reason."""
    keyring = keyring_of(connection)
    total = stale = 0
    for table, name in encrypted_columns(metadata):
        _raw, rows = _stored(connection, table, name)
        total += len(rows)
        stale += sum(not keyring.under_first_key(row[-1]) for row in rows)
    return total, stale


def rotate_all(connection: Connection, metadata: MetaData) -> int:
    """Re-encrypt every stored secret under the first key; the number of values rewritten.

    Reads and writes the raw tokens (lightweight columns, no EncryptedText processing), so the
    clear text never passes through here."""
    keyring = keyring_of(connection)
    count = 0
    for table, name in encrypted_columns(metadata):
        keys = [column.name for column in table.primary_key.columns]
        raw, rows = _stored(connection, table, name)
        for row in rows:
            match = [raw.c[key] == row[index] for index, key in enumerate(keys)]
            connection.execute(update(raw).where(*match).values({name: keyring.rotate(row[-1])}))
            count += 1
    return count
