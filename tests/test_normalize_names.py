"""People's names as the letter prints them (issue 16's cases)."""

from __future__ import annotations

import pytest

from sync.normalize.names import parse_name


@pytest.mark.parametrize(("first", "last", "shown"), [
    ("Miriam", "Miriam Goldberg", "Miriam Goldberg"),
    ("Tariq Mansour", "Mansour", "Tariq Mansour"),
    ("rabbi dov", "rabbi dov klein", "Rabbi Dov Klein"),
    ("Imam Yusuf", "Imam Yusuf Rahman", "Imam Yusuf Rahman"),
])
def test_a_name_typed_in_first_name_and_again_in_last_name_prints_once(first, last, shown):
    assert parse_name(first, last).display == shown


@pytest.mark.parametrize(("first", "last", "shown"), [
    ("Grace", "Okoye", "Grace Okoye"), ("Anna", "Annan", "Anna Annan"),
    ("John", "Johnson", "John Johnson"),
])
def test_a_surname_that_merely_starts_like_the_first_name_is_kept(first, last, shown):
    assert parse_name(first, last).display == shown


@pytest.mark.parametrize(("first", "last", "shown"), [
    ("Leila", "Haddad, Dr.", "Dr. Leila Haddad"),
    ("Mary", "Sullivan, Sister", "Sister Mary Sullivan"),
    ("Brother Luke", "DIAZ, FSC", "Brother Luke Diaz, FSC"),
    ("Paul", "Kim, SJ", "Paul Kim, SJ"),
    ("Esq.", "Maria Lopez", "Maria Lopez, Esq."),
    ("Omar", "Farouk, phd", "Omar Farouk, PhD"),
])
def test_titles_and_post_nominals_typed_after_the_surname_move_into_place(first, last, shown):
    assert parse_name(first, last).display == shown


def test_a_leading_the_before_a_title_is_dropped():
    assert parse_name("The Rev. Dr.", "Alan Moore").display == "Rev. Dr. Alan Moore"
    assert parse_name("Theo", "Moore").display == "Theo Moore"


def test_a_surname_with_a_comma_that_is_no_title_is_left_alone():
    assert parse_name("Ana", "Ruiz, Jr.").display == "Ana Ruiz, Jr."
