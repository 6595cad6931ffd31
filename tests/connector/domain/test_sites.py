"""A site's identity when its install names no cloudId: the host of its base URL."""

from __future__ import annotations

import pytest

from connector.domain.sites import site_id_for_url


@pytest.mark.parametrize(
    ("url", "site_id"),
    [
        ("https://Acme.Atlassian.net", "acme.atlassian.net"),
        ("https://acme.atlassian.net/wiki", "acme.atlassian.net"),
        ("http://127.0.0.1:8123/jira/", "127.0.0.1:8123"),
    ],
)
def test_the_site_is_the_lower_cased_host(url: str, site_id: str) -> None:
    assert site_id_for_url(url) == site_id
