"""The Forge Remote adapter: this service as the remote of a Forge app (forge/manifest.yml).

Forge invocation tokens authenticate the calls (`tokens`), installations are keyed by
installationId (`installations`), product calls go to apiBaseUrl with the Forge OAuth tokens
(`clients`), and `routes` serves UI invocations, product-event and scheduled triggers. The
practice, the macros' rendering and the webhook handlers are the ones the Connect adapter uses.
"""

from __future__ import annotations

from flask import Flask

from connector.platforms.forge import routes, rovo


def init_app(app: Flask) -> None:
    app.register_blueprint(routes.bp)
    app.register_blueprint(rovo.bp)
