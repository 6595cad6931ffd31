"""The qsh algorithm and token rules, checked against Atlassian's vectors and its own library."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import jwt
import pytest
from atlassian_jwt import encode_token
from atlassian_jwt.url_utils import canonicalize_request, hash_url

from connector.domain.errors import AuthenticationFailed
from connector.platforms.connect import tokens
from connector.platforms.token_failures import token_failure
from tests.support.atlassian import new_rsa_key, public_pem

SECRET = "s" * 40


def vectors(specs: Path) -> list[dict[str, str]]:
    data = json.loads((specs / "connect" / "qsh-test-vectors.json").read_text())
    return [v for v in data["vectors"] if v.get("method")]


def test_every_published_qsh_vector_passes(specs: Path) -> None:
    checked = 0
    for vector in vectors(specs):
        target = vector["requestTarget"]
        body = None
        if "[body: " in target:
            target, _, rest = target.partition("  [body: ")
            from urllib.parse import parse_qsl

            body = parse_qsl(rest.rstrip("]"), keep_blank_values=True)
        canonical = tokens.canonical_request(
            vector["method"], target, vector["stripBasePath"] or "", body_params=body
        )
        assert canonical == vector["canonical"], vector["description"]
        assert (
            tokens.query_hash(
                vector["method"], target, vector["stripBasePath"] or "", body_params=body
            )
            == vector["qsh"]
        ), vector["description"]
        checked += 1
    assert checked >= 14


@pytest.mark.parametrize(
    "target",
    [
        "/rest/api/3/search/jql?jql=project%20%3D%20PAY%20AND%20labels%20%3D%20internal-customer&maxResults=50",
        "/rest/api/3/issue/PAY-1/properties/icm.expectation",
        "/rest/api/3/search/jql?jql=issue.property%5Bicm.expectation%5D.id%20in%20(1%2C2)&fields=summary,status",
        "/macros/customer-map?team=PAY&sides=both&expectations=false&page.id=123&xdm_e=https%3A%2F%2Fa.b&cp=%2Fwiki",
        "/api/v1/expectations?state=agreed&state=draft&team=R%26D&q=caf%C3%A9+au+lait",
        "/p/a&b/?x=~*!&y=",
        "/macros/customer-map?jwt=eyJ.x.y&team=PAY",  # the token's own parameter is not hashed
    ],
)
def test_agrees_with_atlassians_python_library(target: str) -> None:
    for method in ("GET", "POST", "put"):
        assert tokens.canonical_request(method, target) == canonicalize_request(method, target)
        assert tokens.query_hash(method, target) == hash_url(method, target)


def test_confluence_context_path_is_not_hashed() -> None:
    assert tokens.query_hash("GET", "/wiki/api/v2/pages/42", "/wiki") == hash_url(
        "GET", "/api/v2/pages/42"
    )


def test_outgoing_token_names_the_app_and_hashes_the_request() -> None:
    token = tokens.sign_app_request(
        "GET",
        "https://acme.atlassian.net/wiki/api/v2/pages?title=Team%20map",
        app_key="com.example.app",
        shared_secret=SECRET,
        product_base_url="https://acme.atlassian.net/wiki",
    )
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == "com.example.app"
    assert claims["qsh"] == hash_url("GET", "/api/v2/pages?title=Team%20map")
    assert claims["exp"] - claims["iat"] == 180
    assert abs(claims["iat"] - time.time()) < 5


def verify(token: str, qsh: str, *, context: bool = False) -> tokens.TokenClaims:
    return tokens.verify_tenant_token(
        token, SECRET, client_key="client-1", expected_qsh=qsh, allow_context_qsh=context
    )


def test_atlassian_library_token_verifies() -> None:
    token = encode_token("GET", "/api/v1/teams?limit=5", "client-1", SECRET)
    claims = verify(token, tokens.query_hash("GET", "/api/v1/teams?limit=5"))
    assert claims.issuer == "client-1"


@pytest.mark.parametrize(
    ("make", "code", "message"),
    [
        (
            lambda: encode_token("GET", "/a", "client-1", "x" * 40),
            "bad_signature",
            "the token's signature does not verify",
        ),
        (
            lambda: encode_token("GET", "/other", "client-1", SECRET),
            "qsh_mismatch",
            "the token's qsh does not match this request",
        ),
        (
            lambda: encode_token("GET", "/a", "client-1", SECRET, timeout_secs=-120),
            "token_expired",
            "the token has expired",
        ),
        (
            lambda: encode_token("GET", "/a", "client-2", SECRET),
            "bad_audience",
            "the token's 'aud' does not name this tenant",
        ),
        (
            lambda: jwt.encode(
                {"iss": "client-1", "iat": int(time.time()), "exp": int(time.time()) + 60},
                SECRET,
                algorithm="HS256",
            ),
            "token_malformed",
            "the token lacks the 'qsh' claim",
        ),
        (
            lambda: jwt.encode(
                {
                    "iss": "client-1",
                    "iat": int(time.time()),
                    "exp": int(time.time()) + 60,
                    "qsh": tokens.CONTEXT_QSH,
                },
                SECRET,
                algorithm="HS256",
            ),
            "wrong_token_kind",
            "a context token (qsh 'context-qsh') is not accepted here; sign the request itself",
        ),
        (
            lambda: jwt.encode(
                {
                    "iss": "client-1",
                    "iat": int(time.time()),
                    "exp": int(time.time()) + 60,
                    "qsh": tokens.query_hash("GET", "/a"),
                },
                SECRET * 2,
                algorithm="HS512",
            ),
            "wrong_token_kind",
            "the token must be signed with HS256",
        ),
        (lambda: "not-a-token", "token_malformed", "the token is invalid: "),
    ],
    ids=["secret", "qsh", "expired", "aud", "no-qsh", "context", "hs512", "garbage"],
)
def test_refusals_name_the_reason(make: object, code: str, message: str) -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        verify(make(), tokens.query_hash("GET", "/a"))  # type: ignore[operator]
    assert caught.value.code == code
    assert caught.value.message.startswith(message)


def test_thirty_seconds_of_clock_skew_are_forgiven() -> None:
    now = int(time.time())
    claims = {"iss": "client-1", "iat": now - 100, "qsh": tokens.query_hash("GET", "/a")}
    late = jwt.encode({**claims, "exp": now - 10}, SECRET, algorithm="HS256")
    assert verify(late, claims["qsh"]).issuer == "client-1"
    too_late = jwt.encode({**claims, "exp": now - 60}, SECRET, algorithm="HS256")
    with pytest.raises(AuthenticationFailed) as caught:
        verify(too_late, claims["qsh"])
    assert caught.value.code == "token_expired"


def test_a_token_for_several_audiences_must_name_this_tenant() -> None:
    now = int(time.time())
    claims = {"iss": "client-1", "iat": now, "exp": now + 60, "qsh": "q"}
    both = jwt.encode({**claims, "aud": ["client-0", "client-1"]}, SECRET, algorithm="HS256")
    assert verify(both, "q").issuer == "client-1"
    for audience in (["client-0", "client-2"], "client-10", ["client-1x"]):
        others = jwt.encode({**claims, "aud": audience}, SECRET, algorithm="HS256")
        with pytest.raises(AuthenticationFailed) as caught:  # a name containing ours is not ours
            verify(others, "q")
        assert caught.value.code == "bad_audience"


def test_install_tokens_are_rs256_for_our_base_url_with_the_right_qsh() -> None:
    key = new_rsa_key()
    now = int(time.time())
    qsh = tokens.query_hash("POST", "/installed")
    claims = {"iss": "client-1", "iat": now, "exp": now + 60, "qsh": qsh}
    audience = ["https://icm.example.test"]
    good = jwt.encode({**claims, "aud": audience[0]}, key, algorithm="RS256")
    verified = tokens.verify_install_token(
        good, public_pem(key), audiences=audience, expected_qsh=qsh
    )
    assert verified.issuer == "client-1"
    with pytest.raises(AuthenticationFailed) as caught:
        tokens.verify_install_token(good, public_pem(key), audiences=audience, expected_qsh="x")
    assert (caught.value.code, caught.value.message) == (
        "qsh_mismatch",
        "the install token's qsh does not match",
    )
    elsewhere = jwt.encode({**claims, "aud": "https://evil.test"}, key, algorithm="RS256")
    with pytest.raises(AuthenticationFailed) as caught:
        tokens.verify_install_token(
            elsewhere, public_pem(key), audiences=audience, expected_qsh=qsh
        )
    assert caught.value.code == "bad_audience"
    assert caught.value.message == (
        "the token's 'aud' must be this app's base URL ['https://icm.example.test']"
    )


def test_unsigned_alg_none_is_refused() -> None:
    token = jwt.encode({"iss": "client-1", "qsh": "x"}, None, algorithm="none")
    with pytest.raises(AuthenticationFailed) as caught:
        verify(token, "x")
    assert caught.value.code == "wrong_token_kind"


def test_context_token_only_where_allowed() -> None:
    token = tokens.sign_context_token(client_key="client-1", shared_secret=SECRET, subject="acc-1")
    assert verify(token, "irrelevant", context=True).subject == "acc-1"
    with pytest.raises(AuthenticationFailed):
        verify(token, "irrelevant", context=False)


def test_context_tokens_last_fifteen_minutes_and_name_their_user() -> None:
    token = tokens.sign_context_token(client_key="client-1", shared_secret=SECRET, subject="acc-1")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert (claims["iss"], claims["sub"], claims["qsh"]) == ("client-1", "acc-1", "context-qsh")
    assert claims["exp"] - claims["iat"] == 900
    assert abs(claims["iat"] - time.time()) < 5
    anonymous = tokens.sign_context_token(client_key="client-1", shared_secret=SECRET, subject=None)
    assert "sub" not in jwt.decode(anonymous, SECRET, algorithms=["HS256"])


def test_extract_token_rules() -> None:
    assert tokens.extract_token("JWT abc", None) == "abc"
    assert tokens.extract_token(None, "abc") == "abc"
    for header, query, code in [
        (None, None, "token_missing"),
        ("Bearer abc", None, "token_malformed"),
        ("JWT abc", "def", "token_malformed"),
    ]:
        with pytest.raises(AuthenticationFailed) as caught:
            tokens.extract_token(header, query)
        assert caught.value.code == code


@pytest.mark.parametrize(
    ("error", "code", "says"),
    [
        (jwt.ExpiredSignatureError(), "token_expired", "has expired"),
        (jwt.ImmatureSignatureError(), "token_expired", "not valid yet"),
        (jwt.InvalidAlgorithmError(), "wrong_token_kind", "RS256"),
        (jwt.InvalidSignatureError(), "bad_signature", "does not verify"),
        (jwt.InvalidAudienceError(), "bad_audience", "app-id"),
        (jwt.InvalidIssuerError(), "bad_issuer", "forge/invocation-token"),
        (jwt.MissingRequiredClaimError("jti"), "token_malformed", "'jti'"),
        (jwt.DecodeError("garbled"), "token_malformed", "garbled"),
    ],
)
def test_every_pyjwt_failure_has_one_code_for_every_token_kind(
    error: jwt.InvalidTokenError, code: str, says: str
) -> None:
    failure = token_failure(
        error,
        what="the invocation token",
        audience="app-id",
        issuer="forge/invocation-token",
        algorithms=["RS256"],
    )
    assert failure.code == code and says in failure.message
    assert failure.message.startswith("the invocation token")


def test_verified_claims_carry_the_context_subject_and_qsh() -> None:
    now = int(time.time())
    base = {"iss": "client-1", "iat": now, "exp": now + 60, "qsh": "context-qsh"}
    context = {"user": {"accountId": "acc-1"}}
    token = jwt.encode({**base, "sub": "acc-1", "context": context}, SECRET, algorithm="HS256")
    claims = verify(token, "irrelevant", context=True)
    assert (claims.issuer, claims.subject, claims.qsh) == ("client-1", "acc-1", "context-qsh")
    assert claims.context == context and claims.is_context_token
    assert claims.raw == {**base, "sub": "acc-1", "context": context}
    odd = jwt.encode({**base, "context": "not a mapping"}, SECRET, algorithm="HS256")
    claims = verify(odd, "irrelevant", context=True)
    assert (claims.subject, claims.context) == (None, {})
    numbered = jwt.encode({**base, "sub": 7}, SECRET, algorithm="HS256")
    with pytest.raises(AuthenticationFailed) as refused:  # a subject is an account id or nothing
        verify(numbered, "irrelevant", context=True)
    assert refused.value.code == "token_malformed"


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("not-a-jwt", "not a JWT: "),
        (jwt.encode({"sub": "x"}, SECRET, algorithm="HS256"), "the token has no 'iss' claim"),
        (jwt.encode({"iss": ""}, SECRET, algorithm="HS256"), "the token has no 'iss' claim"),
        (jwt.PyJWS().encode(b'{"iss": 7}', SECRET, algorithm="HS256"), "the token has no 'iss'"),
    ],
)
def test_unverified_issuer_refuses_tokens_without_one(token: str, message: str) -> None:
    with pytest.raises(AuthenticationFailed) as raised:
        tokens.unverified_issuer(token)
    assert raised.value.code == "token_malformed"
    assert raised.value.message.startswith(message)
    assert len(raised.value.message) > len("not a JWT: ")


def test_unverified_issuer_reads_iss_without_the_secret() -> None:
    token = jwt.encode({"iss": "client-9"}, "another secret" * 4, algorithm="HS256")
    assert tokens.unverified_issuer(token) == "client-9"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: "garbage", "not a JWT: "),
        (
            lambda: jwt.encode({"iss": "c"}, SECRET, algorithm="HS256", headers={"kid": "k"}),
            "install callbacks must be signed with RS256 by Atlassian, got 'HS256'",
        ),
        (
            lambda: jwt.encode({"iss": "c"}, new_rsa_key(), algorithm="RS256"),
            "the install token has no 'kid' header",
        ),
        (
            lambda: jwt.encode({"iss": "c"}, new_rsa_key(), algorithm="RS256", headers={"kid": ""}),
            "the install token has no 'kid' header",
        ),
    ],
    ids=["garbage", "hs256", "no-kid", "empty-kid"],
)
def test_install_token_kid_refusals(make: object, message: str) -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        tokens.install_token_kid(make())  # type: ignore[operator]
    expected = "wrong_token_kind" if "RS256" in message else "token_malformed"
    assert caught.value.code == expected
    assert caught.value.message.startswith(message)
    assert len(caught.value.message) > len("not a JWT: ")


def test_install_token_kid_reads_the_header() -> None:
    token = jwt.encode({"iss": "c"}, new_rsa_key(), algorithm="RS256", headers={"kid": "k-1"})
    assert tokens.install_token_kid(token) == "k-1"


def test_extract_token_messages() -> None:
    assert tokens.extract_token("JWT  abc ", None) == "abc"
    cases = [
        (("Bearer abc", None), "Authorization header must be 'JWT <token>', got scheme 'Bearer'"),
        (("JWT a", "b"), "a token came in both the header and the query"),
        ((None, None), "no JWT in the Authorization header or ?jwt="),
        (("", ""), "no JWT in the Authorization header or ?jwt="),
    ]
    for (header, query), message in cases:
        with pytest.raises(AuthenticationFailed) as caught:
            tokens.extract_token(header, query)
        assert caught.value.message == message


@pytest.mark.parametrize(
    ("args", "canonical"),
    [
        (("GET", "/wiki/rest/api", "/wiki/"), "GET&/rest/api&"),
        (("GET", "/rest/api", "/wiki"), "GET&/rest/api&"),
        (("GET", "/wiki", "/wiki"), "GET&/&"),
        (("GET", "/ctxX/rest", "/ctxX/"), "GET&/rest&"),  # only the slash leaves the base path
        (("GET", "https://h.test//"), "GET&/&"),
        (("GET", "/taX/"), "GET&/taX&"),
        (("GET", "rest/api"), "GET&/rest/api&"),
        (("GET", "/"), "GET&/&"),
    ],
)
def test_canonical_paths(args: tuple[str, ...], canonical: str) -> None:
    assert tokens.canonical_request(*args) == canonical


@pytest.mark.parametrize(
    ("target", "body", "canonical"),
    [
        ("/p", [("b", "2"), ("a", "1")], "POST&/p&a=1&b=2"),  # form fields stand in for no query
        ("/p?q=1", [("b", "2")], "POST&/p&q=1"),  # a query is hashed, the form then is not
        ("/p", [], "POST&/p&"),
        ("/p", None, "POST&/p&"),
    ],
)
def test_form_parameters_stand_in_for_an_empty_query(
    target: str, body: list[tuple[str, str]] | None, canonical: str
) -> None:
    assert tokens.canonical_request("POST", target, body_params=body) == canonical
    qsh = hashlib.sha256(canonical.encode()).hexdigest()
    assert tokens.query_hash("POST", target, body_params=body) == qsh
