"""What the pages offer as pick-lists from the site's Jira: issue types and link types for the
settings, people for a team's lead and members."""

from __future__ import annotations

from flask import Response
from marshmallow import Schema, fields, validate

from connector.api.routing import api_route, load_query, respond, site_id
from connector.api.schemas import STORABLE, Strict
from connector.db import request_session
from connector.domain.errors import Forbidden
from connector.practice import jira_catalogue
from connector.practice.members import teams_of
from connector.practice.roles import is_site_admin, require_user
from connector.web.caller import current_caller

TAG = "settings"
PEOPLE_RULE = (
    "only a Jira administrator or a team's lead may look people up (to name leads and members)"
)


class SettingsChoicesOut(Schema):
    issue_types = fields.List(fields.String(), data_key="issueTypes", required=True)
    epic_issue_types = fields.List(fields.String(), data_key="epicIssueTypes", required=True)
    link_type_names = fields.List(fields.String(), data_key="linkTypeNames", required=True)


class PeopleQuery(Strict):
    query = fields.String(required=True, validate=[validate.Length(min=1, max=100), *STORABLE])


class PersonOut(Schema):
    account_id = fields.String(data_key="accountId", required=True)
    display_name = fields.String(data_key="displayName", required=True)


class PeopleOut(Schema):
    values = fields.List(fields.Nested(PersonOut), required=True)


@api_route(
    "/settings/choices",
    "GET",
    "The issue types and link types the site's Jira has, for the settings",
    TAG,
    answer=SettingsChoicesOut,
)
def settings_choices() -> Response:
    found = jira_catalogue.catalogue(request_session(), site_id())
    return respond(
        SettingsChoicesOut,
        {
            "issue_types": found.issue_types,
            "epic_issue_types": found.epic_types,
            "link_type_names": found.link_choices(),
        },
    )


@api_route(
    "/people",
    "GET",
    "People of the site whose name matches `query` (Jira's user search)",
    "teams",
    query=PeopleQuery,
    answer=PeopleOut,
)
def find_people() -> Response:
    # Jira may hide its people from some users ("Browse users and groups"); the app, which sees
    # them all, shows them only to those who name leads and members.
    session, caller = request_session(), current_caller()
    require_user(caller)
    account = caller.account_id or ""
    leads = any(role == "lead" for _team, role in teams_of(session, caller.site_id, account))
    if not leads and not is_site_admin(session, caller.site_id, account):
        raise Forbidden(PEOPLE_RULE, code="role_required")
    query = load_query(PeopleQuery)["query"]
    found = jira_catalogue.people(session, site_id(), query)
    values = [{"account_id": p["accountId"], "display_name": p["displayName"]} for p in found]
    return respond(PeopleOut, {"values": values})
