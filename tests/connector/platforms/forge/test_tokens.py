"""Forge Invocation Token verification: every claim that must hold, and the key cache."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.wrappers import Response

from connector.domain.errors import AuthenticationFailed
from connector.platforms.forge import tokens as tokens_module
from connector.platforms.forge.tokens import (
    ISSUER,
    ForgeKeys,
    bearer_token,
    fetch_jwks,
    token_expiry,
    verify_invocation_token,
)
from tests.support.atlassian import serve

APP_ID = "ari:cloud:ecosystem::app/5f1b0b1e-0000-4000-8000-000000000001"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks(key: rsa.RSAPrivateKey = KEY, kid: str = "k1") -> dict[str, Any]:
    jwk: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {"keys": [{**jwk, "kid": kid, "alg": "RS256", "use": "sig"}]}


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": ISSUER,
        "aud": APP_ID,
        "iat": now,
        "nbf": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
        "app": {
            "id": APP_ID,
            "installationId": "inst-1",
            "apiBaseUrl": "https://api.atlassian.com/ex/jira/cloud-1",
            "module": {"key": "team-page", "type": "jira:projectPage"},
        },
        "context": {"cloudId": "cloud-1", "siteUrl": "https://acme.atlassian.net"},
        "principal": "user-1",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def token(body: dict[str, Any], key: Any = KEY, kid: str = "k1", alg: str = "RS256") -> str:
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


@pytest.fixture
def keys() -> ForgeKeys:
    return ForgeKeys("https://jwks.test", fetch=lambda _url: jwks())


def test_a_valid_token_describes_the_invocation(keys: ForgeKeys) -> None:
    verified = verify_invocation_token(token(claims()), keys, app_id=APP_ID)

    assert verified.installation_id == "inst-1"
    assert verified.cloud_id == "cloud-1"
    assert verified.api_base_url == "https://api.atlassian.com/ex/jira/cloud-1"
    assert verified.account_id == "user-1"
    assert verified.module_type == "jira:projectPage"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"aud": "ari:cloud:ecosystem::app/someone-else"}, "bad_audience"),
        ({"iss": "connect"}, "bad_issuer"),
        ({"exp": -120}, "token_expired"),
        ({"nbf": 600}, "token_expired"),
        ({"jti": None}, "token_malformed"),
        ({"nbf": None}, "token_malformed"),
        ({"app": {"id": APP_ID}}, "token_malformed"),
    ],
)
def test_a_token_breaking_a_rule_is_refused(
    keys: ForgeKeys, changes: dict[str, Any], code: str
) -> None:
    # Times are offsets from now, taken when the test runs (not when it was collected).
    now = int(time.time())
    body = claims(**{k: now + v if k in ("exp", "nbf") and v else v for k, v in changes.items()})
    with pytest.raises(AuthenticationFailed) as refused:
        verify_invocation_token(token(body), keys, app_id=APP_ID)
    assert refused.value.code == code
    assert refused.value.status == 401


def test_a_token_signed_by_another_key_is_refused(keys: ForgeKeys) -> None:
    with pytest.raises(AuthenticationFailed) as refused:
        verify_invocation_token(token(claims(), key=OTHER), keys, app_id=APP_ID)
    assert refused.value.code == "bad_signature"


def test_a_symmetric_token_is_refused(keys: ForgeKeys) -> None:
    forged = jwt.encode(claims(), "x" * 32, algorithm="HS256", headers={"kid": "k1"})
    with pytest.raises(AuthenticationFailed) as refused:
        verify_invocation_token(forged, keys, app_id=APP_ID)
    assert refused.value.code == "wrong_token_kind"


def test_unknown_kids_refetch_at_most_once_per_interval() -> None:
    now = [0.0]
    keys = ForgeKeys("https://jwks.test", fetch=lambda _url: jwks(), clock=lambda: now[0])
    for _ in range(5):
        with pytest.raises(AuthenticationFailed) as refused:
            verify_invocation_token(token(claims(), kid="rotated"), keys, app_id=APP_ID)
        assert refused.value.code == "unknown_key"
    assert keys.fetches == 1

    now[0] = 61.0
    verify_invocation_token(token(claims()), keys, app_id=APP_ID)  # cached kid: no fetch
    with pytest.raises(AuthenticationFailed):
        verify_invocation_token(token(claims(), kid="rotated"), keys, app_id=APP_ID)
    assert keys.fetches == 2


def test_a_rotated_key_is_found_by_refetching() -> None:
    published = [jwks()]
    now = [0.0]
    keys = ForgeKeys("https://jwks.test", fetch=lambda _url: published[0], clock=lambda: now[0])
    verify_invocation_token(token(claims()), keys, app_id=APP_ID)

    published[0] = jwks(OTHER, kid="k2")
    now[0] = 120.0
    verified = verify_invocation_token(token(claims(), key=OTHER, kid="k2"), keys, app_id=APP_ID)

    assert verified.installation_id == "inst-1"


def test_every_field_of_the_invocation_is_read(keys: ForgeKeys) -> None:
    body = claims(
        app={
            "installation": {
                "id": "inst-2",
                "contexts": [{"note": "no cloud"}, "junk", {"cloudId": "cloud-9"}],
            },
            "apiBaseUrl": "https://api.atlassian.com/ex/confluence/cloud-9/",
            "version": "7.1.0",
            "environment": {"type": "DEVELOPMENT"},
        },
        context={"moduleKey": "icm-macro"},
        principal="",
    )
    verified = verify_invocation_token(token(body), keys, app_id=APP_ID)
    assert verified.installation_id == "inst-2"
    assert verified.api_base_url == "https://api.atlassian.com/ex/confluence/cloud-9"
    assert verified.cloud_id == "cloud-9"
    assert verified.site_url is None
    assert verified.account_id is None
    assert (verified.module_key, verified.module_type) == ("icm-macro", None)
    assert verified.app_version == "7.1.0"
    assert verified.environment == {"type": "DEVELOPMENT"}
    assert verified.contexts == ({"note": "no cloud"}, {"cloudId": "cloud-9"})
    assert verified.context == {"moduleKey": "icm-macro"}
    assert (verified.app_id, verified.jti, verified.expires_at) == (
        APP_ID,
        body["jti"],
        body["exp"],
    )
    assert verified.raw == body


def test_the_first_choice_of_each_field_wins(keys: ForgeKeys) -> None:
    body = claims(
        app={
            "id": APP_ID,
            "installationId": "inst-1",
            "installation": {"id": "inst-2", "contexts": [{"cloudId": "cloud-9"}]},
            "apiBaseUrl": "https://api.atlassian.com/ex/jira/cloud-1",
            "appVersion": "2.0.0",
            "version": "1.0.0",
            "module": {"key": "team-page", "type": "jira:projectPage"},
            "environment": "not a mapping",
        },
        context={"cloudId": "cloud-1", "siteUrl": "https://acme.atlassian.net", "moduleKey": "x"},
    )
    verified = verify_invocation_token(token(body), keys, app_id=APP_ID)
    assert (verified.installation_id, verified.cloud_id) == ("inst-1", "cloud-1")
    assert (verified.module_key, verified.app_version) == ("team-page", "2.0.0")
    assert verified.site_url == "https://acme.atlassian.net"
    assert verified.environment == {}
    no_cloud = claims(
        context={},
        app={**body["app"], "installation": {"contexts": None}, "apiBaseUrl": "https://a.test"},
    )
    assert verify_invocation_token(token(no_cloud), keys, app_id=APP_ID).cloud_id is None


def test_empty_or_non_text_fields_count_as_absent(keys: ForgeKeys) -> None:
    body = claims(
        app={
            "id": APP_ID,
            "installationId": "",
            "installation": {"id": "inst-2"},
            "apiBaseUrl": "https://api.atlassian.com/ex/jira/CLOUDX//",
            "appVersion": 3,
            "version": "1.0.0",
            "module": {"key": "", "type": 5},
        },
        context={"cloudId": "", "siteUrl": "", "moduleKey": "icm-macro"},
    )
    verified = verify_invocation_token(token(body), keys, app_id=APP_ID)
    assert (verified.installation_id, verified.app_version) == ("inst-2", "1.0.0")
    assert verified.api_base_url == "https://api.atlassian.com/ex/jira/CLOUDX"  # slashes only
    assert (verified.cloud_id, verified.site_url) == (None, None)
    assert (verified.module_key, verified.module_type) == ("icm-macro", None)


@pytest.mark.parametrize(
    ("contexts", "api_base_url", "cloud_id"),
    [
        # As documented: a context's name is the site's ARI.
        (
            [{"name": "ari:cloud:jira::site/d0d52620-3203", "apiBaseUrl": "https://x.test"}],
            "https://api.atlassian.com/ex/jira/other",
            "d0d52620-3203",
        ),
        (
            [{"name": "ari:cloud:jira::workspace/w-1"}],
            "https://api.atlassian.com/ex/jira/c-7",
            "c-7",
        ),
        ([], "https://api.atlassian.com/ex/confluence/c-8/", "c-8"),
        ([], "https://api.atlassian.com/ex/jira/c-8/rest", None),
    ],
)
def test_a_token_without_context_finds_its_site_in_the_installation(
    keys: ForgeKeys, contexts: list[dict[str, str]], api_base_url: str, cloud_id: str | None
) -> None:
    """A Forge function's invokeRemote carries no `context` (invoke-remote-api): the cloudId
    comes from the installation's contexts, else from apiBaseUrl."""
    app = {
        "id": APP_ID,
        "installationId": "inst-1",
        "apiBaseUrl": api_base_url,
        "installation": {"id": "inst-1", "contexts": contexts},
        "module": {"key": "icm-personal-data", "type": "core:endpoint"},
    }
    verified = verify_invocation_token(
        token(claims(app=app, context=None, principal=None)), keys, app_id=APP_ID
    )
    assert (verified.cloud_id, verified.site_url, verified.context) == (cloud_id, None, {})


@pytest.mark.parametrize(
    ("app", "code", "message"),
    [
        (
            {"id": APP_ID, "apiBaseUrl": "https://api.atlassian.com"},
            "token_malformed",
            "the invocation token lacks app.installationId or app.apiBaseUrl",
        ),
        (
            {"id": APP_ID, "installationId": "inst-1"},
            "token_malformed",
            "the invocation token lacks app.installationId or app.apiBaseUrl",
        ),
        (
            {"id": "ari:other", "installationId": "i", "apiBaseUrl": "https://api.atlassian.com"},
            "bad_audience",
            "the token's app.id is not this app",
        ),
    ],
)
def test_the_app_claim_must_fit(
    keys: ForgeKeys, app: dict[str, Any], code: str, message: str
) -> None:
    with pytest.raises(AuthenticationFailed) as refused:
        verify_invocation_token(token(claims(app=app)), keys, app_id=APP_ID)
    assert (refused.value.code, refused.value.message) == (code, message)


def test_refusals_name_the_rule(keys: ForgeKeys) -> None:
    cases = [
        ("not.a.jwt", "token_malformed", "not a JWT: "),
        (
            jwt.encode(claims(), KEY, algorithm="RS256"),
            "token_malformed",
            "the invocation token has no 'kid' header",
        ),
        (
            jwt.encode(claims(), KEY, algorithm="RS256", headers={"kid": ""}),
            "token_malformed",
            "the invocation token has no 'kid' header",
        ),
        (
            token(claims(), kid="gone"),
            "unknown_key",
            "no Forge signing key with kid 'gone' at https://jwks.test",
        ),
        (
            token(claims(iss="connect")),
            "bad_issuer",
            "the invocation token's 'iss' must be 'forge/invocation-token'",
        ),
        (
            token(claims(aud="x")),
            "bad_audience",
            f"the invocation token's 'aud' must be this app's id {APP_ID!r}",
        ),
        (
            jwt.encode(claims(), "x" * 32, algorithm="HS256", headers={"kid": "k1"}),
            "wrong_token_kind",
            "Forge invocation tokens are RS256, got 'HS256'",
        ),
    ]
    for forged, code, message in cases:
        with pytest.raises(AuthenticationFailed) as refused:
            verify_invocation_token(forged, keys, app_id=APP_ID)
        assert refused.value.code == code
        assert refused.value.message.startswith(message), refused.value.message


def test_thirty_seconds_of_clock_skew_are_forgiven(keys: ForgeKeys) -> None:
    now = int(time.time())
    verify_invocation_token(token(claims(exp=now - 10)), keys, app_id=APP_ID)
    verify_invocation_token(token(claims(nbf=now + 10, iat=now + 10)), keys, app_id=APP_ID)


def test_a_refetch_is_allowed_exactly_when_the_interval_is_over() -> None:
    now = [1000.0]  # a monotonic clock starts anywhere
    keys = ForgeKeys("https://jwks.test", fetch=lambda _url: jwks(), clock=lambda: now[0])
    with pytest.raises(AuthenticationFailed):
        keys.key("rotated")
    now[0] = 1059.9  # the default interval is a minute
    with pytest.raises(AuthenticationFailed):
        keys.key("rotated")
    assert keys.fetches == 1
    now[0] = 1060.0
    with pytest.raises(AuthenticationFailed):
        keys.key("rotated")
    assert keys.fetches == 2


def test_a_failed_fetch_keeps_the_keys_it_had() -> None:
    published: list[Any] = [jwks()]

    def fetch(_url: str) -> Any:
        if isinstance(published[0], Exception):
            raise published[0]
        return published[0]

    now = [0.0]
    keys = ForgeKeys("https://jwks.test", fetch=fetch, clock=lambda: now[0])
    assert keys.key("k1") is not None
    for failure in (requests.ConnectionError("down"), ValueError("not JSON")):
        published[0] = failure
        now[0] += 100
        with pytest.raises(AuthenticationFailed) as refused:
            keys.key("k2")
        assert refused.value.code == "keys_unavailable"
        assert refused.value.message.startswith("Forge's signing keys could not be fetched: ")
        assert keys.key("k1") is not None


def test_fetch_jwks_reads_the_published_set() -> None:
    published: dict[str, Any] = {"body": jwks(), "status": 200}

    def app(environ: Any, start_response: Any) -> Any:
        response = Response(json.dumps(published["body"]), status=published["status"])
        return response(environ, start_response)

    with serve(app) as url:
        assert fetch_jwks(url) == jwks()
        published["body"] = ["not", "an", "object"]
        with pytest.raises(ValueError, match=r"^the JWKS is not a JSON object$"):
            fetch_jwks(url)
        published["status"] = 500
        with pytest.raises(requests.HTTPError):
            fetch_jwks(url)


def test_the_keys_come_from_the_published_set_at_their_url() -> None:
    def app(environ: Any, start_response: Any) -> Any:
        found = environ["PATH_INFO"] == "/.well-known/jwks.json"
        response = Response(json.dumps(jwks()), status=200 if found else 404)
        return response(environ, start_response)

    with serve(app) as url:
        keys = ForgeKeys(f"{url}/.well-known/jwks.json")
        verified = verify_invocation_token(token(claims()), keys, app_id=APP_ID)
    assert verified.installation_id == "inst-1"
    assert keys.fetches == 1


def test_a_jwks_server_that_never_answers_is_given_up_after_ten_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fetch asks requests to give up after 10 s (the clock is requests', not waited here)."""
    asked: list[dict[str, Any]] = []

    def silent_server(url: str, **kwargs: Any) -> Any:
        asked.append({"url": url, **kwargs})
        raise requests.Timeout("read timed out (read timeout=10)")

    monkeypatch.setattr(tokens_module.requests, "get", silent_server)
    with pytest.raises(requests.Timeout):
        fetch_jwks("https://forge.example/jwks")
    assert asked == [{"url": "https://forge.example/jwks", "timeout": 10}]


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("", None), ("JWT abc", None), ("Bearer abc ", "abc"), ("bearer xyz", "xyz")],
)
def test_bearer_token(header: str | None, expected: str | None) -> None:
    assert bearer_token(header) == expected


def test_an_empty_bearer_is_refused() -> None:
    with pytest.raises(AuthenticationFailed) as refused:
        bearer_token("Bearer   ")
    assert (refused.value.code, refused.value.message) == (
        "token_malformed",
        "the Authorization header has no token",
    )


def test_token_expiry_reads_exp_unverified() -> None:
    assert token_expiry(jwt.encode({"exp": 1780315200}, "k" * 32, algorithm="HS256")) == (
        datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    )
    assert token_expiry(jwt.encode({"exp": 1780315200.5}, "k" * 32, algorithm="HS256")) == (
        datetime(2026, 6, 1, 12, 0, 0, 500000, tzinfo=UTC)
    )
    assert token_expiry(jwt.encode({"sub": "x"}, "k" * 32, algorithm="HS256")) is None
    assert token_expiry("opaque") is None
