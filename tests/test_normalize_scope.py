"""Scope answers, the "Other:" box included (issue 16's cases)."""

from __future__ import annotations

import pytest

from sync.normalize.scope import normalize_scope, other_scope_text


@pytest.mark.parametrize(("answer", "scope"), [
    ("Other: Oregon, Washington, Idaho", "Regional"), ("Other: NY/NJ/PA", "Regional"),
    ("Other: Maryland and Virginia", "Regional"),
    ("Other: Greater Cleveland", "Local"), ("Other: Metro Atlanta", "Local"),
    ("Other: Twin Cities", "Local"),
    ("Other: Bi-national", "International"), ("Other: US and Canada", "International"),
    ("Other: Mexico & USA", "International"), ("Other: cross-border", "International"),
    ("Other: Provincial", "State"), ("Other: Puerto Rico", "State"), ("Other: Ohio", "State"),
])
def test_other_answers_mean_what_they_say(answer, scope):
    assert normalize_scope(answer) == scope


@pytest.mark.parametrize(("answer", "scope"), [
    ("Other: multinational", "International"), ("Other: Transnational network", "International"),
    ("National", "National"), ("Other: nationwide", "National"),
    ("Other: Internationalist", "International"),
])
def test_national_inside_another_word_is_not_national(answer, scope):
    assert normalize_scope(answer) == scope


@pytest.mark.parametrize(("answer", "typed"), [
    ("Other: Ontario", "Ontario"), ("other - UK-wide", "UK-wide"), ("National", ""),
    ("Local", ""), ("", ""),
])
def test_the_other_box_text_is_what_was_typed_in_it(answer, typed):
    assert other_scope_text(answer) == typed
