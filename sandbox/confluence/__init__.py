"""Sandbox Confluence: its store (spaces, pages, properties) and the REST API v2."""
