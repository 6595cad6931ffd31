"""Jira issue entity properties: JSON values stored on an issue under a key, with Jira's limits."""

from __future__ import annotations

import json
from typing import Any

from sandbox.errors import JiraError
from sandbox.jira.records import JiraRecords

PROPERTY_VALUE_LIMIT = 32768
PROPERTY_KEY_LIMIT = 255


def check_property(key: str, value: object) -> None:
    """Reject a key or a value Jira would refuse (also used for properties set on create/edit)."""
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


def check_properties(raw: object) -> dict[str, Any]:
    """`IssueUpdateDetails.properties` on a create or an edit: a list of `{"key", "value"}`, each
    key and value as Jira requires; all are checked before any is stored."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise JiraError(400, ["The properties must be a list of entity properties."])
    found: dict[str, Any] = {}
    for prop in raw:
        if not (isinstance(prop, dict) and isinstance(prop.get("key"), str) and "value" in prop):
            raise JiraError(400, ["Each property needs a key and a value."])
        check_property(prop["key"], prop["value"])
        found[prop["key"]] = prop["value"]
    return found


class JiraProperties(JiraRecords):
    """Properties live on their issue (`Issue.properties`) and raise no webhook events."""

    def set_property(self, id_or_key: str, key: str, value: object) -> bool:
        """Store a property; True when it was created, False when updated."""
        with self.lock:
            issue = self.find_issue(id_or_key)
            check_property(key, value)
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
