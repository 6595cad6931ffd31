"""What every part of the Jira simulator shares: the lock, the directory, the issues, events."""

from __future__ import annotations

import threading

from sandbox.directory import ISSUE_TYPES, PROJECTS, USERS, IssueType, Project, User
from sandbox.errors import JiraError, not_found_issue
from sandbox.jira.model import Issue, JiraEvent, Listener


class JiraRecords:
    """The base the Jira concepts (issues, comments, properties, links, workflow) build on.

    Each concept is a subclass that owns its own rules; `JiraStore` combines them. Every public
    method takes `lock` (re-entrant), so one concept may call another inside a change.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, User] = {u.account_id: u for u in USERS}
        self.projects: dict[str, Project] = {p.key: p for p in PROJECTS}
        self.issue_types: dict[str, IssueType] = {t.id: t for t in ISSUE_TYPES}
        self.issues: dict[str, Issue] = {}
        self.listeners: list[Listener] = []

    def find_issue(self, id_or_key: str) -> Issue:
        with self.lock:
            issue = self.issues.get(id_or_key.upper())
            if issue is None:
                issue = next((i for i in self.issues.values() if i.id == id_or_key), None)
            if issue is None:
                raise not_found_issue()
            return issue

    def issue_by_id(self, issue_id: str) -> Issue | None:
        return next((i for i in self.issues.values() if i.id == issue_id), None)

    def get_issue(self, key: str) -> Issue:
        """The issue with this key (for tests); KeyError when there is none."""
        with self.lock:
            return self.issues[key]

    def find_project(self, ref: object) -> Project:
        if isinstance(ref, dict):
            wanted = ref.get("key") or ref.get("id")
            for p in self.projects.values():
                if wanted in (p.key, p.id):
                    return p
        raise JiraError(400, errors={"project": "valid project is required"})

    def project(self, id_or_key: str) -> Project:
        for p in self.projects.values():
            if id_or_key in (p.key, p.id):
                return p
        raise JiraError(404, [f"No project could be found with key '{id_or_key}'."])

    def find_issue_type(self, ref: object) -> IssueType:
        if isinstance(ref, dict):
            for t in self.issue_types.values():
                if ref.get("id") == t.id or ref.get("name") == t.name:
                    return t
        raise JiraError(400, errors={"issuetype": "valid issue type is required"})

    def user(self, account_id: str) -> User:
        found = self.users.get(account_id)
        if found is None:
            raise JiraError(400, [f"The user with account ID '{account_id}' does not exist."])
        return found

    def _emit(self, event: JiraEvent) -> None:
        for listener in self.listeners:
            listener(event)
