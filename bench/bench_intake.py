"""Webhook intake under wrk, beside a bare Flask 204 baseline, in one sitting: requests/s, p50, p99.

The project runs as in production (granian with `connector.serve`'s command line, PostgreSQL, a
tenant, a signed Connect JWT with qsh, the captured `comment_created` body and a fresh delivery
identifier per request). The baseline is a Flask view that reads the body and answers 204, under
the same server and settings. `--gunicorn` adds the project and the baselines under gunicorn
(gunicorn.conf.py, the fallback server, and 2 sync workers as `shared/bench/intake.sh` runs them).
The baseline is loaded at 16, 32 and 64 connections; the ratios are against its best, and if 64
gives more than 10 % over 32 the load generator, not the server, was the limit, and the sitting is
reported as not valid.

With ICM_BENCH_ACE=<dir of shared/bench> (its `ace/` installed with npm), atlassian-connect-express
runs in the same sitting too (its own ace-intake.sh).

Run from the repository root (needs wrk and a PostgreSQL that `ICM_BENCH_POSTGRES_URL` reaches,
default postgresql+psycopg://root@127.0.0.1:5432/postgres, and ICM_SPECS_DIR for the body):
    .venv/bin/python bench/bench_intake.py [--duration 10] [--connections 16] [--gunicorn]
Only 127.0.0.1 is ever loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
from atlassian_jwt import encode_token
from cryptography.hazmat.primitives.asymmetric import rsa
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
FORGE_LUA = Path(__file__).resolve().parent / "forge_event.lua"
FORGE_PATH = "/forge/events"
FORGE_APP_ID = f"ari:cloud:ecosystem::app/{uuid.uuid4()}"
FORGE_JWKS_PORT = 3290
FORGE_RUN = "icm /forge/events (Forge RS256 token)"
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


class ForgeSigner:
    """Forge's side for the /forge/events run: an RS256 key, its JWKS on loopback, and tokens
    shaped like the sandbox's (sandbox/forge/site.py), for the product-event trigger module."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = f"bench-{uuid.uuid4()}"
        jwk: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(
            self.key.public_key(), as_dict=True
        )
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        document = json.dumps({"keys": [jwk]}).encode()

        class Jwks(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(document)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", FORGE_JWKS_PORT), Jwks)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.jwks_url = f"http://127.0.0.1:{FORGE_JWKS_PORT}/jwks.json"

    def invocation_token(self, lifetime_s: int) -> str:
        now = int(time.time())
        installation = f"ari:cloud:ecosystem::installation/{uuid.uuid4()}"
        api = "https://api.atlassian.com/ex/jira/bench-cloud"
        claims = {
            "iss": "forge/invocation-token",
            "aud": FORGE_APP_ID,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime_s,
            "jti": str(uuid.uuid4()),
            "app": {
                "id": FORGE_APP_ID,
                "installationId": installation,
                "apiBaseUrl": api,
                "appVersion": "1.0.0",
                "environment": {"type": "PRODUCTION", "id": "bench"},
                "module": {"key": "icm-jira-events", "type": "core:endpoint"},
                "installation": {
                    "id": installation,
                    "contexts": [
                        {
                            "name": "ari:cloud:jira::site/bench-cloud",
                            "apiBaseUrl": api,
                            "cloudId": "bench-cloud",
                        }
                    ],
                },
            },
            "context": {"cloudId": "bench-cloud", "siteUrl": "https://bench.atlassian.net"},
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def system_token(self) -> str:
        claims = {"iss": "bench-forge-oauth", "exp": int(time.time()) + 3600, "jti": "bench"}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def stop(self) -> None:
        self.server.shutdown()


def forge_body(captured: Path, folder: Path) -> Path:
    """The captured comment_created change as Forge's `avi:jira:commented:issue` event, with a
    placeholder the wrk script makes unique per request (Forge events carry no delivery id)."""
    webhook = json.loads(captured.read_text(encoding="utf-8"))
    event = {
        "eventType": "avi:jira:commented:issue",
        "issue": webhook["issue"],
        "comment": {**webhook["comment"], "id": "__N__"},
        "atlassianId": webhook["comment"]["author"]["accountId"],
    }
    path = folder / "forge_event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    return path


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


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


def wrk(
    port: int,
    token: str,
    body: Path,
    seconds: int,
    connections: int,
    *,
    lua: Path = LUA,
    path: str = PATH,
    extra: dict[str, str] | None = None,
) -> dict[str, float]:
    env = {
        **os.environ,
        "BODY_FILE": str(body),
        "HOOK_PATH": path,
        "HOOK_TOKEN": token,
        "RUN_ID": f"r{time.time_ns()}",
        **(extra or {}),
    }
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(lua), "--latency",
         f"http://127.0.0.1:{port}"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = int(re.search(r"non2xx=(\d+)", out).group(1))  # type: ignore[union-attr]
    return {"rate": rate, "p50": _ms(out, "50%"), "p99": _ms(out, "99%"), "non2xx": non2xx}


def _ms(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def granian_args(checkout: Path, target: str | None = None) -> list[str]:
    """The production command line (`connector.serve.granian_command`, ICM_WORKERS / ICM_THREADS
    as given) for `target`, or the checkout's app: its `production_app` when it has
    `connector/serve.py`, else `create_app` (a checkout from before granian was adopted)."""
    from connector.serve import granian_command

    command = granian_command(os.environ)[1:]  # without the executable
    app = command.pop()
    if target is not None:
        command.remove("--factory")
        app = target
    elif not (checkout / "connector" / "serve.py").exists():
        app = "connector:create_app"
    drop = {"--host", "--port"}  # Server gives loopback and the run's port
    kept = [a for i, a in enumerate(command) if a not in drop and command[i - 1] not in drop]
    return ["granian", *kept, app]


class Server:
    """A server (gunicorn, or granian when `args[0] == "granian"`) in its own process group, on
    loopback; `cpu()` is the CPU seconds its whole process tree has used so far."""

    def __init__(self, args: list[str], env: dict[str, str], port: int, cwd: Path) -> None:
        if args and args[0] == "granian":
            command = [str(BIN / "granian"), *args[1:], "--host", "127.0.0.1",
                       "--port", str(port)]  # fmt: skip
        else:
            command = [str(BIN / "gunicorn"), *args, "--bind", f"127.0.0.1:{port}"]
        if listening(port):  # granian shares a port (SO_REUSEPORT): a leftover would take half
            raise RuntimeError(f"something already listens on 127.0.0.1:{port}; stop it first")
        self.process = subprocess.Popen(
            command, env={**env, "PYTHONPATH": str(cwd)}, cwd=cwd,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        wait_up(port)

    def cpu(self) -> float:
        """utime + stime of the server and all its descendants (/proc/<pid>/stat), in seconds."""
        parents: dict[int, int] = {}
        times: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
            times[int(entry.name)] = int(fields[11]) + int(fields[12])
        tree, frontier = {self.process.pid}, [self.process.pid]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in parents.items() if ppid == parent]
            tree.update(children)
            frontier.extend(children)
        return sum(times.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def ace_intake(folder: Path, seconds: int) -> dict[str, float]:
    """atlassian-connect-express through its own script (shared/bench/ace-intake.sh)."""
    out = subprocess.run(
        ["bash", str(folder / "ace-intake.sh")],
        env={**os.environ, "DURATION": str(seconds)},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rate is None:
        raise RuntimeError(f"ace-intake.sh printed no rate: {out[-500:]}")
    non2xx = int(re.search(r"non2xx=(\d+)", out).group(1))  # type: ignore[union-attr]
    return {"rate": float(rate.group(1)), "p50": _ms(out, "50%"), "p99": _ms(out, "99%"),
            "non2xx": non2xx}  # fmt: skip


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--compare",
        type=Path,
        action="append",
        default=[],
        help="another checkout of the project (e.g. `git archive main`) to run in the same sitting;"
        " repeat it for several (one per lever)",
    )
    parser.add_argument(
        "--ablation",
        action="store_true",
        help="also run the project with each intake optimisation turned off, one at a time",
    )
    parser.add_argument(
        "--gunicorn",
        action="store_true",
        help="also run the project, each --compare checkout and the bare baselines under gunicorn",
    )
    parser.add_argument(
        "--threads",
        action="append",
        default=[],
        help="also run the project with ICM_THREADS=N blocking threads per worker (repeatable)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run every server this many times, in reverse order every other round (ABBA), and"
        " report medians",
    )
    parser.add_argument("--no-forge", action="store_true", help="leave out the /forge/events runs")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench_intake needs wrk (apt-get install wrk)")
    if not (BIN / "granian").exists():
        sys.exit("bench_intake needs granian, the production server (make install)")
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
    forge = ForgeSigner()
    env.update({"ICM_FORGE_APP_ID": FORGE_APP_ID, "ICM_FORGE_JWKS_URL": forge.jwks_url})
    results: dict[str, list[dict[str, float]]] = {}
    c = args.connections
    loads = [loadavg()]
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "bare204.py").write_text(BARE)
        forge_load: dict[str, Any] = {
            "lua": FORGE_LUA,
            "path": FORGE_PATH,
            "extra": {"SYSTEM_TOKEN": forge.system_token()},
        }
        forge_args = (forge.invocation_token(3600), forge_body(body, Path(folder)))
        bare = Path(folder)
        runs: list[tuple[str, list[str], Path]] = [("icm", granian_args(ROOT), ROOT)]
        for checkout in args.compare:
            runs.append((f"icm ({checkout})", granian_args(checkout), checkout))
        if not args.no_forge:
            runs.append((FORGE_RUN, granian_args(ROOT), ROOT))
            for checkout in args.compare[:1]:  # the same Forge load on the first other checkout
                runs.append((f"{FORGE_RUN} ({checkout})", granian_args(checkout), checkout))
        runs.append(("bare", granian_args(bare, "bare204:app"), bare))
        if args.gunicorn:
            conf = ["-c", "gunicorn.conf.py"]
            runs.append(("icm [gunicorn]", conf, ROOT))
            for checkout in args.compare:
                runs.append((f"icm ({checkout}) [gunicorn]", conf, checkout))
            if not args.no_forge:
                runs.append((f"{FORGE_RUN} [gunicorn]", conf, ROOT))
            runs += [
                ("bare (same gunicorn.conf) [gunicorn]",
                 ["-c", str(ROOT / "gunicorn.conf.py"), "bare204:app"], bare),
                ("bare (2 sync workers) [gunicorn]", ["--workers", "2", "bare204:app"], bare),
            ]  # fmt: skip
        variants: dict[str, dict[str, str]] = {
            "icm without group commit": {"ICM_INTAKE_GROUP_COMMIT": "false"},
            "icm without tenant cache": {"ICM_TENANT_CACHE_SECONDS": "0"},
        }
        ablation = list(variants) if args.ablation else []
        for threads in args.threads:
            variants[f"icm, {threads} threads per worker"] = {"ICM_THREADS": threads}
            ablation.append(f"icm, {threads} threads per worker")
        for offset, name in enumerate(ablation, start=1):
            gargs = granian_args(ROOT)
            if variants[name].get("ICM_THREADS"):
                at = gargs.index("--blocking-threads") + 1
                gargs = [*gargs[:at], variants[name]["ICM_THREADS"], *gargs[at + 1 :]]
            runs.insert(offset, (name, gargs, ROOT))
        ace = os.environ.get("ICM_BENCH_ACE")
        if ace:  # beside the project in every round, so both see the same machine
            runs.insert(1, ("ACE", [], Path(ace)))
        for round_number in range(args.rounds):
            ordered = runs if round_number % 2 == 0 else list(reversed(runs))
            for name, gargs, cwd in ordered:
                if name == "ACE":
                    results.setdefault("ACE", []).append(ace_intake(cwd, args.duration))
                    continue
                port = 3210 + runs.index((name, gargs, cwd))
                running = Server(gargs, {**env, **variants.get(name, {})}, port, cwd)
                forge_run = name.startswith(FORGE_RUN)
                load = forge_load if forge_run else {}
                run_token, run_body = forge_args if forge_run else (token, body)
                try:
                    wrk(port, run_token, run_body, 2, c, **load)  # warm-up
                    before = running.cpu()
                    result = wrk(port, run_token, run_body, args.duration, c, **load)
                    used = running.cpu() - before
                    result["cpu_ms"] = 1000 * used / (result["rate"] * args.duration)
                    results.setdefault(name, []).append(result)
                    if name.startswith("bare") and "sync workers" not in name:
                        for more in (2 * c, 4 * c):  # its ceiling: where more load adds <= 10 %
                            results.setdefault(name + f" at {more} connections", []).append(
                                wrk(port, token, body, args.duration, more)
                            )
                finally:
                    running.stop()
            loads.append(loadavg())
    forge.stop()
    report(results, c, loads, args.rounds)


def report(
    results: dict[str, list[dict[str, float]]], c: int, loads: list[str], rounds: int
) -> None:
    """Medians per server, then the ratios; no ratios at all when a bare baseline did not reach
    its own ceiling (the last doubling of connections gave over 10 % more: wrk was the limit)."""
    rate = {name: median([r["rate"] for r in runs]) for name, runs in results.items()}
    print(f"load average (1, 5, 15 min) at the start and after each round: {' | '.join(loads)}")
    print(f"{rounds} round(s); medians of the rounds, p99 the worst round's")
    print(f"{'server':<58} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>7} {'non2xx':>6}")
    for name, runs in results.items():
        cpu = [r["cpu_ms"] for r in runs if "cpu_ms" in r]
        print(
            f"{name:<58} {rate[name]:>7.0f} {median([r['p50'] for r in runs]):>7.1f}"
            f" {max(r['p99'] for r in runs):>7.1f}"
            f" {(f'{median(cpu):.3f}' if cpu else '-'):>7} {int(sum(r['non2xx'] for r in runs)):>6}"
        )
    failed = [name for name, runs in results.items() if name.startswith(("icm", FORGE_RUN))
              and any(r["non2xx"] for r in runs)]  # fmt: skip
    # A bare baseline's ceiling: the best of c, 2c and 4c connections, valid only where the last
    # doubling added no more than 10 % (else the load generator, not the server, was the limit).
    ceiling: dict[str, float] = {}
    refused = []
    for base in [n for n in rate if n.startswith("bare") and " at " not in n]:
        at2, at4 = (
            rate.get(f"{base} at {2 * c} connections"),
            rate.get(f"{base} at {4 * c} connections"),
        )
        ceiling[base] = max(r for r in (rate[base], at2, at4) if r is not None)
        if at2 is not None and at4 is not None and at4 > 1.10 * at2:
            refused.append(base)
    if refused:
        sys.exit(
            f"NOT REPORTED: {', '.join(refused)} did not reach its own ceiling ({4 * c}"
            f" connections gave more than 10 % over {2 * c}): the load generator limited it, so no"
            " ratio is valid"
        )
    print(
        "every bare baseline reached its own ceiling (the last doubling of connections added"
        " <= 10 %); ratios are against each baseline's best"
    )
    for name in rate:
        if not name.startswith(("icm", FORGE_RUN)):
            continue
        gunicorn = name.endswith("[gunicorn]")
        base = (
            max(v for n, v in ceiling.items() if n.endswith("[gunicorn]"))
            if gunicorn
            else ceiling["bare"]
        )
        line = f"{name:<58} / bare on its server {rate[name] / base:.2f}"
        if "icm" in rate and not gunicorn:
            line += f"  / icm {rate[name] / rate['icm']:.2f}"
        if "ACE" in rate:
            line += f"  / ACE {rate[name] / rate['ACE']:.2f}"
        print(line)
    assert not failed, f"every delivery was answered 204: {failed}"


if __name__ == "__main__":
    main()
