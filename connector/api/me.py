"""/me: who the caller is to the app: its account, whether it administers Jira, its teams."""

from __future__ import annotations

from flask import Response

from connector.api import schemas
from connector.api.routing import api_route, respond
from connector.db import request_session
from connector.practice.members import teams_of
from connector.practice.roles import is_site_admin
from connector.web.caller import current_caller

TAG = "me"


@api_route(
    "/me", "GET", "The caller: account, administrator or not, teams", TAG, answer=schemas.MeOut
)
def me() -> Response:
    session, caller = request_session(), current_caller()
    account = caller.account_id
    teams = teams_of(session, caller.site_id, account) if account else []
    return respond(
        schemas.MeOut,
        {
            "account_id": account,
            "site_admin": is_site_admin(session, caller.site_id, account),
            "teams": [{"key": team.key, "role": role} for team, role in teams],
        },
    )
