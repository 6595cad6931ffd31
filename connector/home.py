"""GET /: a short public page saying what this service is and where its entry points are."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from markupsafe import escape

bp = Blueprint("home", __name__)

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Internal Customer Map</title>
<style>body{{font:15px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em}}
code{{font-size:90%}}</style></head>
<body>
<h1>Internal Customer Map</h1>
<p>The service behind the Internal Customer Map app for Jira and Confluence: teams, their internal
customers and suppliers, the expectations customers state, feedback and health. People use it
inside Atlassian, where the app is installed; this address serves the app, not a site of
its own.</p>
<h2>Install the app</h2>
<ul>
<li>Jira (Connect descriptor):
<a href="{base}/jira/atlassian-connect.json">{base}/jira/atlassian-connect.json</a></li>
<li>Confluence (Connect descriptor):
<a href="{base}/confluence/atlassian-connect.json">{base}/confluence/atlassian-connect.json</a>
</li>
<li>Forge: <code>forge deploy</code> from <code>forge/</code>, with this address as the remote</li>
</ul>
<h2>Health</h2>
<ul>
<li><a href="{base}/livez">/livez</a>: the process answers</li>
<li><a href="{base}/readyz">/readyz</a>: the database answers</li>
</ul>
<h2>API</h2>
<p>REST API v1 at <code>{base}/api/v1</code>, described by its OpenAPI document:
<a href="{base}/api/v1/openapi.json">{base}/api/v1/openapi.json</a>.
Calls are signed with the installation's JWT.</p>
</body></html>
"""


@bp.get("/")
def home() -> Response:
    base = escape(current_app.config["BASE_URL"])
    return Response(PAGE.format(base=base), mimetype="text/html")
