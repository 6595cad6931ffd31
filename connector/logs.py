"""Structured logs that never carry a shared secret, a token or an accountId.

A filter on the root handler scrubs JWTs, `sharedSecret` values, Authorization headers and
accountIds from every record, whatever module wrote it (SQLAlchemy's statement logs and errors
included; its engines also hide statement parameters: `connector.db`).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_SECRET_FIELD = re.compile(
    r"""(["']?(?:sharedSecret|shared_secret|password|authorization)["']?\s*[:=]\s*)"""
    r"""(["']?)(?:JWT |Bearer |Basic )?[^"',\s}]+""",
    re.IGNORECASE,
)
# accountIds (personal data): by the field that holds one, and by the shapes Atlassian issues
# (24 hex digits; `557058:` and a UUID; `qm:` service-desk ids), wherever else they turn up.
_ACCOUNT_FIELD = re.compile(
    r"""(["']?(?:\w*account_?ids?|sub|principal)["']?\s*[:=]\s*)(["']?)[^"',\s}\[\]]+""",
    re.IGNORECASE,
)
_ACCOUNT_LIST = re.compile(r"""(["']?\w*account_?ids["']?\s*[:=]\s*)\[[^\]]*\]""", re.IGNORECASE)
_ACCOUNT_ID = re.compile(
    r"\b(?:[0-9a-f]{24}|\d{6}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|qm:[0-9a-f:-]{8,})\b",
    re.IGNORECASE,
)
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact(text: str) -> str:
    text = _JWT.sub("[token]", text)
    text = _SECRET_FIELD.sub(r"\1\2[redacted]", text)
    text = _ACCOUNT_LIST.sub(r"\1[accounts]", text)
    text = _ACCOUNT_FIELD.sub(r"\1\2[account]", text)
    return _ACCOUNT_ID.sub("[account]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    converter = time.gmtime  # type: ignore[assignment]

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%SZ"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
        )
        if record.exc_text:
            entry["error"] = record.exc_text
        return redact(json.dumps(entry, default=str))


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time (test capture, a redirected stream)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure(level: str = "INFO", fmt: str = "json") -> None:
    """Configure the root logger once; later calls only adjust the level."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    if any(getattr(h, "_icm", False) for h in root.handlers):
        return
    handler = StderrHandler()
    handler._icm = True  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(levelname)s %(name)s %(message)s")
    )
    root.addHandler(handler)
