"""Each code lever of the webhook intake, alone: the CPU it saves per delivery, measured in-process.

`bench_intake.py` measures the whole service under load, where neighbouring runs of the same code
differ by up to 10 % on a shared machine: more than any one code lever moves. Here each lever's own
code runs both ways on the captured `comment_created` delivery, best of 7 repeats of `timeit`
(microseconds per delivery), so its share can be read against the service's CPU per delivery:

- (b) the issuer read once from the payload segment, against PyJWT's unverified decode;
- (c) orjson against the json module, for the body and the kept fields;
- (d) the committer's INSERT on psycopg's connection, prepared, against SQLAlchemy's execute of the
  same statement (PostgreSQL, a batch of 8 rows, per delivery; each batch rolled back): this
  process's CPU time, not the wait for the server;
- (e) the depth walk one level at a time against the (item, depth) stack, and a 204 without a
  Content-Type against one whose text/html made the headers hook compute a CSP.

    ICM_SPECS_DIR=/work/shared/specs .venv/bin/python bench/bench_intake_levers.py \
        [--postgres postgresql+psycopg://root@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import timeit
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import orjson
from atlassian_jwt import encode_token
from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connector.platforms.connect.tokens import unverified_issuer  # noqa: E402
from connector.web.limits import json_depth  # noqa: E402
from webhooks.inbox import (  # noqa: E402
    _PG_INSERT,
    _PG_TYPES,
    Delivery,
    _json_value,
    _raw_insert,
    row_values,
)
from webhooks.kept import kept_fields  # noqa: E402

BATCH = 8


def best_us(
    fn: Callable[[], Any], number: int = 2000, timer: Callable[[], float] = time.perf_counter
) -> float:
    return 1e6 * min(timeit.repeat(fn, number=number, repeat=7, timer=timer)) / number


def stack_depth(value: Any) -> int:
    """The depth walk before lever (e): a stack of (item, depth) pairs."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item if isinstance(child, dict | list))
    return deepest


def headers_cost() -> tuple[float, float]:
    """A bodiless answer through the app's after-request hooks as a 204 was before lever (e)
    (text/html, so the hook computed a CSP: as a 200 is now) and as a 204 is now (no type)."""
    from flask import Response

    from connector import create_app
    from connector.web import headers

    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEYS_AUTOCREATE": True})
    with app.test_request_context("/webhooks/jira/comment-created", method="POST"):
        headers.allow_framing_by("https://acme.atlassian.net")
        before = best_us(lambda: app.process_response(Response(status=200)))
        after = best_us(lambda: app.process_response(Response(status=204)))
    return before, after


def insert_cost(url: str) -> tuple[float, float]:
    """Per delivery: SQLAlchemy's execute of the committer's statement against `_raw_insert`."""
    engine = create_engine(url)
    from connector.db import Database, utcnow

    Database(url).migrate()

    def rows() -> str:
        deliveries = [
            Delivery(
                site_id="levers",
                client_key="levers",
                event="comment_created",
                webhook_id=str(uuid.uuid4()),
                retry_count=0,
                flow=None,
                body="{}",
                event_at=None,
            )
            for _ in range(BATCH)
        ]
        now = utcnow()
        records = [
            {name: _json_value(row_values(d, now)[name]) for name in _PG_TYPES} for d in deliveries
        ]
        return orjson.dumps(records).decode()

    with engine.connect() as connection:

        def through_sqlalchemy() -> None:
            connection.execute(_PG_INSERT, {"rows": rows()}).fetchall()
            connection.rollback()

        def through_psycopg() -> None:
            _raw_insert(connection, rows())
            connection.rollback()

        # this process's CPU (Python and libpq), not the wait for the server's answer
        before = best_us(through_sqlalchemy, 300, time.process_time) / BATCH
        after = best_us(through_psycopg, 300, time.process_time) / BATCH
    engine.dispose()
    return before, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("ICM_BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    specs = os.environ.get("ICM_SPECS_DIR")
    if not specs:
        sys.exit("bench_intake_levers needs ICM_SPECS_DIR for the captured comment_created body")
    raw = (Path(specs) / "webhooks" / "jira" / "comment_created.json").read_bytes()
    text = raw.decode()
    payload = orjson.loads(raw)
    kept = kept_fields(payload)
    token = encode_token("POST", "/webhooks/jira/comment-created", "levers", "s" * 40, 300)
    lines: list[tuple[str, float, float]] = [
        (
            "(b) the issuer before verifying",
            best_us(lambda: jwt.decode(token, options={"verify_signature": False})["iss"]),
            best_us(lambda: unverified_issuer(token)),
        ),
        (
            "(c) parse the body",
            best_us(lambda: json.loads(text)),
            best_us(lambda: orjson.loads(raw)),
        ),
        (
            "(c) write the kept fields",
            best_us(lambda: json.dumps(kept, separators=(",", ":"))),
            best_us(lambda: orjson.dumps(kept).decode()),
        ),
        (
            "(e) the depth walk",
            best_us(lambda: stack_depth(payload)),
            best_us(lambda: json_depth(payload)),
        ),
        ("(e) the 204 and its headers", *headers_cost()),
    ]
    if args.postgres:
        lines.append(("(d) the committer's INSERT, per delivery", *insert_cost(args.postgres)))
    print(f"{'lever':<44} {'without us':>10} {'with us':>9} {'saved us':>9}")
    for name, before, after in lines:
        print(f"{name:<44} {before:>10.1f} {after:>9.1f} {before - after:>9.1f}")
    print(f"{'all of them':<44} {'':>10} {'':>9} {sum(b - a for _, b, a in lines):>9.1f}")


if __name__ == "__main__":
    main()
