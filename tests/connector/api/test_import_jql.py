"""`icm import` checks every measure counted by JQL with Jira's parser (the sandbox's
`jql/parse`, spec-checked) before anything is written: one call for the whole file, a refusal
named by its record with Jira's words, nothing imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from connector.api import importer
from connector.practice import measure_counts
from sandbox.directory import USERS
from tests.support.api import row_counts
from tests.support.live import LiveSite

COUNTED = "project = PAY AND labels = incident"
REFUSED = "project = = PAY"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def parse_calls(site: LiveSite) -> int:
    return sum(1 for c in site.sandbox.calls if c.path == "/rest/api/3/jql/parse")


def run(site: LiveSite, path: Path) -> Any:
    args = ["icm", "import", str(path), "--tenant", site.jira["clientKey"]]
    return site.app.test_cli_runner().invoke(args=args)


def counted(name: str, jql: str) -> dict[str, Any]:
    return {"name": name, "target": 2, "direction": "atMost", "source": "jql", "jql": jql}


def organisation(tmp_path: Path, queries: list[str]) -> Path:
    """PAY supplies HR; one expectation per query, each with a measure counted by it and one
    recorded by hand."""
    document = {
        "teams": [
            {
                "key": "PAY",
                "name": "Payroll",
                "jiraProjectKey": "PAY",
                "leadAccountId": USERS[0].account_id,
            },
            {
                "key": "HR",
                "name": "People",
                "jiraProjectKey": "HR",
                "leadAccountId": USERS[1].account_id,
            },
        ],
        "relationships": [
            {
                "supplier": "PAY",
                "customer": "HR",
                "service": "payroll",
                "expectations": [
                    {
                        "statement": f"Expectation {n}",
                        "measures": [
                            {"name": "By hand", "target": 99.5, "unit": "%"},
                            counted(f"Counted {n}", jql),
                        ],
                    }
                    for n, jql in enumerate(queries)
                ],
            }
        ],
    }
    path = tmp_path / "organisation.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_a_refused_jql_names_its_record_and_nothing_is_imported(
    live_site: LiveSite, tmp_path: Path
) -> None:
    before, calls = row_counts(live_site.app), parse_calls(live_site)
    result = run(live_site, organisation(tmp_path, [COUNTED, REFUSED, COUNTED]))
    assert result.exit_code == 2, result.output
    assert (
        "relationships[0].expectations[1]: measures[1].jql: Jira refused 'project = = PAY': "
        "Error in the JQL Query" in result.output
    )  # Jira's own words, for the one refused, nowhere else
    assert "expectations[0]" not in result.output and "expectations[2]" not in result.output
    assert "1 problem(s); nothing was imported" in result.output
    assert row_counts(live_site.app) == before
    assert parse_calls(live_site) - calls == 1  # the file's queries in one call


def test_accepted_jql_is_imported_after_one_parse_call(
    live_site: LiveSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[list[str]] = []

    def parser(*args: Any) -> list[list[str]]:
        asked.append(list(args[-1]))
        return measure_counts.jql_refusals(*args)

    monkeypatch.setattr(importer, "jql_refusals", parser)
    calls = parse_calls(live_site)
    other = "project = HR AND labels = incident"
    result = run(live_site, organisation(tmp_path, [COUNTED, other, COUNTED]))
    assert result.exit_code == 0, result.output
    assert "3 new expectation(s)" in result.output
    assert parse_calls(live_site) - calls == 1 and asked == [[COUNTED, other]]  # each once
    made = live_site.call("GET", "/api/v1/expectations?team=PAY&side=supplier").json()["values"]
    assert [(m["source"], m["jql"]) for e in made for m in e["measures"]] == [
        ("manual", None),
        ("jql", COUNTED),
        ("manual", None),
        ("jql", other),
        ("manual", None),
        ("jql", COUNTED),
    ]


def test_csv_measures_carry_their_jql_and_a_file_without_jql_asks_jira_nothing(
    live_site: LiveSite, tmp_path: Path
) -> None:
    calls = parse_calls(live_site)
    assert run(live_site, EXAMPLES / "organisation.csv").exit_code == 0
    assert parse_calls(live_site) == calls
    rows = (EXAMPLES / "organisation.csv").read_text().splitlines()
    with_refused = f"Days|2|days|atMost|{REFUSED}"
    refused = rows[-1].replace("Days to answer|2|days|atMost", with_refused)
    refused = refused.replace("Payroll queries are answered", "Queries are answered")
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([*rows[:-1], refused]) + "\n")
    before = row_counts(live_site.app)
    result = run(live_site, path)
    assert result.exit_code == 2, result.output
    assert f"row {len(rows)}: measures[0].jql: Jira refused 'project = = PAY'" in result.output
    assert row_counts(live_site.app) == before and parse_calls(live_site) == calls + 1
    good = refused.replace(REFUSED, COUNTED)
    path.write_text("\n".join([*rows[:-1], good]) + "\n")
    assert run(live_site, path).exit_code == 0
    made = live_site.call("GET", "/api/v1/expectations?team=PAY&side=supplier&limit=50").json()
    jql = [m["jql"] for e in made["values"] for m in e["measures"] if m["source"] == "jql"]
    assert jql == [COUNTED]
