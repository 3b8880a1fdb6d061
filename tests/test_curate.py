"""Curation rules on clean responses: who signs, how answers combine, what gets flagged."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sync.curate import build_signers
from sync.fields import FIELDS
from sync.normalize import normalize_responses
from sync.signer_ids import assign_ids, registry_from_tab
from tests.conftest import response

PUBLISHED = dt.date(2021, 10, 29)


def signers_of(*rows: dict[str, str]) -> tuple[pd.DataFrame, list]:
    frame = pd.DataFrame(list(rows), columns=list(FIELDS), index=range(2, 2 + len(rows)))
    return build_signers(normalize_responses(frame), PUBLISHED)


def one(signers: pd.DataFrame, kind: str) -> pd.Series:
    rows = signers[signers["Type"] == kind]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_one_response_can_sign_for_an_organization_and_as_an_individual() -> None:
    signers, _ = signers_of(response(
        submitted_at="10/22/2021 18:02:11", email="ana@example.org",
        organization="Sunrise Movement", scope="National", first_name="Ana",
        last_name="Ruiz", affiliation="Organizer, Sunrise Movement", authorized="Yes"))
    org, person = one(signers, "Organization"), one(signers, "Individual")
    assert (org["Name"], org["Scope"], org["Affiliation"]) == ("Sunrise Movement", "National", "")
    assert (person["Name"], person["Affiliation"]) == ("Ana Ruiz", "Organizer, Sunrise Movement")
    assert person["Scope"] == ""


def test_an_organization_contact_without_affiliation_is_not_an_individual_signer() -> None:
    signers, _ = signers_of(response(
        submitted_at="10/22/2021 18:02:11", email="ana@example.org",
        organization="Sunrise Movement", scope="National", first_name="Ana",
        last_name="Ruiz", authorized="Yes"))
    assert signers["Type"].tolist() == ["Organization"]


def test_signing_as_an_individual_lists_the_organization_as_affiliation() -> None:
    signers, _ = signers_of(response(
        submitted_at="10/22/2021 18:02:11", email="ana@example.org",
        organization="Rutgers University", first_name="Ana", last_name="Ruiz",
        authorized="Not applicable - signing as an individual"))
    person = one(signers, "Individual")
    assert person["Affiliation"] == "Rutgers University"
    assert "Organization" not in set(signers["Type"])


def test_the_same_email_answering_twice_counts_once_with_the_latest_answer() -> None:
    signers, _ = signers_of(
        response(submitted_at="10/22/2021 18:02:11", email="Farah@Example.org ",
                 first_name="Farrah", last_name="Haddad", affiliation="Profesor, Universty"),
        response(submitted_at="11/02/2021 09:00:00", email="farah@example.org",
                 first_name="Farah", last_name="Haddad", affiliation="Professor, University"),
    )
    person = one(signers, "Individual")
    assert person["Name"] == "Farah Haddad"
    assert person["Affiliation"] == "Professor, University"
    assert person["Responses"] == 2
    assert person["Email"] == "farah@example.org"
    assert person["First Signed"] == "2021-10-22T18:02:11"
    assert person["Last Updated"] == "2021-11-02T09:00:00"
    assert person["Late Signer"] == "No"  # first signed before publication


def test_organization_names_differing_in_case_spacing_punctuation_are_one_signer() -> None:
    variants = ["Jewish Voice for Peace", "JEWISH VOICE FOR PEACE", "jewish  voice for peace.",
                "Jewish Voice For Peace"]
    signers, _ = signers_of(*[
        response(submitted_at=f"11/0{i + 1}/2021 10:00:00", email=f"p{i}@example.org",
                 organization=name, scope="National", authorized="Yes")
        for i, name in enumerate(variants)
    ])
    org = one(signers, "Organization")
    assert org["Name"] == "Jewish Voice for Peace"
    assert org["Responses"] == 4
    assert org["Email"] == "p0@example.org; p1@example.org; p2@example.org; p3@example.org"
    assert org["Late Signer"] == "Yes"


def test_a_chapter_stays_separate_from_its_parent() -> None:
    signers, _ = signers_of(
        response(submitted_at="10/20/2021 10:00:00", email="a@example.org",
                 organization="Democratic Socialists of America", authorized="Yes"),
        response(submitted_at="10/21/2021 10:00:00", email="b@example.org",
                 organization="Democratic Socialists of America - Boston", authorized="Yes"),
    )
    assert sorted(signers["Name"]) == ["Democratic Socialists of America",
                                       "Democratic Socialists of America - Boston"]


def test_unconfirmed_authorization_and_missing_scope_start_as_needs_review() -> None:
    signers, _ = signers_of(response(submitted_at="10/20/2021 10:00:00", email="a@example.org",
                                     organization="Sunrise Movement", authorized="No"))
    org = one(signers, "Organization")
    assert org["Flags"] == "authorization not confirmed; no scope given"
    assert org["_default"] == "Needs review"


def test_blank_and_test_responses_are_skipped_with_reasons() -> None:
    signers, skipped = signers_of(
        response(submitted_at="10/20/2021 10:00:00", email="a@example.org"),
        response(submitted_at="10/20/2021 10:01:00", email="t@example.org", organization="test",
                 first_name="asdf"),
        response(submitted_at="10/20/2021 10:02:00", email="ok@example.org", first_name="Ok",
                 last_name="Person"),
    )
    assert [(s.row, s.reason) for s in skipped] == [
        (2, "no organization or name given"), (3, "looks like a test entry")]
    assert signers["Name"].tolist() == ["Ok Person"]


def test_signer_ids_stay_when_a_better_spelling_arrives() -> None:
    first, _ = signers_of(response(submitted_at="10/20/2021 10:00:00", email="a@example.org",
                                   organization="SUNRISE MOVEMENT", authorized="Yes"))
    assignment = assign_ids(first, {})
    assert assignment.ids == ["ORG-0001"]

    later, _ = signers_of(
        response(submitted_at="10/19/2021 09:00:00", email="z@example.org",
                 organization="Zeta Collective", authorized="Yes"),
        response(submitted_at="10/20/2021 10:00:00", email="a@example.org",
                 organization="SUNRISE MOVEMENT", authorized="Yes"),
        response(submitted_at="10/21/2021 10:00:00", email="b@example.org",
                 organization="Sunrise Movement", authorized="Yes"),
        response(submitted_at="10/21/2021 10:00:00", email="b@example.org",
                 organization="Sunrise Movement", authorized="Yes"),
    )
    again = assign_ids(later, assignment.registry)
    ids = dict(zip(later["Name"], again.ids, strict=True))
    assert ids == {"Sunrise Movement": "ORG-0001", "Zeta Collective": "ORG-0002"}


def test_signer_ids_are_recovered_from_the_tab_when_state_is_lost() -> None:
    signers, _ = signers_of(
        response(submitted_at="10/20/2021 10:00:00", email="a@example.org",
                 organization="Sunrise Movement", authorized="Yes"),
        response(submitted_at="10/21/2021 10:00:00", email="b@example.org", first_name="Bo",
                 last_name="Chen"),
    )
    tab = pd.DataFrame({"Signer ID": ["ORG-0007", "IND-0042"],
                        "Name": ["Sunrise Movement", "Bo Chen"],
                        "Email": ["a@example.org", "b@example.org"]})
    assignment = assign_ids(signers, registry_from_tab(tab), set(tab["Signer ID"]))
    assert dict(zip(signers["Name"], assignment.ids, strict=True)) == {
        "Sunrise Movement": "ORG-0007", "Bo Chen": "IND-0042"}


def test_test_entries_written_as_a_sentence_are_skipped() -> None:
    signers, skipped = signers_of(
        response(submitted_at="10/20/2021 10:00:00", email="t1@example.org",
                 organization="Test entry, please delete", first_name="Test"),
        response(submitted_at="10/20/2021 10:01:00", email="t2@example.org",
                 organization="this is just a test"),
        response(submitted_at="10/20/2021 10:02:00", email="ok@example.org",
                 organization="Please Delete the Debt Coalition"),
    )
    assert [(s.row, s.reason) for s in skipped] == [
        (2, "looks like a test entry"), (3, "looks like a test entry")]
    assert signers["Name"].tolist() == ["Please Delete the Debt Coalition"]


def test_any_sign_of_a_base_abroad_sends_the_signer_to_review_with_its_reason() -> None:
    signers, _ = signers_of(
        response(submitted_at="10/20/2021 10:00:00", email="a@example.org",
                 first_name="Huda", last_name="Saleh", affiliation="Pharmacist, Nablus"),
        response(submitted_at="10/20/2021 10:01:00", email="b@example.org",
                 organization="Collectif Juif pour la Paix", scope="National",
                 authorized="Yes"),
        response(submitted_at="10/20/2021 10:02:00", email="c@example.org",
                 organization="Sunrise Movement", scope="Other: Saskatchewan", authorized="Yes"),
    )
    person = one(signers, "Individual")
    assert (person["Outside U.S."], person["_default"]) == ("Yes", "Needs review")
    assert "Nablus (Palestine)" in person["Flags"]
    orgs = signers[signers["Type"] == "Organization"].set_index("Name")
    assert orgs.at["Collectif Juif pour la Paix", "Outside U.S."] == "No"
    assert "name in another language" in orgs.at["Collectif Juif pour la Paix", "Flags"]
    assert orgs.at["Collectif Juif pour la Paix", "_default"] == "Needs review"
    assert orgs.at["Sunrise Movement", "Outside U.S."] == "Yes"
    assert "Saskatchewan (Canada)" in orgs.at["Sunrise Movement", "Flags"]
