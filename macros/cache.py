"""Cache keys for rendered macros: one key per kind, site, parameters and data version."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

# Bump when the rendered output changes shape, so old cached fragments are not served.
RENDER_VERSION = "2"


def cache_key(kind: str, site: str, params: Mapping[str, str], data_version: str) -> str:
    """Deterministic whatever the order of `params`; the site is part of the key, never shared."""
    payload = json.dumps(
        [RENDER_VERSION, kind, site, sorted(params.items()), data_version],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    digest = hashlib.sha256(payload.encode("ascii")).hexdigest()
    return f"icm:macro:{kind}:{digest}"
