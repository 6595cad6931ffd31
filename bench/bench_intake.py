"""Webhook intake under wrk, beside a bare Flask 204 baseline, in one sitting: requests/s, p50, p99.

The project runs as in production (gunicorn with gunicorn.conf.py, PostgreSQL, a tenant, a signed
Connect JWT with qsh, the captured `comment_created` body and a fresh delivery identifier per
request). The baseline is a Flask view that reads the body and answers 204, under the same
gunicorn settings (and under sync workers, the other configuration a reader may compare with).
The baseline is loaded at 16 and at 32 connections: if 32 gives more than 10 % over 16, the load
generator, not the server, was the limit, and the sitting is reported as not valid.

With ICM_BENCH_ACE=<dir of shared/bench> (its `ace/` installed with npm), atlassian-connect-express
runs in the same sitting too (its own ace-intake.sh).

Run from the repository root (needs wrk and a PostgreSQL that `ICM_BENCH_POSTGRES_URL` reaches,
default postgresql+psycopg://root@127.0.0.1:5432/postgres, and ICM_SPECS_DIR for the body):
    .venv/bin/python bench/bench_intake.py [--duration 10] [--connections 16]
Only 127.0.0.1 is ever loaded.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from atlassian_jwt import encode_token
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connector.db import Database  # noqa: E402
from connector.db.secrets import Keyring, new_key  # noqa: E402
from connector.platforms.connect.tenants import Installation, SqlTenantStore  # noqa: E402

PATH = "/webhooks/jira/comment-created"
CLIENT_KEY = "bench-client"
SECRET = "bench-secret-bench-secret-bench-secret-00"  # noqa: S105 - a throw-away bench tenant
KEY = new_key()  # encrypts the bench tenant's secret at rest, as production does
BIN = Path(sys.executable).parent
LUA = Path(__file__).resolve().parent / "webhook.lua"
BARE = """
from flask import Flask, Response, request
app = Flask("bare")
@app.post("/<path:anything>")
def receive(anything):
    request.get_data()
    return Response(status=204)
"""


def database(server_url: str) -> str:
    name = "icm_bench_intake"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    db = Database(url, keyring=Keyring([KEY]))
    db.migrate()
    with db.transaction() as session:
        SqlTenantStore(session).save_installation(
            Installation(
                client_key=CLIENT_KEY,
                app_key="bench",
                shared_secret=SECRET,
                base_url="https://bench.atlassian.net",
                product_type="jira",
                cloud_id="bench-cloud",
            )
        )
    db.engine.dispose()
    return url


def wait_up(port: int) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def wrk(port: int, token: str, body: Path, seconds: int, connections: int) -> dict[str, float]:
    env = {
        **os.environ,
        "BODY_FILE": str(body),
        "HOOK_PATH": PATH,
        "HOOK_TOKEN": token,
        "RUN_ID": f"r{time.time_ns()}",
    }
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(LUA), "--latency",
         f"http://127.0.0.1:{port}"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = int(re.search(r"non2xx=(\d+)", out).group(1))  # type: ignore[union-attr]
    return {"rate": rate, "p50": _ms(out, "50%"), "p99": _ms(out, "99%"), "non2xx": non2xx}


def _ms(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


class Server:
    def __init__(self, args: list[str], env: dict[str, str], port: int, cwd: Path) -> None:
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), *args, "--bind", f"127.0.0.1:{port}"],
            env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        wait_up(port)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--compare",
        type=Path,
        help="another checkout of the project (e.g. `git archive main`) to run in the same sitting",
    )
    parser.add_argument(
        "--ablation",
        action="store_true",
        help="also run the project with each intake optimisation turned off, one at a time",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench_intake needs wrk (apt-get install wrk)")
    specs = os.environ.get("ICM_SPECS_DIR")
    if not specs:
        sys.exit("bench_intake needs ICM_SPECS_DIR for the captured comment_created body")
    body = Path(specs) / "webhooks" / "jira" / "comment_created.json"
    server = os.environ.get(
        "ICM_BENCH_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/postgres"
    )
    url = database(server)
    token = encode_token("POST", PATH, CLIENT_KEY, SECRET, 3600)
    env = {
        **os.environ,
        "ICM_DATABASE_URL": url,
        "ICM_BASE_URL": "http://127.0.0.1:3210",
        "ICM_LOG_LEVEL": "WARNING",
        "ICM_SECRET_KEYS": KEY,
    }
    results: dict[str, dict[str, float]] = {}
    c = args.connections
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "bare204.py").write_text(BARE)
        runs = [
            ("icm", ["-c", "gunicorn.conf.py"], ROOT, 3210),
            ("bare (same gunicorn.conf)", ["-c", str(ROOT / "gunicorn.conf.py"), "bare204:app"],
             Path(folder), 3211),
            ("bare (2 sync workers)", ["--workers", "2", "bare204:app"], Path(folder), 3212),
        ]  # fmt: skip
        if args.compare:
            conf = args.compare / "gunicorn.conf.py"
            runs.insert(
                1,
                (f"icm ({args.compare})", ["-c", str(conf), "--workers", "2"], args.compare, 3213),
            )
        variants = {
            "icm without group commit": {"ICM_INTAKE_GROUP_COMMIT": "false"},
            "icm without tenant cache": {"ICM_TENANT_CACHE_SECONDS": "0"},
            "icm with the access log": {"ICM_ACCESS_LOG": "/dev/null"},
            "icm under 2 sync workers": {"ICM_THREADS": "1"},
        }
        if args.ablation:
            for offset, name in enumerate(variants, start=1):
                runs.insert(offset, (name, ["-c", "gunicorn.conf.py"], ROOT, 3220 + offset))
        for name, gargs, cwd, port in runs:
            if name == "icm under 2 sync workers":
                gargs = [*gargs, "--worker-class", "sync"]
            running = Server(gargs, {**env, **variants.get(name, {})}, port, cwd)
            try:
                wrk(port, token, body, 2, c)  # warm-up
                results[name] = wrk(port, token, body, args.duration, c)
                if name.startswith("bare (same"):
                    results[name + f" at {2 * c} connections"] = wrk(
                        port, token, body, args.duration, 2 * c
                    )
            finally:
                running.stop()
        ace = os.environ.get("ICM_BENCH_ACE")
        if ace:
            out = subprocess.run(
                ["bash", str(Path(ace) / "ace-intake.sh")],
                env={**os.environ, "DURATION": str(args.duration)},
                capture_output=True, text=True, check=False,
            ).stdout  # fmt: skip
            found = re.search(r"Requests/sec:\s+([\d.]+)", out)
            if found:
                results["ACE"] = {
                    "rate": float(found.group(1)),
                    "p50": _ms(out, "50%"),
                    "p99": _ms(out, "99%"),
                    "non2xx": int(re.search(r"non2xx=(\d+)", out).group(1)),  # type: ignore[union-attr]
                }
    print(f"{'server':<46} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'non2xx':>6}")
    for name, r in results.items():
        print(
            f"{name:<46} {r['rate']:>8.0f} {r['p50']:>7.1f} {r['p99']:>7.1f} {int(r['non2xx']):>6}"
        )
    base = results["bare (same gunicorn.conf)"]
    wider = results[f"bare (same gunicorn.conf) at {2 * c} connections"]
    at_ceiling = wider["rate"] <= 1.10 * base["rate"]
    icm = results["icm"]
    best_bare = max(base["rate"], wider["rate"], results["bare (2 sync workers)"]["rate"])
    print(f"icm / bare (best configuration): {icm['rate'] / best_bare:.2f}")
    if "ACE" in results:
        print(f"icm / ACE: {icm['rate'] / results['ACE']['rate']:.2f}")
    print(
        "baseline at its ceiling (32 connections add <= 10 %):",
        "yes" if at_ceiling else "NO: the load generator limited it; the ratios are not valid",
    )
    assert icm["non2xx"] == 0, "every delivery was answered 204"


if __name__ == "__main__":
    main()
