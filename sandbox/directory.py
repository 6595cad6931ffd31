"""The site's people and Jira's fixed catalogue: users, projects, issue types, statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class User:
    account_id: str
    display_name: str
    account_type: str = "atlassian"
    time_zone: str = "Europe/Berlin"


@dataclass(frozen=True)
class Project:
    id: str
    key: str
    name: str
    lead: str


@dataclass(frozen=True)
class IssueType:
    id: str
    name: str
    description: str
    hierarchy_level: int = 0

    @property
    def subtask(self) -> bool:
        return self.hierarchy_level < 0


@dataclass(frozen=True)
class StatusCategory:
    id: int
    key: str
    color: str
    name: str


@dataclass(frozen=True)
class Status:
    id: str
    name: str
    category: StatusCategory
    transition_id: str


TODO = StatusCategory(2, "new", "blue-gray", "To Do")
IN_PROGRESS = StatusCategory(4, "indeterminate", "yellow", "In Progress")
DONE = StatusCategory(3, "done", "green", "Done")

STATUSES = (
    Status("10000", "To Do", TODO, "11"),
    Status("3", "In Progress", IN_PROGRESS, "21"),
    Status("10001", "Done", DONE, "31"),
)

USERS = (
    User("5b10a2844c20165700ede21g", "Mia Krystof"),
    User("5b10ac8d82e05b22cc7d4ef5", "Emma Richards"),
    User("5b109f2e9729b51b54dc274d", "Liam Okafor"),
    User("5b10a0effa615349cb016cd8", "Sofia Lindqvist"),
    User("5b10ac8d82e05b22cc7d4349", "Noah Becker"),
)

PROJECTS = (
    Project("10000", "PAY", "Payroll", USERS[0].account_id),
    Project("10001", "HR", "People", USERS[1].account_id),
    Project("10002", "IT", "IT Service", USERS[2].account_id),
    Project("10003", "FIN", "Finance", USERS[3].account_id),
)

ISSUE_TYPES = (
    IssueType("10000", "Epic", "A big user story that needs to be broken down.", 1),
    IssueType("10001", "Task", "A small, distinct piece of work."),
    IssueType("10002", "Story", "A user story. Created by Jira Software."),
    IssueType("10003", "Bug", "A problem or error."),
    IssueType("10004", "Subtask", "A small piece of work that's part of a larger task.", -1),
)

PRIORITIES = (("1", "Highest"), ("2", "High"), ("3", "Medium"), ("4", "Low"), ("5", "Lowest"))
DEFAULT_PRIORITY = ("3", "Medium")


def now() -> datetime:
    return datetime.now(UTC)


def jira_time(moment: datetime) -> str:
    """Jira's timestamp format, e.g. `2020-07-27T14:46:26.918+0000`."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def iso_time(moment: datetime) -> str:
    """Confluence's timestamp format, e.g. `2024-01-27T10:00:00.000Z`."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
