"""Links from the macros to the Jira issues behind them, always on the site's *Jira* base URL.

The macros are called by the Confluence installation, whose base URL ends in `/wiki`; the issues
live in Jira, so every link is built from the Jira installation of the same site, which the
platforms find (`connector.platforms.sites.jira_base_url`, registered with `use_jira_base_url`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote

from flask import Flask, current_app
from sqlalchemy.orm import Session

LABEL = "internal-customer"
# Jira issue keys need no escaping in a path; anything else is quoted.
_ISSUE_KEY = re.compile(r"[A-Z][A-Z0-9_]*-[0-9]+")


@dataclass(frozen=True, slots=True)
class JiraLinks:
    """URLs into one site's Jira; every method answers None when Jira is not installed."""

    base_url: str | None

    def _search(self, jql: str) -> str | None:
        if self.base_url is None:
            return None
        return f"{self.base_url}/issues/?jql={quote(jql, safe='')}"

    def team_issues(self, project_key: str | None) -> str | None:
        """The expectation issues in a team's project: the work its customers asked for."""
        if not project_key:
            return None
        return self._search(f'project = "{project_key}" AND labels = "{LABEL}" ORDER BY key')

    def issues(self, keys: Iterable[str | None]) -> str | None:
        """The given issues (a relationship's expectations), or None when none is in Jira yet."""
        found = sorted({k for k in keys if k}, key=_issue_order)
        if not found:
            return None
        return self._search(f"key in ({', '.join(found)}) ORDER BY key")

    def browse(self, key: str | None) -> str | None:
        if self.base_url is None or not key:
            return None
        path = key if _ISSUE_KEY.fullmatch(key) else quote(key, safe="")
        return f"{self.base_url}/browse/{path}"


def _issue_order(key: str) -> tuple[str, int]:
    project, _, number = key.rpartition("-")
    return (project, int(number)) if number.isdigit() else (key, 0)


JiraBaseUrl = Callable[[Session, str], "str | None"]
_BASE_URL = "icm.jira_base_url"


def use_jira_base_url(app: Flask, finder: JiraBaseUrl) -> None:
    app.extensions[_BASE_URL] = finder


def site_links(session: Session, site_id: str) -> JiraLinks:
    """Links into the site's Jira, wherever the platforms say it lives."""
    finder: JiraBaseUrl = current_app.extensions[_BASE_URL]
    return JiraLinks(finder(session, site_id))
