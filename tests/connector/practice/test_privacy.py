"""Personal data on both databases: a closed account is erased everywhere (on every site) while
health stays the same; the Cycle-Period header is read defensively; a site is purged only after
the purge period, and a reinstall within it keeps its data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

import connector.db.models  # noqa: F401  (every table, so every one is searched)
from connector import scheduler
from connector.db import Base, get_db, utcnow
from connector.db.models import Feedback, ReviewPack, Team, TeamMember
from connector.practice.health import map_health
from connector.practice.privacy import (
    PSEUDONYM_PREFIX,
    PrivacyAccount,
    PrivacyCycle,
    ReportAnswer,
    answer_for_site,
    due_accounts,
    erase_account,
    held_accounts,
    parse_cycle_period,
    report_site,
    track_accounts,
)
from tests.support.atlassian import post_json
from tests.webhooks.support import INTEGRATOR, ROBIN, SUPPLIER_LEAD, install, seed, seed_app
from webhooks.inbox import Delivery, DeliveryState, InboxDelivery, store

NOW = utcnow()
WEEK = timedelta(days=7)  # docs/personal-data.md: "the default 7-day period"


def rate(
    session: Session, site_id: str, expectation_id: int, author: str, ratings: list[int]
) -> None:
    """One rating per week, newest last, each with a comment naming its author's view."""
    for n, value in enumerate(ratings):
        session.add(
            Feedback(
                site_id=site_id,
                expectation_id=expectation_id,
                rating=value,
                comment=f"{author} says {value}",
                author_account_id=author,
                source="api",
                at=NOW - timedelta(days=7 * (len(ratings) - n)),
            )
        )
    session.flush()


def rows_naming(session: Session, account_id: str) -> list[str]:
    """Every row of every table whose values mention `account_id` (secrets read decrypted)."""
    found = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)).all():
            if any(account_id in str(value) for value in row):
                found.append(f"{table.name}: {row}")
    return found


def health_of(session: Session, site_id: str, relationship_id: int, now: Any = NOW) -> Any:
    """The figures people see (score to 3 places, band, trend, n): rows may come back in another
    order after an update, which changes a float sum in its last bit and nothing else."""
    per_expectation, per_relationship = map_health(session, site_id, [relationship_id], now)
    return (
        {key: health.as_json() for key, health in per_expectation.items()},
        {key: health.as_json() for key, health in per_relationship.items()},
    )


def test_a_closed_account_is_erased_everywhere_and_health_holds(db_session: Session) -> None:
    orgs = [seed(db_session, site) for site in ("site-a", "site-b")]
    for org in orgs:
        [expectation] = org.expectation_ids
        rate(db_session, org.site_id, expectation, ROBIN, [2, 4, 5, 3])
        rate(db_session, org.site_id, expectation, INTEGRATOR, [4, 4])
        for n, author in enumerate((ROBIN, SUPPLIER_LEAD)):
            store(
                db_session,
                Delivery(
                    site_id=org.site_id,
                    client_key=f"ck-{org.site_id}",
                    event="comment_created",
                    webhook_id=f"wh-{org.site_id}-{n}",
                    retry_count=0,
                    flow=None,
                    body='{"webhookEvent": "comment_created", "comment": {"author": '
                    f'{{"accountId": "{author}", "displayName": "Someone"}}}}}}',
                    event_at=None,
                ),
            )
    track_accounts(db_session, NOW)
    before = [health_of(db_session, o.site_id, o.relationship_id) for o in orgs]
    assert ROBIN in held_accounts(db_session)

    erased = erase_account(db_session, ROBIN, NOW)

    assert rows_naming(db_session, ROBIN) == []
    assert erased.rows == {"teams": 2, "feedback": 8, "webhook_inbox": 2}
    after = [health_of(db_session, o.site_id, o.relationship_id) for o in orgs]
    assert after == before  # the same scores, bands, trends and counts
    # ROBIN's ratings share one pseudonym; the comments they wrote are gone; others untouched.
    authors = db_session.execute(
        select(Feedback.author_account_id, Feedback.comment, Feedback.rating).order_by(Feedback.id)
    ).all()
    pseudonyms = {a for a, _c, _r in authors if a.startswith(PSEUDONYM_PREFIX)}
    assert len(pseudonyms) == 1
    assert all(c is None for a, c, _r in authors if a in pseudonyms)
    assert [r for a, _c, r in authors if a in pseudonyms] == [2, 4, 5, 3] * 2
    assert all(c for a, c, _r in authors if a == INTEGRATOR)
    # The customer team (ROBIN led it) shows a former lead and needs a new one.
    hr = db_session.scalars(select(Team).where(Team.key == "HR")).all()
    assert [(t.lead_account_id, t.former_lead) for t in hr] == [(None, True), (None, True)]
    pay = db_session.scalars(select(Team).where(Team.key == "PAY")).all()
    assert [(t.lead_account_id, t.former_lead) for t in pay] == [(SUPPLIER_LEAD, False)] * 2
    # No longer held, no longer tracked (never reported again).
    assert ROBIN not in held_accounts(db_session)
    assert rows_naming(db_session, SUPPLIER_LEAD)  # the other accounts are still there


def test_an_erased_integrator_loses_the_record_of_their_review_page(db_session: Session) -> None:
    org = seed(db_session, "site-a")
    common = {"site_id": org.site_id, "period": "2026-Q4", "space_key": "ICM", "state": "written"}
    db_session.add_all(
        [
            ReviewPack(**common, integrator_account_id=INTEGRATOR, title="Integrator review"),
            ReviewPack(**common, relationship_id=org.relationship_id, title="PAY → HR: review"),
        ]
    )
    db_session.flush()

    erased = erase_account(db_session, INTEGRATOR, NOW)

    assert erased.rows["review_packs"] == 1
    kept = db_session.scalars(select(ReviewPack.title).where(ReviewPack.site_id == org.site_id))
    assert list(kept) == ["PAY → HR: review"]


@pytest.mark.parametrize(
    ("header", "period"),
    [
        ("604800", timedelta(days=7)),
        ("20 Days", timedelta(days=20)),
        ("1 week", timedelta(weeks=1)),
        ("P7D", timedelta(days=7)),
        ("PT12H", timedelta(hours=12)),
        ("P1W", timedelta(weeks=1)),
        ("1 DAY", timedelta(days=1)),
        ("pt12h", timedelta(hours=12)),
        ("PT30M", timedelta(minutes=30)),
        ("PT90S", timedelta(seconds=90)),
        ("P1DT2H3M4S", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("", None),
        ("soon", None),
        ("P", None),
    ],
)
def test_cycle_period_header(header: str, period: timedelta | None) -> None:
    assert parse_cycle_period(header) == period


def test_a_turn_the_platform_drives_comes_back_a_period_later_less_the_slack(app: Flask) -> None:
    """A daily Forge run comes at about the same time: the next turn is due an hour before the
    period is over, so the seventh day is not missed by minutes; a Retry-After is kept to."""
    database, slack, minute = get_db(app), timedelta(hours=1), timedelta(minutes=1)
    seed_app(app, "site-a")
    start = utcnow()
    batch = due_accounts(database, "site-a", start, slack)
    assert len(batch) == 5
    answer_for_site(database, "site-a", batch, ReportAnswer(status=204), start)
    assert due_accounts(database, "site-a", start, slack) == []  # the turn is over

    next_turn = start + WEEK - slack
    assert due_accounts(database, "site-a", next_turn - minute, slack) == []
    batch = due_accounts(database, "site-a", next_turn + minute, slack)
    assert len(batch) == 5

    limited = ReportAnswer(status=429, retry_after=timedelta(minutes=10))
    answer_for_site(database, "site-a", batch, limited, next_turn + minute)
    assert due_accounts(database, "site-a", next_turn + 10 * minute, slack) == []
    assert len(due_accounts(database, "site-a", next_turn + 12 * minute, slack)) == 5


def test_the_default_cycle_is_seven_days(app: Flask) -> None:
    database, start, minute = get_db(app), utcnow(), timedelta(minutes=1)
    seed_app(app, "site-a")
    batch = due_accounts(database, "site-a", start)
    answer_for_site(database, "site-a", batch, ReportAnswer(status=204), start)
    assert due_accounts(database, "site-a", start) == []

    assert due_accounts(database, "site-a", start + WEEK - minute) == []
    assert len(due_accounts(database, "site-a", start + WEEK + minute)) == 5
    with database.transaction() as session:
        assert session.get(PrivacyCycle, "site-a").period_seconds == 604_800


@pytest.mark.parametrize(
    ("header", "period_seconds"),
    [
        (timedelta(seconds=1), 604_800),  # one second is not believed: the period stays a week
        (timedelta(minutes=59), 604_800),  # nor anything under an hour
        (timedelta(hours=1), 3_600),
        (timedelta(days=20), 1_728_000),
    ],
)
def test_a_cycle_period_under_an_hour_is_not_believed(
    app: Flask, header: timedelta, period_seconds: int
) -> None:
    database, start = get_db(app), utcnow()
    seed_app(app, "site-a")
    batch = due_accounts(database, "site-a", start)

    answer_for_site(database, "site-a", batch, ReportAnswer(status=204, cycle_period=header), start)

    with database.transaction() as session:
        assert session.get(PrivacyCycle, "site-a").period_seconds == period_seconds


def _uninstall(app: Flask, site: Any) -> None:
    response = post_json(
        app.test_client(),
        "/uninstalled",
        site.payload("uninstalled"),
        site.install_token("/uninstalled"),
    )
    assert response.status_code == 204, response.get_data(as_text=True)


def _rows(app: Flask, site_id: str) -> dict[str, int]:
    result = app.test_cli_runner().invoke(args=["icm", "purge-site", site_id, "--dry-run"])
    assert result.exit_code == 0, result.output
    counts = {}
    for line in result.output.splitlines()[1:]:
        name, count = line.strip().split(": ")
        counts[name] = int(count)
    return counts


def test_purge_after_uninstall_unless_reinstalled(app: Flask, signing_key: Any, kid: str) -> None:
    site = install(app, signing_key, kid)
    seed_app(app, site.cloud_id)
    later = utcnow() + timedelta(days=31)
    assert _rows(app, site.cloud_id)["tenants"] == 1

    _uninstall(app, site)
    # Reinstalled within the period: nothing goes, now or later.
    response = post_json(app.test_client(), "/installed", site.payload(), site.install_token())
    assert response.status_code == 204
    assert scheduler.purge_uninstalled(app, later) == 0
    kept = _rows(app, site.cloud_id)
    assert kept["teams"] == 2 and kept["tenants"] == 1 and kept["expectations"] == 1

    _uninstall(app, site)
    assert scheduler.purge_uninstalled(app, utcnow() + timedelta(days=29)) == 0  # within the period
    assert _rows(app, site.cloud_id) == kept
    assert scheduler.purge_uninstalled(app, later) == 1
    assert _rows(app, site.cloud_id) == {}
    with get_db(app).transaction() as session:
        assert rows_naming(session, site.cloud_id) == []
        assert rows_naming(session, ROBIN) == []  # its people's data went with it


def test_purge_site_command_refuses_an_installed_site(
    app: Flask, signing_key: Any, kid: str
) -> None:
    site = install(app, signing_key, kid)
    seed_app(app, site.cloud_id)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["icm", "purge-site", site.cloud_id])
    assert refused.exit_code != 0 and "still installed" in refused.output
    preview = runner.invoke(args=["icm", "purge-site", site.cloud_id, "--dry-run"])
    assert "would delete" in preview.output and "installed or unknown" in preview.output
    forced = runner.invoke(args=["icm", "purge-site", site.cloud_id, "--force"])
    assert forced.exit_code == 0 and "deleted" in forced.output
    assert _rows(app, site.cloud_id) == {}


def test_parked_deliveries_expire_after_the_parked_period(app: Flask) -> None:
    with get_db(app).transaction() as session:
        for n, state in enumerate(("parked", "done", "pending")):
            store(
                session,
                Delivery(
                    site_id="site-a",
                    client_key="ck",
                    event="comment_created",
                    webhook_id=f"w-{n}",
                    retry_count=0,
                    flow=None,
                    body="not json: kept for inspection only",
                    event_at=None,
                    state=DeliveryState(state),
                ),
            )
    now = utcnow()
    assert scheduler.prune_inbox(app, now + timedelta(days=13)) == 0
    assert scheduler.prune_inbox(app, now + timedelta(days=15)) == 1  # done, after 14 days
    assert scheduler.prune_inbox(app, now + timedelta(days=29)) == 0  # parked: 30 days
    assert scheduler.prune_inbox(app, now + timedelta(days=31)) == 1
    with get_db(app).transaction() as session:
        assert session.scalars(select(InboxDelivery.state)).all() == ["pending"]


def test_a_turn_reads_the_sites_accounts_once_whatever_its_batches(app: Flask) -> None:
    """Linear in the accounts: 205 accounts are three batches, and one read of where they live."""
    database = get_db(app)
    org = seed_app(app, "site-a")  # five accounts
    with database.transaction() as session:
        session.add_all(
            TeamMember(site_id="site-a", team_id=org.customer_id, account_id=f"acc-m{n:03}")
            for n in range(200)
        )
    with database.transaction() as session:
        track_accounts(session, NOW)
    sent: list[int] = []

    def reporter(batch: Any) -> ReportAnswer:
        sent.append(len(batch))
        return ReportAnswer(status=204)

    reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "team_members" in statement and statement.lstrip().upper().startswith("SELECT"):
            reads.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        result = report_site(database, "site-a", reporter, NOW, tracked=True)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)

    assert sent == [90, 90, 25]
    assert result.reported == 205 and result.outcome == "reported"
    assert len(reads) == 1


def test_an_answer_acts_on_the_batchs_accounts_only(app: Flask) -> None:
    """Closed accounts of the batch are erased, updated ones refreshed; an account the answer
    names that the batch did not hold is left alone."""
    database, start = get_db(app), utcnow()
    seed_app(app, "site-a")
    seed_app(app, "site-b")
    batch = [item for item in due_accounts(database, "site-a", start) if item["accountId"] != ROBIN]
    later = start + timedelta(minutes=5)
    answer = ReportAnswer(status=200, closed=(INTEGRATOR, ROBIN), updated=(SUPPLIER_LEAD,))

    result = answer_for_site(database, "site-a", batch, answer, later)

    assert (result.reported, result.closed, result.updated) == (4, 1, 1)
    with database.transaction() as session:
        assert rows_naming(session, INTEGRATOR) == []
        assert rows_naming(session, ROBIN) != []  # named, but not in the batch
        refreshed = session.get(PrivacyAccount, SUPPLIER_LEAD)
        assert refreshed is not None and refreshed.updated_at == later
        untouched = session.get(PrivacyAccount, ROBIN)
        assert untouched is not None and untouched.updated_at < later


def test_a_closed_lead_reported_in_a_batch_leaves_a_former_lead(app: Flask) -> None:
    database, start = get_db(app), utcnow()
    seed_app(app, "site-a")
    batch = due_accounts(database, "site-a", start)

    answer_for_site(database, "site-a", batch, ReportAnswer(status=200, closed=(ROBIN,)), start)

    with database.transaction() as session:
        [hr] = session.scalars(select(Team).where(Team.key == "HR")).all()
        assert (hr.lead_account_id, hr.former_lead) == (None, True)
