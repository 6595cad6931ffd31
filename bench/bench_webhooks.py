"""Webhook intake (verify the Connect JWT, store in the inbox, acknowledge) against a bare Flask
endpoint returning 204, both under the same gunicorn settings on loopback, side by side.

    .venv/bin/python bench/bench_webhooks.py [--seconds 8] [--rate 200] [--workers 2 --threads 4]

Reports closed-loop throughput (and the ratio, target >= 0.5) and the latency at a fixed
open-loop rate (p50/p99 measured from each request's scheduled start, so a stalled server cannot
hide its queueing; target p99 < 50 ms at 200 requests/second). Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from atlassian_jwt import encode_token
from flask import Flask, Response, request

ROOT = Path(__file__).resolve().parent.parent
PATH = "/webhooks/jira/comment-created"
SAMPLE = ROOT.parent / "shared" / "specs" / "webhooks" / "jira" / "comment_created.json"
# The Fernet key the benchmark's tenant secret is stored under (ICM_SECRET_KEYS of the server).
SECRET_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def bare_app() -> Flask:
    """The baseline: read the body, answer 204."""
    app = Flask("bare")

    @app.post("/webhooks/jira/<slug>")
    def receive(slug: str) -> Response:
        request.get_data()
        return Response(status=204)

    return app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare_app_database(folder: Path, base_url: str) -> tuple[str, str, str]:
    """A migrated SQLite database with one installed Jira tenant; returns (url, key, secret)."""
    sys.path.insert(0, str(ROOT))
    from connector.db import Database
    from connector.db.secrets import Keyring
    from connector.platforms.connect.tenants import Installation, SqlTenantStore

    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    database = Database(url, keyring=Keyring([SECRET_KEY]))
    database.migrate()
    client_key, secret = f"bench-{uuid.uuid4()}", uuid.uuid4().hex * 2
    with database.transaction() as session:
        SqlTenantStore(session).save_installation(
            Installation(
                client_key,
                "com.example.internal-customer-map",
                secret,
                "https://bench.atlassian.net",
                "jira",
                cloud_id=str(uuid.uuid4()),
            )
        )
    database.engine.dispose()
    return url, client_key, secret


@contextmanager
def gunicorn(
    app_spec: str, port: int, env: dict[str, str], args: argparse.Namespace
) -> Iterator[str]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        app_spec,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    # gunicorn.conf.py (production's access log, gc.freeze) applies to both servers alike.
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(url + "/livez", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"gunicorn did not start: {app_spec}") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


class Load:
    def __init__(self, url: str, token: str, body: bytes) -> None:
        self.url, self.token, self.body = url + PATH, token, body
        self.local = threading.local()
        self.errors = 0

    def send(self) -> None:
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
        headers = {
            "Authorization": f"JWT {self.token}",
            "Content-Type": "application/json",
            "X-Atlassian-Webhook-Identifier": str(uuid.uuid4()),
            "X-Atlassian-Webhook-Retry": "0",
        }
        response = session.post(self.url, data=self.body, headers=headers, timeout=10)
        if response.status_code != 204:
            self.errors += 1

    def throughput(self, seconds: float, threads: int) -> float:
        """Closed loop: `threads` clients sending back to back for `seconds`."""
        counts = [0] * threads
        stop = time.monotonic() + seconds

        def client(index: int) -> None:
            while time.monotonic() < stop:
                self.send()
                counts[index] += 1

        pool = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
        started = time.monotonic()
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        return sum(counts) / (time.monotonic() - started)

    def latency(self, rate: float, seconds: float, threads: int = 32) -> list[float]:
        """Open loop at `rate` requests/second; latency from each scheduled start, in ms."""
        schedule: queue.Queue[float | None] = queue.Queue()
        latencies: list[float] = []

        def client() -> None:
            while (due := schedule.get()) is not None:
                self.send()
                latencies.append((time.monotonic() - due) * 1000)

        pool = [threading.Thread(target=client) for _ in range(threads)]
        for thread in pool:
            thread.start()
        start = time.monotonic()
        for n in range(int(rate * seconds)):
            due = start + n / rate
            time.sleep(max(0.0, due - time.monotonic()))
            schedule.put(due)
        for _ in pool:
            schedule.put(None)
        for thread in pool:
            thread.join()
        return latencies


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 1000) - 1] if len(values) > 1 else 0.0


def measure(
    name: str, url: str, token: str, body: bytes, args: argparse.Namespace
) -> dict[str, Any]:
    load = Load(url, token, body)
    for _ in range(50):
        load.send()  # warm up connections and caches
    rps = load.throughput(args.seconds, args.clients)
    latencies = load.latency(args.rate, args.seconds)
    result = {
        "name": name,
        "rps": rps,
        "p50": p(latencies, 0.5),
        "p99": p(latencies, 0.99),
        "errors": load.errors,
        "sent_at_rate": len(latencies),
    }
    print(
        f"{name:>8}: {rps:7.0f} req/s closed loop | at {args.rate:.0f}/s: "
        f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms | errors {load.errors}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    body = (
        SAMPLE.read_bytes()
        if SAMPLE.exists()
        else json.dumps(
            {
                "webhookEvent": "comment_created",
                "timestamp": 1595970774883,
                "comment": {"id": "1", "body": "Rating: 4/5"},
                "issue": {"id": "1", "key": "PAY-1"},
            }
        ).encode()
    )
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        db_url, client_key, secret = prepare_app_database(Path(folder), base_url)
        token = str(encode_token("POST", PATH, client_key, secret, 3600))
        env = {
            "ICM_DATABASE_URL": db_url,
            "ICM_BASE_URL": base_url,
            "ICM_LOG_LEVEL": "WARNING",
            "ICM_SECRET_KEYS_AUTOCREATE": "1",
        }
        print(
            f"gunicorn gthread, {args.workers} workers x {args.threads} threads, "
            f"{args.clients} closed-loop clients, {args.seconds:.0f} s per phase, "
            f"{os.cpu_count()} CPUs; app on SQLite (WAL)"
        )
        with gunicorn("connector:create_app()", port, env, args) as url:
            app = measure("intake", url, token, body, args)
        bare_port = free_port()
        bare_env = {"PYTHONPATH": str(ROOT)}
        with gunicorn("bench.bench_webhooks:bare_app()", bare_port, bare_env, args) as url:
            bare = measure("bare", url, token, body, args)
    ratio = app["rps"] / bare["rps"]
    print(
        f"throughput ratio intake/bare: {ratio:.2f} (target >= 0.5); "
        f"intake p99 at {args.rate:.0f}/s: {app['p99']:.1f} ms (target < 50 ms)"
    )


if __name__ == "__main__":
    main()
