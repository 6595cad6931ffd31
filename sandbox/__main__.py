"""`python -m sandbox [--host 127.0.0.1] [--port 9000]`: run the local Atlassian site."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from sandbox.simulator import Sandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--specs-dir", type=Path, default=None)
    parser.add_argument("--no-validate", action="store_true", help="skip OpenAPI contract checks")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s sandbox %(message)s")
    sandbox = Sandbox(specs_dir=args.specs_dir, validate=not args.no_validate)
    log = logging.getLogger(__name__)

    def ready(url: str) -> None:
        log.info("Atlassian sandbox on %s (install keys at /install-keys, admin at /_sandbox)", url)

    try:
        sandbox.serve_forever(args.host, args.port, on_ready=ready)
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
