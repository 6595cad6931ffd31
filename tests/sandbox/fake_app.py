"""A tiny stand-in Connect app that checks every token the sandbox sends it, as a real app must."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from atlassian_jwt.url_utils import hash_url
from flask import Flask, abort, jsonify, request

from sandbox.serving import serving

APP_KEY = "icm-test-app"
EVENTS = (
    "jira:issue_created",
    "jira:issue_updated",
    "jira:issue_deleted",
    "comment_created",
    "comment_updated",
    "comment_deleted",
    "issuelink_created",
    "issuelink_deleted",
)


@dataclass
class FakeApp:
    install_keys_url: str = ""
    base_url: str = ""
    tenants: dict[str, dict[str, Any]] = field(default_factory=dict)
    lifecycle: list[tuple[str, str]] = field(default_factory=list)
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    fail_webhooks: int = 0
    refuse_install: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def descriptor(self, product: str) -> dict[str, Any]:
        modules: dict[str, Any] = {}
        if product == "jira":
            modules["webhooks"] = [
                {"event": e, "url": f"/webhooks/{e.replace(':', '_')}"} for e in EVENTS
            ]
            modules["generalPages"] = [
                {
                    "key": "overview",
                    "name": {"value": "Customer map"},
                    "url": "/pages/overview?project={project.key}",
                }
            ]
            modules["webPanels"] = [
                {
                    "key": "rate",
                    "name": {"value": "Rate"},
                    "location": "atl.jira.view.issue.right.context",
                    "url": "/panels/rate?issue={issue.key}",
                }
            ]
        else:
            modules["dynamicContentMacros"] = [
                {
                    "key": "customer-map",
                    "name": {"value": "Customer map"},
                    "url": "/macros/customer-map?team={team}&page={page.id}&space={space.key}"
                    "&hash={macro.hash}&out={output.type}&x={nope}",
                    "parameters": [
                        {"identifier": "team", "name": {"value": "Team"}, "type": "string"}
                    ],
                }
            ]
        return {
            "key": APP_KEY,
            "name": "ICM test app",
            "baseUrl": self.base_url,
            "authentication": {"type": "jwt"},
            "apiMigrations": {"signed-install": True, "context-qsh": True, "gdpr": True},
            "lifecycle": {
                "installed": "/installed",
                "uninstalled": "/uninstalled",
                "enabled": "/enabled",
                "disabled": "/disabled",
            },
            "scopes": ["READ", "WRITE", "DELETE", "ADMIN"],
            "modules": modules,
        }

    def relative_url(self) -> str:
        return request.full_path.rstrip("?")

    def verify_install(self) -> dict[str, Any]:
        token = request.headers["Authorization"].removeprefix("JWT ")
        kid = jwt.get_unverified_header(token)["kid"]
        pem = requests.get(f"{self.install_keys_url}/{kid}", timeout=5).text
        claims: dict[str, Any] = jwt.decode(
            token, pem, algorithms=["RS256"], audience=self.base_url, options={"require": ["exp"]}
        )
        body: dict[str, Any] = request.get_json(force=True)
        if claims["iss"] != body["clientKey"]:
            raise ValueError("iss is not the clientKey")
        if claims["qsh"] != hash_url("POST", self.relative_url()):
            raise ValueError("qsh mismatch")
        return body

    def verify_shared(self, method: str, token: str) -> dict[str, Any]:
        iss = jwt.decode(token, options={"verify_signature": False})["iss"]
        tenant = self.tenants[iss]
        claims: dict[str, Any] = jwt.decode(token, tenant["sharedSecret"], algorithms=["HS256"])
        if claims["qsh"] != hash_url(method, self.relative_url()):
            raise ValueError("qsh mismatch")
        return claims

    def flask_app(self) -> Flask:
        app = Flask("fake_app")

        @app.get("/<product>/atlassian-connect.json")
        def descriptor(product: str) -> Any:
            return self.descriptor(product)

        @app.post("/installed")
        @app.post("/uninstalled")
        def signed_lifecycle() -> Any:
            try:
                body = self.verify_install()
            except Exception as exc:  # noqa: BLE001 - any failure is a refused install
                self.failures.append(f"{request.path}: {exc}")
                abort(401)
            if self.refuse_install:
                abort(500)
            with self.lock:
                self.lifecycle.append((request.path, body["eventType"]))
                if body["eventType"] == "installed":
                    self.tenants[body["clientKey"]] = body
            return "", 204

        @app.post("/enabled")
        @app.post("/disabled")
        def shared_lifecycle() -> Any:
            try:
                self.verify_shared("POST", request.headers["Authorization"].removeprefix("JWT "))
            except Exception as exc:  # noqa: BLE001
                self.failures.append(f"{request.path}: {exc}")
                abort(401)
            with self.lock:
                self.lifecycle.append((request.path, request.get_json(force=True)["eventType"]))
            return "", 204

        @app.post("/webhooks/<event>")
        def webhook(event: str) -> Any:
            try:
                self.verify_shared("POST", request.headers["Authorization"].removeprefix("JWT "))
            except Exception as exc:  # noqa: BLE001
                self.failures.append(f"{request.path}: {exc}")
                abort(401)
            with self.lock:
                self.webhooks.append(
                    {
                        "event": event,
                        "headers": dict(request.headers),
                        "body": request.get_json(force=True),
                    }
                )
                if self.fail_webhooks > 0:
                    self.fail_webhooks -= 1
                    abort(500)
            return "", 204

        @app.get("/macros/<name>")
        @app.get("/pages/<name>")
        @app.get("/panels/<name>")
        def iframe(name: str) -> Any:
            claims = self.verify_shared("GET", request.args["jwt"])
            return jsonify({"claims": claims, "args": request.args.to_dict()})

        return app

    def events(self, name: str) -> list[dict[str, Any]]:
        return [w for w in self.webhooks if w["event"] == name.replace(":", "_")]


@contextmanager
def running(fake: FakeApp) -> Iterator[FakeApp]:
    with serving(fake.flask_app()) as server:
        fake.base_url = f"http://127.0.0.1:{server.server_port}"
        yield fake


def host_of(url: str) -> str:
    return urlsplit(url).netloc
