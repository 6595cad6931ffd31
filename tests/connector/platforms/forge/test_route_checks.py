"""Which Forge module's token each remote route takes (README "Forge"): a UI module's token is
refused by the trigger routes, each trigger's by the others, with a 4xx naming the rule."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from flask import Flask

from sandbox.directory import USERS
from tests.connector.platforms.forge.conftest import (
    EVENTS_MODULE,
    SCHEDULED_MODULE,
    UI_MODULE,
    PlatformSite,
)

LIFECYCLE_BODY = {"eventType": "avi:forge:installed:app"}


def post_as(site: PlatformSite, path: str, module: dict[str, Any], body: Any) -> Any:
    headers = site.forge_headers(module=module, account_id=None)
    return requests.post(site.url + path, json=body, headers=headers, timeout=30)


@pytest.mark.parametrize(
    ("path", "module", "status"),
    [
        ("/forge/lifecycle", {"key": "icm-lifecycle", "type": "core:trigger"}, 204),
        ("/forge/lifecycle", EVENTS_MODULE, 403),  # lifecycle has its own endpoint now
        ("/forge/lifecycle", UI_MODULE, 403),
        ("/forge/lifecycle", SCHEDULED_MODULE, 403),
        ("/forge/scheduled", SCHEDULED_MODULE, 202),
        ("/forge/scheduled", UI_MODULE, 403),
        ("/forge/scheduled", EVENTS_MODULE, 403),
        ("/forge/events", UI_MODULE, 403),
        ("/forge/events", SCHEDULED_MODULE, 403),
    ],
)
def test_each_trigger_route_takes_its_modules_token_only(
    forge_live: PlatformSite, path: str, module: dict[str, Any], status: int
) -> None:
    answer = post_as(forge_live, path, module, LIFECYCLE_BODY)
    assert answer.status_code == status, answer.text
    if status == 403:
        assert "module" in answer.json()["error"]["message"]


def test_a_wrong_module_is_named_in_the_refusal(forge_live: PlatformSite) -> None:
    answer = post_as(forge_live, "/forge/lifecycle", UI_MODULE, LIFECYCLE_BODY)
    error = answer.json()["error"]
    assert (answer.status_code, error["code"]) == (403, "wrong_module")
    assert error["details"] == {"module": UI_MODULE["key"]}
    assert error["message"] == f"the Forge module {UI_MODULE['key']!r} may not call this route"


def test_no_token_is_a_401_naming_it(forge_live: PlatformSite) -> None:
    answer = requests.post(forge_live.url + "/forge/lifecycle", json=LIFECYCLE_BODY, timeout=30)
    error = answer.json()["error"]
    assert (answer.status_code, error["code"]) == (401, "token_missing")
    assert error["message"] == "no 'Authorization: Bearer <FIT>' header"


def test_a_service_that_is_no_forge_remote_refuses_forge_calls(app: Flask) -> None:
    answer = app.test_client().post(
        "/forge/lifecycle", json=LIFECYCLE_BODY, headers={"Authorization": "Bearer x.y.z"}
    )
    error = answer.json["error"]
    assert (answer.status_code, error["code"]) == (401, "forge_disabled")
    assert error["message"] == "this service is not set up as a Forge remote"


def test_the_caller_is_the_invoking_user(forge_live: PlatformSite) -> None:
    me = forge_live.call("GET", "/api/v1/me")
    assert me.status_code == 200, me.text
    assert me.json()["accountId"] == USERS[0].account_id
