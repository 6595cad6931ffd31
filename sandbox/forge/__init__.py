"""Forge on the sandbox site: installations by manifest, invocation and app tokens, the API
gateway, triggers, functions, Custom UI iframes and the bridge."""
