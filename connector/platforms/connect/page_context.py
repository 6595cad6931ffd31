"""What the Jira pages need to know about the installation that shows them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.domain.errors import NotFound
from connector.platforms.connect.tenants import SqlTenantStore
from connector.practice.models import Team


@dataclass
class PageContext:
    session: Session
    client_key: str
    shared_secret: str
    site_id: str

    def teams(self) -> list[Team]:
        return list(
            self.session.scalars(
                select(Team)
                .where(Team.site_id == self.site_id, Team.retired_at.is_(None))
                .order_by(Team.name)
            )
        )

    def team_for(self, project_key: str) -> Team | None:
        """The team that works in this Jira project (a team key equal to it wins)."""
        found = [t for t in self.teams() if project_key in (t.jira_project_key, t.key)]
        found.sort(key=lambda t: t.key != project_key)
        return found[0] if found else None


def page_context(session: Session, client_key: str) -> PageContext:
    tenant = SqlTenantStore(session).get(client_key)
    if tenant is None:
        raise NotFound("the installation showing this page is gone")
    return PageContext(session, tenant.client_key, tenant.shared_secret, tenant.site_id)
