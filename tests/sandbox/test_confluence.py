"""Confluence v2: spaces, pages with version checks, content properties."""

from __future__ import annotations

from sandbox import Sandbox
from tests.sandbox.conftest import Client

MACRO = (
    '<ac:structured-macro ac:name="customer-map" ac:schema-version="1">'
    '<ac:parameter ac:name="team">PAY</ac:parameter></ac:structured-macro>'
)


def storage(value: str) -> dict[str, str]:
    return {"representation": "storage", "value": value}


def test_spaces(sb: Sandbox, confluence: Client) -> None:
    spaces = confluence.get("/api/v2/spaces", keys="ICM").json()["results"]

    assert [s["key"] for s in spaces] == ["ICM"]
    assert (
        confluence.get(f"/api/v2/spaces/{spaces[0]['id']}").json()["name"]
        == "Internal Customer Map"
    )
    assert sb.contract_violations == []


def test_page_lifecycle_with_version_check(sb: Sandbox, confluence: Client) -> None:
    made = confluence.post(
        "/api/v2/pages",
        {"spaceId": "98305", "status": "current", "title": "Payroll map", "body": storage(MACRO)},
    )
    assert made.status_code == 200
    page_id = made.json()["id"]

    read = confluence.get(f"/api/v2/pages/{page_id}", **{"body-format": "storage"}).json()
    assert read["body"]["storage"]["value"] == MACRO
    update = {
        "id": page_id,
        "status": "current",
        "title": "Payroll map",
        "body": storage("<p>v2</p>"),
        "version": {"number": 2},
    }
    assert confluence.put(f"/api/v2/pages/{page_id}", update).status_code == 200
    assert confluence.put(f"/api/v2/pages/{page_id}", update).status_code == 409
    found = confluence.get("/api/v2/pages", **{"space-id": "98305", "title": "Payroll map"}).json()[
        "results"
    ]
    assert [p["id"] for p in found] == [page_id]
    assert sb.contract_violations == []


def test_content_properties(sb: Sandbox, confluence: Client) -> None:
    page_id = sb.confluence_seed_page("ICM", "Props", "<p>x</p>")

    made = confluence.post(
        f"/api/v2/pages/{page_id}/properties", {"key": "icm.map", "value": {"team": "PAY"}}
    ).json()
    by_key = confluence.get(f"/api/v2/pages/{page_id}/properties", key="icm.map").json()["results"]
    assert by_key[0]["id"] == made["id"]
    path = f"/api/v2/pages/{page_id}/properties/{made['id']}"
    assert confluence.put(
        path, {"key": "icm.map", "value": {"team": "HR"}, "version": {"number": 2}}
    ).json()["value"] == {"team": "HR"}
    assert (
        confluence.put(path, {"key": "icm.map", "value": {}, "version": {"number": 2}}).status_code
        == 409
    )
    assert confluence.delete(path).status_code == 204
    assert confluence.get(path).status_code == 404
    assert sb.contract_violations == []
