"""Forge Invocation Token verification: every claim that must hold, and the key cache."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from connector.domain.errors import AuthenticationFailed
from connector.platforms.forge.tokens import ISSUER, ForgeKeys, verify_invocation_token

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
