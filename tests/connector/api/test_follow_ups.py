"""The follow-up questions live in the site's settings: the defaults until an administrator
edits them, checked when edited (each feeds one known field, once), reset with null."""

from __future__ import annotations

from flask import Flask

from tests.connector.platforms.connect.test_pages import page, parse
from tests.support.api import Api, seed

DEFAULTS = [
    {"field": "whyItMatters", "question": "Why does this matter to you?"},
    {"field": "measures", "question": "How would you know I met it? What number, by when?"},
    {"field": "growthOpportunity", "question": "What would make it even better next year?"},
    {"field": "cadenceDays", "question": "How often should I ask you how I'm doing?"},
]
SEED = "What are the needs and expectations you have for me in my position?"


def test_the_default_questions_until_an_administrator_edits_them(api: Api) -> None:
    settings = api.ok("GET", "/settings")
    assert settings["seedQuestion"] == SEED
    assert settings["followUps"] == DEFAULTS
    edited = [
        {"field": "measures", "question": "  What number tells you I delivered?  "},
        {"field": "whyItMatters", "question": "What happens when I get it wrong?"},
    ]
    saved = api.ok("PUT", "/settings", {"followUps": edited})
    expected = [
        {"field": "measures", "question": "What number tells you I delivered?"},
        {"field": "whyItMatters", "question": "What happens when I get it wrong?"},
    ]
    assert saved["followUps"] == expected
    assert api.as_("lead-HR").ok("GET", "/settings")["followUps"] == expected  # read by anyone
    # Other settings leave them as they are; null restores the defaults.
    assert api.ok("PUT", "/settings", {"issueType": "Story"})["followUps"] == expected
    assert api.ok("PUT", "/settings", {"followUps": None})["followUps"] == DEFAULTS
    assert api.ok("PUT", "/settings", {"followUps": []})["followUps"] == []


def test_bad_follow_ups_are_refused_and_change_nothing(api: Api, app: Flask) -> None:
    api.ok("PUT", "/settings", {"followUps": DEFAULTS[:1]})
    bad = [
        ([{"field": "statement", "question": "Say it again?"}], "followUps"),
        ([{"field": "measures", "question": ""}], "followUps"),
        ([{"field": "measures", "question": "x" * 201}], "followUps"),
        ([{"field": "measures", "question": "A?", "extra": 1}], "followUps"),
        ([{"field": "measures"}], "followUps"),
        ([DEFAULTS[1], {"field": "measures", "question": "Again?"}], "followUps[1]"),
        ([{"field": "measures", "question": "   "}], "followUps[0]"),
        ([*DEFAULTS, DEFAULTS[0]], "followUps"),
    ]
    for follow_ups, where in bad:
        answer = api.call("PUT", "/settings", {"followUps": follow_ups})
        assert answer.status_code == 422, (follow_ups, answer.json)
        assert where in answer.json["error"]["details"], answer.json
    assert api.ok("GET", "/settings")["followUps"] == DEFAULTS[:1]


def test_only_an_administrator_edits_them(api: Api) -> None:
    answer = api.as_("lead-HR").call("PUT", "/settings", {"followUps": []})
    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "role_required"
    assert api.ok("GET", "/settings")["followUps"] == DEFAULTS


def test_the_connect_capture_form_asks_the_sites_questions_escaped(api: Api) -> None:
    """Server-rendered on Connect: the edited set, in order, an administrator's markup as text;
    every field stays in the form, those no follow-up asks about under "Other details"."""
    seed(api)
    edited = [
        {"field": "cadenceDays", "question": "How often <b>should</b> I ask?"},
        {"field": "whyItMatters", "question": "What happens when I get it wrong?"},
    ]
    api.ok("PUT", "/settings", {"followUps": edited})
    for path in ("/pages/team?project.key=PAY", "/pages/teams"):
        document = parse(page(api, path).get_data(as_text=True))
        steps = [li for li in document.iter("li") if li.get("data-field")]
        assert [(li.get("data-field"), "".join(li.find(".//q").itertext())) for li in steps] == [
            ("cadenceDays", "How often <b>should</b> I ask?"),
            ("whyItMatters", "What happens when I get it wrong?"),
        ]
        why = next(t for t in document.iter("textarea") if t.get("name") == "whyItMatters")
        assert why.get("aria-describedby") == "follow-up-2"
        names = {f.get("name") for f in [*document.iter("input"), *document.iter("textarea")]}
        assert {"whyItMatters", "measureName", "growthOpportunity", "cadenceDays"} <= names
        legends = ["".join(g.itertext()).strip() for g in document.iter("legend")]
        assert "4. Other details" in legends
