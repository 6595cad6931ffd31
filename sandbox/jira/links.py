"""Jira issue links ("source blocks destination") and link types, the four system ones first."""

from __future__ import annotations

from sandbox.errors import JiraError
from sandbox.jira.comments import JiraComments
from sandbox.jira.model import Issue, JiraEvent, Link, LinkType

SYSTEM_LINK_TYPES = (
    LinkType("10000", "Blocks", "is blocked by", "blocks"),
    LinkType("10001", "Cloners", "is cloned by", "clones"),
    LinkType("10002", "Duplicate", "is duplicated by", "duplicates"),
    LinkType("10003", "Relates", "relates to", "relates to"),
)


class JiraLinks(JiraComments):
    """Builds on comments because creating a link may also comment on its destination issue."""

    def __init__(self) -> None:
        super().__init__()
        self.link_types: dict[str, LinkType] = {lt.id: lt for lt in SYSTEM_LINK_TYPES}
        self.links: dict[str, Link] = {}
        self._next_link_id = 10000
        self._next_link_type_id = 10004

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

    def links_of(self, issue: Issue) -> list[Link]:
        return [lk for lk in self.links.values() if issue.id in (lk.source_id, lk.destination_id)]

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

    def _unlink(self, issue: Issue, actor: str) -> None:
        """Drop every link of an issue being deleted; Jira flags those events as secondary."""
        for link in self.links_of(issue):
            del self.links[link.id]
            self._emit(JiraEvent("issuelink_deleted", actor, link=link, secondary=True))
