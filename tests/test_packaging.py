"""The production wheel (`pip install .`) carries the service, not the sandbox: the sandbox and
its dependencies are the `sandbox` extra, which `make install` (demo, test, CI) adds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SANDBOX_ONLY = {"atlassian-jwt", "openapi-core"}


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~;\s]", r, maxsplit=1)[0].lower() for r in requirements}


def test_the_wheel_leaves_the_sandbox_and_its_dependencies_out() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert names(project["project"]["dependencies"]).isdisjoint(SANDBOX_ONLY)
    assert names(project["project"]["optional-dependencies"]["sandbox"]) == SANDBOX_ONLY
    wheel = project["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "sandbox" not in wheel["packages"]
    assert "scripts" not in project["project"]  # no console script into the sandbox
    assert ".[dev,sandbox]" in (ROOT / "Makefile").read_text()


def test_the_service_never_imports_the_sandbox() -> None:
    for package in ("connector", "macros", "webhooks"):
        for source in (ROOT / package).rglob("*.py"):
            text = source.read_text()
            assert not re.search(r"^\s*(from|import) sandbox\b", text, re.MULTILINE), source
