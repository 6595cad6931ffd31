"""The rating grammar of a Jira comment (connector.domain.ratings), and comment bodies as text."""

from __future__ import annotations

from typing import Any

import pytest

from connector.domain.ratings import ParsedRating, adf_to_text, comment_text, parse_rating


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rating: 4/5 — payslips on time", ParsedRating(4, "payslips on time")),
        ("Rating: 4/5 \u2013 en dash", ParsedRating(4, "en dash")),
        ("Rating: 4/5 - hyphen", ParsedRating(4, "hyphen")),
        ("Rating: 4/5: colon", ParsedRating(4, "colon")),
        ("*Rating:* 2/5", ParsedRating(2, None)),
        ("_Rating_: 2/5_", ParsedRating(2, None)),
        ("**Rating**:** 3/5**, bold", ParsedRating(3, "bold")),
        ("rating: 5 / 5\nsecond line", ParsedRating(5, "second line")),
        ("RATING:5/5", ParsedRating(5, None)),
        ("  \tRating  :  1  /  5  ok", ParsedRating(1, "ok")),
        ("Thanks!\nRating: 3/5, fine", ParsedRating(3, "fine")),
        ("Rating: 3/5\r\n  next  \r\n\r\n", ParsedRating(3, "next")),
        ("Rating: 2/5 — slow\n  then fast  \nend", ParsedRating(2, "slow\nthen fast\nend")),
        ("Rating: 1/5\n\nRating: 5/5", ParsedRating(1, "Rating: 5/5")),
        ("Rating: 5/5", ParsedRating(5, None)),
        ("Rating: 1/5", ParsedRating(1, None)),
        ("Rating: 7/5", None),
        ("Rating: 0/5", None),
        ("Rating: 6/5", None),
        ("Rating: 4/50", None),
        ("Rating: 4/10", None),
        ("Rating: 4/6", None),
        ("Rating 4/5", None),
        ("Ratings: 4/5", None),
        ("I'd give it Rating: 4/5", None),
        ("bq. Rating: 4/5", None),
        ("{quote}\nRating: 4/5\n{quote}", None),
        ("4/5 stars", None),
        ("", None),
    ],
)
def test_rating_grammar(text: str, expected: ParsedRating | None) -> None:
    assert parse_rating(text) == expected


def test_an_out_of_range_rating_is_no_rating_even_when_a_later_line_has_one() -> None:
    # The first rating line decides: a later line never overrides a mistyped one.
    assert parse_rating("Rating: 7/5\nRating: 4/5") is None
    assert parse_rating("Rating: 0/5 — oops\nRating: 2/5 — meant this") is None
    assert parse_rating("Rating: 4/50\nRating: 2/5") == ParsedRating(2, None)  # /50 is no rating


@pytest.mark.parametrize(
    "text",
    [
        "{quote}\nRobin wrote:\nRating: 1/5 — awful\n{quote}\nRating: 4/5 — better now",
        "{quote}\n\n\nRating: 1/5\n{quote}\nRating: 4/5 — better now",
        "{QUOTE}\nsaid:\nRating: 1/5\n{Quote}\nRating: 4/5 — better now",
        "{quote}Rating: 1/5{quote}\nRating: 4/5 — better now",
        "{quote}a{quote}{quote}\nRating: 1/5\n{quote}\nRating: 4/5 — better now",
    ],
)
def test_a_quote_block_hides_every_line_until_it_closes(text: str) -> None:
    assert parse_rating(text) == ParsedRating(4, "better now")


def test_an_unclosed_quote_hides_the_rest() -> None:
    assert parse_rating("{quote}\nquoted\nRating: 4/5") is None
    assert parse_rating("fine\n{quote}{quote}{quote}\nRating: 4/5") is None


def test_the_rating_line_itself_may_not_open_a_quote() -> None:
    assert parse_rating("Rating: 4/5 {quote}") is None
    assert parse_rating("{quote}\nx\n{quote} Rating: 4/5\nRating: 3/5") == ParsedRating(3, None)


def text_node(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def test_adf_comment_bodies_read_as_lines() -> None:
    adf = {
        "type": "doc",
        "content": [
            {"type": "paragraph", "content": [text_node("Rating: 4/5 — good")]},
            {"type": "blockquote", "content": [text_node("Rating: 1/5")]},
            {"type": "paragraph", "content": [text_node("more")]},
        ],
    }
    assert adf_to_text(adf) == "Rating: 4/5 — good\n\nmore"
    assert parse_rating(adf_to_text(adf)) == ParsedRating(4, "good\n\nmore")


def test_adf_inline_nodes() -> None:
    paragraph = {
        "type": "paragraph",
        "content": [
            text_node("Rating: "),
            text_node("3/5"),
            {"type": "hardBreak"},
            {"type": "mention", "attrs": {"id": "acc-1", "text": "@Robin"}},
            text_node(" and "),
            {"type": "mention", "attrs": {"id": "acc-2"}},
            text_node(" and "),
            {"type": "mention"},
            {"type": "text"},
            {"type": "emoji", "attrs": {"shortName": ":x:"}},
        ],
    }
    assert adf_to_text(paragraph) == "Rating: 3/5\n@Robin and @acc-2 and @"


def test_adf_lists_are_a_line_per_item() -> None:
    item = {"type": "listItem", "content": [{"type": "paragraph", "content": [text_node("a")]}]}
    other = {"type": "listItem", "content": [{"type": "paragraph", "content": [text_node("b")]}]}
    for kind in ("bulletList", "orderedList"):
        assert adf_to_text({"type": kind, "content": [item, other]}) == "a\nb"
    two_paragraphs = {
        "type": "listItem",
        "content": [
            {"type": "paragraph", "content": [text_node("c")]},
            {"type": "paragraph", "content": [text_node("d")]},
        ],
    }
    assert adf_to_text(two_paragraphs) == "c\nd"
    cell = {"type": "tableCell", "content": [text_node("e"), text_node("f")]}
    assert adf_to_text(cell) == "ef"


@pytest.mark.parametrize("node", [None, 3, ["Rating: 4/5"], {"content": None}, {}])
def test_adf_oddities_are_empty(node: Any) -> None:
    assert adf_to_text(node) == ""


def test_comment_text_takes_wiki_markup_or_adf() -> None:
    assert comment_text("Rating: 2/5") == "Rating: 2/5"
    assert adf_to_text("plain") == "plain"
    adf = {"type": "doc", "content": [{"type": "paragraph", "content": [text_node("x")]}]}
    assert comment_text(adf) == "x"
