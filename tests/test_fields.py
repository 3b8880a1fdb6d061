from __future__ import annotations

import tomllib

import pytest

from sync.errors import ConfigError, HeaderError
from sync.fields import FIELDS, map_headers, unmapped
from sync.names import find_tab

SEED = list(FIELDS.values())


def test_the_seed_form_maps_every_field() -> None:
    assert map_headers(SEED) == {field: title for field, title in FIELDS.items()}


def test_case_and_spacing_edits_still_match() -> None:
    headers = ["Timestamp", "Email address", "organization  name", "First Name", "Last Name"]
    mapping = map_headers(headers)
    assert mapping["email"] == "Email address"
    assert mapping["organization"] == "organization  name"


def test_a_unique_prefix_matches_either_way() -> None:
    headers = ["Timestamp", "Email", "Scope", "First Name", "Last Name",
               "Affiliation as you would like it listed on the letter (All individuals will be "
               "listed as *affiliation for identification purposes only.)"]
    mapping = map_headers(headers)
    assert mapping["email"] == "Email"
    assert mapping["scope"] == "Scope"
    assert mapping["affiliation"].startswith("Affiliation as you would like")


def test_an_exact_title_wins_over_a_prefix() -> None:
    mapping = map_headers(["Email", "Email Address", "First Name"])
    assert mapping["email"] == "Email Address"


def test_extra_columns_are_ignored() -> None:
    mapping = map_headers([*SEED, "Score", "Notes from staff"])
    assert "Score" not in mapping.values() and "Notes from staff" not in mapping.values()


def test_job_overrides_replace_titles() -> None:
    mapping = map_headers(["When", "Your email", "Group"],
                          {"submitted_at": "When", "email": "Your email", "organization": "Group"})
    assert mapping == {"submitted_at": "When", "email": "Your email", "organization": "Group"}


def test_missing_email_names_the_field_and_lists_headers() -> None:
    with pytest.raises(HeaderError) as caught:
        map_headers(["Timestamp", "Organization Name"], where="demo: tab 'Form Responses 1'")
    message = str(caught.value)
    assert message.startswith("demo: tab 'Form Responses 1': no column for `email`")
    assert "'Timestamp', 'Organization Name'" in message


def test_missing_both_organization_and_names_is_reported() -> None:
    with pytest.raises(HeaderError, match="no column for `organization` nor for"):
        map_headers(["Timestamp", "Email Address"])


def test_names_without_organization_are_enough() -> None:
    assert "organization" not in map_headers(["Email Address", "First Name", "Last Name"])


def test_punctuation_and_quotes_do_not_matter() -> None:
    headers = ["Timestamp", "Email Address", "Organization’s Name", "First Name",
               "If signing for an organization, are you authorized to sign on for your "
               "organization"]
    mapping = map_headers(headers, {"organization": "Organization's name"})
    assert mapping["organization"] == "Organization’s Name"
    assert mapping["authorized"] == headers[-1]


def test_an_unmapped_field_names_the_closest_free_header_and_the_line_to_add() -> None:
    edited = 'If signing for an organisation, are you "authorised" to sign on?'
    headers = [*SEED[:7], edited, *SEED[8:]]
    mapping = map_headers(headers)
    (missing,) = unmapped(headers, mapping)
    assert (missing.field, missing.closest) == ("authorized", edited)
    line = missing.fix
    assert tomllib.loads(line) == {"authorized": edited}  # valid TOML, quotes escaped
    assert str(missing).endswith(f"add this line under [fields] in the job file: {line}")


def test_no_header_is_suggested_when_none_is_alike() -> None:
    headers = ["Timestamp", "Email Address", "Organization Name", "Your first name"]
    missing = {m.field: m for m in unmapped(headers, map_headers(headers))}
    assert missing["scope"].closest is None  # "Your first name" shares only "your"
    assert "no header looks like it" in str(missing["scope"])


def test_a_tab_is_found_ignoring_case_spacing_and_punctuation_and_exact_wins() -> None:
    assert find_tab("form responses 1", ["Form Responses 1", "Sheet2"], "book") == (
        "Form Responses 1")
    assert find_tab("Curated Signers", ["Curated Signers", "Curated-Signers"], "book") == (
        "Curated Signers")
    assert find_tab("Letter List", ["Curated Signers"], "book") is None
    with pytest.raises(ConfigError, match="'Curated Signers' and 'Curated-Signers' in book "
                                          "both look like tab 'curated signers'"):
        find_tab("curated signers", ["Curated Signers", "Curated-Signers"], "book")
