"""Incoming requests authenticated as a tenant: every failure a precise 401, no tenant data."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, jsonify
from flask.testing import FlaskClient

from connector.db import get_db
from connector.platforms.connect import tokens
from connector.platforms.connect.auth import tenant_required
from connector.platforms.connect.tenants import SqlTenantStore
from connector.web.caller import current_caller
from tests.conftest import APP_BASE_URL
from tests.support.atlassian import FakeSite, post_json

APP_KEY = "com.example.internal-customer-map"


@pytest.fixture
def guarded_app(app: Flask) -> Flask:
    @app.get("/test/signed")
    @tenant_required()
    def signed() -> Any:
        caller = current_caller()
        return jsonify(
            site=caller.site_id, account=caller.account_id, context=caller.via_context_token
        )

    @app.get("/test/page")
    @tenant_required(context_qsh=True)
    def page() -> Any:
        return "<p>framed</p>"

    @app.get("/test/receiver")
    @tenant_required(cached=True)
    def receiver() -> Any:
        return jsonify(site=current_caller().site_id)

    @app.route("/test/page-api", methods=["GET", "POST"])
    @tenant_required(context_qsh=True)
    def page_api() -> Any:
        return jsonify(site=current_caller().site_id)

    return app


@pytest.fixture
def site(guarded_app: Flask, signing_key: Any, kid: str) -> FakeSite:
    site = FakeSite(app_base_url=APP_BASE_URL, app_key=APP_KEY, key=signing_key, kid=kid)
    response = post_json(
        guarded_app.test_client(), "/installed", site.payload(), site.install_token()
    )
    assert response.status_code == 204
    return site


@pytest.fixture
def client(guarded_app: Flask) -> FlaskClient:
    return guarded_app.test_client()


def get(client: FlaskClient, path: str, token: str | None) -> Any:
    headers = {"Authorization": f"JWT {token}"} if token else {}
    return client.get(path, headers=headers)


def test_signed_call_is_the_tenant(client: FlaskClient, site: FakeSite) -> None:
    path = "/test/signed?b=2&a=hello%20world&jql=project+%3D+PAY"
    response = get(client, path, site.tenant_token("GET", path, sub="acc-9"))
    assert response.status_code == 200, response.json
    assert response.json == {"site": site.cloud_id, "account": "acc-9", "context": False}


def test_token_in_query_like_an_iframe(client: FlaskClient, site: FakeSite) -> None:
    path = "/test/signed?xdm_e=https%3A%2F%2Facme.atlassian.net&cp=%2Fwiki"
    token = site.tenant_token("GET", path)
    assert client.get(f"{path}&jwt={token}").status_code == 200


def test_form_post_with_params_in_body(client: FlaskClient, site: FakeSite) -> None:
    token = site.tenant_token("POST", "/test/page-api?a=1&b=2")
    response = client.post("/test/page-api", data={"a": "1", "b": "2", "jwt": token})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("missing", "token_missing"),
        ("garbage", "token_malformed"),
        ("unknown-tenant", "unknown_tenant"),
        ("bad-secret", "bad_signature"),
        ("expired", "token_expired"),
        ("other-path", "qsh_mismatch"),
        ("other-query", "qsh_mismatch"),
        ("context-token", "wrong_token_kind"),
    ],
)
def test_refusals(client: FlaskClient, site: FakeSite, case: str, code: str) -> None:
    path = "/test/signed?team=PAY"
    token = {
        "missing": lambda: None,
        "garbage": lambda: "abc.def",
        "unknown-tenant": lambda: FakeSite(APP_BASE_URL, APP_KEY, site.key, site.kid).tenant_token(
            "GET", path
        ),
        "bad-secret": lambda: FakeSite(
            APP_BASE_URL, APP_KEY, site.key, site.kid, client_key=site.client_key
        ).tenant_token("GET", path),
        "expired": lambda: site.tenant_token("GET", path, exp=1_600_000_000, iat=1_599_999_000),
        "other-path": lambda: site.tenant_token("GET", "/test/other?team=PAY"),
        "other-query": lambda: site.tenant_token("GET", "/test/signed?team=HR"),
        "context-token": lambda: tokens.sign_context_token(
            client_key=site.client_key, shared_secret=site.shared_secret, subject=None
        ),
    }[case]()
    response = get(client, path, token)
    assert response.status_code == 401
    body = response.json
    assert body["error"]["code"] == code
    assert site.cloud_id not in response.get_data(as_text=True)
    assert response.headers["WWW-Authenticate"].startswith("JWT")


def test_context_token_accepted_only_on_page_routes(client: FlaskClient, site: FakeSite) -> None:
    token = tokens.sign_context_token(
        client_key=site.client_key, shared_secret=site.shared_secret, subject="acc-1"
    )
    assert get(client, "/test/page-api", token).status_code == 200
    assert get(client, "/test/signed", token).status_code == 401


def test_uninstalled_tenant_is_refused(client: FlaskClient, site: FakeSite) -> None:
    body = site.payload("uninstalled")
    assert (
        post_json(client, "/uninstalled", body, site.install_token("/uninstalled")).status_code
        == 204
    )
    response = get(client, "/test/signed", site.tenant_token("GET", "/test/signed"))
    assert response.json["error"]["code"] == "tenant_inactive"


def test_base_url_path_is_stripped_from_the_qsh(app: Flask, signing_key: Any, kid: str) -> None:
    app.config["BASE_URL"] = "https://host.example.test/icm"

    @app.get("/test/signed")
    @tenant_required()
    def signed() -> Any:
        return jsonify(ok=True)

    site = FakeSite("https://host.example.test/icm", APP_KEY, signing_key, kid)
    client = app.test_client()
    assert post_json(client, "/installed", site.payload(), site.install_token()).status_code == 204
    # Behind a proxy that keeps the prefix, the app sees /icm/...; the qsh never includes it.
    response = client.get(
        "/test/signed",
        headers={"Authorization": f"JWT {site.tenant_token('GET', '/test/signed')}"},
        environ_overrides={"RAW_URI": "/icm/test/signed"},
    )
    assert response.status_code == 200


def test_refusals_say_which_installation_is_missing(client: FlaskClient, site: FakeSite) -> None:
    stranger = FakeSite(APP_BASE_URL, APP_KEY, site.key, site.kid)
    unknown = get(client, "/test/signed", stranger.tenant_token("GET", "/test/signed")).json
    assert unknown["error"]["message"] == "no installation matches the token's issuer"
    post_json(
        client, "/uninstalled", site.payload("uninstalled"), site.install_token("/uninstalled")
    )
    gone = get(client, "/test/signed", site.tenant_token("GET", "/test/signed")).json
    assert gone["error"]["message"] == "the app is not installed on this site"


def test_a_page_may_be_framed_by_the_sites_base_and_display_urls(
    guarded_app: Flask, signing_key: Any, kid: str
) -> None:
    site = FakeSite(app_base_url=APP_BASE_URL, app_key=APP_KEY, key=signing_key, kid=kid)
    client = guarded_app.test_client()
    payload = {**site.payload(), "displayUrl": "https://people.atlassian.net"}
    assert post_json(client, "/installed", payload, site.install_token()).status_code == 204
    page = get(client, "/test/page", site.tenant_token("GET", "/test/page"))
    assert page.headers["Content-Security-Policy"] == (
        "frame-ancestors https://acme.atlassian.net https://people.atlassian.net"
    )


def test_a_204_carries_no_content_type_and_no_csp_but_the_other_headers(
    guarded_app: Flask, signing_key: Any, kid: str
) -> None:
    """Every 204 (the lifecycle's here; the receivers' and the API's deletes alike): no content,
    so no Content-Type, hence no frame-ancestors either; no-store and no-referrer still."""
    site = FakeSite(app_base_url=APP_BASE_URL, app_key=APP_KEY, key=signing_key, kid=kid)
    answer = post_json(
        guarded_app.test_client(), "/installed", site.payload(), site.install_token()
    )
    assert answer.status_code == 204
    assert "Content-Type" not in answer.headers
    assert "Content-Security-Policy" not in answer.headers
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_a_receiver_keeps_the_tenant_and_rereads_it_when_its_secret_moved(
    guarded_app: Flask, site: FakeSite
) -> None:
    guarded_app.config["TENANT_CACHE_SECONDS"] = 60
    client = guarded_app.test_client()
    path = "/test/receiver"
    assert get(client, path, site.tenant_token("GET", path)).json == {"site": site.cloud_id}
    context = tokens.sign_context_token(
        client_key=site.client_key, shared_secret=site.shared_secret, subject="acc-1"
    )
    assert get(client, path, context).json["error"]["code"] == "wrong_token_kind"
    # Another process stored a new secret (a reinstall) without telling this one.
    moved = FakeSite(APP_BASE_URL, APP_KEY, site.key, site.kid, client_key=site.client_key)
    with get_db(guarded_app).transaction() as session:
        tenant = SqlTenantStore(session).get(site.client_key)
        assert tenant is not None
        tenant.shared_secret = moved.shared_secret

    answer = get(client, path, moved.tenant_token("GET", path))

    assert answer.status_code == 200, answer.json
    assert answer.json == {"site": site.cloud_id}
    assert get(client, path, site.tenant_token("GET", path)).status_code == 401  # old secret
