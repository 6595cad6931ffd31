"""axe-core in a page or an app's frame: the serious and critical violations, named.

The engine comes with `axe-playwright-python` (its bundled axe.min.js); Playwright evaluates it
through the DevTools protocol, so Forge's CSP (no inline or foreign script) does not stop it.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Frame, Page

AXE = Axe()
GRAVE = ("serious", "critical")


def grave_violations(where: Page | Frame) -> list[str]:
    """`rule (impact): targets` for each serious or critical violation; [] when there is none."""
    results = AXE.run(where)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in GRAVE
    ]
