"""Secrets at rest: shared secrets and Forge app tokens are Fernet tokens in the database, keys come
from ICM_SECRET_KEYS (first encrypts, all decrypt), `icm rotate-keys` re-encrypts, the migration
encrypts rows written before it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import text

from connector import create_app
from connector.db import Database, alembic_config, get_db, utcnow
from connector.db.secrets import (
    Keyring,
    SecretKeysMissing,
    SecretUnreadable,
    new_key,
)
from connector.platforms.connect.tenants import Installation, SqlTenantStore
from connector.platforms.forge.installations import ForgeInstallation

SECRET = "shared-secret-" + "s" * 40
TOKEN = "forge-app-token-" + "t" * 40


def _install(app: Flask, client_key: str = "client-1") -> None:
    with get_db(app).transaction() as session:
        SqlTenantStore(session).save_installation(
            Installation(
                client_key=client_key,
                app_key="icm",
                shared_secret=SECRET,
                base_url="https://acme.atlassian.net",
                product_type="jira",
                cloud_id="cloud-1",
            )
        )
        now = utcnow()
        session.add(
            ForgeInstallation(
                installation_id="forge-1",
                app_id="ari:cloud:ecosystem::app/x",
                site_id="cloud-1",
                product="jira",
                api_base_url="https://api.example.test/ex/jira/cloud-1",
                state="installed",
                system_token=TOKEN,
                system_token_expires_at=now + timedelta(hours=1),
                installed_at=now,
                updated_at=now,
            )
        )


def _raw(app: Flask) -> list[str]:
    with get_db(app).engine.connect() as connection:
        secrets = connection.execute(text("SELECT shared_secret FROM tenants")).scalars().all()
        tokens = (
            connection.execute(text("SELECT system_token FROM forge_installations")).scalars().all()
        )
    return [*secrets, *tokens]


def _read(app: Flask) -> tuple[str, str | None]:
    with get_db(app).transaction() as session:
        tenant = SqlTenantStore(session).get("client-1")
        forge = session.get(ForgeInstallation, "forge-1")
        assert tenant is not None and forge is not None
        return tenant.shared_secret, forge.system_token


def _app(config: dict[str, Any], keys: str) -> Flask:
    return create_app({**config, "SECRET_KEYS": keys})


def test_secrets_are_stored_encrypted_and_read_in_clear(app: Flask) -> None:
    _install(app)
    raw = _raw(app)
    assert len(raw) == 2
    for value in raw:
        assert SECRET not in value and TOKEN not in value
        assert value.startswith("gAAAAA")  # a Fernet token
    assert _read(app) == (SECRET, TOKEN)
    # The test app made its key in the instance folder, readable by its owner only.
    key_file = Path(app.instance_path) / "secret.keys"
    assert key_file.exists() and key_file.stat().st_mode & 0o077 == 0


def test_rotate_keys(app_config: dict[str, Any]) -> None:
    old, new = new_key(), new_key()
    first = _app(app_config, old)
    get_db(first).migrate()
    _install(first)
    before = _raw(first)
    first.extensions["icm.db"].engine.dispose()

    rotating = _app(app_config, f"{new},{old}")
    assert _read(rotating) == (SECRET, TOKEN)  # the old key still decrypts during the rotation
    result = rotating.test_cli_runner().invoke(args=["icm", "rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted 2 secret(s)" in result.output
    assert SECRET not in result.output and new not in result.output and old not in result.output
    after = _raw(rotating)
    assert after != before and all(SECRET not in v and TOKEN not in v for v in after)
    rotating.extensions["icm.db"].engine.dispose()

    only_new = _app(app_config, new)
    assert _read(only_new) == (SECRET, TOKEN)  # the old key can go
    only_new.extensions["icm.db"].engine.dispose()

    only_old = _app(app_config, old)
    with pytest.raises(SecretUnreadable):  # a lost key: the secrets cannot be read
        _read(only_old)
    only_old.extensions["icm.db"].engine.dispose()


def test_rotate_keys_in_the_wrong_order_warns_and_moves_nothing(app_config: dict[str, Any]) -> None:
    """`new,old` is a rotation; `old,new` (the new key second) re-encrypts nothing, and saying it
    did would have the operator drop the key every secret needs (issue #24)."""
    old, new = new_key(), new_key()
    first = _app(app_config, old)
    get_db(first).migrate()
    _install(first)
    before = _raw(first)
    first.extensions["icm.db"].engine.dispose()

    wrong = _app(app_config, f"{old},{new}")
    result = wrong.test_cli_runner().invoke(args=["icm", "rotate-keys"])
    assert result.exit_code == 1, result.output
    assert "already encrypts all 2 stored secret(s), so nothing was re-encrypted" in result.output
    assert "re-encrypted 2" not in result.output
    assert _raw(wrong) == before
    wrong.extensions["icm.db"].engine.dispose()

    right = _app(app_config, f"{new},{old}")
    assert right.test_cli_runner().invoke(args=["icm", "rotate-keys"]).exit_code == 0
    again = right.test_cli_runner().invoke(args=["icm", "rotate-keys"])  # done already
    assert again.exit_code == 1 and "nothing was re-encrypted" in again.output
    right.extensions["icm.db"].engine.dispose()


def test_production_refuses_to_start_without_keys(tmp_path: Path) -> None:
    config = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "TESTING": False}
    with pytest.raises(SecretKeysMissing):
        create_app(config)
    with pytest.raises(SecretKeysMissing, match="Fernet keys"):
        create_app({**config, "SECRET_KEYS": "not-a-key"})


def test_the_migration_encrypts_existing_rows(tmp_path: Path) -> None:
    keyring = Keyring([new_key()])
    database = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}", keyring=keyring)
    try:
        database.migrate("0005_forge")
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO tenants (client_key, site_id, product_type, app_key, base_url,"
                    " shared_secret, state, installed_at, updated_at) VALUES ('c', 's', 'jira',"
                    " 'icm', 'https://a.atlassian.net', :secret, 'installed', :now, :now)"
                ),
                {"secret": SECRET, "now": utcnow()},
            )
        database.migrate()
        with database.engine.connect() as connection:
            stored = connection.execute(text("SELECT shared_secret FROM tenants")).scalar_one()
        assert stored != SECRET and keyring.decrypt(stored) == SECRET
        with database.engine.begin() as connection:  # and back: the downgrade decrypts
            command.downgrade(alembic_config(connection), "0005_forge")
        with database.engine.connect() as connection:
            stored = connection.execute(text("SELECT shared_secret FROM tenants")).scalar_one()
        assert stored == SECRET
    finally:
        database.engine.dispose()


def test_the_keyring_never_shows_its_keys() -> None:
    key = new_key()
    keyring = Keyring([key])
    assert key not in repr(keyring)
    with pytest.raises(SecretUnreadable) as caught:
        Keyring([new_key()]).decrypt(keyring.encrypt(SECRET))
    assert SECRET not in str(caught.value)
