"""Finding expectations: repeated filters mean any of them, and `q` searches their words."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask

from tests.support.api import Api, install, seed


def _ids(api: Api, query: str) -> list[int]:
    found: list[int] = []
    cursor = ""
    while True:
        page = api.ok("GET", f"/expectations?{query}&limit=2{cursor}")
        found += [e["id"] for e in page["values"]]
        if page["nextCursor"] is None:
            return found
        cursor = f"&cursor={page['nextCursor']}"


def _expectation(api: Api, relationship: int, statement: str, **more: Any) -> int:
    body = {"relationshipId": relationship, "statement": statement, **more}
    made: int = api.ok("POST", "/expectations", body, 201)["id"]
    return made


@pytest.fixture
def world(api: Api) -> dict[str, Any]:
    seeded = seed(api)
    payroll, laptops = seeded["payroll"]["id"], seeded["laptops"]["id"]
    api.ok("POST", "/teams", {"key": "FIN", "name": "Finance", "leadAccountId": "lead-FIN"}, 201)
    it, fin = api.as_("lead-IT"), api.as_("lead-FIN")  # each supplier records its own
    books = api.ok(
        "POST", "/relationships", {"supplier": "FIN", "customer": "IT", "service": "books"}, 201
    )["id"]
    ids = {
        "payslip": seeded["expectation"]["id"],
        "laptop": _expectation(
            it,
            laptops,
            "A working laptop on the first day",
            whyItMatters="New starters wait otherwise",
            measures=[{"name": "Laptops ready before day one", "target": 95}],
        ),
        "invoice": _expectation(
            fin,
            books,
            "Invoices are paid within thirty days",
            growthOpportunity="Automatic équipe approvals for small policies",
        ),
        "retired": _expectation(it, laptops, "Old payslip printer replaced"),
    }
    it.ok("DELETE", f"/expectations/{ids['retired']}", status=204)
    path = f"/expectations/{ids['laptop']}/transitions"
    it.ok("POST", path, {"to": "proposed"})
    return {"ids": ids, "payroll": payroll, "laptops": laptops, "books": books}


def test_repeated_state_team_and_relationship_mean_any_of(api: Api, world: dict[str, Any]) -> None:
    ids = world["ids"]
    assert _ids(api, "state=draft&state=proposed") == sorted(
        [ids["payslip"], ids["laptop"], ids["invoice"]]
    )
    assert _ids(api, "state=proposed&state=retired") == sorted([ids["laptop"], ids["retired"]])
    assert _ids(api, "team=FIN&team=HR&side=customer") == [ids["payslip"]]
    assert _ids(api, "team=FIN&team=HR") == sorted([ids["payslip"], ids["invoice"]])
    both = f"relationshipId={world['payroll']}&relationshipId={world['books']}"
    assert _ids(api, both) == sorted([ids["payslip"], ids["invoice"]])
    assert _ids(api, both + "&state=draft&team=FIN") == [ids["invoice"]]
    assert api.get("/expectations?team=FIN&team=NOPE").status_code == 404


@pytest.mark.parametrize("name", ["limit", "cursor", "side", "q"])
def test_any_other_repeated_parameter_is_a_422_naming_it(
    api: Api, world: dict[str, Any], name: str
) -> None:
    values = {"limit": "5", "cursor": "abc", "side": "supplier", "q": "laptop"}[name]
    response = api.get(f"/expectations?{name}={values}&{name}={values}&team=PAY")
    assert response.status_code == 422
    assert list(response.json["error"]["details"]) == [name]
    assert name in response.json["error"]["message"]


def test_a_bad_value_among_repeated_ones_is_refused(api: Api, world: dict[str, Any]) -> None:
    response = api.get("/expectations?state=draft&state=nonsense")
    assert response.status_code == 422
    assert "state" in response.json["error"]["details"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("payslip", ["payslip"]),  # a measure's name says "Payslips"; growth "payslip"
        ("PAYSLIPS", ["payslip"]),
        ("laptops", ["laptop"]),  # the statement says "laptop"
        ("Laptop", ["laptop"]),
        ("starter", ["laptop"]),  # why it matters: "New starters"
        ("day", ["payslip", "laptop", "invoice"]),  # "working day", "day one", "thirty days"
        ("working day", ["payslip", "laptop"]),  # every word must be there
        ("last working day", ["payslip"]),
        ("equipe", ["invoice"]),  # "équipe": accents folded
        ("Équipes", ["invoice"]),
        ("policy", ["invoice"]),  # "policies"
        ("invoice paid", ["invoice"]),
        ("nothing-like-this", []),
    ],
)
def test_search_by_words(api: Api, world: dict[str, Any], words: str, expected: list[str]) -> None:
    ids = world["ids"]
    assert _ids(api, f"q={quote(words)}") == sorted(ids[name] for name in expected)


def test_search_combines_with_filters_and_reaches_retired_only_when_asked(
    api: Api, world: dict[str, Any]
) -> None:
    ids = world["ids"]
    assert _ids(api, "q=payslip&state=all") == sorted([ids["payslip"], ids["retired"]])
    assert _ids(api, "q=day&team=IT&side=supplier") == [ids["laptop"]]
    assert _ids(api, "q=day&state=draft") == sorted([ids["payslip"], ids["invoice"]])
    assert _ids(api, "q=day&state=proposed&state=retired") == [ids["laptop"]]


def test_edits_are_searchable_at_once(api: Api, world: dict[str, Any]) -> None:
    ids, finance = world["ids"], api.as_("lead-FIN")  # the supplier edits its own
    finance.ok("PATCH", f"/expectations/{ids['invoice']}", {"statement": "Receipts filed weekly"})
    assert _ids(api, "q=invoice") == []
    assert _ids(api, "q=receipt") == [ids["invoice"]]
    finance.ok(
        "PATCH",
        f"/expectations/{ids['invoice']}",
        {"measures": [{"name": "Overdue reminders", "target": 0, "direction": "atMost"}]},
    )
    assert _ids(api, "q=reminder") == [ids["invoice"]]


@pytest.mark.parametrize("words", ["", "%20-!", "x" * 201])
def test_a_search_with_no_words_is_a_422(api: Api, world: dict[str, Any], words: str) -> None:
    response = api.get(f"/expectations?q={words}")
    assert response.status_code == 422
    assert "q" in response.json["error"]["details"]


def test_search_stays_inside_the_site(
    api: Api, world: dict[str, Any], app: Flask, signing_key: Any, kid: str
) -> None:
    other = Api(
        app.test_client(), install(app, signing_key, kid, base_url="https://b.atlassian.net")
    )
    assert other.ok("GET", "/expectations?q=payslip")["values"] == []


def test_the_openapi_document_describes_search_and_repeatable_filters(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json
    parameters = {p["name"]: p for p in document["paths"]["/expectations"]["get"]["parameters"]}
    assert parameters["q"]["schema"]["type"] == "string"
    for name in ("state", "team", "relationshipId"):
        assert parameters[name]["schema"]["type"] == "array"
        assert (parameters[name]["style"], parameters[name]["explode"]) == ("form", True)
    for name in ("limit", "cursor", "side"):
        assert parameters[name]["schema"]["type"] != "array"
    assert "/expectations.csv" in document["paths"]
    assert "/expectations/export" in document["paths"]
