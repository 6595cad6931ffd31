"""POST /import: an administrator brings a list of teams and relationships from a file; every
record is checked before anything is written; expectations are refused (the team page records
them, where the customer agrees)."""

from __future__ import annotations

from flask import Flask

from tests.support.api import Api, row_counts

CSV = (
    "type,key,name,jiraProjectKey,leadAccountId,team,title,supplier,customer,service\n"
    "team,PAY,Payroll,PAY,lead-PAY,,,,,\n"
    "team,HR,People,HR,lead-HR,,,,,\n"
    "goal,,,,,PAY,Zero payroll errors,,,\n"
    "relationship,,,,,,,PAY,HR,monthly payroll run\n"
)
YAML = """
teams:
  - {key: IT, name: IT Service}
relationships:
  - {supplier: IT, customer: PAY, service: laptops}
"""


def test_an_administrator_imports_teams_and_relationships(api: Api) -> None:
    made = api.ok("POST", "/import", {"format": "csv", "content": CSV})
    assert made["created"] == {"team": 2, "goal": 1, "relationship": 1, "expectation": 0}
    assert api.ok("GET", "/teams/HR")["leadAccountId"] == "lead-HR"
    again = api.ok("POST", "/import", {"format": "csv", "content": CSV})  # nothing new
    assert again["created"] == {"team": 0, "goal": 0, "relationship": 0, "expectation": 0}
    yaml_made = api.ok("POST", "/import", {"format": "yaml", "content": YAML})
    assert yaml_made["created"]["relationship"] == 1
    (laptops,) = api.ok("GET", "/relationships?team=IT")["values"]
    assert (laptops["supplier"]["key"], laptops["customer"]["key"]) == ("IT", "PAY")


def test_an_import_with_a_problem_writes_nothing(api: Api, app: Flask) -> None:
    before = row_counts(app)
    broken = CSV.replace("PAY,HR,monthly", "PAY,NOPE,monthly")
    answer = api.post("/import", {"format": "csv", "content": broken})
    assert answer.status_code == 422
    assert answer.json["error"]["details"]["content"] == [
        "row 5: customer: no team 'NOPE' in the file or site"
    ]
    with_expectation = YAML.replace(
        "service: laptops}", "service: laptops, expectations: [{statement: Laptops in a day}]}"
    )
    answer = api.post("/import", {"format": "yaml", "content": with_expectation})
    assert answer.status_code == 422
    assert "record expectations on the team page" in str(answer.json["error"]["details"])
    unreadable = api.post("/import", {"format": "yaml", "content": "teams: [a: b: c]"})
    assert (
        unreadable.status_code == 422
        and "cannot read it as YAML" in unreadable.json["error"]["message"]
    )
    assert row_counts(app) == before


def test_only_an_administrator_imports(api: Api, app: Flask) -> None:
    before = row_counts(app)
    answer = api.as_("lead-PAY").post("/import", {"format": "csv", "content": CSV})
    assert answer.status_code == 403 and answer.json["error"]["code"] == "role_required"
    assert row_counts(app) == before
