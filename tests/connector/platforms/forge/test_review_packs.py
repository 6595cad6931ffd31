"""Review packs on both platforms: the page written in sandbox Confluence (v2, ADF, validated
against Atlassian's OpenAPI document), what each section holds for the period and nothing from
outside it, the same page updated when asked again, and who may ask."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from connector import scheduler
from connector.db import get_db
from connector.practice.models import Expectation, Feedback, Relationship
from tests.connector.platforms.forge.conftest import PlatformSite
from tests.support.live import LiveSite
from tests.support.review_packs import (
    CUSTOMER_LEAD,
    INTEGRATOR,
    MEMBER,
    OUTSIDER,
    PARENT,
    Q4,
    TITLE,
    at,
    call,
    nodes,
    organise,
    page_titled,
    record_the_quarter,
    sections,
    texts,
)


def wiki_calls(site: PlatformSite, since: int) -> list[tuple[str, str]]:
    """Confluence calls the app made since the `since`-th recorded call (path after /wiki/api/v2,
    whichever way it came: the site's URL for Connect, apiBaseUrl for Forge)."""
    return [
        (c.method, c.path.split("/wiki/api/v2", 1)[1])
        for c in site.sandbox.calls[since:]
        if "/wiki/api/v2" in c.path
    ]


@pytest.mark.slow
def test_a_review_pack_holds_the_period_and_is_rewritten_in_place(
    platform_site: PlatformSite,
) -> None:
    site = platform_site
    if site.platform == "forge":
        # Forge hands the remote a Confluence app token when Confluence invokes the app.
        assert site.call("GET", "/api/v1/settings", product="confluence").status_code == 200
    relationship_id = organise(site)
    record_the_quarter(site, relationship_id)

    before = len(site.sandbox.calls)
    made = call(site, "POST", f"/api/v1/relationships/{relationship_id}/review-pack?period={Q4}")

    # The space, the parent (looked for, made), the pack (looked for, made): one page a call.
    assert wiki_calls(site, before) == [
        ("GET", "/spaces"),
        ("GET", "/pages"),
        ("POST", "/pages"),
        ("GET", "/pages"),
        ("POST", "/pages"),
    ]
    assert made["state"] == "written" and made["version"] == 1, made
    assert made["title"] == TITLE and made["spaceKey"] == "ICM"
    page = page_titled(site, TITLE)
    assert made["pageId"] == page.id
    assert made["url"].endswith(f"/wiki/spaces/ICM/pages/{page.id}")
    assert page.parent_id == page_titled(site, PARENT).id
    document = page.adf
    assert document is not None
    part = sections(document)

    assert "Payroll supplies People Operations" in part["intro"]
    assert "2026-10-01 to 2026-12-31" in part["intro"]
    # Health: the first and the last snapshot inside the quarter, never September's.
    health = part["Health"]
    assert "Start of the period 81 healthy on 2026-10-01" in health
    assert "End of the period" in health and "2026-09-30" not in health
    calendar = list(nodes(document, "table"))[1]
    coloured = [c for c in nodes(calendar, "tableCell") if c["attrs"].get("background")]
    assert [" ".join(texts(c)) for c in coloured] == ["81", "66", "38"]
    assert [c["attrs"]["background"] for c in coloured] == ["#abf5d1", "#f8e6a0", "#ffd5d2"]
    # Each agreed expectation in the customer's words: measures, the period's ratings, growth.
    expectations = part["Expectations"]
    assert "“Payslips are right the first time”" in expectations
    assert "correct payslips ≥ 99.5 % 99.7 % met" in expectations
    assert "days to fix ≤ 2 days 3 days not met" in expectations
    assert "Q4: October payslips were fine" in expectations
    assert "Q4: November had two errors" in expectations
    assert "Q3:" not in expectations and "RESTRICTED" not in json.dumps(document)
    assert "Growth for: Payslips are right the first time" in expectations
    assert "A payroll calendar a year ahead" not in expectations  # only proposed
    mentions = [m["attrs"]["id"] for m in nodes(document, "mention")]
    assert mentions == [CUSTOMER_LEAD, MEMBER]
    # You said → we did: only what was done in the quarter.
    done = part["You said → we did"]
    assert "Payslip preview before the run (IT-1)" in done and "2026-11-02" in done
    assert "Old fix from the summer" not in done
    assert "Questions answered within a day" in part["At risk or breached"]
    upcoming = part["Open for the next period"]
    assert "A payroll calendar a year ahead" in upcoming
    assert "“Questions answered within a day”: last rated 2026-08-01" in upcoming
    # The live customer map of the supplier, as each platform embeds its macro.
    [macro] = nodes(document, "extension")
    attrs = macro["attrs"]
    if site.platform == "connect":
        assert attrs["extensionType"] == "com.atlassian.confluence.macro.core"
        assert attrs["extensionKey"] == "customer-map"
        assert attrs["parameters"]["macroParams"]["team"] == {"value": "PAY"}
    else:
        assert attrs["extensionType"] == "com.atlassian.ecosystem"
        app_uuid = site.forge_app("confluence").app_id.rsplit("/", 1)[-1]
        assert attrs["extensionKey"] == f"{app_uuid}/sandbox/static/customer-map"
        assert attrs["parameters"]["guestParams"]["team"] == "PAY"
    # In storage, as Confluence keeps each: a Connect macro by name, a Forge one as its node.
    if site.platform == "connect":
        assert '<ac:structured-macro ac:name="customer-map">' in page.body
    else:
        assert "<ac:adf-extension>" in page.body and "ac:structured-macro" not in page.body

    # Asked again after one more rating: the same page, its next version, the new rating on it.
    with get_db(site.app).transaction() as session:
        first = session.scalars(select(Expectation).order_by(Expectation.id)).first()
        assert first is not None
        session.add(
            Feedback(
                site_id=first.site_id,
                expectation_id=first.id,
                rating=5,
                comment="Q4: December was spotless",
                author_account_id=CUSTOMER_LEAD,
                source="api",
                at=at("2026-12-01"),
            )
        )
    before = len(site.sandbox.calls)
    again = call(site, "POST", f"/api/v1/relationships/{relationship_id}/review-pack?period={Q4}")
    page_path = f"/pages/{made['pageId']}"
    assert wiki_calls(site, before) == [
        ("GET", "/spaces"),
        ("GET", "/pages"),
        ("GET", "/pages"),
        ("PUT", page_path),
    ]

    assert again["pageId"] == made["pageId"] and again["version"] == 2 and again["id"] == made["id"]
    rewritten = page_titled(site, TITLE)
    assert rewritten.version.number == 2
    assert "Q4: December was spotless" in json.dumps(rewritten.adf)
    assert len(site.sandbox.state.confluence.pages) == 2  # the pack and its parent, no more
    assert site.sandbox.contract_violations == []


def test_only_the_leads_and_the_integrator_may_ask(live_site: LiveSite) -> None:
    site = PlatformSite("connect", live_site.app, live_site.url, live_site.sandbox, "", live_site)
    relationship_id = organise(site)
    path = f"/api/v1/relationships/{relationship_id}/review-pack?period={Q4}"

    for account in (MEMBER, OUTSIDER):
        refused = live_site.call("POST", path, sub=account)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["message"] == (
            "only the supplier side's lead, the customer side's lead or the relationship's"
            " integrator may write its review pack"
        )
    # The site's administrator is none of the three (USERS[0] leads Payroll: see below).
    with get_db(live_site.app).transaction() as session:
        relationship = session.get(Relationship, relationship_id)
        assert relationship is not None
        relationship.supplier.lead_account_id = OUTSIDER
    refused = live_site.call("POST", path)
    assert refused.status_code == 403, refused.text
    assert live_site.sandbox.state.confluence.pages == {}
    for account in (OUTSIDER, CUSTOMER_LEAD, INTEGRATOR):
        answer = live_site.call("POST", path, sub=account)
        assert answer.status_code == 200, answer.text
        assert answer.json()["title"] == TITLE


def test_a_bad_period_and_no_space(live_site: LiveSite) -> None:
    site = PlatformSite("connect", live_site.app, live_site.url, live_site.sandbox, "", live_site)
    relationship_id = organise(site)
    path = f"/api/v1/relationships/{relationship_id}/review-pack"

    bad = live_site.call("POST", path + "?period=2026-Q5")
    assert bad.status_code == 422 and "period" in bad.json()["error"]["details"], bad.text
    future = live_site.call("POST", path + "?period=2999-Q1")
    assert future.status_code == 422, future.text
    assert future.json()["error"]["message"] == "period 2999-Q1 has not started yet"
    call(site, "PUT", "/api/v1/settings", {"reviewSpaceKey": None})
    missing = live_site.call("POST", path + f"?period={Q4}")
    assert missing.status_code == 409, missing.text
    assert missing.json()["error"]["code"] == "review_space_missing"
    assert live_site.sandbox.state.confluence.pages == {}


def test_the_quarterly_run_writes_each_pack_once_in_the_last_week(live_site: LiveSite) -> None:
    site = PlatformSite("connect", live_site.app, live_site.url, live_site.sandbox, "", live_site)
    organise(site)
    pages = live_site.sandbox.state.confluence.pages
    last_week, earlier = at("2026-12-28T01:00:00"), at("2026-12-24T01:00:00")

    assert scheduler.write_review_packs(live_site.app, last_week) == 0  # off by default
    assert pages == {}
    call(site, "PUT", "/api/v1/settings", {"reviewPacksScheduled": True})
    assert scheduler.write_review_packs(live_site.app, earlier) == 0  # not the last week yet
    assert pages == {}

    assert scheduler.write_review_packs(live_site.app, last_week) == 1
    assert scheduler.write_review_packs(live_site.app, last_week) == 0  # once a day
    integrator_pages = [p for p in pages.values() if p.title.startswith("Integrator review")]
    assert [p.title[:26] for p in integrator_pages] == ["Integrator review 2026-Q4 "]
    assert [p.version.number for p in integrator_pages] == [1]  # once a day too
    assert page_titled(site, TITLE).version.number == 1
    assert scheduler.write_review_packs(live_site.app, at("2026-12-29T01:00:00")) == 1
    assert page_titled(site, TITLE).version.number == 2
    assert integrator_pages[0].version.number == 2


def test_a_failed_write_shows_in_operations_and_is_retried(live_site: LiveSite) -> None:
    site = PlatformSite("connect", live_site.app, live_site.url, live_site.sandbox, "", live_site)
    relationship_id = organise(site)
    call(site, "PUT", "/api/v1/settings", {"reviewSpaceKey": "NOPE"})  # no such space

    failed = live_site.call("POST", f"/api/v1/relationships/{relationship_id}/review-pack")
    assert failed.status_code == 502, failed.text
    assert (
        "Confluence GET spaces failed with 404: no space 'NOPE'"
        in failed.json()["error"]["message"]
    )
    [listed] = call(site, "GET", "/api/v1/operations")["reviewPacks"]
    assert listed["title"] == TITLE and listed["attempts"] == 1
    assert listed["retry"] == f"/api/v1/review-packs/{listed['id']}/retry"

    call(site, "PUT", "/api/v1/settings", {"reviewSpaceKey": "ICM"})
    assert live_site.call("POST", listed["retry"], sub=MEMBER).status_code == 403
    retried = call(site, "POST", listed["retry"])
    assert retried["state"] == "written" and retried["attempts"] == 2
    assert call(site, "GET", "/api/v1/operations")["reviewPacks"] == []
    assert page_titled(site, TITLE).id == retried["pageId"]


def test_a_failed_integrator_page_shows_in_operations_and_is_retried(live_site: LiveSite) -> None:
    """The integrator's page is recorded as a relationship's pack is: a write Confluence
    refuses is listed beside the packs, and Retry (the integrator's own, or an administrator's)
    writes it once the fault clears; nobody else may retry it."""
    site = PlatformSite("connect", live_site.app, live_site.url, live_site.sandbox, "", live_site)
    organise(site)
    path = f"/api/v1/review-packs/integrator?period={Q4}"

    live_site.sandbox.set_faults(rate503=1.0, retryAfter=0)
    failed = live_site.call("POST", path, sub=INTEGRATOR)
    live_site.sandbox.set_faults(rate503=0.0)
    assert failed.status_code == 502, failed.text
    error = failed.json()["error"]
    assert error["message"].startswith("the integrator page was not written: Confluence")
    assert "503" in error["message"]
    [listed] = call(site, "GET", "/api/v1/operations")["reviewPacks"]
    assert listed["kind"] == "integrator" and listed["relationshipId"] is None
    assert listed["integratorAccountId"] == INTEGRATOR
    assert listed["title"].startswith("Integrator review 2026-Q4 · ")
    assert listed["attempts"] == 1 and "503" in listed["error"] and listed["requestedAt"]
    assert listed["retry"] == error["details"]["retry"]
    assert live_site.sandbox.state.confluence.pages == {}

    for account in (MEMBER, CUSTOMER_LEAD):  # the customer's lead may ask for packs, not this
        refused = live_site.call("POST", listed["retry"], sub=account)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "role_required"
        assert refused.json()["error"]["message"] == (
            "only the integrator whose page it is may write an integrator review page"
            " (a Jira administrator may retry one that failed)"
        )
    retried = live_site.call("POST", listed["retry"], sub=INTEGRATOR).json()
    assert retried["state"] == "written" and retried["attempts"] == 2
    assert retried["integratorAccountId"] == INTEGRATOR and retried["version"] == 1
    assert page_titled(site, listed["title"]).id == retried["pageId"]
    assert call(site, "GET", "/api/v1/operations")["reviewPacks"] == []

    live_site.sandbox.set_faults(rate503=1.0, retryAfter=0)
    assert live_site.call("POST", path, sub=INTEGRATOR).status_code == 502
    live_site.sandbox.set_faults(rate503=0.0)
    [again] = call(site, "GET", "/api/v1/operations")["reviewPacks"]
    assert again["id"] == listed["id"] and again["attempts"] == 3
    by_admin = call(site, "POST", again["retry"])  # the sandbox's administrator
    assert by_admin["state"] == "written" and by_admin["version"] == 2
    assert by_admin["pageId"] == retried["pageId"]


def test_the_integrator_page_lists_their_relationships_needing_attention_first(
    live_site: LiveSite,
) -> None:
    site = PlatformSite("connect", live_site.app, live_site.url, live_site.sandbox, "", live_site)
    relationship_id = organise(site)
    record_the_quarter(site, relationship_id)
    call(site, "POST", "/api/v1/teams", {"key": "IT", "name": "IT Service", "jiraProjectKey": "IT"})
    laptops = {"supplier": "IT", "customer": "PAY", "service": "laptops"}
    call(site, "POST", "/api/v1/relationships", {**laptops, "integratorAccountId": INTEGRATOR})
    call(
        site, "POST", "/api/v1/relationships", {"supplier": "IT", "customer": "HR", "service": "x"}
    )
    pack = call(site, "POST", f"/api/v1/relationships/{relationship_id}/review-pack?period={Q4}")
    path = f"/api/v1/review-packs/integrator?period={Q4}"

    refused = live_site.call("POST", path, sub=MEMBER)
    assert refused.status_code == 403 and "integrates no relationship" in refused.text
    made = live_site.call("POST", path, sub=INTEGRATOR)
    assert made.status_code == 200, made.text
    again = live_site.call("POST", path, sub=INTEGRATOR).json()

    assert again["id"] == made.json()["id"] and again["version"] == 2
    assert again["title"].startswith("Integrator review 2026-Q4 · ")
    assert INTEGRATOR not in again["title"]
    document = page_titled(site, again["title"]).adf
    assert document is not None
    first_table = next(nodes(document, "table"))
    rows = list(nodes(first_table, "tableRow"))[1:]
    assert [" ".join(texts(row)).split(":")[0] for row in rows] == [
        "Payroll → People Operations",  # at risk, with an expectation at risk
        "IT Service → Payroll",  # no feedback yet
    ]
    [link] = [
        mark["attrs"]["href"]
        for node in nodes(rows[0], "text")
        for mark in node.get("marks", [])
        if mark["type"] == "link"
    ]
    assert link == pack["url"]
    assert [m["attrs"]["id"] for m in nodes(document, "mention")] == [INTEGRATOR]
    [macro] = nodes(document, "extension")
    assert macro["attrs"]["extensionKey"] == "integrator-map"


def test_confluence_rate_limits_are_waited_out(live_site: LiveSite) -> None:
    """A 429 from Confluence is retried after its Retry-After, as Jira's are (one retrying
    session under both); the pack is written once, no duplicate page."""
    site = PlatformSite("connect", live_site.app, live_site.url, live_site.sandbox, "", live_site)
    relationship_id = organise(site)
    live_site.sandbox.set_faults(rate429=0.3, retryAfter=0, seed=7)
    before = len(live_site.sandbox.calls)

    made = call(site, "POST", f"/api/v1/relationships/{relationship_id}/review-pack?period={Q4}")

    live_site.sandbox.set_faults(rate429=0.0)
    wiki = [c for c in live_site.sandbox.calls[before:] if c.path.startswith("/wiki/api/v2/")]
    assert any(c.status == 429 for c in wiki), wiki  # the seed makes some calls meet the limit
    assert made["state"] == "written" and made["version"] == 1
    assert [c.method for c in wiki if c.status == 200].count("POST") == 2  # parent, pack
    assert page_titled(site, TITLE).id == made["pageId"]


def test_a_past_quarter_holds_only_what_happened_in_it(live_site: LiveSite) -> None:
    site = PlatformSite("connect", live_site.app, live_site.url, live_site.sandbox, "", live_site)
    relationship_id = organise(site)
    record_the_quarter(site, relationship_id)

    made = call(site, "POST", f"/api/v1/relationships/{relationship_id}/review-pack?period=2026-Q3")

    assert made["title"] == "Payroll → People Operations: review 2026-Q3"
    document = page_titled(site, made["title"]).adf
    part = sections(document)
    assert "Start of the period 12 unhealthy on 2026-09-30" in part["Health"]
    assert "End of the period 12 unhealthy on 2026-09-30" in part["Health"]
    expectations = part["Expectations"]
    assert "Q3: summer was perfect" in expectations and "Q4:" not in expectations
    assert "correct payslips ≥ 99.5 % no value yet no value" in expectations  # recorded in Q4
    assert "days to fix ≤ 2 days 3 days not met" in expectations
    assert "Old fix from the summer" in part["You said → we did"]
    assert "Payslip preview" not in part["You said → we did"]
