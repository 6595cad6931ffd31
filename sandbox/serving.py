"""A WSGI app served on a loopback thread without werkzeug's per-request access log: the sandbox,
the demo and the tests' stand-in servers all answer many calls, and a line each drowned the output.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

_answers = threading.local()


class _Answer:
    """An app's response body that is closed once, by werkzeug or else after the request."""

    def __init__(self, body: Iterable[bytes]) -> None:
        self.body = body
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            close = getattr(self.body, "close", None)
            if close is not None:
                close()


def _closing(app: Any) -> Any:
    """`app`, its response bodies remembered on the request's thread (see `run_wsgi`)."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> _Answer:
        answer = _Answer(app(environ, start_response))
        _answers.__dict__.setdefault("open", []).append(answer)
        return answer

    return wrapped


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler minus the access log line; errors are still logged. When the browser
    drops the connection, werkzeug's draining of the socket can raise before it closes the
    response body (a static file left open); the body is closed here after every request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None

    def run_wsgi(self) -> None:
        try:
            super().run_wsgi()
        finally:
            for answer in _answers.__dict__.pop("open", []):
                answer.close()


def quiet_server(app: Any, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    return make_server(
        host, port, _closing(app), threaded=True, request_handler=QuietRequestHandler
    )


@contextmanager
def serving(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[BaseWSGIServer]:
    """Serve `app` on a daemon thread until the block ends (port 0: a free one)."""
    server = quiet_server(app, host, port)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name=f"http-{server.server_port}", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
