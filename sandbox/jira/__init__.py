"""Sandbox Jira: its store (issues, comments, links, properties, workflow), JQL, the REST API v3."""
