"""The words search matches on: folded, singular, the same for what is stored and what is asked."""

from __future__ import annotations

import pytest

from connector.domain.words import fold, singular, terms, terms_of


@pytest.mark.parametrize(
    ("plural", "single"),
    [
        ("payslips", "payslip"),
        ("policies", "policy"),
        ("boxes", "box"),
        ("classes", "class"),
        ("caches", "cache"),
        ("matches", "match"),
        ("sizes", "size"),
        ("days", "day"),
        ("buses", "bus"),
    ],
)
def test_a_plural_and_its_singular_are_one_term(plural: str, single: str) -> None:
    assert singular(plural) == singular(single)


@pytest.mark.parametrize("word", ["status", "analysis", "class", "bus", "its", "gas", "2025"])
def test_words_that_only_end_in_s_stay_whole(word: str) -> None:
    assert singular(word) == word


def test_case_and_accents_are_folded_where_unicode_decomposes_them() -> None:
    assert fold("Équipe ÇA Müller") == "equipe ca muller"
    assert fold("Søren") == "søren"  # ø has no decomposition: documented, not folded


def test_terms_are_words_in_order_without_repeats() -> None:
    assert terms("Payslips, payslip; PAYSLIP — on-time (99.5%)") == [
        "payslip",
        "on",
        "tim",
        "99",
        "5",
    ]
    assert terms_of(["Laptops", None, "laptop ready"]) == ["laptop", "ready"]
    assert terms("   —  ") == []
