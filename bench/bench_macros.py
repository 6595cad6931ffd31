"""Benchmark of the macro renderers on synthetic views; prints p50/p95 and the scaling ratios.

Every relationship carries 90 daily health snapshots, so the tables' sparklines are drawn too.
The integrator map at 200 teams must stay under BUDGET_MS (its p95; the script says when not).

Run from the repository root: .venv/bin/python bench/bench_macros.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from macros.integrator_svg import integrator_drawings
from macros.render import render_customer_map, render_integrator_map
from tests.macros.factories import integrator_map, team_map

TEAM_SIZES = (20, 50, 100, 200)
PER_TEAM = 5
BUDGET_MS = 1500.0


def measure(fn: Callable[[], str], runs: int) -> tuple[float, float, int]:
    """p50 and p95 in milliseconds, and the size of the output in bytes."""
    size = len(fn().encode())  # warm-up, and the size
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    view = team_map(60, 600)
    p50, p95, size = measure(lambda: render_customer_map(view, show_expectations=True), args.runs)
    print(
        f"customer-map 60 neighbours / 600 expectations (listed): "
        f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {size / 1024:7.0f} KiB"
    )
    p50, p95, size = measure(lambda: render_customer_map(view), args.runs)
    print(
        f"customer-map 60 neighbours / 600 expectations (counts): "
        f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {size / 1024:7.0f} KiB"
    )

    medians = {}
    for n in TEAM_SIZES:
        iv = integrator_map(n, PER_TEAM)
        runs = max(3, args.runs // (n // 20))
        p50, p95, size = measure(partial(render_integrator_map, iv), runs)
        medians[n] = p50
        drawings = "+".join(
            f"{d.fit}:{d.layout.direction}{' (full-size view)' if d.oversized else ''}"
            for d in integrator_drawings(iv)
        )
        print(
            f"integrator-map {n:3d} teams / {len(iv.relationships):4d} relationships: "
            f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {size / 1024:7.0f} KiB  "
            f"(x{p50 / medians[TEAM_SIZES[0]]:.1f} of 20 teams, n x{n / TEAM_SIZES[0]:.0f})  "
            f"{drawings}"
        )
    largest = integrator_map(TEAM_SIZES[-1], PER_TEAM)
    p50, p95, _ = measure(partial(render_integrator_map, largest, static=True), 3)
    print(
        f"integrator-map {TEAM_SIZES[-1]} teams, static (PDF): p50 {p50:7.1f} ms  p95 {p95:7.1f} ms"
    )
    p50, p95, _ = measure(partial(render_integrator_map, largest), max(3, args.runs // 10))
    verdict = "within" if p95 < BUDGET_MS else "OVER"
    print(f"integrator-map {TEAM_SIZES[-1]} teams: p95 {p95:.0f} ms, {verdict} {BUDGET_MS:.0f} ms")


if __name__ == "__main__":
    main()
