"""The production server (granian, `connector.serve`): what it does differently from gunicorn is
handled. Its environ copies the process environment (the app's secrets must not be in it), and it
gives no raw request target (the qsh is computed from the decoded path, re-quoted)."""

from __future__ import annotations

import gc
import itertools
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from atlassian_jwt import encode_token
from flask import Flask

from connector import serve
from connector.db import Database
from connector.db.secrets import Keyring, new_key
from connector.platforms.connect.auth import request_target
from connector.platforms.connect.descriptor import PRODUCTS, descriptor_for
from connector.platforms.connect.tenants import Installation, SqlTenantStore

ROOT = Path(__file__).resolve().parents[1]
GRANIAN = Path(sys.executable).parent / "granian"
CLIENT_KEY = "granian-client"
SECRET = "granian-secret-granian-secret-granian-00"


def test_production_app_takes_its_settings_out_of_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = new_key()
    monkeypatch.setenv("ICM_SECRET_KEYS", key)
    monkeypatch.setenv("ICM_DATABASE_URL", f"sqlite:///{tmp_path / 'icm.db'}")
    monkeypatch.setenv("PGPASSWORD", "hunter2")
    monkeypatch.setenv("ICM_HELLO", "x")
    monkeypatch.setenv("HOME_NOT_A_SETTING", "kept")
    try:
        app = serve.production_app()
    finally:
        gc.unfreeze()
    assert app.config["SECRET_KEYS"] == key  # read before it went
    assert not [name for name in os.environ if name.startswith("ICM_")]
    assert "PGPASSWORD" not in os.environ
    assert os.environ["HOME_NOT_A_SETTING"] == "kept"


def test_the_command_line_follows_the_settings() -> None:
    command = serve.granian_command(
        {"ICM_WORKERS": "3", "ICM_THREADS": "12", "PORT": "9000"}, ["--http", "1"]
    )
    assert command[0] == str(GRANIAN)
    assert command[-1] == "connector.serve:production_app"
    pairs = dict(itertools.pairwise(command))
    assert pairs["--workers"] == "3" and pairs["--blocking-threads"] == "12"
    assert pairs["--port"] == "9000" and pairs["--interface"] == "wsgi"
    assert "--factory" in command and command[-3:-1] == ["--http", "1"]
    assert "--access-log" not in command
    assert "--access-log" in serve.granian_command({"ICM_ACCESS_LOG": "-"})


NO_RAW_TARGET = {"RAW_URI": "", "REQUEST_URI": ""}  # as granian: Werkzeug's test client sets both


def descriptor_paths(app: Flask) -> set[str]:
    """Every path Atlassian calls on the app: module URLs, webhooks, lifecycle callbacks."""
    paths: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if name in ("url", "installed", "uninstalled", "enabled", "disabled") and (
                    isinstance(value, str) and value.startswith("/")
                ):
                    paths.add(urlsplit(value).path)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    with app.app_context():
        for product in PRODUCTS:
            walk(descriptor_for(product))
    return paths


def test_every_path_the_descriptors_name_hashes_the_same_from_its_decoded_form(
    app: Flask,
) -> None:
    """granian hands the path decoded; re-quoted it must be the path Atlassian signed."""
    paths = descriptor_paths(app)
    assert "/webhooks/jira/comment-created" in paths and len(paths) > 10
    for path in sorted(paths):
        environ = {"PATH_INFO": unquote(path), "QUERY_STRING": "a=1", **NO_RAW_TARGET}
        with app.test_request_context(path, environ_overrides=environ):
            assert request_target() == f"{path}?a=1", path


def test_a_path_with_escapes_would_not_hash_the_same(app: Flask) -> None:
    """The check above can fail: a path whose escapes decoding loses is not reconstructed."""
    environ = {"PATH_INFO": unquote("/a%7Eb"), "QUERY_STRING": "", **NO_RAW_TARGET}
    with app.test_request_context("/a~b", environ_overrides=environ):
        assert request_target() != "/a%7Eb"


# -- the real server ------------------------------------------------------------------------------

PROBE = '''
from connector.serve import production_app

def probe_app():
    """production_app, plus a route that lists the environ's names (this test only)."""
    app = production_app()

    @app.get("/__environ")
    def names():
        from flask import jsonify, request
        return jsonify(sorted(request.environ))

    return app
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def granian_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not GRANIAN.exists():
        pytest.fail("granian is a dependency (pyproject.toml); run `make install`")
    folder = tmp_path_factory.mktemp("granian")
    (folder / "granian_probe.py").write_text(PROBE)
    key = new_key()
    url = f"sqlite:///{folder / 'icm.db'}"
    database = Database(url, keyring=Keyring([key]))
    database.migrate()
    with database.transaction() as session:
        SqlTenantStore(session).save_installation(
            Installation(
                client_key=CLIENT_KEY,
                app_key="granian",
                shared_secret=SECRET,
                base_url="https://granian.atlassian.net",
                product_type="jira",
                cloud_id="granian-cloud",
            )
        )
    database.engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "ICM_DATABASE_URL": url,
        "ICM_SECRET_KEYS": key,
        "ICM_BASE_URL": f"http://127.0.0.1:{port}",
        "ICM_LOG_LEVEL": "WARNING",
        "ICM_WORKERS": "1",
        "ICM_ACCESS_LOG": "on",
        "PORT": str(port),
        "PYTHONPATH": f"{folder}{os.pathsep}{ROOT}",
    }
    command = serve.granian_command(env, ["--host", "127.0.0.1"])
    command[-1] = "granian_probe:probe_app"
    log = folder / "granian.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, cwd=folder, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/livez", timeout=1)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        else:
            process.kill()
            process.wait()
            pytest.fail(f"granian did not start: {log.read_text()[-2000:]}")
        yield {"base": base, "database": url, "key": key, "log": log}
    finally:
        process.terminate()
        process.wait(timeout=30)


COMMENT = json.dumps({"webhookEvent": "comment_created", "timestamp": 1}).encode()


def call(method: str, url: str, **headers: str) -> tuple[int, bytes]:
    body = COMMENT if method == "POST" else None
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def webhook_headers(path: str) -> dict[str, str]:
    token = encode_token("POST", path, CLIENT_KEY, SECRET, 300)
    return {
        "Authorization": f"JWT {token}",
        "Content-Type": "application/json",
        "X-Atlassian-Webhook-Identifier": str(uuid.uuid4()),
    }


@pytest.mark.slow
def test_no_request_under_granian_sees_the_apps_settings(granian_server: dict[str, Any]) -> None:
    status, body = call("GET", granian_server["base"] + "/__environ")
    assert status == 200, body
    names = json.loads(body)
    assert "PATH_INFO" in names and "HTTP_HOST" in names  # it is the environ
    assert not [name for name in names if name.startswith("ICM_")], names


@pytest.mark.slow
def test_a_signed_delivery_is_stored_under_granian(granian_server: dict[str, Any]) -> None:
    path = "/webhooks/jira/comment-created"
    headers = webhook_headers(path)
    status, body = call("POST", granian_server["base"] + path, **headers)
    assert status == 204, body
    database = Database(granian_server["database"], keyring=Keyring([granian_server["key"]]))
    with database.engine.connect() as connection:
        stored = connection.exec_driver_sql(
            "SELECT count(*) FROM webhook_inbox WHERE webhook_id = ?",
            (headers["X-Atlassian-Webhook-Identifier"],),
        ).scalar()
    database.engine.dispose()
    assert stored == 1


@pytest.mark.slow
def test_under_granian_a_token_for_another_path_or_escaped_path_is_refused(
    granian_server: dict[str, Any],
) -> None:
    base = granian_server["base"]
    other = webhook_headers("/webhooks/jira/comment-deleted")
    status, body = call("POST", base + "/webhooks/jira/comment-created", **other)
    assert status == 401, body
    # the same route reached through an escape: signed for what was sent, refused (fail closed)
    escaped = "/webhooks/jira/comment%2Dcreated"
    status, body = call("POST", base + escaped, **webhook_headers(escaped))
    assert status == 401, body
    assert b"qsh" in body or b"query" in body, body


@pytest.mark.slow
def test_under_granian_a_signed_query_with_escapes_passes_the_qsh(
    granian_server: dict[str, Any],
) -> None:
    """The query arrives undecoded (QUERY_STRING): its escapes hash as Atlassian signed them."""
    url = "/webhooks/jira/comment-created?tz=Australia%2FSydney&lic=none&xdm_e=http%3A%2F%2Fx%20y"
    status, body = call("POST", granian_server["base"] + url, **webhook_headers(url))
    assert status == 204, body


@pytest.mark.slow
def test_granians_access_log_has_no_query(granian_server: dict[str, Any]) -> None:
    """Pages are loaded with `?jwt=`: the access log (ICM_ACCESS_LOG) writes the path only."""
    token = encode_token("GET", "/livez", CLIENT_KEY, SECRET, 300)
    status, _ = call("GET", f"{granian_server['base']}/livez?jwt={token}&accountId=557058:abc")
    assert status == 200
    for _ in range(50):
        logged = granian_server["log"].read_text()
        if "/livez" in logged:
            break
        time.sleep(0.1)
    assert '"GET /livez HTTP/1.1" 200' in logged, logged[-2000:]
    assert token not in logged and "jwt=" not in logged and "557058" not in logged
