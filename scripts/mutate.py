"""`make mutate`: mutation testing (mutmut 3) of the rules guarding tenants, tokens, the practice.

    .venv/bin/python scripts/mutate.py                 # every target, then the score per target
    .venv/bin/python scripts/mutate.py domain inbox    # some targets
    .venv/bin/python scripts/mutate.py --report        # the score of the last run, no new run
    .venv/bin/python scripts/mutate.py --keep inbox    # rerun one target, keep the others' results
    .venv/bin/python scripts/mutate.py --survivors     # rerun only what survived (after new tests)

mutmut's settings (the files it may mutate, the fast tests it runs) are `[tool.mutmut]` in
pyproject.toml; the targets below pick the functions whose mutants count. Each mutant runs only
the tests that reach its function. Expect 10-40 minutes on two cores; it is not part of CI. With
ICM_TEST_POSTGRES_URL set, the tests run on PostgreSQL as well as SQLite (the inbox's
PostgreSQL statement is only reached there).
A survivor is either a missing test or an equivalent mutant (it changes no behaviour): the notes of
issues #10 and #25 name each one with its reason. `exports-js` is no mutmut target: it applies
JS_MUTANTS to forge/src/download.js and runs its node:test file for each.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from fnmatch import fnmatchcase
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = Path(sys.executable).with_name("mutmut")

# target -> mutant-name patterns (fnmatch): module, then `x_<function>` or `xǁ<Class>ǁ<method>`.
TARGETS: dict[str, list[str]] = {
    "domain": [
        "connector.domain.states.*",
        "connector.domain.ratings.*",
        "connector.domain.health.*",
        "connector.domain.sites.*",
    ],
    "install-checks": [
        f"connector.platforms.connect.lifecycle.x_{name}__mutmut_*"
        for name in (
            "lifecycle_payload",
            "verified_install_token",
            "check_issuer",
            "check_install_payload",
            "product_url_refusal",
            "_host_matches",
        )
    ]
    + ["connector.platforms.connect.lifecycle.x__toggle__mutmut_*"],
    "inbox": [
        f"webhooks.inbox.x_{name}__mutmut_*"
        for name in (
            "store",
            "store_many",
            "_insert_rows",
            "_json_value",
            "row_values",
            "event_time",
        )
    ],
    "site-isolation": [
        f"connector.practice.{module}.x_{name}__mutmut_*"
        for module, name in (
            ("goals", "goal_by_id"),
            ("expectations", "expectation_by_id"),
            ("expectations", "_live_relationship"),
            ("expectations", "_goal_for"),
            ("relationships", "relationship_by_id"),
            ("relationships", "_live_team"),
            ("relationships", "_team_id"),
            ("teams", "find_team"),
            ("teams", "team_by_key"),
            ("feedback", "site_expectation"),
        )
    ],
    "connect-tokens": ["connector.platforms.connect.tokens.*"],
    "forge-tokens": ["connector.platforms.forge.tokens.*"],
    # The rules added since issue #10 (issue #25): each README rule's code, and its lookups.
    "roles": [
        "connector.domain.roles.*",
        *(
            f"connector.practice.roles.x_{name}__mutmut_*"
            for name in (
                "is_site_admin",
                "_admin_cache",
                "relationship_standing",
                "team_standing",
                "pair_standing",
                "require_on_pair",
            )
        ),
    ],
    "personal-data": [
        "connector.domain.accounts.*",
        "connector.practice.privacy.erasure.x_erase_account__mutmut_*",
        "webhooks.erasure.*",
        "webhooks.kept.x_accounts_named__mutmut_*",
        *(
            f"connector.practice.privacy.cycle.x_{name}__mutmut_*"
            for name in ("parse_cycle_period", "_believed", "apply_answer")
        ),
    ],
    "limits": ["connector.web.limits.*"],
    "exports": [
        "connector.api.export.x_neutralised__mutmut_*",
        "connector.api.export.x_as_csv__mutmut_*",
    ],
    "search-words": ["connector.domain.words.*"],
    # Which token a Forge route takes (the Caller's fields and the write cache are not the check).
    "forge-routes": [
        "connector.platforms.forge.auth.x_authenticate_invocation__mutmut_*",
        "connector.platforms.forge.routes.x_lifecycle__mutmut_*",
        "connector.platforms.forge.routes.x_scheduled__mutmut_*",
    ],
    "connect-routes": [
        f"connector.platforms.connect.auth.x_{name}__mutmut_*"
        for name in ("authenticate", "verify", "cached_caller")
    ],
}

# The JavaScript copy of the CSV rules (forge/src/download.js), mutated by hand: mutmut mutates
# Python only. Each mutant is one (text, replacement) in the file; forge/test/download.test.mjs
# runs under node for each. Target "exports-js".
JS_FILE = ROOT / "forge" / "src" / "download.js"
JS_TEST = "test/download.test.mjs"
JS_MUTANTS: list[tuple[str, str]] = [
    *((f"'{start}', ", "") for start in ("=", "+", "-", "@", "\\t")),
    (", '\\r']", "]"),
    ("text = `'${text}`", "text = text"),
    ("typeof value === 'string' && ", ""),
    ("text.startsWith(start)", "text.includes(start)"),
    ('/[",\\r\\n]/', '/[",\\n]/'),
    ('text.replace(/"/g, \'""\')', 'text.replace(/"/, \'""\')'),
    ("`\\ufeff${", "`${"),
    ("lines.join('\\r\\n')", "lines.join('\\n')"),
    ("value === null || value === undefined", "value === null"),
    ("return '';", "return 'null';"),
]

STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped"}
STATUS.update({36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout"})


def results() -> dict[str, str]:
    """Every mutant's status from mutmut's result files (mutants/**/*.py.meta)."""
    found: dict[str, str] = {}
    for meta in (ROOT / "mutants").rglob("*.py.meta"):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        for name, code in codes.items():
            found[name] = "not checked" if code is None else STATUS.get(code, "suspicious")
    return found


def matches(name: str, patterns: list[str]) -> bool:
    return any(fnmatchcase(name, p) for p in patterns)


def report(targets: list[str]) -> bool:
    statuses = results()
    ok = True
    print(f"\n{'target':16} {'killed':>7} {'total':>6} {'score':>6}  other")
    for target in targets:
        mine = {n: s for n, s in statuses.items() if matches(n, TARGETS[target])}
        counts = Counter(mine.values())
        # A timeout is a mutant the tests stopped (an endless loop): it counts as killed.
        killed = counts["killed"] + counts["timeout"]
        total = len(mine)
        score = killed / total if total else 0.0
        ok = ok and total > 0 and score >= 0.9
        others = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "killed")
        print(f"{target:16} {killed:>7} {total:>6} {score:>6.1%}  {others}")
    survivors: dict[str, list[str]] = defaultdict(list)
    for name, status in sorted(statuses.items(), key=lambda i: natural(i[0])):
        if status != "killed" and any(matches(name, TARGETS[t]) for t in targets):
            survivors[status].append(name)
    for status, names in survivors.items():
        # Timeouts are listed too: one that is not an endless loop is a survivor in disguise.
        heading = "timeout, counted as killed" if status == "timeout" else status
        print(f"\n{heading} ({len(names)}): `.venv/bin/mutmut show NAME` prints the change")
        for name in names:
            print(f"  {name}")
    return ok


def js_mutants() -> bool:
    """Run every JS_MUTANTS mutant of download.js in a copy of forge/src and forge/test."""
    node = shutil.which("node")
    if node is None:
        print("exports-js: node is not installed")
        return False
    source = JS_FILE.read_text()
    survivors, killed = [], 0
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch)
        for part in ("src", "test"):
            shutil.copytree(ROOT / "forge" / part, copy / part)
        for before, after in JS_MUTANTS:
            if source.count(before) != 1:
                raise SystemExit(f"exports-js: {before!r} is not once in {JS_FILE.name}")
            (copy / "src" / JS_FILE.name).write_text(source.replace(before, after))
            done = subprocess.run(  # noqa: S603 - node, fixed arguments
                [node, "--test", JS_TEST], cwd=copy, capture_output=True, check=False
            )
            if done.returncode == 0:
                survivors.append(f"{before!r} -> {after!r}")
            else:
                killed += 1
    total = len(JS_MUTANTS)
    print(f"{'exports-js':16} {killed:>7} {total:>6} {killed / total:>6.1%}")
    for survivor in survivors:
        print(f"  survived: {survivor}")
    return killed / total >= 0.9


def natural(name: str) -> tuple[str, int]:
    match = re.search(r"__mutmut_(\d+)$", name)
    return (name[: match.start()] if match else name, int(match.group(1)) if match else 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help=f"some of: {', '.join(TARGETS)}, exports-js")
    parser.add_argument("--report", action="store_true", help="only print the last run's score")
    parser.add_argument(
        "--keep", action="store_true", help="keep the other targets' results in mutants/"
    )
    parser.add_argument(
        "--survivors", action="store_true", help="rerun only the survivors (keeps mutants/)"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    targets = args.targets or [*TARGETS, "exports-js"]
    js = "exports-js" in targets
    targets = [t for t in targets if t != "exports-js"]
    unknown = set(targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets {sorted(unknown)}; known: {', '.join(TARGETS)}")
    if not args.report and targets:
        if not (args.keep or args.survivors):
            shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        # Which tests reach which function: always measured afresh (the tests may have changed).
        (ROOT / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("ICM_REQUIRE_ALL", None)  # the fast subset runs without the specs
        # With ICM_TEST_POSTGRES_URL set, the tests' PostgreSQL variants run too: mutmut measures
        # once which tests reach which function, and the inbox writes PostgreSQL its own way.
        for target in targets:
            print(f"== {target}", flush=True)
            names = TARGETS[target]
            if args.survivors:
                last = results()
                names = [
                    n for n, status in last.items() if matches(n, names) and status != "killed"
                ]
                if not names:
                    continue
            command = [str(MUTMUT), "run", "--max-children", str(args.jobs), *names]
            log = ROOT / "mutants" / f"{target}.log"
            (ROOT / "mutants" / "forge").mkdir(parents=True, exist_ok=True)  # also_copy's folder
            with log.open("w") as out:
                done = subprocess.run(  # noqa: S603 - our own venv's mutmut, fixed arguments
                    command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
                )
            if done.returncode != 0:
                print(log.read_text()[-4000:])
                return done.returncode
    ok = report(targets) if targets else True
    if js:
        ok = js_mutants() and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
