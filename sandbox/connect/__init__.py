"""Atlassian Connect on the sandbox site: signed installs, JWT, webhooks, the pages with
the app's iframes, and the personal data reporting API."""
