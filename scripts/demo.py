"""`make demo`: the sandbox site and the app side by side, the app installed, a sample organisation
loaded and synced to Jira, and the URLs to open printed. Ctrl-C stops everything.

Everything runs in this one process: the sandbox (a local Jira + Confluence) on --sandbox-port,
the app on --port with SQLite in the instance folder, and a worker thread that drains the outbox
and the webhook inbox.

--platform (or ICM_DEMO_PLATFORM) chooses how the app is installed: `connect` (the default) from
its Connect descriptors, or `forge` from forge/manifest.yml as a Forge app whose remote is this
service. Everything after the install is the same code for both.
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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connector import create_app  # noqa: E402
from connector.db import get_db  # noqa: E402
from sandbox import Sandbox  # noqa: E402
from sandbox.contracts import default_specs_dir  # noqa: E402
from sandbox.directory import USERS  # noqa: E402
from sandbox.forge.site import ForgeApp, ForgeSite  # noqa: E402
from sandbox.serving import quiet_server  # noqa: E402

EXAMPLE = ROOT / "examples" / "organisation.yaml"
PLATFORMS = ("connect", "forge")
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
    candidate = default_specs_dir()
    return candidate if candidate.is_dir() else None


def serve(app: Any, host: str, port: int) -> Any:
    server = quiet_server(app, host, port)
    threading.Thread(target=server.serve_forever, daemon=True, name=f"http-{port}").start()
    return server


def load_organisation(app: Any, installation: str) -> None:
    """The example organisation, imported as `icm import` does, then pushed to sandbox Jira."""
    from connector.cli import import_for_installation
    from connector.sync.worker import drain_outbox

    import_for_installation(app, EXAMPLE, installation, sync=False)
    while drain_outbox(app, limit=500, force=True):
        pass


def agreed_expectations(session: Any, site_id: str) -> list[Any]:
    """The site's expectations in force (agreed or at risk): what the demo's history is of."""
    from sqlalchemy import select

    from connector.practice.models import Expectation

    return list(
        session.scalars(
            select(Expectation).where(
                Expectation.site_id == site_id, Expectation.state.in_(("agreed", "at_risk"))
            )
        )
    )


def seed_feedback_history(app: Any, site_id: str) -> int:
    """A few months of ratings by each customer's lead and integrator, so the maps have health.

    Demo data only: written straight to the table with past dates, which no API allows.
    """
    from connector.practice.models import Feedback

    now = datetime.now(UTC)
    count = 0
    with get_db(app).transaction() as session:
        agreed = agreed_expectations(session, site_id)
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


def seed_measure_history(app: Any, sandbox: Sandbox, site_id: str) -> int:
    """Four months of values of each agreed expectation's measures recorded by hand (by the
    supplier's lead, each standing for a month's end), and the JQL measures counted once by
    sandbox Jira (a few payroll incidents filed first), so the maps show attainment."""
    from connector.practice.measure_counts import count_site
    from connector.practice.measure_values import record_value

    now = datetime.now(UTC)
    count = 0
    with get_db(app).transaction() as session:
        agreed = agreed_expectations(session, site_id)
        for expectation in agreed:
            rng = random.Random(expectation.id * 7)
            lead = expectation.relationship.supplier.lead_account_id
            for measure in [m for m in expectation.measures if m.source == "manual"]:
                spread = abs(measure.target) * 0.02 + 0.5
                for month in range(4, 0, -1):
                    drift = rng.gauss(0, spread) + (spread if rng.random() < 0.6 else -spread)
                    value = measure.target + drift
                    if measure.unit == "%":
                        value = max(0.0, min(100.0, value))
                    day = (now - timedelta(days=30 * month - 1)).date()
                    record_value(
                        session, measure, value=round(value, 1), day=day, recorded_by=lead, now=now
                    )
                    count += 1
    for n in range(3):
        fields = {
            "project": {"key": "PAY"},
            "summary": f"Payroll incident {n + 1}",
            "issuetype": {"name": "Task"},
            "labels": ["payroll-incident"],
        }
        sandbox.jira.create_issue({"fields": fields}, USERS[0].account_id)
    return count + count_site(app, site_id, now).counted


def rate_through_jira(app: Any, sandbox: Sandbox, site_id: str, carrier: str) -> str:
    """The live loop: a customer lead comments 'Rating: 5/5' in Jira; the event (a Connect
    webhook or a Forge trigger: `carrier`) reaches the inbox and the worker records the rating."""
    import requests
    from sqlalchemy import func, select

    from connector.practice.models import Expectation, Feedback

    with get_db(app).transaction() as session:
        expectation = session.scalars(
            select(Expectation)
            .where(Expectation.site_id == site_id, Expectation.jira_issue_key.is_not(None))
            .order_by(Expectation.id)
        ).first()
        if expectation is None:
            return "no expectation reached Jira"
        key, lead = expectation.jira_issue_key, expectation.relationship.customer.lead_account_id
        before = session.scalars(select(func.count()).select_from(Feedback)).one()
    requests.post(
        f"{sandbox.url}/_sandbox/jira/issue/{key}/comment",
        json={"body": "Rating: 5/5 - paid right and on time again, thank you", "accountId": lead},
        timeout=10,
    ).raise_for_status()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with get_db(app).transaction() as session:
            if session.scalars(select(func.count()).select_from(Feedback)).one() > before:
                return f"a 'Rating: 5/5' comment on {key} came back by {carrier} and was recorded"
        time.sleep(0.2)
    return f"the rating comment on {key} was not recorded within 10 s"


def signed_calls_both_ways(app_url: str, jira: dict[str, Any]) -> str:
    """Prove the JWTs work: the app calls Jira as itself, and Jira's token opens an app page."""
    import requests
    from atlassian_jwt import encode_token

    from connector.jira.http import jira_cloud
    from connector.platforms.connect.clients import signed_session

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


@dataclass(frozen=True)
class Installed:
    """The app installed into the sandbox through one platform: what the rest of the demo needs."""

    installation: str  # for `icm import --tenant`: a Connect clientKey or a Forge installationId
    site_id: str  # the site's cloudId: one organisation, whichever platform installed it
    report: str  # how it was installed, and a signed call each way
    carrier: str  # what brings a Jira change back to the app
    pages: list[tuple[str, str]]  # (what, URL) to open


def connect_config(sandbox: Sandbox) -> dict[str, Any]:
    """Connect needs nothing beyond the settings every demo uses (install keys, all.js)."""
    return {}


def install_connect(app: Any, app_url: str, sandbox: Sandbox, page_id: str) -> Installed:
    """Connect: signed installs from the app's two descriptors, then a JWT each way."""
    jira = sandbox.install(f"{app_url}/jira/atlassian-connect.json", "jira")
    sandbox.install(f"{app_url}/confluence/atlassian-connect.json", "confluence")
    return Installed(
        installation=jira["clientKey"],
        site_id=str(jira.get("cloudId")),
        report=(
            f"  app                      {app_url}   "
            "(descriptors: /jira/ and /confluence/atlassian-connect.json)\n"
            f"Installed into sandbox Jira (clientKey {jira['clientKey']}) and Confluence "
            "with signed installs.\n" + signed_calls_both_ways(app_url, jira)
        ),
        carrier="webhook",
        pages=[
            ("Confluence page with the macros", sandbox.page_url(page_id)),
            ("Jira team page (Payroll)", f"{sandbox.url}/jira/apps/icm-team-page?project.key=PAY"),
            ("Jira admin page", f"{sandbox.url}/jira/apps/icm-admin"),
        ],
    )


def forge_config(sandbox: Sandbox) -> dict[str, Any]:
    """The app as the remote of the Forge app in forge/manifest.yml, trusting the sandbox's keys."""
    from sandbox.forge.site import MANIFEST, load_manifest

    return {
        "FORGE_APP_ID": load_manifest(MANIFEST)["app"]["id"],
        "FORGE_JWKS_URL": f"{sandbox.url}/forge/.well-known/jwks.json",
    }


def install_forge(app: Any, app_url: str, sandbox: Sandbox, page_id: str) -> Installed:
    """Forge: `forge install` of forge/manifest.yml, once for the site's Jira and Confluence
    (`app.compatibility`), with this service as the remote. Forge's `installed` trigger tells the
    app, which records the installation and its app token; product calls then go to each
    product's API under the gateway with that token."""
    from connector.platforms.forge.installations import ForgeInstallationStore
    from sandbox.forge.remote import triggers
    from sandbox.forge.site import forge_site

    build_custom_ui()
    forge = forge_site(sandbox.state)
    events = triggers(forge)  # from now on, Jira changes reach the app as Forge triggers
    app_id = str(app.config["FORGE_APP_ID"])
    jira = forge.install(app_url, app_id)  # one installation: Jira and Confluence
    events.on_installed(jira)  # avi:forge:installed:app, to the lifecycle trigger
    events.wait_idle(10)
    with get_db(app).transaction() as session:
        if ForgeInstallationStore(session).get(jira.installation_id) is None:
            raise SystemExit("the app did not record its Forge installation (see the log above)")
    return Installed(
        installation=jira.installation_id,
        site_id=jira.cloud_id,
        report=(
            f"  app                      {app_url}   "
            "(the remote of forge/manifest.yml: /forge/ui, /forge/view, /forge/events, "
            "/forge/lifecycle, /forge/uninstall, /forge/scheduled)\n"
            f"Installed once into sandbox Jira and Confluence (installationId "
            f"{jira.installation_id}) as a Forge app.\n"
            + forge_calls_both_ways(app, forge, jira)
            + rovo_tryout(sandbox.url)
        ),
        carrier="Forge trigger",
        pages=[
            ("Jira admin page (settings)", f"{sandbox.url}/forge/apps/admin-page"),
            ("Jira general page", f"{sandbox.url}/forge/apps/general-page"),
            (
                "Confluence: the first macro's settings",
                f"{sandbox.url}/forge/wiki/spaces/ICM/pages/{page_id}/macros/0/config",
            ),
            ("Forge triggers sent", f"{sandbox.url}/_sandbox/forge/triggers"),
        ],
    )


def rovo_tryout(sandbox_url: str) -> str:
    """How to invoke one of the Rovo agent's actions as Forge would (sandbox/forge/rovo.py: no model
    here, the inputs are what the agent would have extracted), as People's lead."""
    from sandbox.directory import USERS

    hr_lead = USERS[1].account_id  # People's (HR's) lead in examples/organisation.yaml
    body = f'{{"accountId": "{hr_lead}", "inputs": {{"otherTeam": "Payroll"}}}}'
    return (
        "\n  Rovo agent (forge/manifest.yml icm-agent): 'How healthy is our relationship with"
        " Payroll?' as Forge invokes the action:\n"
        f"    curl -s -X POST {sandbox_url}/_sandbox/forge/rovo/relationship-health"
        f" -H 'Content-Type: application/json' -d '{body}'\n"
        '    (also list-expectations, draft-expectation, record-feedback: forge/README.md "Rovo")'
    )


def build_custom_ui() -> None:
    """The Custom UI bundle Forge would serve (esbuild, `npm --prefix forge run build`)."""
    import shutil
    import subprocess

    forge_dir = Path(__file__).resolve().parent.parent / "forge"
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to build the Forge Custom UI (forge/src)")
    if not (forge_dir / "node_modules" / "esbuild").is_dir():
        install = [npm, "install", "--prefix", str(forge_dir), "--no-package-lock", "--no-audit"]
        subprocess.run([*install, "--no-fund"], check=True, capture_output=True)  # noqa: S603
    build = [npm, "--prefix", str(forge_dir), "run", "build"]
    subprocess.run(build, check=True, capture_output=True)  # noqa: S603


def scenario_pages(app: Any, sandbox: Sandbox, site_id: str, page_id: str, platform: str) -> str:
    """The pages on which a person runs the practice by clicking, as the right person (`as=`)."""
    from sqlalchemy import select

    from connector.practice.models import Expectation, Team

    with get_db(app).transaction() as session:
        leads = dict(
            session.execute(
                select(Team.key, Team.lead_account_id).where(Team.site_id == site_id)
            ).all()
        )
        synced = session.scalars(
            select(Expectation.jira_issue_key)
            .where(Expectation.site_id == site_id, Expectation.jira_issue_key.is_not(None))
            .order_by(Expectation.id)
        ).first()
    pay, hr = leads.get("PAY", ""), leads.get("HR", "")
    if platform == "forge":
        team = f"{sandbox.url}/forge/apps/team-page?project={{}}&as={{}}"
        panel = f"{sandbox.url}/forge/apps/issue-panel?issue={synced}&as={hr}"
        wiki = f"{sandbox.url}/forge/wiki/spaces/ICM/pages/{page_id}?as={hr}"
        dark = wiki + "&theme=dark"
    else:
        team = f"{sandbox.url}/jira/apps/icm-team-page?project.key={{}}&as={{}}"
        panel = f"{sandbox.url}/browse/{synced}?as={hr}"
        wiki = sandbox.page_url(page_id) + f"?as={hr}"
        dark = wiki + "&theme=dark"
    steps = [
        ("1. Payroll's lead asks, records, proposes", team.format("PAY", pay)),
        ("2. People's lead agrees", team.format("HR", hr)),
        ("3. sync: the worker files the Jira issue", "(runs by itself within seconds)"),
        (f"4. rate on an issue panel ({synced})", panel),
        ("5. the customer map, light", wiki),
        ("   ... and dark", dark),
    ]
    return "\n".join(f"  {what:<42} {url}" for what, url in steps)


def forge_calls_both_ways(app: Any, forge: ForgeSite, jira: ForgeApp) -> str:
    """Prove the Forge tokens work: the app calls Jira through apiBaseUrl with its app token, and
    Forge's invocation token (FIT) opens an app module."""
    from connector.db import utcnow
    from connector.platforms.forge.clients import jira_for_site
    from sandbox.directory import USERS
    from sandbox.forge.remote import call_remote, find_module

    with get_db(app).transaction() as session:
        site = jira_for_site(session, jira.cloud_id, app.config, utcnow())
        me = site.call("GET", "myself") if site else {}
    kind, module = find_module(jira, "admin-page")
    path = "/forge/ui/admin-page"
    status = call_remote(
        forge, jira, {**module, "type": kind}, path=path, account_id=USERS[0].account_id
    ).status_code
    gateway = urlsplit(jira.api_base_url).path  # /ex/jira/<cloudId>, as at api.atlassian.com
    return (
        f"  app -> Jira   GET {gateway}/rest/api/3/myself with the app token: "
        f"the {me.get('accountType')} user {me.get('accountId')}\n"
        f"  Forge -> app  GET {path} with Forge's invocation token: HTTP {status}"
    )


SETUPS: dict[str, tuple[Callable[[Sandbox], dict[str, Any]], Callable[..., Installed]]] = {
    "connect": (connect_config, install_connect),
    "forge": (forge_config, install_forge),
}


def review_pack(app: Any, sandbox: Sandbox, site_id: str, platform: str) -> str:
    """This quarter's review pack of the first relationship with agreed expectations, written
    into sandbox Confluence (space ICM) as its supplier's lead would ask for it; the daily
    snapshots of the quarter so far are recorded first (demo data: the scheduler takes one a
    day), so the page has a health history to draw."""
    from sqlalchemy import select

    from connector.domain.periods import Period
    from connector.practice.health import snapshot_site
    from connector.practice.models import Expectation
    from connector.practice.review_packs import write_review_pack
    from connector.practice.settings import update_settings

    now = datetime.now(UTC)
    period = Period.of(now.date())
    with get_db(app).transaction() as session:
        update_settings(session, site_id, {"review_space_key": "ICM"})
        day = period.first_day
        while day <= now.date():
            snapshot_site(
                session, site_id, day, datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
            )
            day += timedelta(days=1)
        expectation = session.scalars(
            select(Expectation)
            .where(Expectation.site_id == site_id, Expectation.state == "agreed")
            .order_by(Expectation.id)
        ).first()
        if expectation is None:
            return "(no agreed expectation: no review pack)"
        with app.app_context():
            pack = write_review_pack(app, session, expectation.relationship, period, now)
        if pack.page_id is None:
            return f"(not written: {pack.error})"
        prefix = "/forge" if platform == "forge" else ""
        lead = expectation.relationship.customer.lead_account_id or ""
        return f"{sandbox.url}{prefix}/wiki/spaces/ICM/pages/{pack.page_id}?as={lead}"


def drain_forever(app: Any, stop: threading.Event) -> None:
    """What `icm worker` does, in a thread: push the outbox to Jira, handle webhook deliveries."""
    from connector.sync.worker import drain_outbox
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
    parser.add_argument(
        "--platform",
        choices=PLATFORMS,
        default=os.environ.get("ICM_DEMO_PLATFORM") or "connect",
        help="install the app as a Connect app (default) or a Forge app with a remote",
    )
    args = parser.parse_args()
    if args.platform not in PLATFORMS:  # a bad ICM_DEMO_PLATFORM
        parser.error(f"ICM_DEMO_PLATFORM must be one of {', '.join(PLATFORMS)}")
    config_for, install = SETUPS[args.platform]
    host = "127.0.0.1"

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
            "SECRET_KEYS_AUTOCREATE": True,  # a key in instance/secret.keys unless ICM_SECRET_KEYS
            **config_for(sandbox),
        }
    )
    get_db(app).migrate()
    server = serve(app, host, args.port)

    # The page is in Confluence before the app arrives, as on any site; the macros render on view.
    page_id = sandbox.confluence_seed_page("ICM", "Internal customers", DEMO_PAGE)
    installed = install(app, app_url, sandbox, page_id)
    stop = threading.Event()
    load_organisation(app, installed.installation)
    ratings = seed_feedback_history(app, installed.site_id)
    values = seed_measure_history(app, sandbox, installed.site_id)
    worker = threading.Thread(target=drain_forever, args=(app, stop), daemon=True)
    worker.start()
    loop = rate_through_jira(app, sandbox, installed.site_id, installed.carrier)
    pages = "\n".join(f"  {what:<42} {url}" for what, url in installed.pages)
    scenario = scenario_pages(app, sandbox, installed.site_id, page_id, args.platform)
    pack = review_pack(app, sandbox, installed.site_id, args.platform)

    print(
        f"""
Internal Customer Map is running (SQLite: {get_db(app).url})
  sandbox Atlassian site   {sandbox.url}/   (home page; spec validation {"on" if specs else "off"})
  the app's service        {app_url}/   (what it is, descriptors, health probes, API document)
{installed.report}
Sample organisation: examples/organisation.yaml imported and synced to sandbox Jira,
  with {ratings} past ratings and {values} values of measures; {loop}.

The practice by clicking ({args.platform}), each page as the person who acts there:
{scenario}
More:
{pages}
  {"Review pack of this quarter (Confluence)":<42} {pack}
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
