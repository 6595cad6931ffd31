"""The lifecycle as Atlassian signs it today, and the attacks it refuses without writing a row."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from connector import create_app
from connector.db import get_db
from connector.db.secrets import SecretUnreadable, new_key
from connector.platforms.connect import tokens
from connector.platforms.connect.tenants import SqlTenantStore, Tenant
from tests.conftest import APP_BASE_URL
from tests.support.atlassian import FakeSite, new_rsa_key, post_json

APP_KEY = "com.example.internal-customer-map"


@pytest.fixture
def site(signing_key: Any, kid: str) -> FakeSite:
    return FakeSite(app_base_url=APP_BASE_URL, app_key=APP_KEY, key=signing_key, kid=kid)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def tenant(app: Flask, client_key: str) -> Tenant | None:
    with get_db(app).transaction() as session:
        found = SqlTenantStore(session).get(client_key)
        if found is not None:
            session.expunge(found)
        return found


def install(client: FlaskClient, site: FakeSite, **overrides: Any) -> Any:
    return post_json(client, "/installed", site.payload(**overrides), site.install_token())


def test_signed_install_creates_the_tenant(app: Flask, client: FlaskClient, site: FakeSite) -> None:
    response = install(client, site)
    assert response.status_code == 204, response.get_data(as_text=True)
    stored = tenant(app, site.client_key)
    assert stored is not None
    assert stored.shared_secret == site.shared_secret
    assert stored.base_url == site.base_url
    assert stored.site_id == site.cloud_id
    assert stored.state == "installed"


def test_reinstall_updates_base_url_and_secret(
    app: Flask, client: FlaskClient, site: FakeSite
) -> None:
    assert install(client, site).status_code == 204
    site.shared_secret = "n" * 64
    site.base_url = "https://renamed.atlassian.net"
    assert install(client, site).status_code == 204
    stored = tenant(app, site.client_key)
    assert stored is not None
    assert (stored.shared_secret, stored.base_url) == ("n" * 64, "https://renamed.atlassian.net")


def test_jira_and_confluence_of_one_site_share_the_site_id(
    app: Flask, client: FlaskClient, site: FakeSite, signing_key: Any, kid: str
) -> None:
    confluence = FakeSite(
        app_base_url=APP_BASE_URL,
        app_key=APP_KEY,
        key=signing_key,
        kid=kid,
        product="confluence",
        cloud_id=site.cloud_id,
    )
    assert install(client, site).status_code == 204
    assert install(client, confluence).status_code == 204
    jira_row, confluence_row = tenant(app, site.client_key), tenant(app, confluence.client_key)
    assert jira_row is not None and confluence_row is not None
    assert jira_row.site_id == confluence_row.site_id
    assert confluence_row.base_url.endswith("/wiki")


Attack = Callable[[FakeSite], tuple[dict[str, Any], str | None]]

ATTACKS: dict[str, tuple[Attack, int, str]] = {
    "unsigned": (lambda s: (s.payload(), None), 401, "token_missing"),
    "forged-key": (
        lambda s: (s.payload(), s.install_token(key=new_rsa_key())),
        401,
        "bad_signature",
    ),
    "wrong-aud": (
        lambda s: (s.payload(), s.install_token(aud="https://evil.example")),
        401,
        "bad_audience",
    ),
    "unknown-kid": (lambda s: (s.payload(), s.install_token(kid="nope-123")), 401, "unknown_key"),
    "expired": (lambda s: (s.payload(), s.install_token(exp_in=-300)), 401, "token_expired"),
    "iss-mismatch": (
        lambda s: (s.payload(), s.install_token(iss="someone-else")),
        401,
        "client_key_mismatch",
    ),
    "qsh-for-other-path": (
        lambda s: (s.payload(), s.install_token(path="/uninstalled")),
        401,
        "qsh_mismatch",
    ),
    "hs256-with-secret": (
        lambda s: (s.payload(), s.tenant_token("POST", "/installed")),
        401,
        "wrong_token_kind",
    ),
    "wrong-app-key": (
        lambda s: (s.payload(key="other.app"), s.install_token()),
        400,
        "bad_request",
    ),
    "foreign-host": (
        lambda s: (s.payload(baseUrl="https://evil.example.com"), s.install_token()),
        403,
        "forbidden",
    ),
    "backslash-userinfo-host": (
        lambda s: (s.payload(baseUrl="https://evil.com\\@acme.atlassian.net"), s.install_token()),
        403,
        "forbidden",
    ),
    "userinfo": (
        lambda s: (s.payload(baseUrl="https://evil.com@acme.atlassian.net"), s.install_token()),
        403,
        "forbidden",
    ),
    "plain-http": (
        lambda s: (s.payload(baseUrl="http://acme.atlassian.net"), s.install_token()),
        403,
        "forbidden",
    ),
    "port": (
        lambda s: (s.payload(baseUrl="https://acme.atlassian.net:8443"), s.install_token()),
        403,
        "forbidden",
    ),
    "escaped-slash": (
        lambda s: (s.payload(baseUrl="https://evil.com%2f.atlassian.net"), s.install_token()),
        403,
        "forbidden",
    ),
    "two-labels-for-one-star": (
        lambda s: (s.payload(baseUrl="https://a.evil.atlassian.net"), s.install_token()),
        403,
        "forbidden",
    ),
    "foreign-display-url": (
        lambda s: (s.payload(displayUrl="https://evil.example.com"), s.install_token()),
        403,
        "forbidden",
    ),
    "kid-with-newline": (
        lambda s: (s.payload(), s.install_token(kid=s.kid + "\n")),
        401,
        "token_malformed",
    ),
    "missing-secret": (
        lambda s: (s.payload(sharedSecret=""), s.install_token()),
        400,
        "bad_request",
    ),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_forged_installs_write_nothing(
    app: Flask, client: FlaskClient, site: FakeSite, attack: str
) -> None:
    make, status, code = ATTACKS[attack]
    body, token = make(site)
    response = post_json(client, "/installed", body, token)
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert tenant(app, site.client_key) is None


@pytest.mark.parametrize("attack", ["unsigned", "forged-key", "iss-mismatch", "hs256-with-secret"])
def test_reinstall_over_an_existing_tenant_needs_a_valid_signature(
    app: Flask, client: FlaskClient, site: FakeSite, attack: str
) -> None:
    assert install(client, site).status_code == 204
    original = site.shared_secret
    make, status, _code = ATTACKS[attack]
    site.shared_secret = "attacker-secret-" + "x" * 40
    body, token = make(site)
    assert post_json(client, "/installed", body, token).status_code == status
    stored = tenant(app, site.client_key)
    assert stored is not None and stored.shared_secret == original


def test_uninstall_keeps_data_and_marks_inactive(
    app: Flask, client: FlaskClient, site: FakeSite
) -> None:
    assert install(client, site).status_code == 204
    body = site.payload("uninstalled")
    response = post_json(client, "/uninstalled", body, site.install_token("/uninstalled"))
    assert response.status_code == 204
    stored = tenant(app, site.client_key)
    assert stored is not None and stored.state == "uninstalled"


def test_uninstall_of_another_tenant_is_refused(
    app: Flask, client: FlaskClient, site: FakeSite, signing_key: Any, kid: str
) -> None:
    other = FakeSite(app_base_url=APP_BASE_URL, app_key=APP_KEY, key=signing_key, kid=kid)
    assert install(client, site).status_code == 204
    body = site.payload("uninstalled")  # names the victim, signed for the attacker's clientKey
    response = post_json(client, "/uninstalled", body, other.install_token("/uninstalled"))
    assert response.status_code == 401
    stored = tenant(app, site.client_key)
    assert stored is not None and stored.state == "installed"


def test_enabled_and_disabled_are_hs256_with_the_tenant_secret(
    app: Flask, client: FlaskClient, site: FakeSite
) -> None:
    assert install(client, site).status_code == 204
    disabled = post_json(
        client, "/disabled", site.payload("disabled"), site.tenant_token("POST", "/disabled")
    )
    assert disabled.status_code == 204
    assert tenant(app, site.client_key).state == "disabled"  # type: ignore[union-attr]
    enabled = post_json(
        client, "/enabled", site.payload("enabled"), site.tenant_token("POST", "/enabled")
    )
    assert enabled.status_code == 204
    assert tenant(app, site.client_key).state == "enabled"  # type: ignore[union-attr]
    # An RS256 install token is not a tenant token; a token for /enabled does not fit /disabled.
    wrong = post_json(
        client, "/disabled", site.payload("disabled"), site.install_token("/disabled")
    )
    assert wrong.status_code == 401
    replay = post_json(
        client, "/disabled", site.payload("disabled"), site.tenant_token("POST", "/enabled")
    )
    assert replay.json["error"]["code"] == "qsh_mismatch"
    assert tenant(app, site.client_key).state == "enabled"  # type: ignore[union-attr]


@pytest.mark.parametrize("route", ["/enabled", "/disabled"])
def test_enabled_and_disabled_must_name_the_tokens_tenant(
    app: Flask, client: FlaskClient, site: FakeSite, signing_key: Any, kid: str, route: str
) -> None:
    other = FakeSite(app_base_url=APP_BASE_URL, app_key=APP_KEY, key=signing_key, kid=kid)
    assert install(client, site).status_code == 204
    assert install(client, other).status_code == 204
    event = route.strip("/")
    body = other.payload(event)  # names the other tenant, signed with this tenant's secret
    response = post_json(client, route, body, site.tenant_token("POST", route))
    assert response.status_code == 401
    assert response.json["error"] == {
        "code": "client_key_mismatch",
        "message": "the token's issuer does not match the body's clientKey",
        "details": {},
    }
    assert tenant(app, site.client_key).state == "installed"  # type: ignore[union-attr]
    assert tenant(app, other.client_key).state == "installed"  # type: ignore[union-attr]


@pytest.mark.parametrize("route", ["/enabled", "/disabled"])
def test_enabled_and_disabled_refuse_a_context_token(
    app: Flask, client: FlaskClient, site: FakeSite, route: str
) -> None:
    # A context token (qsh `context-qsh`) is what our own pages carry; a lifecycle callback must
    # be signed for its own request, or any page's token could disable the app.
    assert install(client, site).status_code == 204
    context = tokens.sign_context_token(
        client_key=site.client_key, shared_secret=site.shared_secret, subject=None
    )
    response = post_json(client, route, site.payload(route.strip("/")), context)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "wrong_token_kind"
    assert tenant(app, site.client_key).state == "installed"  # type: ignore[union-attr]


def test_enabled_and_disabled_are_logged_with_the_tenant(
    client: FlaskClient, site: FakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    assert install(client, site).status_code == 204
    for event in ("disabled", "enabled"):
        token = site.tenant_token("POST", f"/{event}")
        assert post_json(client, f"/{event}", site.payload(event), token).status_code == 204
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    lifecycle = [
        (r["message"], r.get("client_key"))
        for r in records
        if r["logger"] == "connector.platforms.connect.lifecycle"
    ]
    assert lifecycle[-2:] == [("disabled", site.client_key), ("enabled", site.client_key)]


def test_a_body_that_is_not_json_is_refused_with_the_reason(
    app: Flask, client: FlaskClient, site: FakeSite
) -> None:
    headers = {"Content-Type": "application/json", "Authorization": f"JWT {site.install_token()}"}
    response = client.post("/installed", data="{not json", headers=headers)
    assert response.status_code == 400
    assert response.json["error"]["message"] == "the installed callback body must be a JSON object"
    assert tenant(app, site.client_key) is None


def test_an_install_token_may_name_the_base_url_with_a_trailing_slash(
    app: Flask, client: FlaskClient, site: FakeSite
) -> None:
    token = site.install_token(aud=APP_BASE_URL + "/")
    assert post_json(client, "/installed", site.payload(), token).status_code == 204
    assert tenant(app, site.client_key) is not None


def test_event_type_must_match_the_route(client: FlaskClient, site: FakeSite) -> None:
    response = post_json(client, "/installed", site.payload("uninstalled"), site.install_token())
    assert response.status_code == 400
    assert "eventType" in response.json["error"]["message"]


def test_install_keys_are_cached_by_kid(
    client: FlaskClient, site: FakeSite, install_keys: Any
) -> None:
    before = install_keys.requests.count(site.kid)
    assert install(client, site).status_code == 204
    assert install(client, site).status_code == 204
    assert install_keys.requests.count(site.kid) - before == 1


def test_unknown_kids_are_remembered_and_fetches_limited(
    client: FlaskClient, site: FakeSite, install_keys: Any
) -> None:
    unknown = f"nope-{site.client_key[-12:]}"  # the key server outlives the test: unique kids
    for _ in range(3):
        body, token = site.payload(), site.install_token(kid=unknown)
        assert post_json(client, "/installed", body, token).status_code == 401
    assert install_keys.requests.count(unknown) == 1  # the miss is remembered
    answers = []
    for n in range(40):  # anonymous posts, each with a fresh kid
        token = site.install_token(kid=f"{unknown}-{n}")
        answers.append(post_json(client, "/installed", site.payload(), token).json["error"])
    assert {a["code"] for a in answers[-5:]} == {"key_fetch_limited"}
    assert sum(k.startswith(f"{unknown}-") for k in install_keys.requests) <= 30


def test_lifecycle_logs_never_carry_the_secret(
    client: FlaskClient, site: FakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    assert install(client, site).status_code == 204
    post_json(client, "/installed", site.payload(), site.install_token(key=new_rsa_key()))
    out, err = capsys.readouterr()
    assert "installed" in err
    assert site.shared_secret not in out + err
    assert "eyJ" not in out + err


REFUSED_PAYLOADS: dict[str, tuple[Callable[[FakeSite], Any], int, str, dict[str, Any]]] = {
    "not-an-object": (
        lambda s: [s.payload()],
        400,
        "the installed callback body must be a JSON object",
        {},
    ),
    "no-client-key": (
        lambda s: s.payload(clientKey=""),
        400,
        "the installed callback body has no clientKey",
        {},
    ),
    "client-key-not-text": (
        lambda s: s.payload(clientKey=7),
        400,
        "the installed callback body has no clientKey",
        {},
    ),
    "other-event": (
        lambda s: s.payload("enabled"),
        400,
        "eventType 'enabled' sent to the installed callback",
        {},
    ),
    "missing-fields": (
        lambda s: {**s.payload(sharedSecret="", productType=None), "baseUrl": ""},
        400,
        "the installed payload lacks sharedSecret, baseUrl, productType",
        {"missing": ["sharedSecret", "baseUrl", "productType"]},
    ),
    "other-app": (
        lambda s: s.payload(key="other.app"),
        400,
        f"the payload is for app 'other.app', this is '{APP_KEY}'",
        {},
    ),
    "other-product": (
        lambda s: s.payload(productType="bitbucket"),
        400,
        "productType 'bitbucket' is not jira or confluence",
        {},
    ),
    "foreign-host": (
        lambda s: s.payload(baseUrl="https://Evil.example.com"),
        403,
        "baseUrl: installs from 'evil.example.com' are not allowed (ICM_ALLOWED_PRODUCT_HOSTS)",
        {},
    ),
    "no-host": (
        lambda s: s.payload(baseUrl="file:///etc/passwd"),
        403,
        "baseUrl: 'file:///etc/passwd' is not https (ICM_ALLOWED_PRODUCT_HOSTS)",
        {},
    ),
    "https-without-host": (
        lambda s: s.payload(baseUrl="https:///wiki"),
        403,
        "baseUrl: installs from '' are not allowed (ICM_ALLOWED_PRODUCT_HOSTS)",
        {},
    ),
    "port": (
        lambda s: s.payload(baseUrl="https://acme.atlassian.net:8443"),
        403,
        "baseUrl: 'https://acme.atlassian.net:8443' names a port (ICM_ALLOWED_PRODUCT_HOSTS)",
        {},
    ),
    "port-out-of-range": (
        lambda s: s.payload(baseUrl="https://acme.atlassian.net:99999"),
        403,
        "baseUrl: 'https://acme.atlassian.net:99999' is not a URL (ICM_ALLOWED_PRODUCT_HOSTS)",
        {},
    ),
    "loopback-not-in-the-setting": (  # the setting names localhost, not 127.0.0.1
        lambda s: s.payload(baseUrl="http://127.0.0.1:2990/jira"),
        403,
        "baseUrl: 'http://127.0.0.1:2990/jira' is not https (ICM_ALLOWED_PRODUCT_HOSTS)",
        {},
    ),
    "loopback-not-http": (
        lambda s: s.payload(baseUrl="ftp://localhost/jira"),
        403,
        "baseUrl: 'ftp://localhost/jira' is not http(s) (ICM_ALLOWED_PRODUCT_HOSTS)",
        {},
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED_PAYLOADS))
def test_refused_install_payloads_say_why(
    app: Flask, client: FlaskClient, site: FakeSite, case: str
) -> None:
    # A trailing comma and spaces in the setting, as an operator may write it.
    app.config["ALLOWED_PRODUCT_HOSTS"] = " *.atlassian.net , localhost ,"
    make, status, message, details = REFUSED_PAYLOADS[case]
    response = post_json(client, "/installed", make(site), site.install_token())
    assert response.status_code == status
    assert response.json["error"]["message"] == message
    assert response.json["error"]["details"] == details
    assert tenant(app, site.client_key) is None


def test_allowed_hosts_are_patterns_and_a_payload_may_omit_its_event_type(
    app: Flask, client: FlaskClient, site: FakeSite
) -> None:
    app.config["ALLOWED_PRODUCT_HOSTS"] = " *.atlassian.net , localhost ,"
    body = site.payload()
    del body["eventType"]
    assert post_json(client, "/installed", body, site.install_token()).status_code == 204
    confluence = site.payload(productType="confluence", baseUrl="http://localhost:2990/wiki")
    other = FakeSite(app_base_url=APP_BASE_URL, app_key=APP_KEY, key=site.key, kid=site.kid)
    confluence["clientKey"] = other.client_key
    assert post_json(client, "/installed", confluence, other.install_token()).status_code == 204
    secure = FakeSite(app_base_url=APP_BASE_URL, app_key=APP_KEY, key=site.key, kid=site.kid)
    body = secure.payload(baseUrl="https://localhost:8443/jira", displayUrl="https://localhost")
    assert post_json(client, "/installed", body, secure.install_token()).status_code == 204
    assert tenant(app, secure.client_key) is not None


def test_a_lifecycle_token_names_its_tenant_in_the_error(
    client: FlaskClient, site: FakeSite
) -> None:
    response = post_json(client, "/installed", site.payload(), site.install_token(iss="other"))
    assert response.json["error"] == {
        "code": "client_key_mismatch",
        "message": "the token's issuer does not match the body's clientKey",
        "details": {},
    }


def test_a_reinstall_recovers_a_tenant_whose_secret_cannot_be_read(
    app: Flask, app_config: dict[str, Any], site: FakeSite
) -> None:
    """The key its secret was encrypted with is lost (docs/personal-data.md: "reinstall"): the
    signed install replaces the secret it cannot read, rather than answering 500 (issue #24)."""
    assert install(app.test_client(), site).status_code == 204
    app.extensions["icm.db"].engine.dispose()
    keys_lost = create_app({**app_config, "SECRET_KEYS": new_key()})
    try:
        with pytest.raises(SecretUnreadable):
            tenant(keys_lost, site.client_key)
        site.shared_secret = "r" * 64
        response = install(keys_lost.test_client(), site)
        assert response.status_code == 204, response.get_data(as_text=True)
        stored = tenant(keys_lost, site.client_key)
        assert stored is not None and stored.shared_secret == "r" * 64
        assert stored.state == "installed"
    finally:
        keys_lost.extensions["icm.db"].engine.dispose()
