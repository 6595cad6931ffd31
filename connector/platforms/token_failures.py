"""What each PyJWT failure means to a caller: the AuthenticationFailed code and a precise message.

Shared by the Connect and Forge token modules, which alone decode tokens.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import jwt

from connector.domain.errors import AuthenticationFailed

# Each PyJWT failure as the AuthenticationFailed code it is, for every kind of token.
_FAILURES: tuple[tuple[type[jwt.InvalidTokenError], str, str], ...] = (
    (jwt.ExpiredSignatureError, "token_expired", "{what} has expired"),
    (jwt.ImmatureSignatureError, "token_expired", "{what} is not valid yet (iat/nbf ahead)"),
    (jwt.InvalidAlgorithmError, "wrong_token_kind", "{what} must be signed with {algorithms}"),
    (jwt.InvalidSignatureError, "bad_signature", "{what}'s signature does not verify"),
    (jwt.InvalidAudienceError, "bad_audience", "{what}'s 'aud' must be {audience}"),
    (jwt.InvalidIssuerError, "bad_issuer", "{what}'s 'iss' must be {issuer}"),
    (jwt.MissingRequiredClaimError, "token_malformed", "{what} lacks the '{claim}' claim"),
    (jwt.InvalidTokenError, "token_malformed", "{what} is invalid: {error}"),
)


def token_failure(
    error: jwt.InvalidTokenError,
    *,
    what: str = "the token",
    audience: str = "this app",
    issuer: str = "",
    algorithms: Iterable[str] = (),
) -> AuthenticationFailed:
    """What a failed `jwt.decode` means, for Connect and Forge tokens alike."""
    code, template = next((c, t) for kind, c, t in _FAILURES if isinstance(error, kind))
    claim = error.claim if isinstance(error, jwt.MissingRequiredClaimError) else ""
    message = template.format(
        what=what,
        audience=audience,
        issuer=issuer,
        algorithms="/".join(algorithms),
        claim=claim,
        error=error,
    )
    return AuthenticationFailed(code, message)


def signing_key_id(token: str, *, what: str, algorithms: Collection[str], signed_as: str) -> str:
    """The `kid` of a token signed with one of `algorithms` (read before verifying, to find the
    key), for Connect's install tokens and Forge's invocation tokens alike."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise AuthenticationFailed("token_malformed", f"not a JWT: {exc}") from exc
    if header.get("alg") not in algorithms:
        raise AuthenticationFailed("wrong_token_kind", f"{signed_as}, got {header.get('alg')!r}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise AuthenticationFailed("token_malformed", f"{what} has no 'kid' header")
    return kid
