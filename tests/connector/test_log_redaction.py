"""No accountId or webhook payload reaches a log line (issue #24): not through SQLAlchemy's
statement logs or its errors, not through a failed inbox commit."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from connector.db import get_db, unpinged_engine
from connector.logs import redact
from tests.support.api import Api, seed
from tests.support.databases import app_config
from webhooks.committer import GroupCommitter
from webhooks.inbox import Delivery

__all__ = ["app_config"]

ACCOUNTS = ["5b10ac8d82e05b22cc7d4ef5", "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"]


@pytest.fixture
def sql_logged() -> Iterator[None]:
    """SQLAlchemy's statement log on, as an operator chasing a problem would turn it on."""
    engine_log = logging.getLogger("sqlalchemy.engine")
    level = engine_log.level
    engine_log.setLevel(logging.INFO)
    yield
    engine_log.setLevel(level)


def test_statement_logs_carry_no_account_id(
    api: Api, sql_logged: None, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api)
    capsys.readouterr()
    api.as_("lead-PAY").ok("PUT", "/teams/PAY/members", {"accountIds": ACCOUNTS})
    logged = capsys.readouterr().err
    assert "team_members" in logged  # the statements were logged ...
    for account in ACCOUNTS:
        assert account not in logged  # ... without their parameters


def test_a_failed_inbox_commit_logs_no_row(app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    if get_db(app).engine.dialect.name != "postgresql":
        pytest.skip("the group committer runs on PostgreSQL")
    committer = GroupCommitter(unpinged_engine(get_db(app).url))
    body = {"comment": {"author": {"accountId": ACCOUNTS[0]}, "body": "Payroll was late again"}}
    too_long = Delivery(
        site_id="site",
        client_key="c" * 300,  # longer than the column allows: the insert fails
        event="comment_created",
        webhook_id="w-1",
        retry_count=0,
        flow="Primary",
        body=json.dumps(body),
        event_at=None,
    )
    capsys.readouterr()
    with pytest.raises(RuntimeError):
        committer.submit(too_long)
    logged = capsys.readouterr().err
    assert "inbox commit failed" in logged
    assert ACCOUNTS[0] not in logged and "Payroll was late" not in logged
    committer.engine.dispose()


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ('{"accountId": "lead-PAY"}', '{"accountId": "[account]"}'),
        ("members set: accountIds=['a', 'b']", "members set: accountIds=[accounts]"),
        ("author 5b10ac8d82e05b22cc7d4ef5 rated", "author [account] rated"),
        ("557058:f58131cb-b67d-43c7-b30d-6b58d40bd077", "[account]"),
        ("commit 0123456789abcdef0123456789abcdef01234567", None),  # 40 hex: not an accountId
    ],
)
def test_the_redaction_filter(line: str, kept: Any) -> None:
    assert redact(line) == (line if kept is None else kept)
