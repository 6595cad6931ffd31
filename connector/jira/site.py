"""The narrow interface the app uses to reach one site's Jira (Cloud REST v3).

It wraps atlassian-python-api's `JiraCloud` on our signed, retrying session; each call checks
its own status, so callers see `JiraCallFailed` (with Jira's status and messages) or data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from connector.domain.errors import UpstreamError

BULK_LIMIT = 50
API = "rest/api/3"


class JiraCallFailed(UpstreamError):
    """Jira (or Confluence) answered with an error status (or could not be reached: status 0)."""

    def __init__(
        self, method: str, path: str, status: int, messages: Sequence[str], product: str = "Jira"
    ) -> None:
        text = "; ".join(messages) or "no message"
        super().__init__(
            f"{product} {method} {path} failed with {status}: {text}", details={"status": status}
        )
        self.status_code = status
        self.messages = list(messages)


@dataclass(frozen=True)
class Created:
    """One item of a bulk create: the issue made, or why it was not."""

    index: int
    key: str | None = None
    id: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class LinkType:
    id: str
    name: str


@dataclass(frozen=True)
class Linked:
    """A link made: its id (None if Jira does not list it yet) and the source issue's id."""

    link_id: str | None
    source_id: str


class JiraSite:
    def __init__(self, client: Any) -> None:
        self.client = client  # atlassian.JiraCloud on a signed session

    # --- plumbing

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        ok: Sequence[int] = (200, 201, 204),
    ) -> Any:
        return product_call(self.client, API, "Jira", method, path, json, params, ok)

    # --- issues

    def myself(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.call("GET", "myself")
        return answer

    def create_issues(self, updates: Sequence[Mapping[str, Any]]) -> list[Created]:
        """Bulk create (at most 50): per-item results; partial success is normal."""
        if not 0 < len(updates) <= BULK_LIMIT:
            raise ValueError(f"bulk create takes 1..{BULK_LIMIT} issues, got {len(updates)}")
        answer = (
            self.call("POST", "issue/bulk", json={"issueUpdates": list(updates)}, ok=(201, 400))
            or {}
        )
        errors = {int(e.get("failedElementNumber", -1)): e for e in answer.get("errors") or []}
        made = iter(answer.get("issues") or [])
        results = []
        for index in range(len(updates)):
            if index in errors:
                results.append(Created(index, error=_element_error(errors[index])))
            else:
                issue = next(made, None)
                if issue is None:
                    results.append(Created(index, error="Jira reported no result for this item"))
                else:
                    results.append(Created(index, key=issue["key"], id=str(issue["id"])))
        return results

    def edit_issue(
        self,
        key: str,
        fields: Mapping[str, Any],
        update: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> None:
        """Edit fields, apply `update` operations and set entity properties, in one call."""
        body: dict[str, Any] = {"fields": dict(fields)}
        if update:
            body["update"] = dict(update)
        if properties:
            body["properties"] = [{"key": k, "value": v} for k, v in properties.items()]
        self.call("PUT", f"issue/{key}", json=body)

    def get_issue(
        self, key: str, fields: Sequence[str] = ("summary",), properties: Sequence[str] = ()
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"fields": ",".join(fields)}
        if properties:
            params["properties"] = ",".join(properties)
        answer: dict[str, Any] = self.call("GET", f"issue/{key}", params=params)
        return answer

    def set_property(self, key: str, name: str, value: Any) -> None:
        self.call("PUT", f"issue/{key}/properties/{name}", json=value)

    def get_property(self, key: str, name: str) -> Any:
        try:
            answer = self.call("GET", f"issue/{key}/properties/{name}")
        except JiraCallFailed as exc:
            if exc.status_code == 404:
                return None
            raise
        return (answer or {}).get("value")

    def search_jql(
        self,
        jql: str,
        fields: Sequence[str] = ("id",),
        page_size: int = 100,
        properties: Sequence[str] = (),
    ) -> Iterator[dict[str, Any]]:
        """Every issue matching `jql`, following `nextPageToken` page after page."""
        token: str | None = None
        while True:
            body: dict[str, Any] = {"jql": jql, "fields": list(fields), "maxResults": page_size}
            if properties:
                body["properties"] = list(properties)
            if token:
                body["nextPageToken"] = token
            answer = self.call("POST", "search/jql", json=body) or {}
            yield from answer.get("issues") or []
            token = answer.get("nextPageToken")
            if answer.get("isLast", True) or not token:
                return

    # --- comments and transitions

    def add_comment(self, key: str, adf: Mapping[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = self.call("POST", f"issue/{key}/comment", json={"body": adf})
        return answer

    def get_comment(self, key: str, comment_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.call("GET", f"issue/{key}/comment/{comment_id}")
        return answer

    # --- links

    def link_types(self) -> list[LinkType]:
        answer = self.call("GET", "issueLinkType") or {}
        return [LinkType(str(t["id"]), t["name"]) for t in answer.get("issueLinkTypes") or []]

    def ensure_link_type(
        self, name: str, *, outward: str, inward: str, fallback: str = "Relates"
    ) -> LinkType:
        """The link type `name`, created when missing; `fallback` when we may not create it."""
        for existing in self.link_types():
            if existing.name.lower() == name.lower():
                return existing
        try:
            made = self.call(
                "POST", "issueLinkType", json={"name": name, "outward": outward, "inward": inward}
            )
            return LinkType(str(made["id"]), made["name"])
        except JiraCallFailed as exc:
            if exc.status_code not in (400, 403, 404):
                raise
        for existing in self.link_types():
            if existing.name.lower() == fallback.lower():
                return existing
        raise JiraCallFailed("GET", "issueLinkType", 404, [f"no link type {fallback!r} either"])

    def link_issues(self, link_type: LinkType, *, source: str, target: str) -> Linked:
        """Link so that it reads "`source` <outward> `target`" (e.g. IT-12 serves PAY-3).

        Jira's body names `inwardIssue` the issue the outward description reads from; the
        new link's id is looked up on the source issue, as the create answers with no body.
        """
        self.call(
            "POST",
            "issueLink",
            json={
                "type": {"id": link_type.id},
                "inwardIssue": {"key": source},
                "outwardIssue": {"key": target},
            },
        )
        issue = self.get_issue(source, fields=("issuelinks",))
        found = (
            str(link["id"])
            for link in issue.get("fields", {}).get("issuelinks") or []
            if str(link.get("type", {}).get("id")) == link_type.id
            and link.get("outwardIssue", {}).get("key") == target
        )
        return Linked(next(found, None), str(issue.get("id", "")))

    def delete_link(self, link_id: str) -> None:
        self.call("DELETE", f"issueLink/{link_id}")


def product_call(
    client: Any,
    api: str,
    product: str,
    method: str,
    path: str,
    json: Any = None,
    params: Mapping[str, Any] | None = None,
    ok: Sequence[int] = (200, 201, 204),
) -> Any:
    """One call through an atlassian-python-api client: the JSON answer, or `JiraCallFailed`."""
    try:
        response = client.request(
            method, f"{api}/{path}", json=json, params=dict(params or {}), advanced_mode=True
        )
    except requests.RequestException as exc:
        raise JiraCallFailed(method, path, 0, [type(exc).__name__], product) from exc
    if response.status_code not in ok:
        raise JiraCallFailed(method, path, response.status_code, _messages(response), product)
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:  # a proxy's or a login page's HTML, a cut-off body
        raise JiraCallFailed(method, path, response.status_code, ["not JSON"], product) from exc


def _messages(response: requests.Response) -> list[str]:
    try:
        body = response.json()
    except ValueError:
        return [response.reason or ""]
    if not isinstance(body, dict):
        return []
    errors = body.get("errors") or {}
    if isinstance(errors, list):  # Confluence v2: [{"status", "code", "title", "detail"}]
        return [str(e.get("title") or e.get("code")) for e in errors if isinstance(e, dict)]
    found = list(body.get("errorMessages") or [])
    return found + [f"{k}: {v}" for k, v in errors.items()] if isinstance(errors, dict) else found


def _element_error(error: Mapping[str, Any]) -> str:
    element = error.get("elementErrors") or {}
    messages = list(element.get("errorMessages") or [])
    messages += [f"{k}: {v}" for k, v in (element.get("errors") or {}).items()]
    return "; ".join(messages) or f"status {error.get('status')}"
