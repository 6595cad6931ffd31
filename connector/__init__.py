"""Internal Customer Map: the Flask service behind the Jira and Confluence app.

`flask --app connector` finds `create_app` here; the factory itself is `connector.app`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app (`connector.app.create_app`)."""
    # Imported on call, as Flask's own tutorial factory does: `import connector.db` (which every
    # module does) then loads no other layer, so no layer's import order depends on another's.
    from connector.app import create_app as build

    return build(test_config)
