"""The macros' one entry point: Connect routes and Forge views share the fragments and their
cache, and a Forge-only site still links to its Jira."""

from __future__ import annotations

import uuid

from flask import Flask
from sqlalchemy.orm import Session

from connector.db import get_db, utcnow
from connector.platforms.connect.tenants import SqlTenantStore, TenantState
from connector.platforms.forge.installations import INSTALLED, UNINSTALLED, ForgeInstallation
from connector.platforms.forge.views import render_module
from connector.platforms.sites import jira_base_url
from macros.fragments import CHOOSE_TEAM, fragment_cache, render_fragment
from macros.links import JiraLinks
from tests.macros.seed import install_site, payroll_organisation

FORGE_SITE = "https://forge-only.atlassian.net"


def _forge(session: Session, site_id: str, product: str = "jira", state: str = INSTALLED) -> None:
    now = utcnow()
    session.add(
        ForgeInstallation(
            installation_id=f"ari:cloud:ecosystem::installation/{uuid.uuid4()}",
            app_id="ari:cloud:ecosystem::app/icm",
            site_id=site_id,
            cloud_id=site_id,
            product=product,
            api_base_url=f"https://api.atlassian.com/ex/{product}/{site_id}",
            site_url=FORGE_SITE,
            state=state,
            installed_at=now,
            updated_at=now,
        )
    )
    session.flush()


def _links(session: Session, site_id: str) -> JiraLinks:
    return JiraLinks(jira_base_url(session, site_id))


def test_a_forge_only_site_renders_links_to_its_jira(app: Flask) -> None:
    site_id = str(uuid.uuid4())
    with app.app_context(), get_db(app).transaction() as session:
        payroll_organisation(session, site_id)
        _forge(session, site_id, "confluence")
        _forge(session, site_id, state=UNINSTALLED)
        assert jira_base_url(session, site_id) is None
        _forge(session, site_id)
        mapped = render_fragment(
            "customer-map", session, site_id, {"team": "PAY"}, _links(session, site_id)
        ).html
        listed = render_fragment(
            "expectations", session, site_id, {"team": "pay"}, _links(session, site_id)
        ).html
    assert f'href="{FORGE_SITE}/issues/?jql=' in mapped
    assert f'href="{FORGE_SITE}/browse/PAY-1"' in listed
    for html in (mapped, listed):
        assert f"{FORGE_SITE}/wiki" not in html and "api.atlassian.com" not in html


def test_an_active_connect_tenant_wins_and_an_uninstalled_one_gives_way(app: Flask) -> None:
    with get_db(app).transaction() as session:
        keys = install_site(session)
        _forge(session, keys.site_id)
        assert jira_base_url(session, keys.site_id) == keys.jira_base_url
        jira = SqlTenantStore(session).for_site(keys.site_id, "jira")
        assert jira is not None
        SqlTenantStore(session).set_state(jira.client_key, TenantState.UNINSTALLED)
        assert jira_base_url(session, keys.site_id) == FORGE_SITE


def test_connect_routes_and_forge_views_share_one_cache(app: Flask) -> None:
    with get_db(app).transaction() as session:
        keys = install_site(session)
        payroll_organisation(session, keys.site_id)
        _forge(session, keys.site_id)
    path = "/macros/customer-map?team=PAY&sides=both&expectations=true"
    served = app.test_client().get(keys.signed(path))
    assert 'desc="miss"' in served.headers["Server-Timing"]
    cache = fragment_cache(app)
    hits = cache.hits
    with app.app_context(), get_db(app).transaction() as session:
        installation = session.query(ForgeInstallation).filter_by(site_id=keys.site_id).one()
        # The team page is the customer map with both sides and the expectations listed.
        page = render_module(session, installation, "team-page", {"project": "pay"})
        again = render_fragment(
            "customer-map", session, keys.site_id, {"team": "pay"}, _links(session, keys.site_id)
        )
    assert cache.hits == hits + 1
    assert page.title == "Customer map: PAY" and page.html in served.get_data(as_text=True)
    assert again.outcome == "miss"  # the default options are another rendering


def test_a_missing_team_is_a_message_not_cached(app: Flask) -> None:
    with app.app_context(), get_db(app).transaction() as session:
        shown = render_fragment("expectations", session, "any-site", {"team": " "}, JiraLinks(None))
    assert shown.outcome == "message" and CHOOSE_TEAM in shown.html
    assert len(fragment_cache(app)) == 0
