"""Jira issue comments: add, edit, delete; each is its own event and also an issue update."""

from __future__ import annotations

from typing import Any, cast

from sandbox import adf
from sandbox.directory import now
from sandbox.errors import JiraError
from sandbox.jira.model import Comment, JiraEvent
from sandbox.jira.records import JiraRecords


class JiraComments(JiraRecords):
    """Comments live on their issue (`Issue.comments`); ids are numbered site-wide."""

    def __init__(self) -> None:
        super().__init__()
        self._next_comment_id = 10000

    def add_comment(
        self, id_or_key: str, body: object, actor: str, text: str | None = None
    ) -> Comment:
        with self.lock:
            issue = self.find_issue(id_or_key)
            doc = comment_document(body)
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
            doc = comment_document(body)
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


def comment_document(body: object) -> dict[str, Any]:
    """The ADF document a comment request carries; 400 when it is missing or blank."""
    doc = body.get("body") if isinstance(body, dict) else None
    if not adf.is_document(doc) or not adf.to_text(doc).strip():
        raise JiraError(400, errors={"comment": "Comment body can not be empty!"})
    return cast(dict[str, Any], doc)
