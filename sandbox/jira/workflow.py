"""Jira's workflow: moving an issue between statuses, with the resolution that follows "Done"."""

from __future__ import annotations

from typing import Any

from sandbox.directory import STATUSES, Status, now
from sandbox.errors import JiraError
from sandbox.jira.model import Issue, JiraEvent, change_item
from sandbox.jira.records import JiraRecords

DONE_RESOLUTION = ("10000", "Done")


class JiraWorkflow(JiraRecords):
    """One workflow for every project: any status may move to any other."""

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
            items = [
                change_item("status", issue.status.id, target.id, issue.status.name, target.name)
            ]
            was_done = issue.resolved is not None
            if (target.category.key == "done") != was_done:
                items.insert(0, resolution_change(was_done))
                issue.resolved = None if was_done else now()
            issue.status = target
            issue.updated = issue.status_changed = now()
            self._emit(JiraEvent("jira:issue_updated", actor, issue, "issue_generic", items))


def resolution_change(was_done: bool) -> dict[str, Any]:
    """The changelog item for an issue entering (or leaving) a done status."""
    pid, name = DONE_RESOLUTION
    if was_done:
        return change_item("resolution", pid, None, name, None)
    return change_item("resolution", None, pid, None, name)
