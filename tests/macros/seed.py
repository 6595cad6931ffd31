"""Organisations written straight into the database for the macro route tests, the browser tests
and the route benchmark, plus installed tenants and Connect tokens signed as Confluence signs them.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from atlassian_jwt import encode_token
from sqlalchemy.orm import Session

from connector.platforms.connect.tenants import Installation, SqlTenantStore
from connector.practice.health import HealthSnapshot
from connector.practice.models import Expectation, Feedback, Measure, Relationship, Team

APP_KEY = "com.example.internal-customer-map"
READER = "5b10ac8d82e05b22cc7d4ef5"  # the signed-in Confluence user who views the macros
NOW = datetime.now(UTC)


@dataclass(frozen=True)
class SiteKeys:
    """One site's Jira and Confluence installations, as the tests sign calls with them."""

    site_id: str
    jira_base_url: str
    confluence_client_key: str
    confluence_secret: str

    def token(
        self, path: str, method: str = "GET", expires_in: int = 180, user: str | None = READER
    ) -> str:
        """A Confluence -> app token for `path` (with its query), like a macro iframe's, for a
        signed-in `user` (`sub`), or for a viewer without an account (None: no `sub`)."""
        return str(
            encode_token(
                method,
                path,
                self.confluence_client_key,
                self.confluence_secret,
                expires_in,
                payload_kwargs={"sub": user} if user else None,
            )
        )

    def signed(self, path: str, user: str | None = READER) -> str:
        joiner = "&" if "?" in path else "?"
        return f"{path}{joiner}jwt={self.token(path, user=user)}"


def install_site(session: Session, host: str = "acme.atlassian.net") -> SiteKeys:
    """Jira and Confluence tenants of one site (same cloudId), as `installed` would store them."""
    cloud_id = str(uuid.uuid4())
    store = SqlTenantStore(session)
    keys = {}
    for product, path in (("jira", ""), ("confluence", "/wiki")):
        installation = Installation(
            client_key=f"{product}-{uuid.uuid4()}",
            app_key=APP_KEY,
            shared_secret=uuid.uuid4().hex * 2,
            base_url=f"https://{host}{path}",
            product_type=product,
            cloud_id=cloud_id,
        )
        store.save_installation(installation)
        keys[product] = installation
    confluence = keys["confluence"]
    return SiteKeys(cloud_id, f"https://{host}", confluence.client_key, confluence.shared_secret)


def add_team(session: Session, site_id: str, key: str, name: str) -> Team:
    team = Team(site_id=site_id, key=key, name=name, jira_project_key=key)
    session.add(team)
    session.flush()
    return team


def relate(session: Session, supplier: Team, customer: Team, service: str) -> Relationship:
    rel = Relationship(
        site_id=supplier.site_id, supplier_id=supplier.id, customer_id=customer.id, service=service
    )
    session.add(rel)
    session.flush()
    return rel


def expect(
    session: Session,
    rel: Relationship,
    statement: str,
    *,
    state: str = "agreed",
    issue_key: str | None = None,
    ratings: tuple[int, ...] = (),
    measure: tuple[str, float, float | None] | None = None,
    cadence_days: int = 30,
) -> Expectation:
    """An expectation with its measure (name, target, latest) and ratings a few days apart."""
    exp = Expectation(
        site_id=rel.site_id,
        relationship_id=rel.id,
        statement=statement,
        state=state,
        jira_issue_key=issue_key,
        cadence_days=cadence_days,
        agreed_at=NOW - timedelta(days=20),
    )
    if measure is not None:
        name, target, latest = measure
        exp.measures.append(Measure(name=name, target=target, unit="%", latest_value=latest))
    session.add(exp)
    session.flush()
    for i, rating in enumerate(ratings):
        session.add(
            Feedback(
                site_id=rel.site_id,
                expectation_id=exp.id,
                rating=rating,
                comment=f"Rating {rating}",
                author_account_id=f"author-{i}",
                source="api",
                at=NOW - timedelta(days=2 + i),
            )
        )
    session.flush()
    return exp


def payroll_organisation(session: Session, site_id: str) -> dict[str, Team]:
    """PAY supplies HR (healthy) and FIN; IT supplies PAY (unhealthy); one retired relationship."""
    teams = {
        key: add_team(session, site_id, key, name)
        for key, name in (("PAY", "Payroll"), ("HR", "People"), ("FIN", "Finance"), ("IT", "IT"))
    }
    run = relate(session, teams["PAY"], teams["HR"], "monthly payroll run")
    expect(
        session,
        run,
        "Payslips out two days before payday",
        issue_key="PAY-1",
        ratings=(5, 4, 5),
        measure=("On time", 99, 100),
    )
    expect(session, run, "Answer pay questions within a day", issue_key="PAY-2", ratings=(4, 4, 5))
    reports = relate(session, teams["PAY"], teams["FIN"], "payroll cost reports")
    expect(session, reports, "Cost report by the 3rd", state="proposed", issue_key="PAY-3")
    hosting = relate(session, teams["IT"], teams["PAY"], "payroll system hosting")
    expect(
        session,
        hosting,
        "The payroll system is up during the run",
        issue_key="IT-7",
        ratings=(1, 2, 1),
        measure=("Uptime", 99.9, 97.0),
    )
    old = relate(session, teams["FIN"], teams["PAY"], "old ledger export")
    old.state = "retired"
    session.flush()
    return teams


def big_team(
    session: Session, site_id: str, neighbours: int, expectations: int, seed: int = 3
) -> str:
    """A team with `neighbours` relationships (half each side) and `expectations` spread evenly,
    each with a measure and a few ratings; returns the team's key."""
    rng = random.Random(seed)
    centre = add_team(session, site_id, "PAY", "Payroll")
    per = max(1, expectations // neighbours)
    number = 0
    for i in range(neighbours):
        other = add_team(session, site_id, f"T{i:02d}", f"Team {i:02d}")
        pair = (centre, other) if i % 2 else (other, centre)
        rel = relate(session, *pair, f"service {i}")
        for _ in range(per):
            number += 1
            expect(
                session,
                rel,
                f"Expectation {number}: answer within two working days",
                state=rng.choice(("agreed", "at_risk", "proposed", "met")),
                issue_key=f"{pair[0].key}-{number}",
                ratings=tuple(rng.randint(1, 5) for _ in range(rng.randint(0, 5))),
                measure=("Answered in time", 95, rng.choice((90.0, 97.0, None))),
            )
    return centre.key


# Real departments' names, some long: what a 760 px page must fit (PAY first, for the macros).
DEPARTMENTS = (
    ("PAY", "Payroll"),
    ("PEOPLE", "People Partners"),
    ("REC", "Recruiting"),
    ("LEARN", "Learning and Development"),
    ("DESK", "IT Service Desk"),
    ("PLAT", "Platform Engineering"),
    ("SEC", "Information Security"),
    ("DATA", "Data and Analytics"),
    ("FINOPS", "Finance Operations"),
    ("TREAS", "Treasury"),
    ("PROC", "Procurement"),
    ("LEGAL", "Legal"),
    ("AUDIT", "Internal Audit"),
    ("COMMS", "Internal Communications"),
    ("WORK", "Workplace Experience"),
    ("SAFE", "Health and Safety"),
    ("SUPPORT", "Customer Support Operations"),
    ("SALESOPS", "Sales Operations"),
    ("MKTOPS", "Marketing Operations"),
    ("FAC", "Facilities Management"),
)


def tiered_organisation(
    session: Session, site_id: str, teams: int = 20, per_team: int = 3, seed: int = 5
) -> dict[str, Team]:
    """`teams` departments in four tiers (shared services → operations → front line), each
    supplying about `per_team` teams of the next tiers with one expectation each (long words,
    a measure, ratings), and 90 days of health snapshots per relationship for the sparklines."""
    rng = random.Random(seed)
    more = tuple((f"T{i:03d}", f"Team {i:03d}") for i in range(len(DEPARTMENTS), teams))
    made = [add_team(session, site_id, key, name) for key, name in (DEPARTMENTS + more)[:teams]]
    tier = {t.key: i * 4 // len(made) for i, t in enumerate(made)}
    pairs: set[tuple[str, str]] = set()
    for supplier in made:
        later = [t for t in made if tier[t.key] > tier[supplier.key]] or [
            t for t in made if t is not supplier
        ]
        for customer in rng.sample(later, min(per_team, len(later))):
            if (customer.key, supplier.key) in pairs:
                continue
            pairs.add((supplier.key, customer.key))
            rel = relate(
                session, supplier, customer, f"{supplier.name.lower()} for {customer.name.lower()}"
            )
            expect(
                session,
                rel,
                f"{supplier.name} answers {customer.name}'s requests within two working days, "
                "and says so when it cannot",
                issue_key=f"{supplier.key}-{len(pairs)}",
                ratings=tuple(rng.randint(1, 5) for _ in range(rng.randint(0, 4))),
                measure=("Requests answered in time", 95, rng.choice((88.0, 97.0, None))),
            )
            snapshots(session, rel, rng)
    return {t.key: t for t in made}


def snapshots(session: Session, rel: Relationship, rng: random.Random, days: int = 90) -> None:
    """A daily health snapshot of `rel` for each of the last `days` days: a slow random walk."""
    score = rng.random()
    today = NOW.date()
    for days_ago in range(days - 1, -1, -1):
        score = min(1.0, max(0.0, score + rng.uniform(-0.05, 0.05)))
        session.add(
            HealthSnapshot(
                site_id=rel.site_id,
                subject="relationship",
                subject_id=rel.id,
                day=today - timedelta(days=days_ago),
                score=round(score, 3),
                band="healthy" if score >= 0.7 else "at_risk" if score >= 0.4 else "unhealthy",
                n=3,
            )
        )
    session.flush()
