"""The text clean-up every field goes through, for any text typed."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.normalize.text import clean_text, fold

TEXT = st.one_of(st.text(max_size=30),
                 st.text(st.characters(max_codepoint=127), max_size=30),
                 st.text(st.sampled_from("aé É\u00a0\u200b\t\n\x07ﬁ-,"), max_size=12))


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_clean_text_is_normalized_visible_and_single_spaced(text):
    cleaned = clean_text(text)
    assert unicodedata.normalize("NFKC", cleaned) == cleaned
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned
    assert all(c == " " or not c.isspace() for c in cleaned)
    assert not any(unicodedata.category(c) == "Cc" for c in cleaned)
    assert "\u200b" not in cleaned
    assert clean_text(cleaned) == cleaned


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_fold_ignores_case_and_accents(text):
    folded = fold(text)
    if text.isascii():
        assert fold(text.upper()) == fold(text.lower()) == folded
    assert not any(unicodedata.combining(c) for c in folded)
    assert fold(folded) == folded


def test_accented_and_plain_spellings_fold_alike():
    assert fold("ÉLODIE Müller") == fold("elodie muller") == "elodie muller"
