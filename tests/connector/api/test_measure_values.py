"""The measure value routes' doors: who may call them, which site's rows they reach, and that a
refused call writes nothing (the flows on both platforms: platforms/forge/test_measure_values)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from connector.db import get_db
from connector.practice.measure_values import MeasureValue
from tests.support.api import Api, install, seed

SUPPLIER, CUSTOMER, STRANGER = "lead-PAY", "lead-HR", "acc-stranger"


def values_held(app: Flask) -> int:
    with get_db(app).transaction() as session:
        return session.scalar(select(func.count()).select_from(MeasureValue)) or 0


def paths(made: dict[str, Any]) -> tuple[str, str]:
    expectation = made["expectation"]
    one = f"/expectations/{expectation['id']}/measures/{expectation['measures'][0]['id']}"
    return one + "/values", one + "/count"


def test_who_may_record_and_dispute(api: Api, app: Flask) -> None:
    values, _ = paths(seed(api))
    for who, code in (
        (None, "user_required"),
        (STRANGER, "role_required"),
        (CUSTOMER, "role_required"),
    ):
        refused = api.as_(who).post(values, {"value": 99.9})
        assert refused.status_code == 403 and refused.json["error"]["code"] == code, refused.json
    assert values_held(app) == 0
    made = api.as_(SUPPLIER).ok("POST", values, {"value": 99.9}, 201)
    dispute = f"{values}/{made['id']}/dispute"
    for who in (SUPPLIER, STRANGER):
        assert api.as_(who).post(dispute, {"comment": "no"}).status_code == 403
    assert api.as_(CUSTOMER).post(dispute, {"comment": ""}).status_code == 422
    assert api.as_(CUSTOMER).ok("POST", dispute, {"comment": "March"})["disputeComment"] == "March"
    assert api.as_(STRANGER).ok("GET", values)["values"][0]["disputedBy"] == CUSTOMER  # reads open


def test_another_sites_measure_is_not_found(
    api: Api, app: Flask, signing_key: Any, kid: str
) -> None:
    values, count = paths(seed(api))
    theirs = Api(api.client, install(app, signing_key, kid), SUPPLIER)
    assert theirs.get(values).status_code == 404
    assert theirs.post(values, {"value": 1}).status_code == 404
    assert theirs.post(count).status_code == 404
    assert api.get(values.replace("/measures/", "/measures/9")).status_code == 404
    assert api.as_(SUPPLIER).post(count).status_code == 422  # a manual measure is not counted
    assert values_held(app) == 0
