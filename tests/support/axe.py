"""axe-core in a page or one of its frames: what a test asserts is empty.

axe-core comes with the axe-playwright-python package (its axe.min.js); it runs inside the frame
given, so each app iframe is checked on its own, as an assistive technology meets it.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Frame, Page

_AXE = Axe()
SERIOUS = ("serious", "critical")


def serious_violations(where: Page | Frame) -> list[str]:
    """Every serious or critical axe-core violation in `where`, one line each (rule, impact, the
    first few elements), so a failing assertion says what to fix."""
    results: dict[str, Any] = _AXE.run(where).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']}; "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in results["violations"]
        if v.get("impact") in SERIOUS
    ]
