"""Forge functions, run as Forge runs them: the app's own JavaScript under Node.js, with the
`@forge/api` calls it makes answered by this site (the runtime is `sandbox/forge/runtime/`).

A scheduled trigger that names a `function` runs that function's handler (`<file>.<export>`,
the file under the manifest's `src/`) in a Node.js process, with the trigger's event, for at
most the function's `timeoutSeconds` (Forge's default: 55 s); it is not retried when it throws
(manifest-reference/modules/scheduled-trigger). Inside it:

- `invokeRemote(remoteKey, {path, method, headers, body})` reaches the remote through this site
  (`POST /_sandbox/forge/runs/<run>/invoke-remote`): the remote must be in the manifest with the
  `compute` operation; the call goes to its baseUrl + `path` with an invocation token of the
  function's module that carries no `context` (runtime-reference/invoke-remote-api) and the app
  system token when the remote's `auth` asks for it; the function gets a fetch Response.
- `privacy.reportPersonalData(accounts)` posts 90 accounts a call to this site's
  `/app/report-accounts` (api.atlassian.com's), as the app (its system token), and rejects with
  the response of a call that is neither 200 nor 204, as @forge/api does
  (runtime-reference/privacy-api). The answers come from the site's `PrivacyDirectory`, the same
  ones a Connect app gets; the call needs the manifest's `report:personal-data` scope.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from flask import Blueprint, Response, jsonify, request

from sandbox.connect.privacy import answer_report, refusal
from sandbox.forge.remote import UI_TIMEOUT_S, forge_headers
from sandbox.forge.site import ForgeApp, ForgeInstallError, ForgeSite, forge_site
from sandbox.web import site

blueprint = Blueprint("forge_functions", __name__)

RUNTIME = Path(__file__).resolve().parent / "runtime" / "run.mjs"
DEFAULT_TIMEOUT_S = 55
REPORT_SCOPE = "report:personal-data"
# Headers of one hop, never passed along (the body is handed over decoded).
_HOP_BY_HOP = {
    "host",
    "content-length",
    "content-encoding",
    "transfer-encoding",
    "connection",
    "keep-alive",
}


@dataclass
class FunctionRun:
    """One run of a function: 200 when its handler returned, 500 when it threw or ran out of
    time, 503 when this machine has no Node.js."""

    trigger: str
    function: str
    status: int
    result: Any = None
    error: str | None = None


@dataclass(frozen=True)
class _Run:
    site: ForgeSite
    app: ForgeApp
    function: dict[str, Any]


_RUNS: dict[str, _Run] = {}
_RUNS_LOCK = threading.Lock()


def run_scheduled_functions(
    forge: ForgeSite, product: str = "jira", key: str | None = None
) -> list[FunctionRun]:
    """Run the app's scheduled triggers that name a function (all, or the one keyed `key`)."""
    app = forge.app(product)
    if app is None:
        raise ForgeInstallError(f"the app is not installed in {product} as Forge")
    runs = []
    for trigger in app.modules("scheduledTrigger"):
        if trigger.get("function") and key in (None, trigger.get("key")):
            event = {"context": {"cloudId": app.cloud_id, "moduleKey": trigger.get("key")}}
            runs.append(run_function(forge, app, str(trigger["function"]), trigger, event))
    return runs


def run_function(
    forge: ForgeSite,
    app: ForgeApp,
    function_key: str,
    trigger: dict[str, Any],
    event: dict[str, Any],
) -> FunctionRun:
    function = _function(app, function_key)
    trigger_key = str(trigger.get("key"))
    node = shutil.which("node")
    if node is None:
        return FunctionRun(trigger_key, function_key, 503, error="Node.js is not installed")
    source, export = _handler(app, function)
    run_id = secrets.token_urlsafe(24)
    with _RUNS_LOCK:
        _RUNS[run_id] = _Run(forge, app, function)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            result_file = Path(scratch) / "result.json"
            env = {
                "PATH": os.environ.get("PATH", ""),
                "FORGE_SANDBOX_URL": forge.state.url,
                "FORGE_SANDBOX_RUN": run_id,
                "FORGE_SANDBOX_APP_TOKEN": forge.system_token(app),
                "FORGE_SANDBOX_RESULT": str(result_file),
                "FORGE_SANDBOX_EVENT": json.dumps(event),
                "FORGE_SANDBOX_INSTALL_CONTEXT": f"ari:cloud:{app.product}::site/{app.cloud_id}",
            }
            command = [node, str(RUNTIME), str(source), export, str(app.manifest_dir / "src")]
            try:
                done = subprocess.run(  # noqa: S603  (node, the runtime and the app's file)
                    command,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=float(function.get("timeoutSeconds") or DEFAULT_TIMEOUT_S),
                    check=False,
                )
            except subprocess.TimeoutExpired:
                return FunctionRun(trigger_key, function_key, 500, error="timed out")
            if done.returncode != 0:
                return FunctionRun(trigger_key, function_key, 500, error=_failure(done.stderr))
            result = json.loads(result_file.read_text()) if result_file.exists() else None
            return FunctionRun(trigger_key, function_key, 200, result=result)
    finally:
        with _RUNS_LOCK:
            _RUNS.pop(run_id, None)


def _failure(stderr: str) -> str:
    """The line of Node's report that names the error (its stack and version follow it)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return next((line for line in lines if "Error" in line), lines[-1] if lines else "failed")


def _function(app: ForgeApp, key: str) -> dict[str, Any]:
    for module in app.modules("function"):
        if module.get("key") == key:
            return module
    raise ForgeInstallError(f"the manifest has no function {key!r}")


def _handler(app: ForgeApp, function: dict[str, Any]) -> tuple[Path, str]:
    """`handler: privacy.run` is the export `run` of `src/privacy.js`."""
    name, _, export = str(function.get("handler") or "").rpartition(".")
    source = (app.manifest_dir / "src" / f"{name}.js").resolve()
    if not name or not export or not source.is_file():
        raise ForgeInstallError(f"function {function.get('key')!r}: no handler at {source}")
    return source, export


@blueprint.post("/_sandbox/forge/runs/<run_id>/invoke-remote")
def invoke_remote(run_id: str) -> Any:
    """`invokeRemote` of a running function (the runtime's `@forge/api` calls this)."""
    with _RUNS_LOCK:
        run = _RUNS.get(run_id)
    if run is None:
        return jsonify({"error": "no such function run"}), 404
    data = request.get_json(silent=True)
    data = data if isinstance(data, dict) else {}
    remote = _remote(run.app, str(data.get("remoteKey") or ""))
    if remote is None:
        message = f"no remote {data.get('remoteKey')!r} with the compute operation in the manifest"
        return jsonify({"error": message}), 400
    path = data.get("path")
    if not isinstance(path, str) or not path:
        return jsonify({"error": "path must be a non-empty string"}), 400
    module = {"key": run.function.get("key"), "type": "core:endpoint"}
    headers = {
        str(k): str(v)
        for k, v in (data.get("headers") or {}).items()
        if str(k).lower() not in _HOP_BY_HOP
    }
    auth = remote.get("auth") or {}
    headers.update(forge_headers(run.site, run.app, module, auth, None, backend=True))
    body = data.get("body")
    try:
        answer = requests.request(
            str(data.get("method") or "GET"),
            run.app.remote_base_url + path,  # "appended to the baseUrl of the remote"
            data=body.encode() if isinstance(body, str) else None,
            headers=headers,
            timeout=UI_TIMEOUT_S,
        )
    except requests.RequestException as exc:
        return jsonify({"error": f"the remote did not answer: {type(exc).__name__}"}), 502
    kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP}
    return {"status": answer.status_code, "headers": kept, "body": answer.text}


def _remote(app: ForgeApp, key: str) -> dict[str, Any] | None:
    for remote in app.manifest.get("remotes") or []:
        if isinstance(remote, dict) and remote.get("key") == key:
            return remote if "compute" in (remote.get("operations") or []) else None
    return None


@blueprint.post("/app/report-accounts")
@blueprint.post("/app/report-accounts/")
def report_accounts() -> Response:
    """api.atlassian.com's reporting resource, as `privacy.reportPersonalData` calls it: as the
    app (its system token), which needs the `report:personal-data` scope."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    owner = forge_site(site()).token_owner(token.strip()) if scheme == "Bearer" else None
    if owner is None or owner[1].kind != "system":
        return refusal(401, "unauthorized", "an app token of an installed Forge app is required")
    scopes = ((owner[0].manifest.get("permissions") or {}).get("scopes")) or []
    if REPORT_SCOPE not in scopes:
        return refusal(403, "forbidden", f"the app's manifest does not ask for {REPORT_SCOPE}")
    return answer_report(request.get_json(silent=True))
