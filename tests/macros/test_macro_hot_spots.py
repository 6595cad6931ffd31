"""Hot spots: which relationships and expectations an integrator is shown first."""

from __future__ import annotations

from connector.domain.states import ExpectationState
from macros.view import (
    CustomerMapView,
    ExpectationView,
    Health,
    IntegratorMapView,
    MeasureView,
    RelationshipView,
    hot_spots,
)
from tests.macros.factories import team

MEASURE = MeasureView("Lead time", 2, " days", "atMost", 1)
PAY, HR, IT = team("PAY", "Payroll"), team("HR", "People"), team("IT", "IT")


def _exp(state: ExpectationState, measured: bool = True) -> ExpectationView:
    return ExpectationView("e1", "On time", state, measures=(MEASURE,) if measured else ())


def _rel(**kwargs: object) -> RelationshipView:
    fields: dict[str, object] = {
        "id": "r1",
        "supplier": PAY,
        "customer": HR,
        "service": "payroll",
        "health": Health.of(0.9, 5),
        "expectations": (_exp("agreed"),),
    }
    fields.update(kwargs)
    return RelationshipView(**fields)  # type: ignore[arg-type]


def _kinds(rel: RelationshipView) -> list[str]:
    return [s.kind for s in hot_spots(IntegratorMapView([PAY, HR], [rel]))]


def test_a_healthy_agreed_measured_relationship_is_not_a_hot_spot() -> None:
    assert _kinds(_rel()) == []


def test_unhealthy_relationship() -> None:
    assert _kinds(_rel(health=Health.of(0.39, 5))) == ["unhealthy_relationship"]
    assert _kinds(_rel(health=Health.of(0.4, 5))) == []
    # Two ratings are "no feedback", not unhealthy, however low.
    assert _kinds(_rel(health=Health.of(0.1, 2))) == []


def test_stale_relationship() -> None:
    assert _kinds(_rel(stale=True)) == ["stale_relationship"]


def test_customer_with_no_agreed_expectation() -> None:
    spots = hot_spots(IntegratorMapView([PAY, HR], [_rel(expectations=(_exp("proposed"),))]))
    assert [(s.kind, s.team_key) for s in spots] == [("no_agreed_expectation", "HR")]
    assert _kinds(_rel(expectations=())) == ["no_agreed_expectation"]
    assert _kinds(_rel(expectations=(_exp("met"),))) == []


def test_expectation_without_a_measure_unless_retired() -> None:
    exps = (_exp("agreed", measured=False), _exp("retired", measured=False))
    spots = hot_spots(IntegratorMapView([PAY, HR], [_rel(expectations=exps)]))
    assert [(s.kind, s.expectation_id) for s in spots] == [("expectation_without_measure", "e1")]


def test_blocked_cross_team_links() -> None:
    spots = hot_spots(IntegratorMapView([PAY, HR], [_rel(blocked_links=2)]))
    assert [s.kind for s in spots] == ["blocked_links"]
    assert "2 blocked cross-team links" in spots[0].message


def test_customer_map_counts_a_relationship_once_and_in_stable_order() -> None:
    a = _rel(id="r2", supplier=IT, customer=PAY, stale=True)
    b = _rel(id="r1", health=Health.of(0.1, 5))
    view = CustomerMapView(PAY, [a], [b, b])
    assert [(s.kind, s.relationship_id) for s in hot_spots(view)] == [
        ("stale_relationship", "r2"),
        ("unhealthy_relationship", "r1"),
    ]


def test_bands_follow_the_goals_thresholds() -> None:
    assert [Health.of(s, 3).band for s in (0.7, 0.69, 0.4, 0.39)] == [
        "healthy",
        "at_risk",
        "at_risk",
        "unhealthy",
    ]
    assert Health.of(None, 10).band == "no_feedback"
    assert Health.of(0.9, 5).label == "Healthy · 90%"
