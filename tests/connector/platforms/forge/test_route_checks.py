"""Which Forge module's token each remote route takes (README "Forge"): a UI module's token is
refused by the trigger routes, each trigger's by the others, with a 4xx naming the rule."""

from __future__ import annotations

from typing import Any

import pytest
import requests

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
        ("/forge/lifecycle", EVENTS_MODULE, 204),
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
