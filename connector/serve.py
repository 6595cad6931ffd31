"""The production server: granian's WSGI mode in front of `production_app`.

`python -m connector.serve` (what `make run` does) starts granian with this project's settings;
flags after it go to granian as they are (`--port 9000`, `--ssl-certificate …`).

Why granian (measured in bench/README.md, "Levers, measured on a quiet machine"): it parses HTTP
and writes answers in Rust, so a webhook delivery costs 34-46 % less CPU than under gunicorn's
Python parser, with the same WSGI app (1.3-2.1 times the deliveries a second on two cores).
Two things it does differently, both handled here and tested
(`tests/test_production_server.py`):

- Its WSGI environ carries a copy of the process environment, taken once the app is loaded.
  `production_app` therefore removes the app's own settings (`ICM_*`, among them the keys that
  encrypt secrets at rest) and `PGPASSWORD` from the environment after reading them, so no
  request's environ holds them.
- It gives no raw request target (`RAW_URI`); `PATH_INFO` arrives percent-decoded. The Connect qsh
  is then computed from the path re-quoted (`connector.platforms.connect.auth.request_target`),
  which equals what Atlassian signed for every URL the descriptors name (none holds a
  percent-escape); a path that differs only in its escapes is refused (401), never accepted.

gunicorn (`gunicorn -c gunicorn.conf.py`) still works and stays the fallback.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Mapping, MutableMapping, Sequence

from flask import Flask

# The variables whose values must not reach a request's environ: the app's settings (database URL
# with its password, ICM_SECRET_KEYS, the Forge app's secrets) and libpq's password.
SCRUBBED_PREFIXES = ("ICM_",)
SCRUBBED_NAMES = ("PGPASSWORD",)


def production_app() -> Flask:
    """The app as granian runs it (`--factory connector.serve:production_app`), once per worker."""
    from connector import create_app

    app = create_app()
    scrub_environment(os.environ)
    # The ~130k objects of start-up leave the collector's reach: a full collection would walk them
    # on a random request (bench/bench_macro_routes.py measures both heaps).
    gc.freeze()
    return app


def scrub_environment(environ: MutableMapping[str, str]) -> list[str]:
    """Remove the settings read at start-up from `environ`; the names removed, sorted."""
    names = sorted(
        name for name in environ if name.startswith(SCRUBBED_PREFIXES) or name in SCRUBBED_NAMES
    )
    for name in names:
        del environ[name]
    return names


def granian_command(env: Mapping[str, str], extra: Sequence[str] = ()) -> list[str]:
    """granian's command line: ICM_WORKERS processes (2), ICM_THREADS blocking threads each (8),
    ICM_HOST / PORT, and the access log only when ICM_ACCESS_LOG is set (the path without its
    query: pages are loaded with `?jwt=`)."""
    command = [
        os.path.join(os.path.dirname(sys.executable), "granian"),
        "--interface", "wsgi",
        "--factory",
        "--workers", env.get("ICM_WORKERS", "2"),
        "--blocking-threads", env.get("ICM_THREADS", "8"),
        "--host", env.get("ICM_HOST", "0.0.0.0"),  # noqa: S104 - a server listens
        "--port", env.get("PORT", "8000"),
        "--respawn-failed-workers",
        "--workers-kill-timeout", "30",
    ]  # fmt: skip
    if env.get("ICM_ACCESS_LOG"):
        command.append("--access-log")
    return [*command, *extra, "connector.serve:production_app"]


def main(argv: Sequence[str] | None = None) -> None:
    command = granian_command(os.environ, sys.argv[1:] if argv is None else argv)
    os.execv(command[0], command)  # noqa: S606 - our own granian, a fixed command line


if __name__ == "__main__":
    main()
