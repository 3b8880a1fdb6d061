"""Outside-U.S. evidence: flag on positive evidence only, and let U.S. context win."""

from __future__ import annotations

import pytest

from sync.normalize.location import (
    NO_EVIDENCE,
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


# --- issue 16: ambiguous names, who a reader thinks of, the letter's own places ---------

@pytest.mark.parametrize("text", [
    "Volunteer, Paris, TX", "Retired nurse, Rome, GA", "Parishioner, Vienna, Virginia",
    "Organizer, Florence, AL", "Teacher, Mexico, Maine", "Farmer, Lebanon, Ohio",
    "Librarian, Bethlehem, PA", "Pastor, Nazareth, PA", "Student, Peru, IN",
])
def test_a_shared_name_with_its_us_state_next_to_it_is_a_us_town(text):
    assert outside_us_evidence("someone@example.org", text) == NO_EVIDENCE


@pytest.mark.parametrize("text", ["Berlin", "Retired teacher, Paris", "Kingston"])
def test_a_major_foreign_city_with_small_us_namesakes_asks_for_a_look(text):
    evidence = outside_us_evidence("someone@example.org", text)
    assert not evidence.outside
    assert evidence.reasons[0].startswith("outside U.S.?")


@pytest.mark.parametrize("text", ["Athens", "Richmond", "Manchester"])
def test_a_name_shared_with_a_real_us_city_is_no_evidence_alone(text):
    assert outside_us_evidence("someone@example.org", text) == NO_EVIDENCE


def test_a_shared_name_is_no_longer_us_context_for_a_foreign_email():
    # "Richmond" is Richmond, VA or Richmond, BC: it no longer answers the .ca address
    evidence = outside_us_evidence("someone@example.ca", "Richmond")
    assert evidence.outside
    assert evidence.reasons == ("outside U.S.: email domain .ca (Canada)",)


@pytest.mark.parametrize(("text", "shown"), [
    ("Pharmacist, Nablus", "Nablus (Palestine)"),
    ("Teacher, Tulkarm", "Tulkarm (Palestine)"),
    ("Youth worker, Dheisheh", "Dheisheh (Palestine)"),
    ("Nurse, Nazareth", "Nazareth (Israel)"),
    ("Lecturer, Birzeit University", "Birzeit (Palestine)"),
])
def test_palestinian_and_israeli_towns_and_camps_are_places(text, shown):
    evidence = outside_us_evidence("someone@example.org", text)
    assert evidence.outside
    assert shown in evidence.reasons[0]


@pytest.mark.parametrize("text", [
    "Jenin Freedom Theatre Friends of Seattle", "Nablus Solidarity Committee of Madison",
    "Tulkarm Sister City Project", "Nazareth Baptist Church",
])
def test_a_palestinian_town_opening_a_us_name_is_a_cause_not_a_base(text):
    assert not outside_us_evidence("someone@example.org", text).outside


@pytest.mark.parametrize(("text", "shown"), [
    ("Associate Professor, Universität Hamburg", "Hamburg (Germany)"),
    ("Kopenhagen-Palästina Komitee, Danmark", "Denmark"),
    ("BDS Norge", "Norway"),
    ("Law Society of Scotland", "United Kingdom"),
    ("Federación de Estudiantes de Chile", "Chile"),
    ("Friends of Sabeel (Toronto, ON)", "Ontario (Canada)"),
    ("Hamilton, Ontario", "Ontario (Canada)"),
    ("Halifax Peace Coalition, Nova Scotia", "Nova Scotia (Canada)"),
])
def test_places_in_every_position_are_evidence(text, shown):
    evidence = outside_us_evidence("someone@example.org", text)
    assert evidence.outside, evidence
    assert shown in evidence.reasons[0]


@pytest.mark.parametrize("text", [
    "Committee for Justice in Guatemala", "Campaign for Peace in Sri Lanka",
    "Solidarity with the People of Haiti", "Alliance for Justice in Kenya",
])
def test_a_country_after_a_cause_is_still_not_a_place(text):
    assert not outside_us_evidence("someone@example.org", text).outside


@pytest.mark.parametrize(("text", "reason"), [
    ("Collectif Juif pour la Paix", "name in another language"),
    ("Women's Resource Centre", "British spelling (centre)"),
    ("Freedom Flotilla Coalition e.V.", "foreign legal form (e v)"),
    ("Olive Harvest Trust Ltd", "foreign legal form (ltd)"),
    ("Binational Workers' Committee", "binational"),
])
def test_weaker_signs_ask_for_a_look_never_say_yes(text, reason):
    evidence = outside_us_evidence("someone@example.org", text)
    assert not evidence.outside
    assert reason in evidence.reasons[0]


@pytest.mark.parametrize("text", [
    "Comité de Apoyo a los Trabajadores de Florida", "Unión de Vecinos del Barrio",
    "Los Angeles Tenants Union", "San Diego Peace Campus",
])
def test_us_latino_groups_and_us_places_in_spanish_are_not_another_language(text):
    assert outside_us_evidence("someone@example.org", text) == NO_EVIDENCE


@pytest.mark.parametrize(("email", "country"), [
    ("pat@btinternet.com", "United Kingdom"), ("seamus@eircom.net", "Ireland"),
    ("liz@rogers.com", "Canada"),
])
def test_national_email_providers_name_their_country(email, country):
    assert email_country(email)[0] == country


def test_a_us_email_provider_is_us_context():
    evidence = outside_us_evidence("pat@comcast.net", "BDS France")
    assert not evidence.outside
    assert "U.S. context (.net email)" in evidence.reasons[0]


@pytest.mark.parametrize("text", [
    "Profesora, Universidad de Puerto Rico", "Guam Peace Coalition",
    "Teacher, St. Thomas, USVI", "American Samoa Community College",
])
def test_us_territories_are_us(text):
    assert not outside_us_evidence("someone@example.org", text).outside


@pytest.mark.parametrize("text", ["Al-Haq", "UAWC", "Addameer"])
def test_the_partner_organizations_the_letter_names_are_based_in_palestine(text):
    assert outside_us_evidence("someone@example.org", text).outside


@pytest.mark.parametrize("text", [
    "Dartmouth-Hitchcock Medical Center", "CAIR Philadelphia", "George Mason University",
    "UC Santa Cruz Students for Justice in Palestine", "Georgetown SJP",
])
def test_look_alikes_of_foreign_places_earn_no_flag(text):
    assert outside_us_evidence("someone@example.org", text) == NO_EVIDENCE
