"""`make demo`: the sandbox site and the app side by side, the app installed, a sample organisation
loaded and synced to Jira, and the URLs to open printed. Ctrl-C stops everything.

Everything runs in this one process: the sandbox (a local Jira + Confluence) on --sandbox-port,
the app on --port with SQLite in the instance folder, and a worker thread that drains the outbox
and the webhook inbox.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import signal
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connector import create_app  # noqa: E402
from connector.db import get_db  # noqa: E402
from sandbox import Sandbox  # noqa: E402

EXAMPLE = ROOT / "examples" / "organisation.yaml"
DEMO_PAGE = """<p>Payroll's customer map, as its lead sees it:</p>
<ac:structured-macro ac:name="customer-map">
  <ac:parameter ac:name="team">PAY</ac:parameter>
  <ac:parameter ac:name="sides">both</ac:parameter>
  <ac:parameter ac:name="expectations">true</ac:parameter>
</ac:structured-macro>
<h2>What Payroll has promised</h2>
<ac:structured-macro ac:name="expectations">
  <ac:parameter ac:name="team">PAY</ac:parameter>
  <ac:parameter ac:name="side">supplier</ac:parameter>
</ac:structured-macro>
<h2>All teams</h2>
<ac:structured-macro ac:name="integrator-map"></ac:structured-macro>
"""


def specs_dir() -> Path | None:
    configured = os.environ.get("ICM_SPECS_DIR")
    candidate = Path(configured) if configured else ROOT.parent / "shared" / "specs"
    return candidate if candidate.is_dir() else None


def serve(app: Any, host: str, port: int) -> Any:
    server = make_server(host, port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True, name=f"http-{port}").start()
    return server


def load_organisation(app: Any, client_key: str) -> None:
    """The example organisation, imported as `icm import` does, then pushed to sandbox Jira."""
    from connector.importer import run_import
    from connector.sync import drain_outbox

    run_import(app, EXAMPLE, client_key)
    while drain_outbox(app, limit=500, force=True):
        pass


def seed_feedback_history(app: Any, site_id: str) -> int:
    """A few months of ratings by each customer's lead and integrator, so the maps have health.

    Demo data only: written straight to the table with past dates, which no API allows.
    """
    from sqlalchemy import select

    from connector.organisation import Expectation, Feedback

    now = datetime.now(UTC)
    count = 0
    with get_db(app).transaction() as session:
        agreed = session.scalars(
            select(Expectation).where(
                Expectation.site_id == site_id, Expectation.state.in_(("agreed", "at_risk"))
            )
        ).all()
        for expectation in agreed:
            rng = random.Random(expectation.id)
            mood = rng.choice((1.6, 2.8, 3.6, 4.4, 4.7))  # some relationships struggle
            relationship = expectation.relationship
            raters = [relationship.customer.lead_account_id, relationship.integrator_account_id]
            for window in range(4):
                for rater in filter(None, raters):
                    rating = max(1, min(5, round(rng.gauss(mood, 0.6))))
                    at = now - timedelta(days=expectation.cadence_days * window + rng.randint(1, 9))
                    session.add(
                        Feedback(
                            site_id=site_id,
                            expectation_id=expectation.id,
                            rating=rating,
                            author_account_id=rater,
                            source="api",
                            at=at,
                        )
                    )
                    count += 1
    return count


def rate_through_jira(app: Any, sandbox: Sandbox, site_id: str) -> str:
    """The live loop: a customer lead comments 'Rating: 5/5' in Jira; the webhook records it."""
    import requests
    from sqlalchemy import func, select

    from connector.organisation import Expectation, Feedback

    with get_db(app).transaction() as session:
        expectation = session.scalars(
            select(Expectation)
            .where(Expectation.site_id == site_id, Expectation.jira_issue_key.is_not(None))
            .order_by(Expectation.id)
        ).first()
        if expectation is None:
            return "no expectation reached Jira"
        key, lead = expectation.jira_issue_key, expectation.relationship.customer.lead_account_id
        before = session.scalar(select(func.count()).select_from(Feedback))
    requests.post(
        f"{sandbox.url}/_sandbox/jira/issue/{key}/comment",
        json={"body": "Rating: 5/5 - paid right and on time again, thank you", "accountId": lead},
        timeout=10,
    ).raise_for_status()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with get_db(app).transaction() as session:
            if session.scalar(select(func.count()).select_from(Feedback)) > before:
                return f"a 'Rating: 5/5' comment on {key} came back by webhook and was recorded"
        time.sleep(0.2)
    return f"the rating comment on {key} was not recorded within 10 s"


def signed_calls_both_ways(app_url: str, jira: dict[str, Any]) -> str:
    """Prove the JWTs work: the app calls Jira as itself, and Jira's token opens an app page."""
    import requests
    from atlassian_jwt import encode_token

    from connector.clients import jira_cloud, signed_session

    session = signed_session(
        app_key=jira["key"], shared_secret=jira["sharedSecret"], product_base_url=jira["baseUrl"]
    )
    me = jira_cloud(session, jira["baseUrl"]).get("rest/api/3/myself")
    path = "/pages/admin"
    token = encode_token("GET", path, jira["clientKey"], jira["sharedSecret"])
    status = requests.get(app_url + path, params={"jwt": token}, timeout=10).status_code
    return (
        f"  app -> Jira   GET /rest/api/3/myself as the app: {me.get('displayName')}\n"
        f"  Jira -> app   GET {path} with Jira's JWT: HTTP {status}"
    )


def drain_forever(app: Any, stop: threading.Event) -> None:
    """What `icm worker` does, in a thread: push the outbox to Jira, handle webhook deliveries."""
    from connector.sync import drain_outbox
    from webhooks.worker import drain_inbox

    while not stop.is_set():
        try:
            busy = drain_outbox(app) + drain_inbox(app)
        except Exception:  # keep the demo alive; the error is logged
            logging.getLogger("demo").exception("worker pass failed")
            busy = 0
        stop.wait(0.1 if busy else 0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--sandbox-port", type=int, default=9000)
    args = parser.parse_args()
    host = "127.0.0.1"

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    specs = specs_dir()
    sandbox = Sandbox(specs_dir=specs, validate=specs is not None)
    sandbox.start(host, args.sandbox_port)
    app_url = f"http://localhost:{args.port}"
    app = create_app(
        {
            "BASE_URL": app_url,
            "INSTALL_KEYS_URL": sandbox.install_keys_url,
            "ALL_JS_URL": sandbox.url + "/atlassian-connect/all.js",
            "ALLOWED_PRODUCT_HOSTS": "127.0.0.1,localhost",
            "LOG_FORMAT": "text",
            "LOG_LEVEL": "WARNING",
        }
    )
    get_db(app).migrate()
    server = serve(app, host, args.port)

    jira = sandbox.install(f"{app_url}/jira/atlassian-connect.json", "jira")
    sandbox.install(f"{app_url}/confluence/atlassian-connect.json", "confluence")
    checks = signed_calls_both_ways(app_url, jira)
    stop = threading.Event()
    site_id = str(jira.get("cloudId"))
    load_organisation(app, jira["clientKey"])
    ratings = seed_feedback_history(app, site_id)
    worker = threading.Thread(target=drain_forever, args=(app, stop), daemon=True)
    worker.start()
    loop = rate_through_jira(app, sandbox, site_id)
    page_id = sandbox.confluence_seed_page("ICM", "Internal customers", DEMO_PAGE)

    print(
        f"""
Internal Customer Map is running (SQLite: {get_db(app).url})
  sandbox Atlassian site   {sandbox.url}   (spec validation {"on" if specs else "off"})
  app                      {app_url}   (descriptors: /jira/ and /confluence/atlassian-connect.json)
Installed into sandbox Jira (clientKey {jira["clientKey"]}) and Confluence with signed installs.
{checks}
Sample organisation: examples/organisation.yaml imported and synced to sandbox Jira,
  with {ratings} past ratings; {loop}.

Open:
  Confluence page with the macros   {sandbox.page_url(page_id)}
  Jira team page (Payroll)          {sandbox.url}/jira/apps/icm-team-page?project.key=PAY
  Jira admin page                   {sandbox.url}/jira/apps/icm-admin
  Sandbox admin: what was called    {sandbox.url}/_sandbox/calls

Ctrl-C stops everything.""",
        flush=True,
    )

    # Ctrl-C and SIGTERM both stop cleanly (SIGINT is re-armed: a shell may start us ignoring it).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nstopping...", flush=True)
    finally:
        stop.set()
        worker.join(timeout=5)
        server.shutdown()
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
