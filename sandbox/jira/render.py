"""Jira's JSON representations: REST v3 for API answers, REST v2 for webhook bodies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sandbox import adf
from sandbox.directory import IssueType, Project, Status, User, jira_time
from sandbox.jira.store import Comment, Issue, JiraStore, Link, LinkType

NAVIGABLE = (
    "summary",
    "description",
    "issuetype",
    "project",
    "status",
    "labels",
    "created",
    "updated",
    "reporter",
    "creator",
    "assignee",
    "priority",
    "parent",
    "issuelinks",
    "resolution",
    "resolutiondate",
    "statuscategorychangedate",
    "subtasks",
    "duedate",
)


@dataclass
class JiraRenderer:
    store: JiraStore
    base_url: str
    version: int = 3

    def api(self, path: str) -> str:
        return f"{self.base_url}/rest/api/{self.version}/{path}"

    def user(self, account_id: str | None) -> dict[str, Any] | None:
        if account_id is None:
            return None
        found = self.store.users.get(account_id) or User(account_id, account_id, "app")
        avatar = f"{self.base_url}/avatars/{quote(found.account_id, safe='')}.png"
        return {
            "self": self.api(f"user?accountId={quote(found.account_id, safe='')}"),
            "accountId": found.account_id,
            "accountType": found.account_type,
            "avatarUrls": dict.fromkeys(("48x48", "24x24", "16x16", "32x32"), avatar),
            "displayName": found.display_name,
            "active": True,
            "timeZone": found.time_zone,
        }

    def project(self, project: Project, full: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "self": self.api(f"project/{project.id}"),
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "projectTypeKey": "software",
            "simplified": False,
            "avatarUrls": {"48x48": f"{self.base_url}/secure/projectavatar?pid={project.id}"},
        }
        if full:
            body["lead"] = self.user(project.lead)
            body["issueTypes"] = [self.issue_type(t) for t in self.store.issue_types.values()]
            body["style"] = "classic"
            body["isPrivate"] = False
        return body

    def issue_type(self, issue_type: IssueType) -> dict[str, Any]:
        return {
            "self": self.api(f"issuetype/{issue_type.id}"),
            "id": issue_type.id,
            "description": issue_type.description,
            "iconUrl": f"{self.base_url}/images/icons/issuetypes/{issue_type.name.lower()}.svg",
            "name": issue_type.name,
            "subtask": issue_type.subtask,
            "hierarchyLevel": issue_type.hierarchy_level,
        }

    def status(self, status: Status) -> dict[str, Any]:
        cat = status.category
        return {
            "self": self.api(f"status/{status.id}"),
            "description": "",
            "iconUrl": f"{self.base_url}/images/icons/statuses/generic.png",
            "name": status.name,
            "id": status.id,
            "statusCategory": {
                "self": self.api(f"statuscategory/{cat.id}"),
                "id": cat.id,
                "key": cat.key,
                "colorName": cat.color,
                "name": cat.name,
            },
        }

    def issue_ref(self, issue: Issue) -> dict[str, Any]:
        return {
            "id": issue.id,
            "key": issue.key,
            "self": self.api(f"issue/{issue.id}"),
            "fields": {
                "summary": issue.summary,
                "status": self.status(issue.status),
                "priority": self.priority(issue),
                "issuetype": self.issue_type(issue.issuetype),
            },
        }

    def priority(self, issue: Issue) -> dict[str, Any]:
        pid, name = issue.priority
        return {"self": self.api(f"priority/{pid}"), "id": pid, "name": name}

    def link_type(self, link_type: LinkType) -> dict[str, Any]:
        return {
            "id": link_type.id,
            "name": link_type.name,
            "inward": link_type.inward,
            "outward": link_type.outward,
            "self": self.api(f"issueLinkType/{link_type.id}"),
        }

    def link(self, link: Link, seen_from: Issue | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": link.id,
            "self": self.api(f"issueLink/{link.id}"),
            "type": self.link_type(link.type),
        }
        source = self.store.issue_by_id(link.source_id)
        destination = self.store.issue_by_id(link.destination_id)
        # Jira names the *other* end: on the source it shows the outward issue, and vice versa.
        if (seen_from is None or seen_from.id == link.source_id) and destination:
            body["outwardIssue"] = self.issue_ref(destination)
        if (seen_from is None or seen_from.id == link.destination_id) and source:
            body["inwardIssue"] = self.issue_ref(source)
        return body

    def comment(self, comment: Comment) -> dict[str, Any]:
        issue = self.store.issue_by_id(comment.issue_id)
        return {
            "self": self.api(
                f"issue/{issue.id if issue else comment.issue_id}/comment/{comment.id}"
            ),
            "id": comment.id,
            "author": self.user(comment.author),
            "body": comment.body if self.version == 3 else comment.text,
            "updateAuthor": self.user(comment.update_author),
            "created": jira_time(comment.created),
            "updated": jira_time(comment.updated),
            "jsdPublic": True,
        }

    def fields(self, issue: Issue) -> dict[str, Any]:
        parent = self.store.issue_by_id(issue.parent_id) if issue.parent_id else None
        description: Any = issue.description
        if self.version == 2 and description is not None:
            description = adf.to_text(description)
        return {
            "summary": issue.summary,
            "description": description,
            "issuetype": self.issue_type(issue.issuetype),
            "project": self.project(issue.project),
            "status": self.status(issue.status),
            "labels": list(issue.labels),
            "created": jira_time(issue.created),
            "updated": jira_time(issue.updated),
            "statuscategorychangedate": jira_time(issue.status_changed),
            "reporter": self.user(issue.reporter),
            "creator": self.user(issue.reporter),
            "assignee": self.user(issue.assignee),
            "priority": self.priority(issue),
            "parent": self.issue_ref(parent) if parent else None,
            "issuelinks": [self.link(lk, issue) for lk in self.store.links_of(issue)],
            "resolution": (
                {"self": self.api("resolution/10000"), "id": "10000", "name": "Done"}
                if issue.resolved
                else None
            ),
            "resolutiondate": jira_time(issue.resolved) if issue.resolved else None,
            "subtasks": [
                self.issue_ref(k) for k in self.store.children(issue) if k.issuetype.subtask
            ],
            "duedate": issue.duedate,
            "comment": {
                "comments": [self.comment(c) for c in issue.comments],
                "maxResults": len(issue.comments),
                "total": len(issue.comments),
                "startAt": 0,
            },
        }

    def issue(
        self,
        issue: Issue,
        wanted: list[str] | None = None,
        properties: list[str] | None = None,
    ) -> dict[str, Any]:
        """An IssueBean; `wanted` as Jira's `fields` parameter (None = all navigable)."""
        body: dict[str, Any] = {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog",
            "id": issue.id,
            "self": self.api(f"issue/{issue.id}"),
            "key": issue.key,
        }
        everything = self.fields(issue)
        chosen = select_fields(wanted, everything)
        if chosen:
            body["fields"] = chosen
        if properties:
            body["properties"] = {
                k: issue.properties[k] for k in properties if k in issue.properties
            }
        return body


def select_fields(wanted: list[str] | None, everything: dict[str, Any]) -> dict[str, Any]:
    if wanted is None:
        names = set(NAVIGABLE) | {"comment"}
    else:
        names = set()
        for raw in wanted:
            for name in (n.strip() for n in raw.split(",")):
                if name in ("*all", "*navigable"):
                    names |= set(everything)
                elif name.startswith("-"):
                    names.discard(name[1:])
                elif name:
                    names.add(name)
    return {k: v for k, v in everything.items() if k in names}
