"""Keyset pages: `id > after ORDER BY id LIMIT n`, so page 200 costs what page 1 costs."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Index, Select, select
from sqlalchemy.orm import Session

from connector.domain.errors import BadRequest
from connector.practice.models import Expectation, Goal, Relationship, Team

T = TypeVar("T")

# The indexes those queries walk (created by migration 0003_outbox).
SITE_ORDER_INDEXES = [
    Index(f"ix_{model.__tablename__}_site_id_id", model.site_id, model.id)
    for model in (Team, Relationship, Expectation, Goal)
]


@dataclass(frozen=True)
class Page(Generic[T]):
    values: Sequence[T]
    next_cursor: str | None


MAX_ROW_ID = 2**31 - 1
MAX_CURSOR_LENGTH = 64


def encode_cursor(after: int) -> str:
    raw = json.dumps({"after": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadRequest(
            "the cursor is not one this API handed out", details={"cursor": ["invalid cursor"]}
        )
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after = data["after"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise BadRequest(
            "the cursor is not one this API handed out", details={"cursor": ["invalid cursor"]}
        ) from exc
    # Row ids are INTEGER columns (PostgreSQL's int4 the narrowest): a bigger one names no row,
    # and comparing with it would make the database driver raise.
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= MAX_ROW_ID:
        raise BadRequest(
            "the cursor is not one this API handed out", details={"cursor": ["invalid cursor"]}
        )
    return after


def page_of(
    session: Session, query: Select[Any], id_column: Any, *, limit: int, cursor: str | None
) -> Page[Any]:
    """One page of `query` (already filtered to a site), ordered by id."""
    after = decode_cursor(cursor)
    rows = (
        session.scalars(query.where(id_column > after).order_by(id_column).limit(limit + 1))
        .unique()
        .all()
    )
    more = len(rows) > limit
    values = rows[:limit]
    return Page(values, encode_cursor(values[-1].id) if more and values else None)


def page_of_rows(
    session: Session,
    model: Any,
    ids: Select[Any],
    id_column: Any,
    *,
    limit: int,
    cursor: str | None,
    equal_columns: Sequence[Any] = (),
) -> Page[Any]:
    """`page_of` in two steps: the page's ids from `ids` (the filtered query, reduced to
    `id_column`), then those rows of `model` by primary key. What is loaded with a row (joined
    relations) is then read for the page only, whichever plan the database picks for the first
    step: without statistics PostgreSQL sorts all the site's rows rather than walking the index,
    and in one query it joined each of them to its relationship and teams before sorting.

    `equal_columns` are joined equal to `id_column` and the cursor bounds them too: PostgreSQL
    does not carry a range across a join's equality, and an index walked from its start rather
    than from the cursor reads, for a deep page, every row of the pages before it."""
    after = decode_cursor(cursor)
    bounds = [column > after for column in (id_column, *equal_columns)]
    ids = ids.with_only_columns(id_column).where(*bounds)
    found = session.scalars(ids.order_by(id_column).limit(limit + 1)).all()
    wanted = list(found[:limit])
    if not wanted:
        return Page([], None)
    # By primary key alone: the ids are the site's (the first step filtered by site), and with
    # `site_id = ?` beside them PostgreSQL without statistics read the site's rows by that instead.
    rows = {row.id: row for row in session.scalars(select(model).where(model.id.in_(wanted)))}
    values = [rows[i] for i in wanted if i in rows]  # one deleted in between is left out
    return Page(values, encode_cursor(wanted[-1]) if len(found) > limit else None)
