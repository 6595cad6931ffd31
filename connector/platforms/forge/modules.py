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
# Product events and lifecycle: the `icm-events` endpoint and the triggers pointing at it.
EVENT_ENDPOINT = "icm-events"
EVENT_MODULES = frozenset({EVENT_ENDPOINT, "icm-jira-events", "icm-lifecycle"})
# The scheduled trigger and its endpoint.
SCHEDULED_ENDPOINT = "icm-scheduled"
SCHEDULED_MODULES = frozenset({SCHEDULED_ENDPOINT, "icm-hourly"})
# The personal data reporting function (forge/src/privacy.js) and the daily trigger that runs it:
# the only callers of /forge/personal-data/*. Which key a function's invokeRemote puts in the
# token is not documented either ("the Forge module key for this endpoint", and a function has
# none), so the function's and its trigger's are accepted; neither is any other route's.
PRIVACY_FUNCTION = "icm-personal-data"
PRIVACY_MODULES = frozenset({PRIVACY_FUNCTION, "icm-personal-data-daily"})
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
