"""Helpers for the feedback-loop tests: an installed site, signed deliveries, a small organisation,
the captured Jira payloads (read from the specs, never copied), and a fake Jira at our seam."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from connector.db import get_db, utcnow
from connector.practice.members import TeamMember
from connector.practice.models import Expectation, Measure, Relationship, Team
from tests.conftest import APP_BASE_URL, specs_dir
from tests.support.atlassian import FakeSite, post_json
from tests.support.prerequisites import missing

APP_KEY = "com.example.internal-customer-map"
# The people in the captured payloads: Robin wrote the comments, so Robin leads the customer team.
ROBIN = "557058:8b6b268b-17b3-407b-8974-bed4042fa709"
SUPPLIER_LEAD = "acc-supplier-lead"
SUPPLIER_MEMBER = "acc-supplier-member"
CUSTOMER_MEMBER = "acc-customer-member"
INTEGRATOR = "acc-integrator"


def captured(name: str) -> dict[str, Any]:
    folder = specs_dir()
    if folder is None:
        missing("Atlassian's captured webhooks are not beside the checkout (ICM_SPECS_DIR)")
    data: dict[str, Any] = json.loads((Path(folder) / "webhooks" / "jira" / name).read_text())
    return data


def install(app: Flask, signing_key: Any, kid: str) -> FakeSite:
    site = FakeSite(app_base_url=APP_BASE_URL, app_key=APP_KEY, key=signing_key, kid=kid)
    response = post_json(app.test_client(), "/installed", site.payload(), site.install_token())
    assert response.status_code == 204, response.get_data(as_text=True)
    return site


def deliver(
    client: FlaskClient,
    site: FakeSite,
    slug: str,
    body: Mapping[str, Any] | str,
    *,
    webhook_id: str | None = None,
    retry: int = 0,
    token: str | None = None,
) -> Any:
    path = f"/webhooks/jira/{slug}"
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"JWT {token or site.tenant_token('POST', path)}",
        "X-Atlassian-Webhook-Identifier": webhook_id or str(uuid.uuid4()),
        "X-Atlassian-Webhook-Retry": str(retry),
        "X-Atlassian-Webhook-Flow": "Primary",
    }
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, data=data, headers=headers)


SLUG = {
    "jira:issue_updated": "issue-updated",
    "jira:issue_deleted": "issue-deleted",
    "jira:issue_created": "issue-updated",
    "comment_created": "comment-created",
    "comment_updated": "comment-updated",
    "comment_deleted": "comment-deleted",
    "issuelink_created": "issuelink-created",
    "issuelink_deleted": "issuelink-deleted",
}


@dataclass
class Org:
    site_id: str
    supplier_id: int
    customer_id: int
    relationship_id: int
    expectation_ids: list[int] = field(default_factory=list)


def seed(
    session: Session,
    site_id: str,
    *,
    issues: Sequence[tuple[str, str]] = (("TES-1", "11901"),),
    state: str = "agreed",
    cadence_days: int = 30,
    agreed_at: datetime | None = None,
) -> Org:
    """Payroll supplies HR; one agreed expectation per (issue key, issue id)."""
    supplier = Team(site_id=site_id, key="PAY", name="Payroll", lead_account_id=SUPPLIER_LEAD)
    customer = Team(site_id=site_id, key="HR", name="People", lead_account_id=ROBIN)
    session.add_all([supplier, customer])
    session.flush()
    relationship = Relationship(
        site_id=site_id,
        supplier_id=supplier.id,
        customer_id=customer.id,
        service="monthly payroll run",
        integrator_account_id=INTEGRATOR,
    )
    session.add(relationship)
    session.add_all(
        [
            TeamMember(site_id=site_id, team_id=supplier.id, account_id=SUPPLIER_MEMBER),
            TeamMember(site_id=site_id, team_id=customer.id, account_id=CUSTOMER_MEMBER),
        ]
    )
    session.flush()
    org = Org(site_id, supplier.id, customer.id, relationship.id)
    for key, issue_id in issues:
        expectation = Expectation(
            site_id=site_id,
            relationship_id=relationship.id,
            statement=f"Payslips are right the first time ({key})",
            state=state,
            cadence_days=cadence_days,
            jira_issue_key=key,
            jira_issue_id=issue_id,
            agreed_at=agreed_at or utcnow() - timedelta(days=cadence_days + 1),
            created_at=utcnow() - timedelta(days=cadence_days + 2),
        )
        session.add(expectation)
        session.flush()
        org.expectation_ids.append(expectation.id)
    return org


def seed_app(app: Flask, site_id: str, **kwargs: Any) -> Org:
    with get_db(app).transaction() as session:
        return seed(session, site_id, **kwargs)


def add_measure(session: Session, expectation_id: int, value: float, target: float) -> None:
    session.add(
        Measure(expectation_id=expectation_id, name="on time", target=target, latest_value=value)
    )


def comment_payload(
    event: str,
    *,
    comment_id: str,
    body: str,
    at: datetime,
    created: datetime | None = None,
    author: str = ROBIN,
    issue: tuple[str, str] = ("TES-1", "11901"),
) -> dict[str, Any]:
    """A captured comment payload with its ids, author, body and times replaced."""
    base = copy.deepcopy(captured("comment_updated.json"))
    base["webhookEvent"] = event
    base["timestamp"] = int(at.timestamp() * 1000)
    comment = base["comment"]
    comment["id"] = comment_id
    comment["body"] = body
    comment["author"]["accountId"] = author
    comment["created"] = (created or at).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"
    comment["updated"] = at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"
    base["issue"]["key"], base["issue"]["id"] = issue
    return base


@dataclass
class FakeJira:
    """Jira as the feedback loop sees it: comments it was asked to add, issues a search returns."""

    comments: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)
    fail: bool = False

    def add_comment(self, issue_key: str, adf: Mapping[str, Any]) -> dict[str, Any]:
        if self.fail:
            raise RuntimeError("Jira is down")
        self.comments.append((issue_key, dict(adf)))
        return {"id": str(10000 + len(self.comments))}

    def search_jql(
        self, jql: str, fields: Sequence[str], page_size: int = 100
    ) -> Iterable[Mapping[str, Any]]:
        self.searches.append(jql)
        return list(self.issues)


def use_fake_jira(app: Flask) -> FakeJira:
    fake = FakeJira()
    app.extensions["icm.jira_for_site"] = lambda _session, _site: fake
    return fake


def mentions(adf: Mapping[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mention":
                found.append(node["attrs"]["id"])
            for child in node.get("content") or []:
                walk(child)

    walk(adf)
    return found


def adf_plain(adf: Mapping[str, Any]) -> str:
    from connector.domain.ratings import adf_to_text

    return adf_to_text(adf)
