"""A WSGI app served on a loopback thread without werkzeug's per-request access log: the sandbox,
the demo and the tests' stand-in servers all answer many calls, and a line each drowned the output.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler minus the access log line; errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def quiet_server(app: Any, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    return make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)


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
