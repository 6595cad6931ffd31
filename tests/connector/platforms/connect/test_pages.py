"""The Jira pages: signed like Atlassian's iframes, valid HTML, labelled fields, and a context
token that the page's script can use on the API (and nowhere else)."""

from __future__ import annotations

from typing import Any

import html5lib
import pytest
from flask import Flask

from tests.support.api import Api, seed


def page(api: Api, path: str, user: str | None = "acc-7") -> Any:
    token = api.site.tenant_token("GET", path, **({"sub": user} if user else {}))
    joiner = "&" if "?" in path else "?"
    return api.client.get(f"{path}{joiner}jwt={token}")


def parse(text: str) -> Any:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(text)


@pytest.mark.parametrize("path", ["/pages/team?project.key=PAY", "/pages/teams", "/pages/admin"])
def test_pages_are_valid_html_with_labelled_fields(api: Api, path: str) -> None:
    seed(api)
    response = page(api, path)
    assert response.status_code == 200, response.get_data(as_text=True)
    document = parse(response.get_data(as_text=True))
    title = document.find(".//title")
    assert title is not None and "<" not in (title.text or "")  # a title, not markup in it
    ids = [element.get("id") for element in document.iter() if element.get("id")]
    assert len(ids) == len(set(ids)), ids
    labelled = {label.get("for") for label in document.iter("label")}
    for field in [*document.iter("input"), *document.iter("select"), *document.iter("textarea")]:
        inside_label = field.get("id") is None
        assert inside_label or field.get("id") in labelled, field.attrib
    scripts = [s.get("src", "") for s in document.iter("script")]
    assert any("all.js" in s for s in scripts)
    all_js = next(s for s in document.iter("script") if "all.js" in s.get("src", ""))
    assert all_js.get("async") is not None  # the page never waits for Atlassian's script


def test_team_page_shows_the_practice(api: Api) -> None:
    seed(api)
    text = page(api, "/pages/team?project.key=PAY").get_data(as_text=True)
    assert "What are the needs and expectations you have for me in my position?" in text
    assert "Payroll: internal customers and suppliers" in text


def test_capture_form_starts_at_the_sites_default_cadence(api: Api) -> None:
    seed(api)
    api.ok("PUT", "/settings", {"defaultCadenceDays": 21})
    for path in ("/pages/team?project.key=PAY", "/pages/teams"):
        document = parse(page(api, path).get_data(as_text=True))
        cadence = next(i for i in document.iter("input") if i.get("id") == "cadence")
        assert cadence.get("value") == "21"


def test_team_page_for_a_project_without_a_team(api: Api) -> None:
    text = page(api, "/pages/team?project.key=ZZZ").get_data(as_text=True)
    assert "No team works in ZZZ yet" in text


def test_the_context_token_works_on_the_api_only(api: Api) -> None:
    seed(api)
    document = parse(page(api, "/pages/team?project.key=PAY").get_data(as_text=True))
    token = next(m.get("content") for m in document.iter("meta") if m.get("name") == "icm-token")
    headers = {"Authorization": f"JWT {token}"}
    assert api.client.get("/api/v1/teams/PAY/map", headers=headers).status_code == 200
    assert api.client.get("/pages/admin", headers=headers).status_code == 401


def test_pages_need_a_signed_url(app: Flask) -> None:
    assert app.test_client().get("/pages/teams").status_code == 401


def test_script_and_styles_are_served(app: Flask) -> None:
    client = app.test_client()
    for path, needle in (("icm.js", "AP.context.getToken"), ("icm.css", "prefers-color-scheme")):
        response = client.get(f"/pages/static/{path}")
        try:
            assert needle in response.get_data(as_text=True)
        finally:
            response.close()


@pytest.mark.parametrize("path", ["/pages/team?project.key=PAY", "/pages/teams", "/pages/admin"])
def test_pages_are_not_cached_leak_no_referer_and_are_framed_by_the_site_only(
    api: Api, path: str
) -> None:
    seed(api)
    response = page(api, path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"] == (
        "frame-ancestors https://acme.atlassian.net"
    )


def test_every_answer_says_no_store_and_no_referrer(app: Flask) -> None:
    for path in ("/pages/teams", "/api/v1/teams", "/healthz", "/nope"):
        response = app.test_client().get(path)
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert "Cache-Control" in response.headers, path


def test_security_txt_names_the_configured_contact(app: Flask) -> None:
    assert app.test_client().get("/.well-known/security.txt").status_code == 404
    app.config["SECURITY_CONTACT"] = "security@example.com"
    answer = app.test_client().get("/.well-known/security.txt")
    assert answer.status_code == 200
    assert "Contact: mailto:security@example.com" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/pages/team?project.key=PAY", "/pages/teams", "/feedback/panel?issue.key=PAY-1"]
)
def test_a_viewer_without_an_account_gets_no_token(api: Api, path: str) -> None:
    """Anonymous access (a token without `sub`): the page shows, with an empty token (issue #24)."""
    seed(api)
    response = page(api, path, user=None)
    assert response.status_code == 200, response.get_data(as_text=True)
    document = parse(response.get_data(as_text=True))
    tokens = [m.get("content") for m in document.iter("meta") if m.get("name") == "icm-token"]
    assert tokens == [""]
    signed_in = parse(page(api, path).get_data(as_text=True))
    assert next(m.get("content") for m in signed_in.iter("meta") if m.get("name") == "icm-token")
