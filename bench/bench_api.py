"""Benchmark of the list endpoint: p50/p95 for a 100-row page of expectations at 1,000 and at
20,000 expectations in the same run (first page and a deep page), with the ratio.

Run from the repository root: .venv/bin/python bench/bench_api.py [--runs N] [--database URL]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from atlassian_jwt import encode_token
from flask import Flask
from flask.testing import FlaskClient
from payroll_site import CLIENT_KEY, SECRET, SITE, payroll_site

from connector.db import get_db
from connector.db.models import Expectation, Measure, Relationship


def build(database_url: str) -> Flask:
    app, _ = payroll_site(database_url)
    return app


def grow(app: Flask, total: int) -> None:
    with get_db(app).transaction() as session:
        relationship = session.query(Relationship).one()
        have = session.query(Expectation).count()
        for i in range(have, total):
            session.add(
                Expectation(
                    site_id=SITE,
                    relationship_id=relationship.id,
                    statement=f"Expectation {i}",
                    state="agreed",
                    cadence_days=30,
                    priority="medium",
                    version=1,
                    synced_version=0,
                    sync_state="pending",
                    measures=[Measure(position=0, name="On time", target=99, unit="%")],
                )
            )


def timed(client: FlaskClient, path: str, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs + 3):
        token = encode_token("GET", path, CLIENT_KEY, SECRET, 180)
        start = time.perf_counter()
        response = client.get(path, headers={"Authorization": f"JWT {token}"})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
        assert len(response.json["values"]) == 100
    times = sorted(times[3:])
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def deep_cursor(client: FlaskClient, pages: int) -> str:
    path = "/api/v1/expectations?limit=100"
    cursor = ""
    for _ in range(pages):
        query = path + (f"&cursor={cursor}" if cursor else "")
        token = encode_token("GET", query, CLIENT_KEY, SECRET, 180)
        cursor = client.get(query, headers={"Authorization": f"JWT {token}"}).json["nextCursor"]
    return cursor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--database", help="a database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as folder:
        app = build(args.database or f"sqlite:///{folder}/bench.sqlite3")
        client = app.test_client()
        results = {}
        for total in (1_000, 20_000):
            grow(app, total)
            first = timed(client, "/api/v1/expectations?limit=100", args.runs)
            deep = deep_cursor(client, 9)  # page 10: after the first 900 rows
            later = timed(client, f"/api/v1/expectations?limit=100&cursor={deep}", args.runs)
            results[total] = (first, later)
            print(
                f"{total:>6} expectations: first page p50 {first[0]:6.1f} ms p95 {first[1]:6.1f} "
                f"ms | page 10 p50 {later[0]:6.1f} ms p95 {later[1]:6.1f} ms"
            )
        small, large = results[1_000][0], results[20_000][0]
        print(
            f"ratio 20,000 / 1,000 (first page): p50 {large[0] / small[0]:.2f}x, "
            f"p95 {large[1] / small[1]:.2f}x"
        )
        app.extensions["icm.db"].engine.dispose()


if __name__ == "__main__":
    main()
