"""Outside-U.S. evidence: flag on positive evidence only, and let U.S. context win."""

from __future__ import annotations

import pytest

from sync.normalize.location import email_country, outside_us_evidence


@pytest.mark.parametrize(("email", "country"), [
    ("a@example.co.uk", "United Kingdom"), ("a@example.org.au", "Australia"),
    ("a@example.co.za", "South Africa"), ("a@example.ie", "Ireland"),
])
def test_two_level_country_code_domains_name_their_country(email, country):
    assert email_country(email)[0] == country


@pytest.mark.parametrize("email", ["a@x.io", "a@x.co", "a@x.ai", "a@x.me", "a@x.tv", "a@x.us",
                                   "a@x.edu", "a@x.gov", "a@x.org", "a@x.com", "nobody"])
def test_generic_and_us_domains_are_no_evidence(email):
    assert email_country(email) is None


def test_a_foreign_place_after_a_comma_is_evidence_with_its_reason():
    evidence = outside_us_evidence("e.girard@example.com", "Lyon, France")
    assert evidence.outside
    assert evidence.reasons == ("outside U.S.: Lyon (France)",)


def test_us_context_turns_foreign_evidence_into_a_question():
    evidence = outside_us_evidence("someone@example.ca", "University of Michigan")
    assert not evidence.outside
    assert evidence.reasons[0].startswith("outside U.S.?: email domain .ca (Canada)")
    assert "confirm U.S. base" in evidence.reasons[0]


@pytest.mark.parametrize("text", [
    "Athens, GA", "Dublin, Ohio", "Moscow, Idaho", "Students for Justice in Palestine",
    "Palestinian American Community Center", "Georgia Peace Action", "Delhi, NY",
    "Congregation Beth Israel", "Friends of the Congo", "Bethlehem Lutheran Church",
])
def test_us_traps_earn_no_flag_at_all(text):
    assert outside_us_evidence("someone@example.org", text).reasons == ()


@pytest.mark.parametrize("text", ["Mexico Solidarity Network", "Jordan Peace Coalition",
                                  "Scottish Palestine Solidarity Campaign"])
def test_a_leading_country_or_demonym_asks_for_a_look_but_is_not_proof(text):
    evidence = outside_us_evidence("someone@example.org", text)
    assert not evidence.outside
    assert evidence.reasons and evidence.reasons[0].startswith("outside U.S.?")
