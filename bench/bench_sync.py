"""Benchmark of the Jira sync against the sandbox: bulk-create calls and time for N new agreed
expectations, without and with injected 429/503 faults (20 % of calls in all).

Asserts the call bound: without faults exactly ceil(N/50) calls (bulk creates carrying the entity
properties; no search, no PUT). With faults, the extra calls are the refused ones, plus one search
per bulk create refused with a 503 (Jira may have made its issues: the next round looks first).

Run from the repository root: .venv/bin/python bench/bench_sync.py [--sizes 100 1000]
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from connector.db import Database, get_db
from connector.practice import expectations, relationships, teams
from connector.sync.pusher import SyncHooks
from connector.sync.worker import drain_outbox, pending_count
from tests.support.live import LiveSite, live_site


def organisation(site: LiveSite, n: int) -> None:
    with get_db(site.app).transaction() as session:
        site_id = site.site_id
        teams.create_team(session, site_id, key="PAY", name="Payroll", jira_project_key="PAY")
        teams.create_team(session, site_id, key="HR", name="People", jira_project_key="HR")
        rel = relationships.create_relationship(
            session, site_id, supplier="PAY", customer="HR", service="payroll"
        )
        for i in range(n):
            made = expectations.create_expectation(
                session,
                site_id,
                relationship_id=rel.id,
                statement=f"Expectation {i}",
                measures=[{"name": "On time", "target": 99, "unit": "%"}],
            )
            expectations.transition(session, site_id, made.id, "proposed")
            expectations.transition(session, site_id, made.id, "agreed")


def run(n: int, faults: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/icm.sqlite3"
        Database(url).migrate()
        config = {
            "TESTING": True,
            "DATABASE_URL": url,
            "ALLOWED_PRODUCT_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "RETRY_ATTEMPTS": 6,
        }
        with live_site(config, None) as site:
            drain_outbox(site.app, force=True)  # the install's link type, before timing
            organisation(site, n)
            before = len(site.sandbox.calls)
            if faults:
                site.sandbox.set_faults(rate429=0.1, rate503=0.1, retryAfter=0, seed=5)
            hooks = SyncHooks()
            start = time.perf_counter()
            rounds = 0
            while True:
                rounds += 1
                drain_outbox(site.app, limit=10_000, force=True, hooks=hooks)
                with get_db(site.app).transaction() as session:
                    if pending_count(session) == 0:
                        break
            elapsed = time.perf_counter() - start
            site.sandbox.set_faults(rate429=0, rate503=0)
            calls = site.sandbox.calls[before:]
            creates = [c for c in calls if c.path.endswith("/issue/bulk")]
            refused = [c for c in calls if c.status in (429, 503)]
            searches = [c for c in calls if c.path.endswith("/search/jql") and c.status == 200]
            made = [i for i in site.sandbox.jira.issues.values() if "internal-customer" in i.labels]
            return {
                "n": n,
                "issues": len(made),
                "create_calls": len(creates),
                "create_calls_ok": sum(1 for c in creates if c.status in (200, 201)),
                "bound": math.ceil(n / 50),
                "all_calls": len(calls),
                "refused": len(refused),
                "searches": len(searches),
                "bulk_503": sum(1 for c in creates if c.status == 503),
                "rounds": rounds,
                "seconds": elapsed,
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args()
    logging.disable(logging.INFO)
    print(
        f"{'N':>6} {'faults':>7} {'issues':>7} {'bulk calls (ok)':>16} {'ceil(N/50)':>10} "
        f"{'all calls':>9} {'refused':>7} {'searches':>8} {'rounds':>6} {'seconds':>8}"
    )
    for n in args.sizes:
        for faults in (False, True):
            r = run(n, faults)
            print(
                f"{n:>6} {'20%' if faults else 'none':>7} {r['issues']:>7} "
                f"{r['create_calls']:>9} ({r['create_calls_ok']:>3}) {r['bound']:>10} "
                f"{r['all_calls']:>9} {r['refused']:>7} {r['searches']:>8} {r['rounds']:>6} "
                f"{r['seconds']:>8.2f}"
            )
            assert r["issues"] == n, "every expectation became exactly one issue"
            assert r["all_calls"] == r["bound"] + r["refused"] + r["searches"], (
                "calls beyond ceil(N/50): only refused calls, and searches after a refused create"
            )
            assert r["searches"] <= r["bulk_503"], "a search only after a create refused with 503"


if __name__ == "__main__":
    main()
