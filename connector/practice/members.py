"""Team membership: a member list the app keeps per team (a team's lead counts as a member).

Why a list of our own rather than the members of the team's Jira project: a team in the practice
is not always one Jira project (a position, a team without a project, a project shared by
teams), and reading project roles needs the user's browse rights on each project; the list is
set by the team's lead or a Jira administrator (`PUT /api/v1/teams/{key}/members`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime, utcnow
from connector.practice.models import Relationship, Team

MAX_MEMBERS = 500


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(String(128), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def members_of(session: Session, team: Team) -> list[str]:
    """The team's members, its lead first (the lead counts as a member)."""
    listed = session.scalars(
        select(TeamMember.account_id)
        .where(TeamMember.team_id == team.id)
        .order_by(TeamMember.account_id)
    ).all()
    lead = [team.lead_account_id] if team.lead_account_id else []
    return lead + [account for account in listed if account != team.lead_account_id]


def set_members(session: Session, team: Team, account_ids: Iterable[str]) -> list[str]:
    wanted = sorted(set(account_ids))
    session.execute(delete(TeamMember).where(TeamMember.team_id == team.id))
    session.add_all(
        TeamMember(site_id=team.site_id, team_id=team.id, account_id=account) for account in wanted
    )
    session.flush()
    return members_of(session, team)


def teams_of(session: Session, site_id: str, account_id: str) -> Sequence[tuple[Team, str]]:
    """The live teams the account leads or belongs to, with its role ("lead" | "member")."""
    led = session.scalars(
        select(Team).where(
            Team.site_id == site_id,
            Team.lead_account_id == account_id,
            Team.retired_at.is_(None),
        )
    ).all()
    belongs = session.scalars(
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(
            TeamMember.site_id == site_id,
            TeamMember.account_id == account_id,
            Team.retired_at.is_(None),
        )
    ).all()
    seen = {team.id for team in led}
    found = [(team, "lead") for team in led]
    found += [(team, "member") for team in belongs if team.id not in seen]
    return sorted(found, key=lambda pair: pair[0].key)


def member_of(session: Session, account_id: str | None, teams: Iterable[Team]) -> set[int]:
    """The ids of those `teams` the account leads or is listed in (one query at most)."""
    if account_id is None:
        return set()
    teams = list(teams)
    found = {team.id for team in teams if team.lead_account_id == account_id}
    rest = [team.id for team in teams if team.id not in found]
    if rest:
        found |= set(
            session.scalars(
                select(TeamMember.team_id).where(
                    TeamMember.team_id.in_(rest), TeamMember.account_id == account_id
                )
            )
        )
    return found


def people_of(session: Session, teams: Iterable[Team]) -> set[str]:
    """The leads and listed members of `teams`."""
    teams = list(teams)
    found = {team.lead_account_id for team in teams if team.lead_account_id}
    ids = [team.id for team in teams]
    if ids:
        found |= set(
            session.scalars(select(TeamMember.account_id).where(TeamMember.team_id.in_(ids)))
        )
    return found


def counterparts(session: Session, team: Team) -> set[str]:
    """Who stands on the other side of one of the team's live relationships: the leads and members
    of the teams it supplies or serves, and those relationships' integrators. Enrolling one of
    them in `team` would put them on both sides (domain/roles.py: CROSS_ENROL)."""
    related = session.scalars(
        select(Relationship).where(
            Relationship.site_id == team.site_id,
            Relationship.state == "active",
            or_(Relationship.supplier_id == team.id, Relationship.customer_id == team.id),
        )
    ).all()
    others = [r.customer if r.supplier_id == team.id else r.supplier for r in related]
    integrators = {r.integrator_account_id for r in related if r.integrator_account_id}
    return people_of(session, others) | integrators
