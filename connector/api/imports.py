"""POST /import: a site's teams, goals and relationships from a YAML or CSV document (the format
of `icm import`, examples/README.md), for an administrator who has a list. Expectations are not
taken here: they are recorded on the team page, where the customer agrees them."""

from __future__ import annotations

import csv

import yaml
from flask import Response, current_app
from marshmallow import Schema, fields, validate

from connector.api import importer
from connector.api.routing import api_route, load_body, respond, site_id
from connector.api.schemas import Strict
from connector.db import request_session
from connector.domain.errors import ValidationFailed
from connector.domain.roles import Action
from connector.practice.roles import require_on_teams
from connector.web.caller import current_caller


class ImportIn(Strict):
    format = fields.String(required=True, validate=validate.OneOf(("yaml", "csv")))
    content = fields.String(required=True, validate=validate.Length(min=1, max=256 * 1024))


class ImportOut(Schema):
    created = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


@api_route(
    "/import",
    "POST",
    "Import teams, goals and relationships from a YAML or CSV document (administrators)",
    "teams",
    body=ImportIn,
    answer=ImportOut,
)
def import_organisation() -> Response:
    session = request_session()
    require_on_teams(session, current_caller(), Action.MANAGE_TEAMS)
    data = load_body(ImportIn)
    try:
        records = importer.read_text(data["content"], data["format"])
    except (ValueError, yaml.YAMLError, csv.Error) as exc:
        message = f"cannot read it as {data['format'].upper()}: {exc}"
        raise ValidationFailed(message, details={"content": message}) from exc
    problems = [
        importer.Problem(r.where, "expectations", "record expectations on the team page")
        for r in records
        if r.kind == "expectation"
    ] or importer.check(current_app, session, site_id(), records)
    if problems:
        raise ValidationFailed(
            f"{len(problems)} problem(s); nothing was imported",
            details={"content": [str(p) for p in problems]},
        )
    counts = importer.write(session, site_id(), records, lambda _record: None)
    return respond(ImportOut, {"created": counts})
