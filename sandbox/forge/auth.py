"""Product REST calls from a Forge remote: `Authorization: Bearer <app token>` via apiBaseUrl.

The token must be one this site issued (x-forge-oauth-system or -user), unexpired, for the
product the call goes to, and the call must come through `/ex/{product}/{cloudId}` as it does
at api.atlassian.com; a Forge token sent to the site's own URL is refused, as Atlassian does.
"""

from __future__ import annotations

from flask import Response, g, request

from sandbox.forge.site import forge_site
from sandbox.state import SiteState
from sandbox.web import unauthorized


def authenticate_bearer(state: SiteState, product: str, token: str) -> Response | None:
    owner = forge_site(state).token_owner(token) if token else None
    if owner is None:
        return unauthorized(product, "Failed to authenticate: unknown or expired app token")
    app, issued = owner
    if request.environ.get("sandbox.gateway_product") != product:
        return unauthorized(
            product,
            "Forge app tokens are accepted only under the app's apiBaseUrl "
            f"(/ex/{product}/{state.cloud_id}/...)",
        )
    if product not in issued.products:
        spans = ", ".join(issued.products)
        return unauthorized(product, f"The token was issued for {spans}, not {product}")
    g.installation = app.installations[product]
    g.forge_token_kind = issued.kind
    return None
