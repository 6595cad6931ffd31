"""The macro routes over the Flask test client: signed like Confluence signs a macro iframe."""

from __future__ import annotations

import html
import re
from typing import Any

import jwt
import pytest
from flask import Flask
from werkzeug.test import TestResponse

from connector.db import get_db
from connector.platforms.connect.tenants import SqlTenantStore, TenantState
from macros.fragments import CHOOSE_TEAM
from macros.html import APP_NOT_INSTALLED, SESSION_EXPIRED
from tests.macros.conftest import Site
from tests.macros.seed import add_team, expect, install_site, payroll_organisation, relate
from tests.support.html5 import parse_strict


def valid_html5(response: TestResponse) -> str:
    """The document, after html5lib's strict parser accepted it (it raises on any parse error)."""
    assert response.mimetype == "text/html"
    document = response.get_data(as_text=True)
    parse_strict(document)
    return document


def hrefs(document: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', document)]


JIRA = "https://acme.atlassian.net"
TEAM_ISSUES = f"{JIRA}/issues/?jql=project%20%3D%20%22PAY%22%20AND%20labels%20%3D%20%22internal-customer%22%20ORDER%20BY%20key"  # noqa: E501


def test_customer_map_shows_both_sides_with_links_to_jira(site: Site) -> None:
    response = site.get("/macros/customer-map?team=PAY&sides=&expectations=&page.id=1")
    assert response.status_code == 200
    doc = valid_html5(response)
    assert "<svg" in doc and "<table" in doc
    assert "People" in doc and "Finance" in doc and "IT" in doc
    assert "old ledger export" not in doc  # retired relationship
    links = hrefs(doc)
    assert TEAM_ISSUES in links
    assert f"{JIRA}/issues/?jql=key%20in%20%28PAY-1%2C%20PAY-2%29%20ORDER%20BY%20key" in links
    assert all(not h.startswith(f"{JIRA}/wiki") for h in links)
    assert 'target="_top"' in doc
    assert "connect-cdn.atl-paas.net/all.js" in doc
    assert response.headers["Cache-Control"] == "no-store"


def test_team_key_is_case_insensitive_and_options_apply(site: Site) -> None:
    doc = valid_html5(site.get("/macros/customer-map?team=pay&sides=suppliers&expectations=true"))
    assert "Customer map: Payroll" in doc
    assert "payroll system hosting" in doc
    assert "monthly payroll run" not in doc


def test_listed_expectations_link_to_their_issues(site: Site) -> None:
    doc = valid_html5(site.get("/macros/customer-map?team=PAY&sides=customers&expectations=true"))
    assert f"{JIRA}/browse/PAY-1" in hrefs(doc)
    assert "Payslips out two days before payday" in doc


def test_static_rendering_has_no_script(site: Site) -> None:
    for path in (
        "/macros/customer-map/static?team=PAY&sides=both&expectations=false",
        "/macros/expectations/static?team=PAY&side=supplier",
        "/macros/integrator-map/static",
        "/macros/customer-map?team=PAY&output.type=pdf",
    ):
        response = site.get(path)
        assert response.status_code == 200, path
        doc = valid_html5(response)
        assert "<script" not in doc, path
        assert "<svg" in doc or "<table" in doc


@pytest.mark.parametrize(
    ("side", "shown", "hidden"),
    [
        ("supplier", ["PAY-1", "PAY-3"], ["IT-7"]),
        ("customer", ["IT-7"], ["PAY-1"]),
        ("", ["PAY-1", "IT-7"], []),
    ],
)
def test_expectations_table_by_side(
    site: Site, side: str, shown: list[str], hidden: list[str]
) -> None:
    doc = valid_html5(site.get(f"/macros/expectations?team=PAY&side={side}&page.id=1"))
    links = hrefs(doc)
    for key in shown:
        assert f"{JIRA}/browse/{key}" in links
    for key in hidden:
        assert f"{JIRA}/browse/{key}" not in links
    assert ("Uptime" in doc) == (side != "supplier")  # IT's measure, on the customer side


def test_integrator_map_lists_every_team_and_the_hot_spots(site: Site) -> None:
    doc = valid_html5(site.get("/macros/integrator-map?page.id=1&output.type=display"))
    for name in ("Payroll", "People", "Finance", "IT"):
        assert name in doc
    assert "Hot spots" in doc
    assert "IT → Payroll is unhealthy" in doc
    assert "Finance has no agreed expectation of Payroll" in doc


def test_unknown_team_is_a_readable_message(site: Site) -> None:
    response = site.get("/macros/customer-map?team=NOPE&sides=&expectations=")
    assert response.status_code == 200
    doc = valid_html5(response)
    assert "There is no team with the key “NOPE”" in doc
    assert "<svg" not in doc
    assert "“nope”" in valid_html5(site.get("/macros/expectations?team=nope&side="))


@pytest.mark.parametrize("path", ["/macros/customer-map?team=", "/macros/expectations?team=%20"])
def test_missing_team_asks_to_choose_one(site: Site, path: str) -> None:
    response = site.get(path)
    assert response.status_code == 200
    assert CHOOSE_TEAM in valid_html5(response)


def _refused(response: TestResponse, message: str) -> None:
    assert response.status_code == 401
    doc = valid_html5(response)
    assert message in doc
    assert '{"error"' not in doc and "Traceback" not in doc


def test_expired_token_asks_to_reload(site: Site) -> None:
    path = "/macros/customer-map?team=PAY"
    token = site.keys.token(path, expires_in=-3600)  # a page left open for an hour
    _refused(site.client.get(f"{path}&jwt={token}"), SESSION_EXPIRED)


@pytest.mark.parametrize("state", [TenantState.UNINSTALLED, TenantState.DISABLED])
def test_uninstalled_app_says_so(site: Site, state: TenantState) -> None:
    with get_db(site.app).transaction() as session:
        SqlTenantStore(session).set_state(site.keys.confluence_client_key, state)
    _refused(site.get("/macros/customer-map/static?team=PAY"), APP_NOT_INSTALLED)


def test_unsigned_or_forged_requests_get_a_message_not_json(site: Site) -> None:
    _refused(site.client.get("/macros/integrator-map"), "could not confirm")
    forged = site.keys.signed("/macros/customer-map?team=PAY").replace("team=PAY", "team=HR")
    _refused(site.client.get(forged), "could not confirm")


def test_a_failure_is_a_message_without_a_stack_trace(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any) -> Any:
        raise RuntimeError("database exploded at /secret/path")

    monkeypatch.setattr("macros.fragments.integrator_map_view", broken)
    response = site.get("/macros/integrator-map")
    assert response.status_code == 500
    doc = valid_html5(response)
    assert "Something went wrong on our side" in doc
    assert "exploded" not in doc and "Traceback" not in doc


def test_editor_offers_the_sites_teams(site: Site, app: Flask) -> None:
    with get_db(app).transaction() as session:
        other = install_site(session, host="other.atlassian.net")
        payroll_organisation(session, other.site_id)
    doc = valid_html5(site.get("/macros/editor?macro=customer-map"))
    options = re.findall(r'<option value="([^"]+)"', doc)
    assert options[:4] == ["FIN", "HR", "IT", "PAY"]
    assert {"both", "suppliers", "customers"} <= set(options)
    assert 'name="expectations"' in doc and "saveMacro" in doc
    doc = valid_html5(site.get("/macros/editor?macro=expectations"))
    assert 'name="side"' in doc and 'value="customer"' in doc


def test_editor_without_teams_explains_what_to_do(app: Flask) -> None:
    with get_db(app).transaction() as session:
        keys = install_site(session, host="empty.atlassian.net")
    doc = valid_html5(app.test_client().get(keys.signed("/macros/editor?macro=customer-map")))
    assert "no teams yet" in doc and "<form" not in doc


def test_sites_never_see_each_other(site: Site, app: Flask) -> None:
    with get_db(app).transaction() as session:
        other = install_site(session, host="other.atlassian.net")
    client = app.test_client()
    doc = valid_html5(client.get(other.signed("/macros/customer-map?team=PAY")))
    assert "There is no team with the key “PAY”" in doc
    doc = valid_html5(client.get(other.signed("/macros/integrator-map")))
    assert "Payroll" not in doc


# --- "Download CSV": the page's context token, the API's own rules ------------------------------


def _meta(doc: str, name: str) -> str | None:
    found = re.search(rf'<meta name="{name}" content="([^"]*)">', doc)
    return html.unescape(found.group(1)) if found else None


def _csv(site: Site, token: str, query: str) -> str:
    response = site.client.get(
        f"/api/v1/expectations.csv{query}", headers={"Authorization": f"JWT {token}"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return response.get_data(as_text=True)


def test_download_csv_asks_the_api_with_a_context_token_made_for_this_page(site: Site) -> None:
    response = site.get("/macros/expectations?team=pay&side=supplier&page.id=1")
    doc = valid_html5(response)
    # The cached fragment: a plain button with the API's query, no link, no token.
    assert 'data-icm-csv="team=PAY&amp;side=supplier"' in doc
    assert 'data-icm-csv-name="PAY-expectations.csv"' in doc
    # The page around it, made for this request: where to ask, and with what.
    assert _meta(doc, "icm-api") == f"{site.app.config['BASE_URL']}/api/v1"
    token = _meta(doc, "icm-token")
    assert token is not None
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["qsh"] == "context-qsh"
    assert claims["iss"] == site.keys.confluence_client_key
    assert claims["exp"] - claims["iat"] <= 900

    text = _csv(site, token, "?team=PAY&side=supplier")
    assert text.startswith("\ufeffid,supplier,customer")
    assert "Payslips out two days before payday" in text and "Cost report by the 3rd" in text
    assert "The payroll system is up" not in text  # the customer side was not asked for
    assert "Rating 5" not in text  # no feedback comment, restricted or not
    # The token is for the API only: it opens no macro (those take Confluence's own tokens).
    refused = site.client.get(
        "/macros/expectations?team=PAY", headers={"Authorization": f"JWT {token}"}
    )
    assert refused.status_code == 401


def test_every_view_of_a_cached_macro_gets_its_own_token(site: Site) -> None:
    first = site.get("/macros/integrator-map?page.id=1")
    second = site.get("/macros/integrator-map?page.id=1")
    assert "miss" in first.headers["Server-Timing"] and "hit" in second.headers["Server-Timing"]
    for response in (first, second):
        doc = valid_html5(response)
        assert 'data-icm-csv="" data-icm-csv-name="all-expectations.csv"' in doc
        assert _meta(doc, "icm-token") is not None


def test_the_downloaded_file_holds_only_the_viewers_site(site: Site, app: Flask) -> None:
    with get_db(app).transaction() as session:
        other = install_site(session, host="other.atlassian.net")
        ops = add_team(session, other.site_id, "OPS", "Operations")
        security = add_team(session, other.site_id, "SEC", "Security")
        expect(session, relate(session, ops, security, "audits"), "Another site's expectation")
    doc = valid_html5(app.test_client().get(other.signed("/macros/integrator-map")))
    token = _meta(doc, "icm-token")
    assert token is not None
    theirs_csv = _csv(site, token, "")
    assert "Another site's expectation" in theirs_csv and "Payslips" not in theirs_csv
    ours_doc = valid_html5(site.get("/macros/integrator-map"))
    ours_csv = _csv(site, _meta(ours_doc, "icm-token") or "", "")
    assert "Payslips" in ours_csv and "Another site's expectation" not in ours_csv


@pytest.mark.parametrize(
    "path",
    [
        "/macros/expectations/static?team=PAY&side=supplier",
        "/macros/integrator-map/static",
        "/macros/integrator-map?output.type=pdf",
        "/macros/customer-map?team=PAY",  # no download on the customer map
        "/macros/expectations?team=NOPE",  # a message, nothing to download
    ],
)
def test_no_token_where_there_is_nothing_to_download(site: Site, path: str) -> None:
    doc = valid_html5(site.get(path))
    assert _meta(doc, "icm-token") is None and "icm-api" not in doc
    assert "data-icm-csv" not in doc


@pytest.mark.parametrize(
    "path", ["/macros/expectations?team=PAY&side=supplier", "/macros/integrator-map"]
)
def test_a_viewer_without_an_account_gets_no_token(site: Site, path: str) -> None:
    """Anonymous access to a space (a Confluence token without `sub`): the macro shows, but no
    context token is minted for nobody, so there is no download and no API call (issue #24)."""
    response = site.client.get(site.keys.signed(path, user=None))
    doc = valid_html5(response)
    assert response.status_code == 200 and "Payroll" in doc
    assert _meta(doc, "icm-token") is None and "icm-api" not in doc
    signed_in = valid_html5(site.get(path))
    assert _meta(signed_in, "icm-token") and _meta(signed_in, "icm-api")
