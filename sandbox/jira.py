"""Jira's state and rules: issues, comments, entity properties, transitions, links, link types."""

from __future__ import annotations

import json
import threading
from typing import Any, cast

from sandbox import adf
from sandbox.directory import (
    DEFAULT_PRIORITY,
    ISSUE_TYPES,
    PRIORITIES,
    PROJECTS,
    STATUSES,
    USERS,
    IssueType,
    Project,
    Status,
    User,
    now,
)
from sandbox.errors import JiraError, not_found_issue
from sandbox.jira_model import (
    Comment,
    Issue,
    JiraEvent,
    Link,
    LinkType,
    Listener,
    creation_log,
)

__all__ = ["Comment", "Issue", "JiraEvent", "JiraStore", "Link", "LinkType"]

PROPERTY_VALUE_LIMIT = 32768
PROPERTY_KEY_LIMIT = 255
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


class JiraStore:
    """In-memory Jira site; every public method is atomic under one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, User] = {u.account_id: u for u in USERS}
        self.projects: dict[str, Project] = {p.key: p for p in PROJECTS}
        self.issue_types: dict[str, IssueType] = {t.id: t for t in ISSUE_TYPES}
        self.issues: dict[str, Issue] = {}
        self.link_types: dict[str, LinkType] = {
            lt.id: lt
            for lt in (
                LinkType("10000", "Blocks", "is blocked by", "blocks"),
                LinkType("10001", "Cloners", "is cloned by", "clones"),
                LinkType("10002", "Duplicate", "is duplicated by", "duplicates"),
                LinkType("10003", "Relates", "relates to", "relates to"),
            )
        }
        self.links: dict[str, Link] = {}
        self.listeners: list[Listener] = []
        self._next_issue_id = 10000
        self._next_comment_id = 10000
        self._next_link_id = 10000
        self._next_link_type_id = 10004
        self._key_counters: dict[str, int] = {}

    # ---- lookups ---------------------------------------------------------------------------

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

    def children(self, issue: Issue) -> list[Issue]:
        return [i for i in self.issues.values() if i.parent_id == issue.id]

    def links_of(self, issue: Issue) -> list[Link]:
        return [lk for lk in self.links.values() if issue.id in (lk.source_id, lk.destination_id)]

    # ---- issues ----------------------------------------------------------------------------

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

    def _validate_create(self, body: object) -> tuple[dict[str, Any], list[Any]]:
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
        properties = body.get("properties") or []
        for prop in properties:
            self._check_property(str(prop.get("key", "")), prop.get("value"))
        return fields, properties

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

    def _insert(self, fields: dict[str, Any], properties: list[Any], actor: str) -> Issue:
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
        issue.properties = {str(p["key"]): p["value"] for p in properties}
        self.issues[issue.key] = issue
        return issue

    def _apply(self, issue: Issue, fields: dict[str, Any]) -> list[dict[str, Any]]:
        """Set fields; returns changelog items for what changed."""
        items: list[dict[str, Any]] = []

        def change(name: str, old: Any, new: Any, old_s: str | None, new_s: str | None) -> None:
            if old != new:
                items.append(
                    {
                        "field": name,
                        "fieldtype": "jira",
                        "fieldId": name,
                        "from": old,
                        "fromString": old_s,
                        "to": new,
                        "toString": new_s,
                    }
                )

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
            for prop in body.get("properties") or []:
                self._check_property(str(prop.get("key", "")), prop.get("value"))
                issue.properties[str(prop["key"])] = prop["value"]
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
            for link in self.links_of(issue):
                del self.links[link.id]
                self._emit(JiraEvent("issuelink_deleted", actor, link=link, secondary=True))
            for kid in kids:
                kid.parent_id = None
            del self.issues[issue.key]
            self._emit(JiraEvent("jira:issue_deleted", actor, issue, "issue_deleted"))

    # ---- workflow --------------------------------------------------------------------------

    def transition(self, id_or_key: str, body: object, actor: str) -> None:
        ref = body.get("transition") if isinstance(body, dict) else None
        wanted = str(ref.get("id", "")) if isinstance(ref, dict) else ""
        with self.lock:
            issue = self.find_issue(id_or_key)
            target = next((s for s in STATUSES if s.transition_id == wanted), None)
            if target is None:
                raise JiraError(400, [f"Transition id '{wanted}' is not valid for this issue."])
            self.move_to(issue, target, actor)

    def move_to(self, issue: Issue, target: Status, actor: str) -> None:
        with self.lock:
            if target == issue.status:
                return
            items: list[dict[str, Any]] = [
                {
                    "field": "status",
                    "fieldtype": "jira",
                    "fieldId": "status",
                    "from": issue.status.id,
                    "fromString": issue.status.name,
                    "to": target.id,
                    "toString": target.name,
                }
            ]
            was_done = issue.resolved is not None
            if (target.category.key == "done") != was_done:
                resolution = ("10000", "Done")
                items.insert(
                    0,
                    {
                        "field": "resolution",
                        "fieldtype": "jira",
                        "fieldId": "resolution",
                        "from": resolution[0] if was_done else None,
                        "fromString": resolution[1] if was_done else None,
                        "to": None if was_done else resolution[0],
                        "toString": None if was_done else resolution[1],
                    },
                )
                issue.resolved = None if was_done else now()
            issue.status = target
            issue.updated = issue.status_changed = now()
            self._emit(JiraEvent("jira:issue_updated", actor, issue, "issue_generic", items))

    # ---- comments --------------------------------------------------------------------------

    def add_comment(
        self, id_or_key: str, body: object, actor: str, text: str | None = None
    ) -> Comment:
        with self.lock:
            issue = self.find_issue(id_or_key)
            doc = self._comment_body(body)
            self._next_comment_id += 1
            moment = now()
            comment = Comment(
                str(self._next_comment_id),
                issue.id,
                actor,
                doc,
                text if text is not None else adf.to_text(doc),
                moment,
                moment,
                actor,
            )
            issue.comments.append(comment)
            issue.updated = moment
            self._emit(JiraEvent("comment_created", actor, issue, comment=comment))
            self._emit(
                JiraEvent("jira:issue_updated", actor, issue, "issue_commented", comment=comment)
            )
            return comment

    @staticmethod
    def _comment_body(body: object) -> dict[str, Any]:
        doc = body.get("body") if isinstance(body, dict) else None
        if not adf.is_document(doc) or not adf.to_text(doc).strip():
            raise JiraError(400, errors={"comment": "Comment body can not be empty!"})
        return cast(dict[str, Any], doc)

    def find_comment(self, id_or_key: str, comment_id: str) -> Comment:
        issue = self.find_issue(id_or_key)
        for comment in issue.comments:
            if comment.id == comment_id:
                return comment
        raise JiraError(404, [f"Can not find a comment for the id: {comment_id}."])

    def edit_comment(
        self, id_or_key: str, comment_id: str, body: object, actor: str, text: str | None = None
    ) -> Comment:
        with self.lock:
            comment = self.find_comment(id_or_key, comment_id)
            doc = self._comment_body(body)
            comment.body = doc
            comment.text = text if text is not None else adf.to_text(doc)
            comment.updated = now()
            comment.update_author = actor
            issue = self.find_issue(id_or_key)
            self._emit(JiraEvent("comment_updated", actor, issue, comment=comment))
            self._emit(
                JiraEvent(
                    "jira:issue_updated", actor, issue, "issue_comment_edited", comment=comment
                )
            )
            return comment

    def delete_comment(self, id_or_key: str, comment_id: str, actor: str) -> None:
        with self.lock:
            comment = self.find_comment(id_or_key, comment_id)
            issue = self.find_issue(id_or_key)
            issue.comments.remove(comment)
            self._emit(JiraEvent("comment_deleted", actor, issue, comment=comment))
            self._emit(
                JiraEvent(
                    "jira:issue_updated", actor, issue, "issue_comment_deleted", comment=comment
                )
            )

    # ---- entity properties -----------------------------------------------------------------

    @staticmethod
    def _check_property(key: str, value: object) -> None:
        if not key or len(key.encode()) > PROPERTY_KEY_LIMIT:
            raise JiraError(400, ["The property key must be between 1 and 255 characters."])
        if len(json.dumps(value)) > PROPERTY_VALUE_LIMIT:
            raise JiraError(
                400,
                [
                    f"The value of the property is too long. The maximum length is "
                    f"{PROPERTY_VALUE_LIMIT} characters."
                ],
            )

    def set_property(self, id_or_key: str, key: str, value: object) -> bool:
        """Store a property; True when it was created, False when updated."""
        with self.lock:
            issue = self.find_issue(id_or_key)
            self._check_property(key, value)
            created = key not in issue.properties
            issue.properties[key] = value
            return created

    def get_property(self, id_or_key: str, key: str) -> Any:
        with self.lock:
            issue = self.find_issue(id_or_key)
            if key not in issue.properties:
                raise JiraError(404, [f"The property with key '{key}' does not exist."])
            return issue.properties[key]

    def delete_property(self, id_or_key: str, key: str) -> None:
        with self.lock:
            self.get_property(id_or_key, key)
            del self.find_issue(id_or_key).properties[key]

    # ---- links -----------------------------------------------------------------------------

    def create_link_type(self, body: object) -> LinkType:
        with self.lock:
            if not isinstance(body, dict) or not all(
                isinstance(body.get(k), str) and body[k].strip()
                for k in ("name", "inward", "outward")
            ):
                raise JiraError(400, ["The issue link type name, inward and outward are required."])
            name = body["name"].strip()
            if any(lt.name.lower() == name.lower() for lt in self.link_types.values()):
                raise JiraError(400, [f"Issue link type with name '{name}' already exists."])
            lt = LinkType(str(self._next_link_type_id), name, body["inward"], body["outward"])
            self._next_link_type_id += 1
            self.link_types[lt.id] = lt
            return lt

    def find_link_type(self, ref: object) -> LinkType:
        if isinstance(ref, dict):
            for lt in self.link_types.values():
                if ref.get("id") == lt.id or ref.get("name") == lt.name:
                    return lt
        raise JiraError(404, ["No issue link type with name or id given was found."])

    def create_link(self, body: object, actor: str) -> Link:
        if not isinstance(body, dict):
            raise JiraError(400, ["Can not deserialize the request body."])
        with self.lock:
            link_type = self.find_link_type(body.get("type"))
            ends = []
            for end in ("inwardIssue", "outwardIssue"):
                ref = body.get(end) or {}
                ends.append(self.find_issue(str(ref.get("key") or ref.get("id") or "")))
            source, destination = ends
            for existing in self.links.values():
                if (existing.type, existing.source_id, existing.destination_id) == (
                    link_type,
                    source.id,
                    destination.id,
                ):
                    return existing
            self._next_link_id += 1
            link = Link(str(self._next_link_id), link_type, source.id, destination.id)
            self.links[link.id] = link
            if isinstance(body.get("comment"), dict):
                self.add_comment(destination.key, body["comment"], actor)
            self._emit(JiraEvent("issuelink_created", actor, link=link))
            return link

    def find_link(self, link_id: str) -> Link:
        link = self.links.get(link_id)
        if link is None:
            raise JiraError(404, [f"No issue link with id '{link_id}' exists."])
        return link

    def delete_link(self, link_id: str, actor: str) -> None:
        with self.lock:
            link = self.find_link(link_id)
            del self.links[link_id]
            self._emit(JiraEvent("issuelink_deleted", actor, link=link))

    def _emit(self, event: JiraEvent) -> None:
        for listener in self.listeners:
            listener(event)
