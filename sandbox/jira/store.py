"""Jira's state and rules: the store a sandbox site keeps, and its issues (create, edit, delete).

Comments, entity properties, links and the workflow each have their own module; `JiraStore`
combines them into the one object the rest of the sandbox uses.
"""

from __future__ import annotations

from typing import Any

from sandbox import adf
from sandbox.directory import DEFAULT_PRIORITY, PRIORITIES, now
from sandbox.errors import JiraError
from sandbox.jira.links import JiraLinks
from sandbox.jira.model import (
    Comment,
    Issue,
    JiraEvent,
    Link,
    LinkType,
    change_item,
    creation_log,
)
from sandbox.jira.properties import JiraProperties, check_properties
from sandbox.jira.workflow import JiraWorkflow

__all__ = ["Comment", "Issue", "JiraEvent", "JiraStore", "Link", "LinkType"]

BULK_LIMIT = 50
SETTABLE_FIELDS = {
    "project",
    "issuetype",
    "summary",
    "description",
    "labels",
    "parent",
    "assignee",
    "reporter",
    "priority",
    "duedate",
}


class JiraStore(JiraWorkflow, JiraLinks, JiraProperties):
    """In-memory Jira site; every public method is atomic under one lock."""

    def __init__(self) -> None:
        super().__init__()
        self._next_issue_id = 10000
        self._key_counters: dict[str, int] = {}

    def children(self, issue: Issue) -> list[Issue]:
        return [i for i in self.issues.values() if i.parent_id == issue.id]

    def create_issue(self, body: object, actor: str) -> Issue:
        with self.lock:
            fields, properties = self._validate_create(body)
            issue = self._insert(fields, properties, actor)
            self._emit(
                JiraEvent("jira:issue_created", actor, issue, "issue_created", creation_log(issue))
            )
            return issue

    def create_issues(self, body: object, actor: str) -> tuple[list[Issue], list[dict[str, Any]]]:
        updates = body.get("issueUpdates") if isinstance(body, dict) else None
        if not isinstance(updates, list):
            raise JiraError(400, ["Issue updates must not be empty."])
        if len(updates) > BULK_LIMIT:
            raise JiraError(400, [f"Maximum number of issues to create in bulk is {BULK_LIMIT}."])
        created: list[Issue] = []
        failures: list[dict[str, Any]] = []
        for number, update in enumerate(updates):
            try:
                created.append(self.create_issue(update, actor))
            except JiraError as exc:
                failures.append(
                    {
                        "status": exc.status,
                        "elementErrors": exc.body(),
                        "failedElementNumber": number,
                    }
                )
        return created, failures

    def _validate_create(self, body: object) -> tuple[dict[str, Any], dict[str, Any]]:
        if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
            raise JiraError(400, ["Issue must have fields."])
        fields: dict[str, Any] = body["fields"]
        errors: dict[str, str] = {}
        for name, check in (("project", self.find_project), ("issuetype", self.find_issue_type)):
            try:
                check(fields.get(name))
            except JiraError as exc:
                errors.update(exc.errors)
        if not str(fields.get("summary") or "").strip():
            errors["summary"] = "You must specify a summary of the issue."
        errors.update(self._field_errors(fields, creating=True))
        if errors:
            raise JiraError(400, errors=errors)
        return fields, check_properties(body.get("properties"))

    def _field_errors(self, fields: dict[str, Any], creating: bool) -> dict[str, str]:
        errors: dict[str, str] = {}
        for name in fields:
            if name not in SETTABLE_FIELDS or (name == "project" and not creating):
                errors[name] = (
                    f"Field '{name}' cannot be set. It is not on the appropriate screen, "
                    "or unknown."
                )
        desc = fields.get("description")
        if desc is not None and not adf.is_document(desc):
            errors["description"] = "Operation value must be an Atlassian Document (see ADF)."
        labels = fields.get("labels")
        if labels is not None and (
            not isinstance(labels, list)
            or any(not isinstance(x, str) or " " in x or not x for x in labels)
        ):
            errors["labels"] = "The label must not contain spaces."
        parent = fields.get("parent")
        if parent is not None:
            error = self._parent_error(parent, fields.get("issuetype"))
            if error:
                errors["parent"] = error
        for who in ("assignee", "reporter"):
            ref = fields.get(who)
            if ref is not None and (
                not isinstance(ref, dict) or ref.get("accountId") not in self.users
            ):
                errors[who] = f"Specify a valid value for {who}"
        prio = fields.get("priority")
        if prio is not None and self._priority(prio) is None:
            errors["priority"] = "Specify the Priority (id or name) in the string format"
        return errors

    def _parent_error(self, parent: object, type_ref: object) -> str | None:
        ref = parent.get("key") or parent.get("id") if isinstance(parent, dict) else None
        try:
            target = self.find_issue(str(ref))
        except JiraError:
            return f"Could not find issue by id or key: '{ref}'."
        child_level = 0
        if type_ref is not None:
            try:
                child_level = self.find_issue_type(type_ref).hierarchy_level
            except JiraError:
                return None
        if target.issuetype.hierarchy_level != child_level + 1:
            return "Given parent work item does not belong to appropriate hierarchy."
        return None

    @staticmethod
    def _priority(ref: object) -> tuple[str, str] | None:
        if isinstance(ref, dict):
            for pid, name in PRIORITIES:
                if ref.get("id") == pid or ref.get("name") == name:
                    return pid, name
        return None

    def _insert(self, fields: dict[str, Any], properties: dict[str, Any], actor: str) -> Issue:
        project = self.find_project(fields["project"])
        number = self._key_counters.get(project.key, 0) + 1
        self._key_counters[project.key] = number
        self._next_issue_id += 1
        moment = now()
        issue = Issue(
            id=str(self._next_issue_id),
            key=f"{project.key}-{number}",
            project=project,
            issuetype=self.find_issue_type(fields["issuetype"]),
            summary=str(fields["summary"]),
            reporter=(fields.get("reporter") or {}).get("accountId") or actor,
            created=moment,
            updated=moment,
            status_changed=moment,
        )
        self._apply(
            issue, {k: v for k, v in fields.items() if k not in ("project", "issuetype", "summary")}
        )
        issue.properties = dict(properties)
        self.issues[issue.key] = issue
        return issue

    def _apply(self, issue: Issue, fields: dict[str, Any]) -> list[dict[str, Any]]:
        """Set fields; returns changelog items for what changed."""
        items: list[dict[str, Any]] = []

        def change(name: str, old: Any, new: Any, old_s: str | None, new_s: str | None) -> None:
            # Text fields (summary, description, labels) have no ids: their strings tell.
            if old != new or old_s != new_s:
                items.append(change_item(name, old, new, old_s, new_s))

        for name, value in fields.items():
            if name == "summary":
                change("summary", None, None, issue.summary, str(value))
                issue.summary = str(value)
            elif name == "description":
                change(
                    "description", None, None, adf.to_text(issue.description), adf.to_text(value)
                )
                issue.description = value
            elif name == "labels":
                new = sorted(set(value or []))
                change("labels", None, None, " ".join(issue.labels), " ".join(new))
                issue.labels = new
            elif name == "parent":
                ref = str(value.get("key") or value.get("id")) if value else None
                target = self.find_issue(ref) if ref else None
                new_id = target.id if target else None
                change(
                    "IssueParentAssociation",
                    issue.parent_id,
                    new_id,
                    None,
                    target.key if target else None,
                )
                issue.parent_id = new_id
            elif name in ("assignee", "reporter"):
                new_acc = (value or {}).get("accountId")
                old_acc = getattr(issue, name)
                change(name, old_acc, new_acc, None, None)
                setattr(issue, name, new_acc)
            elif name == "priority":
                prio = self._priority(value) or DEFAULT_PRIORITY
                change("priority", issue.priority[0], prio[0], issue.priority[1], prio[1])
                issue.priority = prio
            elif name == "duedate":
                change("duedate", issue.duedate, value, issue.duedate, value)
                issue.duedate = value
        return [i for i in items if i["fromString"] != i["toString"] or i["from"] != i["to"]]

    def edit_issue(self, id_or_key: str, body: object, actor: str) -> None:
        with self.lock:
            issue = self.find_issue(id_or_key)
            if not isinstance(body, dict):
                raise JiraError(400, ["Can not deserialize the request body."])
            fields = dict(body.get("fields") or {})
            for name, ops in (body.get("update") or {}).items():
                fields[name] = self._apply_update_ops(issue, name, ops)
            if "issuetype" in fields:
                fields.pop("issuetype")
            errors = self._field_errors(fields, creating=False)
            if "summary" in fields and not str(fields["summary"] or "").strip():
                errors["summary"] = "You must specify a summary of the issue."
            if errors:
                raise JiraError(400, errors=errors)
            issue.properties.update(check_properties(body.get("properties")))
            items = self._apply(issue, fields)
            if items:
                issue.updated = now()
                self._emit(JiraEvent("jira:issue_updated", actor, issue, "issue_updated", items))

    @staticmethod
    def _apply_update_ops(issue: Issue, name: str, ops: object) -> Any:
        if name != "labels" or not isinstance(ops, list):
            raise JiraError(400, errors={name: f"Field '{name}' cannot be updated this way."})
        labels = list(issue.labels)
        for op in ops:
            for verb, value in op.items():
                if verb == "add" and value not in labels:
                    labels.append(value)
                elif verb == "remove" and value in labels:
                    labels.remove(value)
                elif verb == "set":
                    labels = list(value)
        return labels

    def delete_issue(self, id_or_key: str, actor: str, delete_subtasks: bool = False) -> None:
        with self.lock:
            issue = self.find_issue(id_or_key)
            kids = self.children(issue)
            if any(k.issuetype.subtask for k in kids) and not delete_subtasks:
                raise JiraError(400, ["The issue has subtasks; set deleteSubtasks to delete it."])
            self._unlink(issue, actor)
            for kid in kids:
                kid.parent_id = None
            del self.issues[issue.key]
            self._emit(JiraEvent("jira:issue_deleted", actor, issue, "issue_deleted"))
