"""/settings: the site's issue types, link type and default cadence."""

from __future__ import annotations

from flask import Response

from connector.api import schemas
from connector.api.routing import api_route, load_body, respond, site_id
from connector.db import request_session
from connector.practice import jira_catalogue, settings
from connector.practice.roles import require_admin
from connector.web.caller import current_caller

TAG = "settings"


@api_route("/settings", "GET", "Read the site's settings", TAG, answer=schemas.SettingsOut)
def get_settings() -> Response:
    return respond(schemas.SettingsOut, settings.site_settings(request_session(), site_id()))


@api_route(
    "/settings",
    "PUT",
    "Change the site's settings",
    TAG,
    body=schemas.SettingsIn,
    answer=schemas.SettingsOut,
)
def put_settings() -> Response:
    session = request_session()
    require_admin(session, current_caller())
    changes = jira_catalogue.check_settings(session, site_id(), load_body(schemas.SettingsIn))
    return respond(schemas.SettingsOut, settings.update_settings(session, site_id(), changes))
