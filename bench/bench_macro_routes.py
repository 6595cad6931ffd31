"""Benchmark of the macro routes through the Flask test client, signed like Confluence signs them.

A team with 60 neighbours and 600 expectations (with measures and ratings) in a migrated SQLite
database. Each round times one uncached request (cache cleared first) and one cached request,
side by side. Budgets: uncached p95 <= 100 ms; a cached hit at least 10x faster (medians).

Two heaps are measured. "default GC": a full collection walks the ~125k objects the app holds
after start-up (about 70 ms on a slow machine) and lands in a few percent of requests, whatever
the route does. "frozen" calls `gc.freeze()` after start-up, as gunicorn.conf.py does in each
worker (`make run`, production), so full collections only walk young objects. The exit status
judges the frozen heap, the one production serves; `--default-gc-verdict` judges the other.

Run from the repository root: .venv/bin/python bench/bench_macro_routes.py [--runs N]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask

from connector import create_app
from connector.db import get_db
from macros.fragment_cache import FragmentCache
from tests.macros.seed import SiteKeys, big_team, install_site

NEIGHBOURS, EXPECTATIONS = 60, 600
UNCACHED_P95_BUDGET_MS = 100.0
HIT_SPEEDUP = 10.0
PATHS = {
    "customer-map (expectations listed)": (
        "/macros/customer-map?team=PAY&sides=both&expectations=true&page.id=1&output.type=display"
    ),
    "customer-map (counts)": "/macros/customer-map?team=PAY&sides=&expectations=&page.id=1",
    "expectations table": "/macros/expectations?team=PAY&side=&page.id=1&output.type=display",
    "customer-map static (PDF)": "/macros/customer-map/static?team=PAY&sides=&expectations=",
}


def setup(folder: Path) -> tuple[Flask, SiteKeys]:
    app = create_app(
        {
            "BASE_URL": "https://icm.example.test",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "LOG_LEVEL": "WARNING",
            "SECRET_KEYS_AUTOCREATE": True,
        }
    )
    database = get_db(app)
    database.migrate()
    with database.transaction() as session:
        keys = install_site(session)
        big_team(session, keys.site_id, NEIGHBOURS, EXPECTATIONS)
    return app, keys


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_get(app: Flask, keys: SiteKeys, path: str) -> tuple[float, str, int]:
    signed = keys.signed(path)  # signing is the caller's work, outside the timing
    client = app.test_client()
    start = time.perf_counter()
    response = client.get(signed)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.status_code
    outcome = response.headers.get("Server-Timing", "").rpartition('desc="')[2].rstrip('"')
    return elapsed, outcome, len(response.data)


def bench(app: Flask, keys: SiteKeys, path: str, runs: int) -> tuple[list[float], list[float], int]:
    cache: FragmentCache = app.extensions["icm.macro_cache"]
    timed_get(app, keys, path)  # warm-up: imports, statement caches, connection pool
    misses, hits, size = [], [], 0
    for _ in range(runs):
        cache.clear()
        elapsed, outcome, size = timed_get(app, keys, path)
        assert outcome == "miss", outcome
        misses.append(elapsed)
        elapsed, outcome, _ = timed_get(app, keys, path)
        assert outcome == "hit", outcome
        hits.append(elapsed)
    return misses, hits, size


def full_collection_ms() -> float:
    start = time.perf_counter()
    gc.collect()
    return (time.perf_counter() - start) * 1000


def run_mode(app: Flask, keys: SiteKeys, runs: int, mode: str) -> bool:
    """Every path in one heap mode; True when all of them are within the budgets."""
    within = True
    for name, path in PATHS.items():
        misses, hits, size = bench(app, keys, path, runs)
        miss_p50, miss_p95 = statistics.median(misses), percentile(misses, 0.95)
        hit_p50, hit_p95 = statistics.median(hits), percentile(hits, 0.95)
        speedup = miss_p50 / hit_p50
        ok = miss_p95 <= UNCACHED_P95_BUDGET_MS and speedup >= HIT_SPEEDUP
        within &= ok
        print(
            f"{mode:10s} {name:36s} uncached p50 {miss_p50:6.1f} ms p95 {miss_p95:6.1f} ms | "
            f"cached p50 {hit_p50:5.2f} ms p95 {hit_p95:5.2f} ms | x{speedup:5.1f} | "
            f"{size / 1024:4.0f} KiB {'ok' if ok else 'OVER BUDGET'}"
        )
    return within


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--default-gc-verdict", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app, keys = setup(Path(folder))
        print(
            f"{NEIGHBOURS} neighbours, {EXPECTATIONS} expectations, {args.runs} rounds each; "
            f"{len(gc.get_objects())} objects on the heap, a full collection takes "
            f"{full_collection_ms():.0f} ms"
        )
        default_ok = run_mode(app, keys, args.runs, "default GC")
        gc.collect()
        gc.freeze()
        try:
            frozen_ok = run_mode(app, keys, args.runs, "frozen")
        finally:
            gc.unfreeze()
        get_db(app).engine.dispose()
    print(
        f"budgets: uncached p95 <= {UNCACHED_P95_BUDGET_MS:.0f} ms, cached at least "
        f"x{HIT_SPEEDUP:.0f} faster (p50); default GC {'ok' if default_ok else 'OVER'}, "
        f"frozen {'ok' if frozen_ok else 'OVER'}"
    )
    return 0 if (default_ok if args.default_gc_verdict else frozen_ok) else 1


if __name__ == "__main__":
    sys.exit(main())
