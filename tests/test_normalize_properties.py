"""Properties of normalization over any text people can type (hypothesis)."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.fields import FIELDS
from sync.normalize import normalize_responses
from sync.normalize.affiliations import clean_affiliation
from sync.normalize.names import parse_name
from sync.normalize.orgs import clean_org
from sync.normalize.scope import normalize_scope
from sync.normalize.text import clean_text, looks_like_formula

# Any text, weighted towards what forms receive: words, titles, punctuation, odd spaces.
PIECES = st.sampled_from([
    "Jewish", "Voice", "for", "Peace", "DSA", "Rev.", "Dr.", "Sr.", "Mr.", "(AFSC)", "*", "N/A",
    "for identification purposes only", "-", "–", ",", ".", "'", "\u00a0", "\u200b", "  ",
    "=SUM(1)", "+", "@", "McDonald", "van der", "al-", "ÉLODIE", "سلمى", "Lyon, France",
    "Athens, GA", "(UK)", "Nation-wide", "Other:", "\t", "\n", "(", ")", "\"", "USA",
])
TYPED = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=8).map(" ".join),
    st.lists(PIECES, max_size=8).map("".join),
)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def responses(rows: list[dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame([[row.get(field, "") for field in FIELDS] for row in rows],
                        columns=list(FIELDS), dtype=object)


ROWS = st.lists(st.fixed_dictionaries({field: TYPED for field in FIELDS}), max_size=6)


@SETTINGS
@given(ROWS)
def test_normalizing_never_raises_and_never_loses_a_response(rows):
    clean = normalize_responses(responses(rows))
    assert len(clean) == len(rows)
    assert list(clean.index) == list(range(len(rows)))


@SETTINGS
@given(ROWS)
def test_normalizing_never_makes_a_formula_out_of_what_was_typed(rows):
    clean = normalize_responses(responses(rows))
    for column, typed_in in (("organization", "organization"), ("affiliation", "affiliation"),
                             ("email", "email"), ("org_name", "organization")):
        for value, row in zip(clean[column], rows, strict=True):
            if looks_like_formula(value):
                typed = [clean_text(r[typed_in]) for r in rows]
                assert any(t.startswith(value[0]) for t in typed), (column, value, row)
    for column in ("display_name", "first_name", "last_name"):
        assert not any(map(looks_like_formula, clean[column])), column


@SETTINGS
@given(TYPED)
def test_cleaning_an_organization_twice_changes_nothing(text):
    once = clean_org(text)
    assert clean_org(once) == once


@SETTINGS
@given(TYPED)
def test_cleaning_an_affiliation_twice_changes_nothing(text):
    once = clean_affiliation(text)
    assert clean_affiliation(once) == once


@SETTINGS
@given(TYPED, TYPED)
def test_parsing_a_parsed_name_again_changes_nothing(first, last):
    name = parse_name(first, last)
    again = parse_name(" ".join(p for p in (name.title, name.first) if p), name.last)
    assert again.display == name.display


@SETTINGS
@given(TYPED)
def test_a_normalized_scope_normalizes_to_itself(text):
    scope = normalize_scope(text)
    assert normalize_scope(scope) == scope


@SETTINGS
@given(ROWS)
def test_normalizing_normalized_responses_changes_nothing(rows):
    clean = normalize_responses(responses(rows))
    again = normalize_responses(pd.DataFrame({
        **{field: [""] * len(rows) for field in FIELDS},
        "email": clean["email"], "organization": clean["organization"],
        "affiliation": clean["affiliation"], "scope": clean["scope"],
        "first_name": (clean["title"] + " " + clean["first_name"]).str.strip(),
        "last_name": clean["last_name"],
    }))
    for column in ("email", "organization", "org_name", "affiliation", "scope", "display_name"):
        assert again[column].tolist() == clean[column].tolist(), column


def test_a_name_opening_with_a_letter_that_has_no_capital_cleans_the_same_twice():
    once = clean_org("0 ß0")  # found by hypothesis: "0 SS0", then "0 Ss0"
    assert clean_org(once) == once
