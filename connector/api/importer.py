"""Bulk import of a site's organisation: teams, relationships, goals and expectations.

YAML (see examples/organisation.yaml)::

    teams:
      - {key: PAY, name: Payroll, jiraProjectKey: PAY, leadAccountId: "5b10..."}
    goals:                                  # optional
      - {team: PAY, title: Zero payroll errors, description: ...}
    relationships:
      - supplier: PAY
        customer: HR
        service: monthly payroll run
        integratorAccountId: "5b10..."      # optional
        expectations:
          - statement: Everyone is paid correctly on the last working day
            whyItMatters: ...               # optional, as are the fields below
            measures: [{name: Right first time, target: 99.5, unit: "%", direction: atLeast}]
            growthOpportunity: ...
            cadenceDays: 30
            priority: high                  # high | medium | low
            state: agreed                   # draft (default) | proposed | agreed
            goal: Zero payroll errors       # the title of a goal of the supplier team

CSV: one record per row, a `type` column (`team`, `goal`, `relationship`, `expectation`) and the
same field names as columns. An expectation row names its relationship by `supplier`,
`customer` and `service`; `measures` is `name|target|unit|direction` items joined by `;`, and
an item `name|target|unit|direction|JQL` is a measure counted by that JQL query.

Every record is checked before anything is written; the errors name the record (`row N` in a
CSV, the list position in YAML) and the field. A measure counted by JQL (`source: jql`, `jql:
...`) is checked by Jira's parser as the API checks one (`jql/parse`, strict), in one call for
all the file's queries; a query Jira refuses is reported with Jira's message. Re-importing the
same file changes nothing: teams are matched by key, relationships by supplier, customer and
service, expectations by statement within their relationship.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import yaml
from flask import Flask
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.api import schemas
from connector.db import get_db
from connector.domain.errors import UpstreamError, ValidationFailed
from connector.practice import expectations, goals, relationships, teams
from connector.practice.measure_counts import jql_refusals
from connector.practice.measure_values import JQL
from connector.practice.models import Expectation, Goal, Relationship
from connector.sync.worker import drain_outbox
from connector.web.limits import MAX_JSON_DEPTH

IMPORT_STATES = ("draft", "proposed", "agreed")
PATHS = {"draft": (), "proposed": ("proposed",), "agreed": ("proposed", "agreed")}


class RelationshipRecord(schemas.RelationshipIn):
    expectations = fields.List(fields.Raw(), load_default=list)


class ExpectationRecord(schemas.ExpectationText):
    statement = schemas.text(required=True, max_length=5000)
    cadence_days = fields.Integer(data_key="cadenceDays", validate=validate.Range(1, 366))
    priority = fields.String(validate=validate.OneOf(schemas.PRIORITIES))
    state = fields.String(load_default="draft", validate=validate.OneOf(IMPORT_STATES))
    goal = fields.String(load_default=None)


@dataclass
class Record:
    kind: str  # team | goal | relationship | expectation
    where: str  # "row 7" or "relationships[2].expectations[0]"
    raw: Mapping[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    parent: Record | None = None  # an expectation's relationship


@dataclass(frozen=True)
class Problem:
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"


SCHEMAS: dict[str, type[Schema]] = {
    "team": schemas.TeamIn,
    "goal": schemas.GoalIn,
    "relationship": RelationshipRecord,
    "expectation": ExpectationRecord,
}


# --- reading


MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_RECORDS = 20_000


def read(path: Path) -> list[Record]:
    size = path.stat().st_size
    if size > MAX_IMPORT_BYTES:
        raise ValueError(f"the file is {size} bytes; an import takes at most {MAX_IMPORT_BYTES}")
    text = path.read_text(encoding="utf-8")
    return read_text(text, "csv" if path.suffix.lower() == ".csv" else "yaml")


def read_text(text: str, kind: str) -> list[Record]:
    """The records of a CSV or YAML document (`kind`), at most MAX_RECORDS."""
    records: list[Record] = []
    for record in read_csv(text) if kind == "csv" else read_yaml(text):
        records.append(record)
        if len(records) > MAX_RECORDS:
            raise ValueError(f"the file holds more than {MAX_RECORDS} records")
    return records


class NoAliasLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: an organisation needs none, and aliases let a few KB
    expand into millions of records before anything is checked (a "billion laughs"). Nesting is
    bounded as for JSON (`MAX_JSON_DEPTH` levels): the composer recurses once per level."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_JSON_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"the document nests deeper than {MAX_JSON_DEPTH} levels",
                    event.start_mark,
                )
            return self._compose_plain_node(parent, index)
        finally:
            self._depth -= 1

    def _compose_plain_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in an import", event.start_mark
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "anchors (&name) are not allowed in an import", event.start_mark
            )
        return super().compose_node(parent, index)


def read_yaml(text: str) -> Iterator[Record]:
    document = yaml.load(text, Loader=NoAliasLoader) or {}  # noqa: S506
    if not isinstance(document, dict):
        raise ValueError("the YAML document must be a mapping with teams, relationships, goals")
    for kind, section in (("team", "teams"), ("goal", "goals"), ("relationship", "relationships")):
        for n, raw in enumerate(document.get(section) or []):
            record = Record(kind, f"{section}[{n}]", raw if isinstance(raw, dict) else {"": raw})
            yield record
            if kind == "relationship" and isinstance(raw, dict):
                for m, child in enumerate(raw.get("expectations") or []):
                    body = child if isinstance(child, dict) else {"": child}
                    yield Record(
                        "expectation", f"{record.where}.expectations[{m}]", body, parent=record
                    )


def read_csv(text: str) -> Iterator[Record]:
    relationships_seen: dict[tuple[str, str, str], Record] = {}
    with io.StringIO(text, newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            kind = (row.pop("type", "") or "").strip()
            raw = {k: v.strip() for k, v in row.items() if k and v and v.strip()}
            record = Record(kind, f"row {line}", raw)
            ref = (raw.get("supplier", ""), raw.get("customer", ""), raw.get("service", ""))
            if kind == "relationship":
                relationships_seen[ref] = record
            elif kind == "expectation":
                record.parent = relationships_seen.get(ref)
                record.raw = _csv_expectation(raw)
            yield record


def _csv_expectation(raw: Mapping[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        k: v for k, v in raw.items() if k not in ("supplier", "customer", "service")
    }
    if "measures" in body:
        body["measures"] = [_csv_measure(m) for m in body["measures"].split(";") if m.strip()]
    return body


def _csv_measure(text: str) -> dict[str, Any]:
    parts = [p.strip() for p in text.split("|", 4)] + ["", "", "", "", ""]
    name, target, unit, direction, jql = parts[:5]
    measure: dict[str, Any] = {"name": name, "target": target}
    if unit:
        measure["unit"] = unit
    if direction:
        measure["direction"] = direction
    if jql:
        measure["source"], measure["jql"] = JQL, jql
    return measure


# --- checking


def check(app: Flask, session: Session, site_id: str, records: list[Record]) -> list[Problem]:
    problems: list[Problem] = []
    for record in records:
        problems += _check_shape(record)
    if not problems:
        problems += _check_references(session, site_id, records)
        problems += _check_jql(app, session, site_id, records)
    return problems


def _check_shape(record: Record) -> list[Problem]:
    schema = SCHEMAS.get(record.kind)
    if schema is None:
        return [Problem(record.where, "type", f"unknown record type {record.kind!r}")]
    raw = dict(record.raw)
    if record.kind == "expectation" and record.parent is None:
        return [Problem(record.where, "relationship", "no relationship row names it")]
    try:
        record.data = schema().load(raw)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
        return [Problem(record.where, str(k), _text(v)) for k, v in messages.items()]
    return []


def _check_references(session: Session, site_id: str, records: list[Record]) -> list[Problem]:
    known = {r.data["key"] for r in records if r.kind == "team"}
    goals_by_team = {(r.data["team"], r.data["title"]) for r in records if r.kind == "goal"}
    problems = []
    for record in records:
        wanted = {"goal": ("team",), "relationship": ("supplier", "customer")}.get(record.kind, ())
        for name in wanted:
            key = record.data[name]
            if key not in known and teams.find_team(session, site_id, key) is None:
                problems.append(Problem(record.where, name, f"no team {key!r} in the file or site"))
        goal = record.data.get("goal") if record.kind == "expectation" else None
        if goal and record.parent is not None:
            supplier = record.parent.data.get("supplier")
            if (supplier, goal) not in goals_by_team and _goal(
                session, site_id, supplier, goal
            ) is None:
                problems.append(Problem(record.where, "goal", f"{supplier} has no goal {goal!r}"))
    return problems


def _check_jql(app: Flask, session: Session, site_id: str, records: list[Record]) -> list[Problem]:
    """Every measure counted by JQL, checked by Jira's parser as the API checks one: one call for
    all the file's queries (each asked once), a refusal named by its record with Jira's words."""
    counted = [
        (record.where, f"measures[{n}].jql", measure["jql"])
        for record in records
        if record.kind == "expectation"
        for n, measure in enumerate(record.data.get("measures") or [])
        if measure.get("source") == JQL and measure.get("jql")
    ]
    if not counted:
        return []
    queries = list(dict.fromkeys(jql for _, _, jql in counted))
    try:
        errors = dict(zip(queries, jql_refusals(app, session, site_id, queries), strict=True))
    except (ValidationFailed, UpstreamError) as exc:
        where, name, _ = counted[0]
        return [Problem(where, name, f"{exc.message}; nothing can be checked without it")]
    return [
        Problem(where, name, f"Jira refused {jql!r}: {'; '.join(errors[jql])}")
        for where, name, jql in counted
        if errors[jql]
    ]


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    return str(value)


# --- writing


def write(
    session: Session, site_id: str, records: list[Record], progress: Callable[[Record], None]
) -> dict[str, int]:
    """Write checked records (in file order: teams, goals, relationships, expectations)."""
    counts = {"team": 0, "goal": 0, "relationship": 0, "expectation": 0}
    order = {"team": 0, "goal": 1, "relationship": 2, "expectation": 3}
    for record in sorted(records, key=lambda r: order[r.kind]):
        if WRITERS[record.kind](session, site_id, record):
            counts[record.kind] += 1
        progress(record)
    return counts


def _write_team(session: Session, site_id: str, record: Record) -> bool:
    data = dict(record.data)
    existing = teams.find_team(session, site_id, data["key"])
    if existing is None:
        teams.create_team(session, site_id, **data)
        return True
    data.pop("key")
    teams.update_team(session, site_id, existing.key, data)
    return False


def _write_goal(session: Session, site_id: str, record: Record) -> bool:
    if _goal(session, site_id, record.data["team"], record.data["title"]) is not None:
        return False
    goals.create_goal(session, site_id, **record.data)
    return True


def _write_relationship(session: Session, site_id: str, record: Record) -> bool:
    data = {k: v for k, v in record.data.items() if k != "expectations"}
    if _relationship(session, site_id, record.data) is not None:
        return False
    relationships.create_relationship(session, site_id, **data)
    return True


def _write_expectation(session: Session, site_id: str, record: Record) -> bool:
    if record.parent is None:
        return False
    relationship = _relationship(session, site_id, record.parent.data)
    if relationship is None:
        return False
    data = dict(record.data)
    state, goal_title = data.pop("state"), data.pop("goal")
    duplicate = session.scalars(
        select(Expectation.id).where(
            Expectation.relationship_id == relationship.id,
            Expectation.statement == data["statement"],
        )
    ).first()
    if duplicate is not None:
        return False
    goal = _goal(session, site_id, relationship.supplier.key, goal_title) if goal_title else None
    made = expectations.create_expectation(
        session,
        site_id,
        relationship_id=relationship.id,
        goal_id=goal.id if goal else None,
        **data,
    )
    for to in PATHS[state]:
        expectations.transition(session, site_id, made.id, to)
    return True


WRITERS: dict[str, Callable[[Session, str, Record], bool]] = {
    "team": _write_team,
    "goal": _write_goal,
    "relationship": _write_relationship,
    "expectation": _write_expectation,
}


def _relationship(session: Session, site_id: str, data: Mapping[str, Any]) -> Relationship | None:
    supplier = teams.find_team(session, site_id, data["supplier"])
    customer = teams.find_team(session, site_id, data["customer"])
    if supplier is None or customer is None:
        return None
    return session.scalars(
        select(Relationship).where(
            Relationship.supplier_id == supplier.id,
            Relationship.customer_id == customer.id,
            Relationship.service == data["service"],
        )
    ).first()


def _goal(session: Session, site_id: str, team_key: str | None, title: str) -> Goal | None:
    team = teams.find_team(session, site_id, team_key or "")
    if team is None:
        return None
    return session.scalars(
        select(Goal).where(Goal.site_id == site_id, Goal.team_id == team.id, Goal.title == title)
    ).first()


# --- the command (`flask --app connector icm import FILE --tenant INSTALLATION [--sync]`)


def run_import(app: Flask, path: Path, site_id: str, *, sync: bool = False) -> None:
    """Import `path` into the site `site_id` (the command finds it from an installation)."""
    database = get_db(app)
    with database.transaction() as session:
        try:
            records = read(path)
        except (ValueError, yaml.YAMLError, csv.Error) as exc:
            click.echo(f"{path}: cannot read it: {exc}", err=True)
            raise SystemExit(2) from exc
        problems = check(app, session, site_id, records)
        if problems:
            for problem in problems:
                click.echo(str(problem), err=True)
            click.echo(f"{len(problems)} problem(s); nothing was imported", err=True)
            raise SystemExit(2)
        with click.progressbar(length=len(records), label="importing") as bar:
            counts = write(session, site_id, records, lambda _record: bar.update(1))
    click.echo(", ".join(f"{n} new {kind}(s)" for kind, n in counts.items()))
    if sync:
        pushed = drain_outbox(app, limit=10_000, force=True)
        click.echo(f"pushed {pushed} change(s) to Jira")
    else:
        click.echo("changes are queued for Jira (`icm worker` pushes them)")
