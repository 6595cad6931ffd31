"""Export: expectations.csv for spreadsheets, and the same rows as JSON for Forge."""

from __future__ import annotations

import csv
import io

import pytest

from connector.api.export import as_csv, neutralised
from connector.practice.export import COLUMNS
from tests.support.api import Api, seed


def test_csv_has_a_bom_one_row_per_expectation_and_neutralised_formulas(api: Api) -> None:
    made = seed(api)
    api.as_("lead-IT").ok(  # IT records what PAY expects of its laptops
        "POST",
        "/expectations",
        {
            "relationshipId": made["laptops"]["id"],
            "statement": '=HYPERLINK("http://evil")',
            "measures": [
                {"name": "Écrans prêts", "target": 3, "unit": "days", "direction": "atMost"}
            ],
        },
        201,
    )
    api.as_("lead-HR").ok(  # HR, the customer, rates its payroll
        "POST",
        f"/expectations/{made['expectation']['id']}/feedback",
        {"rating": 4, "comment": "restricted words"},
        201,
    )
    response = api.get("/expectations.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8")
    assert "restricted words" not in text
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [r["supplier"] for r in rows] == ["PAY", "IT"]
    payroll, laptops = rows
    assert payroll["statement"] == "Everyone is paid correctly on the last working day"
    assert payroll["measures"] == "Payslips right first time ≥ 99.5%"
    assert payroll["ratings"] == "1" and payroll["lastFeedback"]
    assert payroll["band"] and payroll["trend"]
    assert laptops["statement"] == '\'=HYPERLINK("http://evil")'
    assert laptops["measures"] == "Écrans prêts ≤ 3 days"


def test_csv_takes_the_lists_filters(api: Api) -> None:
    made = seed(api)
    api.as_("lead-IT").ok(
        "POST",
        "/expectations",
        {"relationshipId": made["laptops"]["id"], "statement": "Laptops ready"},
        201,
    )
    text = api.get("/expectations.csv?team=IT&q=laptop").get_data(as_text=True)
    assert [r["statement"] for r in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))] == [
        "Laptops ready"
    ]
    assert api.get("/expectations.csv?limit=5").status_code == 422  # no paging in an export
    assert api.get("/expectations.csv?q=a&q=b").status_code == 422


def test_the_json_form_has_the_same_rows(api: Api) -> None:
    seed(api)
    data = api.ok("GET", "/expectations/export?state=draft&state=agreed")
    assert data["columns"][:3] == ["id", "supplier", "customer"]
    [row] = data["rows"]
    assert dict(zip(data["columns"], row, strict=True))["statement"].startswith("Everyone")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("1-2", "1-2"),
        (" =1", " =1"),
        (-3, "-3"),  # a number is not a formula
        (None, ""),
    ],
)
def test_formula_starts_are_neutralised(value: str | int | None, cell: str) -> None:
    """README "Export": a text cell starting with = + - @ tab or CR gets a leading apostrophe
    (forge/test/download.test.mjs holds the Forge views' copy to the same cells)."""
    assert neutralised(value) == cell


def test_the_csv_file_is_bom_crlf_and_quoted_where_needed() -> None:
    text = as_csv([["=1", 2, "a,b", "\rx"]])
    header = ",".join(COLUMNS)
    assert text == f'\ufeff{header}\r\n\'=1,2,"a,b","\'\rx"\r\n'
