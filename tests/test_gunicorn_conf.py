"""gunicorn's access log, as configured in gunicorn.conf.py, never writes a token or a query."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

CONF = Path(__file__).resolve().parents[1] / "gunicorn.conf.py"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhY2MtMSJ9.c2lnbmF0dXJl"


def test_the_access_log_has_no_query_string(caplog: pytest.LogCaptureFixture) -> None:
    config = Config()
    namespace: dict[str, object] = {}
    exec(compile(CONF.read_text(), str(CONF), "exec"), namespace)  # noqa: S102
    config.set("access_log_format", namespace["access_log_format"])
    config.set("accesslog", "-")
    logger = Logger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/macros/customer-map?jwt={TOKEN}&accountId=557058:abc",
        "PATH_INFO": "/macros/customer-map",
        "QUERY_STRING": f"jwt={TOKEN}&accountId=557058:abc",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://acme.atlassian.net/wiki?jwt={TOKEN}",
        "HTTP_USER_AGENT": "test",
    }
    request = SimpleNamespace(headers=[], method="GET", path="/macros/customer-map")
    response = SimpleNamespace(status="200 OK", sent=10, headers=[], status_code=200)
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        logger.access_log.propagate = True
        logger.access(response, request, environ, timedelta(milliseconds=5))
    line = caplog.text
    assert "/macros/customer-map" in line
    assert TOKEN not in line and "jwt=" not in line and "557058" not in line
