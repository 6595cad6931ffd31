"""The Forge module keys the service recognises, by the route they may call (forge/manifest.yml).

A Forge Invocation Token names the module that invoked the remote (`app.module.key`). Each route
takes only the tokens of the modules meant to call it: a UI module's token (which carries a
user's `principal`) cannot post a product event, nor run the scheduled jobs. Whether Forge puts
the trigger's key or its endpoint's key in a trigger delivery is not documented (the Forge Remote
pages name `app.module.key` without saying which), so both are accepted: each endpoint has its own
path, and no UI module resolves to those endpoints. A test checks these against the manifest.
"""

from __future__ import annotations

# UI modules (macros, Jira pages, the issue panel): their resolver endpoint is `icm-ui`.
UI_ENDPOINT = "icm-ui"
UI_MODULES = frozenset(
    {
        "customer-map",
        "integrator-map",
        "expectations",
        "team-page",
        "general-page",
        "admin-page",
        "issue-panel",
    }
)
# Product events: the `icm-events` endpoint and the trigger pointing at it.
EVENT_ENDPOINT = "icm-events"
EVENT_MODULES = frozenset({EVENT_ENDPOINT, "icm-jira-events"})
# App lifecycle (installed, upgraded): its own endpoint, since its payload names no event.
LIFECYCLE_ENDPOINT = "icm-installs"
LIFECYCLE_MODULES = frozenset({LIFECYCLE_ENDPOINT, "icm-lifecycle"})
# The preUninstall trigger and its endpoint.
UNINSTALL_ENDPOINT = "icm-uninstall"
UNINSTALL_MODULES = frozenset({UNINSTALL_ENDPOINT, "icm-pre-uninstall"})
# The scheduled trigger and its endpoint.
SCHEDULED_ENDPOINT = "icm-scheduled"
SCHEDULED_MODULES = frozenset({SCHEDULED_ENDPOINT, "icm-hourly"})
# The personal data reporting function (forge/src/privacy.js) and the daily trigger that runs it:
# the only callers of /forge/personal-data/*. Whether a function's invokeRemote carries a module
# claim at all is not documented (runtime-reference/invoke-remote-api: "No context will
# automatically be passed"), so those routes do not depend on it: they take a token with no
# module, or the function's or its trigger's, and refuse one naming any module of another route
# (BACKEND_REFUSED) or carrying a user (`principal`).
PRIVACY_FUNCTION = "icm-personal-data"
PRIVACY_MODULES = frozenset({PRIVACY_FUNCTION, "icm-personal-data-daily"})
BACKEND_REFUSED = (
    UI_MODULES | EVENT_MODULES | LIFECYCLE_MODULES | UNINSTALL_MODULES | SCHEDULED_MODULES
)
# The Rovo agent's actions (forge/manifest.yml `action`), each backed by its own endpoint whose
# route names the action (connector/platforms/forge/rovo.py). Whether Forge puts the action's key
# or its endpoint's key in the token is not documented, so both are accepted, for that route only.
ROVO_AGENT = "icm-agent"
ROVO_ACTIONS: dict[str, str] = {  # action key -> its endpoint's key
    "list-expectations": "icm-rovo-expectations",
    "relationship-health": "icm-rovo-health",
    "draft-expectation": "icm-rovo-draft",
    "record-feedback": "icm-rovo-feedback",
}
