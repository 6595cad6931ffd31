"""The role lookups, pinned as README "Who may do what" states them: Jira's administrator answer
is remembered 60 seconds per site and user, each answer from its own asking; when Jira cannot be
asked the answer is "no" and is not remembered."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask

from connector.jira.site import JiraCallFailed
from connector.practice import roles
from connector.practice.roles import ADMIN_CHECK, is_site_admin


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


class Jira:
    """The administrator check at the seam `connector.practice.roles` offers, counting calls."""

    def __init__(self, admins: set[str]) -> None:
        self.admins = admins
        self.asked: list[str] = []
        self.down = False

    def __call__(self, _session: object, _site: str, account: str) -> bool:
        self.asked.append(account)
        if self.down:
            raise JiraCallFailed("POST", "permissions/check", 0, ["unreachable"])
        return account in self.admins


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(roles, "time", fake)
    return fake


@pytest.fixture
def jira(app: Flask) -> Iterator[Jira]:
    fake = Jira({"acc-admin"})
    app.extensions[ADMIN_CHECK] = fake
    with app.app_context():
        yield fake


def admin(account: str) -> bool:
    return is_site_admin(None, "site-a", account)  # type: ignore[arg-type]


def test_an_answer_is_kept_60_seconds(clock: Clock, jira: Jira) -> None:
    assert admin("acc-admin") is True
    clock.now += 59.9
    assert admin("acc-admin") is True
    assert jira.asked == ["acc-admin"]
    clock.now += 0.1  # 60 s after the asking
    jira.admins.clear()
    assert admin("acc-admin") is False
    assert jira.asked == ["acc-admin", "acc-admin"]


def test_answers_expire_one_by_one(clock: Clock, jira: Jira) -> None:
    admin("acc-1")
    clock.now += 30
    admin("acc-2")
    clock.now += 31  # acc-1's answer is 61 s old, acc-2's 31 s
    admin("acc-1")
    admin("acc-2")
    assert jira.asked == ["acc-1", "acc-2", "acc-1"]


def test_a_full_cache_drops_one_answer_not_all(clock: Clock, jira: Jira) -> None:
    for n in range(10_000):
        admin(f"acc-{n}")
    admin("acc-new")
    asked = len(jira.asked)
    admin("acc-1")  # still kept: only the least recently used went
    assert len(jira.asked) == asked
    admin("acc-0")
    assert len(jira.asked) == asked + 1


def test_when_jira_cannot_be_asked_the_answer_is_no_and_not_kept(
    clock: Clock, jira: Jira, caplog: pytest.LogCaptureFixture
) -> None:
    jira.down = True
    with caplog.at_level(logging.WARNING, logger="connector.practice.roles"):
        assert admin("acc-admin") is False
    [record] = caplog.records
    assert record.getMessage() == "administrator check failed; refusing"
    assert record.status == {"status": 0}  # type: ignore[attr-defined]
    assert "acc-admin" not in caplog.text
    assert admin("acc-admin") is False
    assert jira.asked == ["acc-admin", "acc-admin"]
    jira.down = False
    assert admin("acc-admin") is True


def test_a_caller_without_a_user_is_no_administrator(jira: Jira) -> None:
    assert is_site_admin(None, "site-a", None) is False  # type: ignore[arg-type]
    assert jira.asked == []
