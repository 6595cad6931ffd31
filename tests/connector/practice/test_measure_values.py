"""A measure's values on SQLite and PostgreSQL: the latest is the most recent day's, history stays
when measures are re-saved by name, the periods other views read, staleness in health."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.domain.errors import Conflict, NotFound, ValidationFailed
from connector.practice.expectations import update_expectation
from connector.practice.health import expectation_health
from connector.practice.measure_values import (
    MeasureValue,
    dispute_value,
    latest_values,
    recent_values,
    record_value,
    values_in_period,
)
from connector.practice.models import Expectation, Feedback, Measure
from connector.practice.privacy import erase_account, held_accounts
from tests.webhooks.support import seed

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SITE = "site-measures"


def measure(session: Session, expectation_id: int, **fields: object) -> Measure:
    made = Measure(
        expectation_id=expectation_id,
        name=str(fields.pop("name", "Payslips right")),
        target=fields.pop("target", 99.5),
        unit=fields.pop("unit", "%"),
        **fields,
    )
    session.add(made)
    session.flush()
    session.refresh(made)
    return made


def day(n: int) -> date:
    return (NOW - timedelta(days=n)).date()


def test_the_latest_value_is_the_most_recent_days(db_session: Session) -> None:
    [e] = seed(db_session, SITE).expectation_ids
    m = measure(db_session, e)
    record_value(db_session, m, value=99.0, day=day(2), recorded_by="a", now=NOW)
    record_value(db_session, m, value=98.0, day=day(10), recorded_by="a", now=NOW)  # a late entry
    assert (m.latest_value, m.latest_at) == (99.0, datetime(2026, 5, 30, tzinfo=UTC))
    record_value(db_session, m, value=99.9, day=day(2), recorded_by="b", now=NOW)  # a correction
    assert m.latest_value == 99.9 and m.attained is True
    assert [p.value for p in values_in_period(db_session, SITE, [m.id])[m.id]] == [98.0, 99.0, 99.9]
    assert [p.value for p in values_in_period(db_session, SITE, [m.id], day(5), day(1))[m.id]] == [
        99.0,
        99.9,
    ]
    assert latest_values(db_session, SITE, [m.id], on=day(5))[m.id].value == 98.0
    assert values_in_period(db_session, "another-site", [m.id]) == {}


def test_recent_values_are_the_last_twelve_per_measure(db_session: Session) -> None:
    [e] = seed(db_session, SITE).expectation_ids
    first, second = measure(db_session, e), measure(db_session, e, name="Late payslips", unit="")
    for n in range(15):
        record_value(db_session, first, value=90 + n / 2, day=day(15 - n), recorded_by="a", now=NOW)
    record_value(db_session, second, value=3, day=day(1), recorded_by="a", now=NOW)
    recent = recent_values(db_session, SITE, [first.id, second.id])
    assert [p.day for p in recent[first.id]] == [day(12 - n) for n in range(12)]
    assert [p.value for p in recent[second.id]] == [3.0]


def test_refusals_write_nothing(db_session: Session) -> None:
    [e] = seed(db_session, SITE).expectation_ids
    m = measure(db_session, e)
    counted = measure(db_session, e, name="Incidents", unit="", source="jql", jql="project = PAY")
    for value, unit, when, field in (
        (100.5, None, None, "value"),
        (-1, None, None, "value"),
        (float("nan"), None, None, "value"),
        (99, "days", None, "unit"),
        (99, None, day(-3), "date"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            record_value(db_session, m, value=value, unit=unit, day=when, recorded_by="a", now=NOW)
        assert field in refused.value.details
    with pytest.raises(Conflict):
        record_value(db_session, counted, value=1, recorded_by="a", now=NOW)
    assert db_session.scalars(select(MeasureValue)).all() == []
    assert m.latest_value is None
    record_value(db_session, m, value=100, unit=" % ", recorded_by="a", now=NOW)  # the edges fit


def test_a_dispute_sits_beside_the_value(db_session: Session) -> None:
    [e] = seed(db_session, SITE).expectation_ids
    m, other = measure(db_session, e), measure(db_session, e, name="Other")
    value = record_value(db_session, m, value=99.0, recorded_by="a", now=NOW)
    disputed = dispute_value(db_session, m, value.id, comment="missing March", by="c")
    assert (disputed.value, disputed.dispute_comment, disputed.disputed_by) == (
        99.0,
        "missing March",
        "c",
    )
    assert m.latest_value == 99.0
    with pytest.raises(NotFound):
        dispute_value(db_session, other, value.id, comment="x", by="c")


def test_history_stays_when_the_measures_are_saved_again_by_name(db_session: Session) -> None:
    [e] = seed(db_session, SITE).expectation_ids
    m = measure(db_session, e)
    record_value(db_session, m, value=99.0, recorded_by="a", now=NOW)
    kept = {"name": "Payslips right", "target": 99.0, "unit": "%", "direction": "atLeast"}
    new = {"name": "Answers", "target": 2, "unit": "days", "direction": "atMost"}
    update_expectation(db_session, SITE, e, {"measures": [new, kept]})
    expectation = db_session.get(Expectation, e)
    assert expectation is not None
    assert [(x.name, x.position) for x in expectation.measures] == [
        ("Answers", 0),
        ("Payslips right", 1),
    ]
    assert expectation.measures[1].id == m.id and expectation.measures[1].latest_value == 99.0
    update_expectation(db_session, SITE, e, {"measures": [new]})  # dropped: its values go with it
    assert db_session.scalars(select(MeasureValue)).all() == []


def test_a_met_measure_counts_less_as_its_value_ages(db_session: Session) -> None:
    [e] = seed(db_session, SITE, cadence_days=10).expectation_ids
    for author in "abc":
        db_session.add(
            Feedback(
                site_id=SITE,
                expectation_id=e,
                rating=5,
                author_account_id=author,
                source="api",
                at=NOW,
            )
        )
    m = measure(db_session, e)
    record_value(db_session, m, value=99.9, day=day(1), recorded_by="a", now=NOW)
    assert expectation_health(db_session, SITE, [e], NOW)[e].score == pytest.approx(1.0)
    # Standing for a day 24.5 days ago on a 10-day cadence: < 1 cadence beyond 1.5, so 0.8.
    old = measure(db_session, e, name="Old")
    record_value(db_session, old, value=99.9, day=day(24), recorded_by="a", now=NOW)
    assert expectation_health(db_session, SITE, [e], NOW)[e].score == pytest.approx(0.95)
    record_value(db_session, old, value=50, day=day(24), recorded_by="a", now=NOW)  # missed
    assert expectation_health(db_session, SITE, [e], NOW)[e].score == pytest.approx(0.75)


def test_who_recorded_and_who_disputed_are_personal_data(db_session: Session) -> None:
    [e] = seed(db_session, SITE).expectation_ids
    m = measure(db_session, e)
    value = record_value(db_session, m, value=99.0, recorded_by="acc-rec", now=NOW)
    dispute_value(db_session, m, value.id, comment="missing March", by="acc-dis")
    assert {"acc-rec", "acc-dis"} <= held_accounts(db_session, SITE)
    erase_account(db_session, "acc-rec", NOW)
    erase_account(db_session, "acc-dis", NOW)
    db_session.refresh(value)
    assert value.recorded_by is None and value.value == 99.0  # the figure stays
    assert value.disputed_by.startswith("erased-") and value.dispute_comment is None
    assert {"acc-rec", "acc-dis"}.isdisjoint(held_accounts(db_session, SITE))
