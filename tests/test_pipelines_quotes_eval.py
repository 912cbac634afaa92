"""The issue 4 figures, asserted: the dev-set scorer must keep reaching them.

Runs `benchmarks/quotes_eval.py`'s own `score`/`load_gold` on the development set
(tests/fixtures/quotes/dev.json) and on the held-out set written before tuning
(heldout.json), and checks what the database relies on for every quote.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.quotes_eval import load_gold, score
from pipelines.quotes import extract_quotes

FIXTURES = Path(__file__).parent / "fixtures" / "quotes"


@pytest.fixture(scope="module", params=["dev.json", "heldout.json"])
def result(request):
    return score(load_gold(FIXTURES / request.param), extract_quotes)


def test_quote_f1(result):
    assert result["f1"] >= 0.97, result["details"]["misses"] + result["details"]["false_positives"]


def test_speaker_accuracy(result):
    assert result["speaker_accuracy"] >= 0.95, result["details"]["speaker_errors"]


def test_no_quotes_from_negative_paragraphs(result):
    assert result["negative_hits"] == 0, result["details"]["negative_hits"]
    assert result["predict_errors"] == 0, result["details"]["errors"]


def test_every_style_is_found(result):
    for style, row in result["per_style_recall"].items():
        if row["gold"]:
            assert row["recall"] >= 0.9, (style, row)


@pytest.mark.parametrize("name", ["dev.json", "heldout.json"])
def test_stored_fields_are_sound(name):
    """Offsets satisfy the database's check (0 <= start <= end), point into the
    paragraph at the quote, and every quote has a style and a lemma for its verb."""
    for article in load_gold(FIXTURES / name):
        paragraphs = article["paragraphs"]
        for quote in extract_quotes(paragraphs):
            paragraph = paragraphs[quote.paragraph]
            assert 0 <= quote.start <= quote.end <= len(paragraph)
            assert paragraph[quote.start:quote.end].startswith(quote.text[:20])
            assert quote.style in "ABCDEF"
            assert (quote.verb is None) == (quote.verb_lemma is None)
