"""Rendered maps are reused until the data behind them changes; the cache stays bounded."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from connector.db import get_db
from connector.platforms.connect.tenants import SqlTenantStore
from connector.practice.models import Expectation, Feedback, Measure, Relationship, Team
from macros.data import customer_map_view
from macros.data_version import data_version
from macros.fragment_cache import FragmentCache
from macros.links import JiraLinks
from tests.macros.seed import SiteKeys, expect, install_site, payroll_organisation, relate

PATH = "/macros/customer-map?team=PAY&sides=&expectations=true"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def outcome(response: TestResponse) -> str:
    assert response.status_code == 200
    return response.headers["Server-Timing"].split('desc="')[1].rstrip('"')


def test_second_view_is_a_hit_and_the_same_page(client: FlaskClient, keys: SiteKeys) -> None:
    first = client.get(keys.signed(PATH))
    second = client.get(keys.signed(PATH))
    assert (outcome(first), outcome(second)) == ("miss", "hit")
    assert first.data == second.data
    # Another option is another rendering; so is the static one (an A4 page, words printed).
    assert outcome(client.get(keys.signed(PATH.replace("true", "false")))) == "miss"
    static = PATH.replace("customer-map?", "customer-map/static?")
    assert outcome(client.get(keys.signed(static))) == "miss"
    assert outcome(client.get(keys.signed(static))) == "hit"


def _rate(session: Session, site_id: str) -> None:
    exp = session.scalars(select(Expectation).where(Expectation.site_id == site_id)).first()
    assert exp is not None
    session.add(
        Feedback(
            site_id=site_id,
            expectation_id=exp.id,
            rating=2,
            author_account_id="x",
            source="api",
            comment="Late again",
        )
    )


def _rename(session: Session, site_id: str) -> None:
    team = session.scalars(select(Team).where(Team.site_id == site_id, Team.key == "HR")).one()
    team.name = "People Operations"


def _measure(session: Session, site_id: str) -> None:
    measure = session.scalars(
        select(Measure).join(Expectation).where(Expectation.site_id == site_id)
    ).first()
    assert measure is not None
    measure.latest_value = 12.0
    measure.latest_at = datetime.now(UTC)


def _retire(session: Session, site_id: str) -> None:
    rel = session.scalars(
        select(Relationship).where(
            Relationship.site_id == site_id, Relationship.service == "monthly payroll run"
        )
    ).one()
    rel.state = "retired"


def _edit_feedback(session: Session, site_id: str) -> None:
    feedback = session.scalars(select(Feedback).where(Feedback.site_id == site_id)).first()
    assert feedback is not None
    feedback.rating = 1 if feedback.rating != 1 else 2


def _delete_feedback(session: Session, site_id: str) -> None:
    feedback = session.scalars(select(Feedback).where(Feedback.site_id == site_id)).first()
    session.delete(feedback)


def _rename_site(session: Session, site_id: str) -> None:
    jira = SqlTenantStore(session).for_site(site_id, "jira")
    assert jira is not None
    jira.base_url = "https://renamed.atlassian.net"
    jira.updated_at = datetime.now(UTC)


def _new_relationship(session: Session, site_id: str) -> None:
    teams = {t.key: t for t in session.scalars(select(Team).where(Team.site_id == site_id))}
    expect(session, relate(session, teams["PAY"], teams["IT"], "payroll data feed"), "Daily feed")


@pytest.mark.parametrize(
    "change",
    [
        _rate,
        _rename,
        _measure,
        _retire,
        _edit_feedback,
        _delete_feedback,
        _new_relationship,
        _rename_site,
    ],
)
def test_any_change_behind_the_map_renders_it_again(
    app: Flask, client: FlaskClient, keys: SiteKeys, change: Callable[[Session, str], None]
) -> None:
    before = client.get(keys.signed(PATH))
    assert outcome(client.get(keys.signed(PATH))) == "hit"
    with get_db(app).transaction() as session:
        change(session, keys.site_id)
    after = client.get(keys.signed(PATH))
    assert outcome(after) == "miss"
    assert after.data != before.data


def test_another_sites_change_keeps_this_sites_cache(
    app: Flask, client: FlaskClient, keys: SiteKeys
) -> None:
    client.get(keys.signed(PATH))
    with get_db(app).transaction() as session:
        other = install_site(session, host="other.atlassian.net")
        payroll_organisation(session, other.site_id)
    assert outcome(client.get(keys.signed(PATH))) == "hit"
    assert outcome(client.get(other.signed(PATH))) == "miss"


def test_data_version_moves_with_the_day(app: Flask, keys: SiteKeys) -> None:
    with get_db(app).transaction() as session:
        today = datetime.now(UTC)
        same = data_version(session, keys.site_id, today)
        assert data_version(session, keys.site_id, today) == same
        assert data_version(session, keys.site_id, today + timedelta(days=1)) != same


def test_stale_and_unhealthy_come_from_the_rows(app: Flask, keys: SiteKeys) -> None:
    with get_db(app).transaction() as session:
        links = JiraLinks(keys.jira_base_url)
        view = customer_map_view(session, keys.site_id, "pay", links, datetime.now(UTC))
        hosting = view.suppliers[0]
        assert hosting.health.band == "unhealthy" and not hosting.stale
        run = next(r for r in view.customers if r.service == "monthly payroll run")
        assert run.health.band == "healthy" and run.health.n == 6
        later = datetime.now(UTC) + timedelta(days=60)
        view = customer_map_view(session, keys.site_id, "PAY", links, later)
        assert all(r.stale for r in view.suppliers)


# --- the cache itself


def test_least_recently_used_goes_first() -> None:
    cache = FragmentCache(max_entries=2)
    cache.put("a", "1")
    cache.put("b", "2")
    assert cache.get("a") == "1"
    cache.put("c", "3")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("1", None, "3")


def test_bounded_in_size_and_giants_are_not_kept() -> None:
    cache = FragmentCache(max_entries=100, max_bytes=10)
    cache.put("a", "12345")
    cache.put("b", "12345")
    cache.put("c", "123")
    assert cache.get("a") is None and len(cache) == 2 and cache.size_bytes == 8
    cache.put("huge", "x" * 11)
    assert cache.get("huge") is None and len(cache) == 2
    cache.put("b", "1")
    assert cache.size_bytes == 4
    cache.clear()
    assert len(cache) == 0 and cache.size_bytes == 0


def test_safe_across_threads() -> None:
    cache = FragmentCache(max_entries=50, max_bytes=10_000)

    def work(n: int) -> None:
        for i in range(500):
            cache.put(f"{n}-{i % 80}", "x" * (i % 40))
            cache.get(f"{(n + 1) % 8}-{i % 80}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) <= 50
    assert cache.size_bytes == sum(len(cache.get(k) or "") for k in list(cache._items))
