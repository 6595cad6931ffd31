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
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connector import create_app  # noqa: E402
from connector.db import get_db  # noqa: E402
from sandbox import Sandbox  # noqa: E402

EXAMPLE = ROOT / "examples" / "organisation.yaml"
DEMO_PAGE = """<h1>Internal customers</h1>
<p>Payroll's customer map, as its lead sees it:</p>
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


def load_organisation(app: Any, client_key: str) -> str:
    try:
        from connector.importer import import_file  # written with the expectations work
    except ImportError:
        return "no importer yet: the sample organisation was not loaded"
    with app.app_context():
        report = import_file(app, EXAMPLE, tenant=client_key)
    return str(report)


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
    drains = []
    try:
        from connector.sync import drain_outbox

        drains.append(drain_outbox)
    except ImportError:
        pass
    try:
        from webhooks.worker import drain_inbox

        drains.append(drain_inbox)
    except ImportError:
        pass
    while not stop.is_set():
        busy = 0
        for drain in drains:
            try:
                busy += drain(app)
            except Exception:  # keep the demo alive; the error is logged
                logging.getLogger("demo").exception("worker pass failed")
        stop.wait(0.2 if busy else 1.0)


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
    worker = threading.Thread(target=drain_forever, args=(app, stop), daemon=True)
    worker.start()
    loaded = load_organisation(app, jira["clientKey"])
    page_id = sandbox.confluence_seed_page("ICM", "Internal customers", DEMO_PAGE)

    print(f"""
Internal Customer Map is running (SQLite: {get_db(app).url})
  sandbox Atlassian site   {sandbox.url}   (spec validation {"on" if specs else "off"})
  app                      {app_url}        (descriptors at /jira/... and /confluence/atlassian-connect.json)
Installed into sandbox Jira (clientKey {jira["clientKey"]}) and Confluence with signed installs.
{checks}
Sample organisation: {loaded}

Open:
  Confluence page with the macros   {sandbox.page_url(page_id)}
  Jira team page (Payroll)          {sandbox.url}/jira/apps/icm-team-page?project.key=PAY
  Jira admin page                   {sandbox.url}/jira/apps/icm-admin
  Sandbox admin: what was called    {sandbox.url}/_sandbox/calls

Ctrl-C stops everything.""", flush=True)

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
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
