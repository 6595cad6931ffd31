"""The caller of the current request, and the guard that asks the platforms who it is.

The platforms (`connector.platforms`) register one authenticator with `use_authenticator`; routes
outside the platforms guard themselves with `caller_required()` and never import a platform.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, Protocol, TypeVar

from flask import Flask, current_app, g

from connector.domain.caller import Caller
from connector.domain.errors import AuthenticationFailed

P = ParamSpec("P")
R = TypeVar("R")

_AUTHENTICATOR = "icm.authenticate"


class Authenticator(Protocol):
    def __call__(self, *, context_qsh: bool) -> Caller: ...


def use_authenticator(app: Flask, authenticate: Authenticator) -> None:
    app.extensions[_AUTHENTICATOR] = authenticate


def set_caller(caller: Caller) -> None:
    g.icm_caller = caller


def current_caller() -> Caller:
    caller: Caller | None = g.get("icm_caller")
    if caller is None:
        raise AuthenticationFailed("token_missing", "this request is not authenticated")
    return caller


def caller_required(*, context_qsh: bool = False) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Authenticate the request with whichever platform's token it carries, then run the view.

    `context_qsh=True` marks the routes our own pages call with a context token.
    """

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            authenticate: Authenticator = current_app.extensions[_AUTHENTICATOR]
            set_caller(authenticate(context_qsh=context_qsh))
            return view(*args, **kwargs)

        guarded.icm_context_qsh = context_qsh  # type: ignore[attr-defined]
        return guarded

    return decorate
