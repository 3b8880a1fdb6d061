from __future__ import annotations

import pytest

from sync.errors import HeaderError
from sync.fields import FIELDS, map_headers

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
