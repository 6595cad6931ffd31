"""/expectations/{id}/measures/{measureId}/values: a measure's values, recorded by hand by the
supplier side or counted by JQL on demand; the customer side's disputes beside them."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from connector.api import schemas
from connector.api.routing import api_route, load_body, respond, site_id
from connector.db import request_session, utcnow
from connector.domain.errors import ValidationFailed
from connector.domain.roles import Action
from connector.practice.assessments import MeasureView
from connector.practice.measure_counts import CountDeferred, CountRun, count_measure
from connector.practice.measure_values import (
    MANUAL,
    dispute_value,
    measure_of,
    record_value,
    values_of,
)
from connector.practice.models import Measure
from connector.practice.roles import require_on_relationship
from connector.web.caller import current_caller

TAG = "measures"
MEASURE = "/expectations/<int:expectation_id>/measures/<int:measure_id>"


def _guarded(expectation_id: int, measure_id: int, action: Action) -> Measure:
    session = request_session()
    expectation, measure = measure_of(session, site_id(), expectation_id, measure_id)
    require_on_relationship(session, current_caller(), action, expectation.relationship)
    return measure


@api_route(
    MEASURE + "/values",
    "POST",
    "Record a measure's value by hand (the supplier side)",
    TAG,
    body=schemas.MeasureValueIn,
    answer=schemas.MeasureValueOut,
    status=201,
)
def record_measure_value(expectation_id: int, measure_id: int) -> Response:
    data = load_body(schemas.MeasureValueIn)
    measure = _guarded(expectation_id, measure_id, Action.RECORD_VALUE)
    row = record_value(
        request_session(), measure, recorded_by=current_caller().account_id, source=MANUAL, **data
    )
    return respond(schemas.MeasureValueOut, row, 201)


@api_route(
    MEASURE + "/values",
    "GET",
    "A measure's values over time, the most recent day first",
    TAG,
    answer=schemas.MeasureValuesOut,
)
def list_measure_values(expectation_id: int, measure_id: int) -> Response:
    session = request_session()
    _, measure = measure_of(session, site_id(), expectation_id, measure_id)
    values = values_of(session, measure)
    shown = MeasureView(measure, [])
    return respond(schemas.MeasureValuesOut, {"measure": shown, "values": values})


@api_route(
    MEASURE + "/values/<int:value_id>/dispute",
    "POST",
    "Dispute a measure's value with a comment (the customer side; the value stays)",
    TAG,
    body=schemas.DisputeIn,
    answer=schemas.MeasureValueOut,
)
def dispute_measure_value(expectation_id: int, measure_id: int, value_id: int) -> Response:
    data = load_body(schemas.DisputeIn)
    measure = _guarded(expectation_id, measure_id, Action.DISPUTE_VALUE)
    by = current_caller().account_id or ""
    row = dispute_value(request_session(), measure, value_id, comment=data["comment"], by=by)
    return respond(schemas.MeasureValueOut, row)


@api_route(
    MEASURE + "/count",
    "POST",
    "Count a JQL measure now (one call to Jira's approximate count)",
    TAG,
    answer=schemas.MeasureValueOut,
    status=201,
    errors=(400, 401, 403, 404, 409, 422, 502, 503),
)
def count_measure_now(expectation_id: int, measure_id: int) -> Response:
    measure = _guarded(expectation_id, measure_id, Action.RECORD_VALUE)
    if measure.source != "jql":
        raise ValidationFailed(
            f"{measure.name!r} is recorded by hand, not counted by JQL",
            details={"measureId": ["not a JQL measure"]},
        )
    session, run, now = request_session(), CountRun(), utcnow()
    if measure.count_after is not None and measure.count_after > now:
        return _deferred(measure)  # Jira's Retry-After still runs: it is not asked
    measure.count_error = None  # asked by a person: Jira is asked again, once
    row = count_measure(current_app, session, measure, now, run)
    if row is not None:
        return respond(schemas.MeasureValueOut, row, 201)
    session.commit()  # what Jira said stays on the measure
    if run.deferred:
        return _deferred(measure)
    if run.refused:
        raise ValidationFailed(
            f"Jira refused the JQL of {measure.name!r}: {measure.count_error}",
            code="jql_refused",
            details={"jql": [measure.count_error or ""]},
        )
    raise CountDeferred(f"Jira could not count {measure.name!r} now; it is tried again later")


def _deferred(measure: Measure) -> Response:
    """503 with `Retry-After`: the seconds until Jira may be asked again."""
    after = measure.count_after or utcnow()
    wait = max(1, int((after - utcnow()).total_seconds()))
    answer = CountDeferred(
        f"Jira asked to wait: {measure.name!r} may be counted again in {wait} s",
        details={"retryAfter": wait},
    )
    response = jsonify(answer.body())
    response.status_code, response.headers["Retry-After"] = 503, str(wait)
    return response
