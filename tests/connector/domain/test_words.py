"""The words search matches on: folded, stemmed, the same for what is stored and what is asked.
Expected terms are written out (Snowball English's stems), never computed by the code under test."""

from __future__ import annotations

import pytest

from connector.domain.words import fold, stem, terms, terms_of


@pytest.mark.parametrize(
    ("words", "term"),
    [
        (["cookie", "cookies"], "cooki"),
        (["movie", "movies"], "movi"),
        (["analysis", "analyses"], "analysi"),
        (["crisis", "crises"], "crisi"),
        (["thesis", "theses"], "thesi"),
        (["policy", "policies"], "polici"),  # ies -> y
        (["cache", "caches"], "cach"),  # the final e
        (["size", "sizes"], "size"),
        (["payslip", "payslips"], "payslip"),
        (["box", "boxes"], "box"),
        (["class", "classes"], "class"),
        (["match", "matches"], "match"),
        (["day", "days"], "day"),
        (["process", "processes"], "process"),
        (["status", "statuses"], "status"),
        (["base", "bases"], "base"),
        (["database", "databases"], "databas"),
    ],
)
def test_a_plural_and_its_singular_are_one_term(words: list[str], term: str) -> None:
    assert [stem(word) for word in words] == [term] * len(words)


@pytest.mark.parametrize("word", ["gas", "bus", "2025", "x", "it"])
def test_short_words_and_numbers_stay_whole(word: str) -> None:
    assert stem(word) == word


def test_case_and_accents_are_folded_where_unicode_decomposes_them() -> None:
    assert fold("Équipe ÇA Müller") == "equipe ca muller"
    assert fold("Søren") == "søren"  # ø has no decomposition: documented, not folded


def test_terms_are_words_in_order_without_repeats() -> None:
    assert terms("Payslips, payslip; PAYSLIP — on-time (99.5%)") == [
        "payslip",
        "on",
        "time",
        "99",
        "5",
    ]
    assert terms_of(["Laptops", None, "laptop ready"]) == ["laptop", "readi"]
    assert terms("   —  ") == []
    assert terms("Cookies for the movies") == ["cooki", "for", "the", "movi"]
