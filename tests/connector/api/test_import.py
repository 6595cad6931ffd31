"""`icm import`: YAML or CSV, every row checked first, nothing written on any error."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from connector.api import importer
from connector.db import get_db
from connector.platforms.forge.installations import INSTALLED, UNINSTALLED, ForgeInstallation
from tests.support.api import Api, row_counts

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["icm", "import", *args])


@pytest.fixture
def jira_takes_every_jql(monkeypatch: pytest.MonkeyPatch) -> None:
    """The example's JQL measures, taken without a Jira to ask (these tests have none; Jira's
    parser over the sandbox, and its refusals, are in test_import_jql.py)."""
    monkeypatch.setattr(
        importer, "jql_refusals", lambda _app, _session, _site, queries: [[] for _ in queries]
    )


@pytest.mark.usefixtures("jira_takes_every_jql")
def test_example_organisation_imports_once(api: Api, app: Flask) -> None:
    result = run(app, str(EXAMPLES / "organisation.yaml"), "--tenant", api.site.client_key)
    assert result.exit_code == 0, result.output
    assert (
        "8 new team(s), 4 new goal(s), 14 new relationship(s), 34 new expectation(s)"
        in result.output
    )
    assert len(api.ok("GET", "/teams?limit=100")["values"]) == 8
    agreed = api.ok("GET", "/expectations?state=agreed&limit=100")["values"]
    assert len(agreed) == 23 and all(e["syncState"] == "pending" for e in agreed)
    assert any(e["goalId"] for e in agreed)
    before = row_counts(app)
    again = run(app, str(EXAMPLES / "organisation.yaml"), "--tenant", api.site.client_key)
    assert again.exit_code == 0 and "0 new expectation(s)" in again.output
    assert row_counts(app) == before


def test_csv(api: Api, app: Flask) -> None:
    result = run(app, str(EXAMPLES / "organisation.csv"), "--tenant", api.site.client_key)
    assert result.exit_code == 0, result.output
    made = api.ok("GET", "/expectations?team=PAY&side=supplier")["values"]
    assert [e["state"] for e in made] == ["agreed", "proposed"]
    measure = dict(made[1]["measures"][0])
    assert isinstance(measure.pop("id"), int)
    assert measure == {
        "name": "Days to answer",
        "target": 2.0,
        "unit": "days",
        "direction": "atMost",
        "source": "manual",
        "jql": None,
        "latestValue": None,
        "latestAt": None,
        "attained": None,
        "countedAt": None,
        "countError": None,
        "history": [],
    }


def test_bad_rows_are_all_reported_and_nothing_is_written(
    api: Api, app: Flask, tmp_path: Path
) -> None:
    document = yaml.safe_load((EXAMPLES / "organisation.yaml").read_text())
    document["teams"][1]["key"] = "hr"
    document["relationships"][3]["expectations"][0]["priority"] = "urgent"
    document["relationships"][5]["customer"] = "NOPE"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(document))
    before = row_counts(app)
    result = run(app, str(bad), "--tenant", api.site.client_key)
    assert result.exit_code == 2
    assert "teams[1]: key:" in result.output
    assert "relationships[3].expectations[0]: priority:" in result.output
    assert "nothing was imported" in result.output
    assert row_counts(app) == before


def test_reference_errors_name_the_row(api: Api, app: Flask, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "type,key,name,supplier,customer,service,statement\n"
        "team,PAY,Payroll,,,,\n"
        "relationship,,,PAY,HR,payroll,\n"
        "expectation,,,PAY,HR,payroll,Paid on time\n"
        "expectation,,,PAY,FIN,other,Orphan\n"
    )
    result = run(app, str(bad), "--tenant", api.site.client_key)
    assert result.exit_code == 2
    assert "row 5: relationship: no relationship row names it" in result.output
    assert row_counts(app)["teams"] == 0


def test_unknown_tenant(app: Flask) -> None:
    result = run(app, str(EXAMPLES / "organisation.yaml"), "--tenant", "nobody")
    assert result.exit_code != 0 and "no installation" in result.output


def forge_installation(app: Flask, site_id: str, state: str = INSTALLED) -> str:
    """A Forge installation of Jira on `site_id`, as its first invocation records it."""
    now = datetime.now(UTC)
    installation_id = f"forge-{state}-{site_id}"
    with get_db(app).transaction() as session:
        session.add(
            ForgeInstallation(
                installation_id=installation_id,
                app_id="ari:cloud:ecosystem::app/00000000-0000-4000-8000-000000000000",
                site_id=site_id,
                cloud_id=site_id,
                product="jira",
                api_base_url=f"https://api.atlassian.com/ex/jira/{site_id}",
                state=state,
                installed_at=now,
                updated_at=now,
            )
        )
    return installation_id


@pytest.mark.usefixtures("jira_takes_every_jql")
def test_a_forge_installation_id_names_its_site(api: Api, app: Flask) -> None:
    # The same site (cloudId) as the Connect tenant the API calls come from: what Forge imports,
    # Connect sees, because both adapters key a site by its cloudId.
    installation_id = forge_installation(app, api.site.cloud_id)

    result = run(app, str(EXAMPLES / "organisation.yaml"), "--tenant", installation_id)

    assert result.exit_code == 0, result.output
    assert "8 new team(s)" in result.output
    assert len(api.ok("GET", "/teams?limit=100")["values"]) == 8


def test_an_uninstalled_forge_installation_is_refused(app: Flask) -> None:
    installation_id = forge_installation(app, "some-cloud-id", UNINSTALLED)

    result = run(app, str(EXAMPLES / "organisation.yaml"), "--tenant", installation_id)

    assert result.exit_code != 0 and "no installation" in result.output
    assert row_counts(app)["teams"] == 0


def test_a_yaml_alias_bomb_is_refused_before_it_expands(
    api: Api, app: Flask, tmp_path: Path
) -> None:
    lines = ['a0: &a0 {key: "X", name: "x"}']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 8)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\nteams: *a7\n")  # 10**7 teams from < 1 KB
    before = row_counts(app)
    result = run(app, str(bomb), "--tenant", api.site.client_key)
    assert result.exit_code != 0
    assert "aliases" in result.output or "anchors" in result.output
    assert row_counts(app) == before


def test_an_import_bigger_than_the_cap_is_refused(api: Api, app: Flask, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("teams:\n" + '  - {key: "T", name: "x"}\n' * 300_000)  # ~7.5 MB
    result = run(app, str(big), "--tenant", api.site.client_key)
    assert result.exit_code != 0 and "at most" in result.output


@pytest.mark.parametrize(
    "document",
    [
        "teams: " + "[" * 100_000 + "]" * 100_000 + "\n",  # deeper than any parser's stack
        "teams:\n  - {key: 'DEEP', name: " + "[" * 70 + "x" + "]" * 70 + "}\n",
        'teams:\n  - {key: "NUL", name: "Pay\\0roll"}\n',  # an escaped NUL in a quoted string
        'teams:\n  - {key: "NUL", name: "Pay\x00roll"}\n',  # a raw NUL
    ],
    ids=["100000-deep", "70-deep", "escaped-NUL", "raw-NUL"],
)
def test_a_deep_or_nul_yaml_import_is_refused_with_a_reason(
    api: Api, app: Flask, tmp_path: Path, document: str
) -> None:
    """Refused as any bad file is (exit 2, a message, nothing written), never a traceback
    (issue #24)."""
    path = tmp_path / "odd.yaml"
    path.write_text(document)
    before = row_counts(app)
    result = run(app, str(path), "--tenant", api.site.client_key)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert any(word in result.output for word in ("nests deeper", "NUL", "#x0000")), result.output
    assert row_counts(app) == before
