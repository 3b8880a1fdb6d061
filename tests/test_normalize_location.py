"""Outside-U.S. evidence: flag on positive evidence only, and let U.S. context win."""

from __future__ import annotations

import pytest

from sync.normalize.location import (
    email_country,
    outside_us_evidence,
    outside_us_evidence_of_pairs,
)


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


def test_a_column_of_pairs_gets_each_pairs_own_evidence():
    emails = ["@example.ca", "@example.edu", "@example.org", "@example.fr", "@x.co.uk", ""]
    texts = ["Lyon, France", "University of Michigan", "Athens, GA", "Mexico Solidarity Network",
             "BDS France", "Students for Justice in Palestine", "", "Sydney Peace Foundation"]
    # every combination, each several times and in a scrambled order, as a column repeats them
    pairs = [(e, t) for e in emails for t in texts] * 3
    pairs = pairs[::7] + pairs[1::7] + pairs[2::7] + pairs[3::7] + pairs[4::7] + pairs[5::7] \
        + pairs[6::7]
    bulk = outside_us_evidence_of_pairs([e for e, _ in pairs], [t for _, t in pairs])
    assert bulk == [outside_us_evidence(e, t) for e, t in pairs]
    assert {evidence.outside for evidence in bulk} == {True, False}
