"""The structure of organization names: parent and chapter, acronym definitions, words
that do not change identity, suggestions, the printed name. Cases are made up for these
tests (not the ruler's), each with look-alikes that must stay apart."""

from __future__ import annotations

import pandas as pd

from sync.normalize.acronyms import abbreviates, acronym_letters
from sync.normalize.org_parse import parse_org
from sync.normalize.orgs import clean_org, cluster_organizations
from tests.test_curate_normalized import curated, job, response
from tests.test_normalize_orgs import clusters_of, groups


def test_an_acronym_abbreviates_words_skipping_small_words_and_hyphen_parts():
    assert abbreviates("TWU", ["Transport", "Workers", "Union"])
    assert abbreviates("AMEC", ["Asian-Muslim", "Education", "Collective"])
    assert abbreviates("Y4J", ["Youth", "for", "Justice"])
    assert abbreviates("FOTE", ["Friends", "of", "the", "Earth"])
    assert not abbreviates("TWU", ["Transport", "Workers", "United", "Union"])
    assert not abbreviates("FOTE", ["Friends", "of", "Earth"])
    assert acronym_letters("N.L.R.B.") == "NLRB"
    assert acronym_letters("MEChXA") == "MECHXA"
    assert acronym_letters("Peace") == ""


def test_a_definition_in_parentheses_or_after_a_dash_is_the_names_acronym():
    assert parse_org("Transport Workers Union (TWU)").acronym == "TWU"
    assert parse_org("TWU (Transport Workers Union)").display == "Transport Workers Union"
    assert parse_org("GPC - Grassroots Peace Collective").display == "Grassroots Peace Collective"
    # a place or a former name in parentheses only describes the name
    described = parse_org("Grassroots Peace Collective (Dayton, OH)")
    assert (described.display, described.acronym) == ("Grassroots Peace Collective", "")


def test_words_that_do_not_change_identity_are_left_out():
    same = ["Riverbend Tenants Union, Inc.", "The Riverbend Tenants Union",
            "Riverbend Tenants Union (formerly Riverbend Renters)",
            "Riverbend Tenants Union, Dayton OH", "Riverbend Tenants Union: organizing since 1990"]
    assert clusters_of(same) == groups(set(same))


def test_a_local_number_in_any_order_is_one_local_and_never_another():
    names = ["IBEW Local 46", "IBEW 46", "Local 46 IBEW", "IBEW Local 64", "IBEW"]
    assert clusters_of(names) == groups({"IBEW Local 46", "IBEW 46", "Local 46 IBEW"},
                                        {"IBEW Local 64"}, {"IBEW"})


def test_a_chapter_in_any_order_joins_its_spelled_out_form_never_the_parent_or_a_sibling():
    names = ["Sunrise Alliance for Change", "Sunrise Alliance for Change, Denver Chapter",
             "Denver SAFC", "SAFC Denver", "SAFC - Denver", "SAFC Boulder",
             "Sunrise Alliance for Change - Boulder", "SAFC"]
    assert clusters_of(names) == groups(
        {"Sunrise Alliance for Change", "SAFC"},
        {"Sunrise Alliance for Change, Denver Chapter", "Denver SAFC", "SAFC Denver",
         "SAFC - Denver"},
        {"SAFC Boulder", "Sunrise Alliance for Change - Boulder"})


def test_a_campus_group_by_its_acronym_joins_the_same_campus_only():
    names = ["Students for Climate Justice at Tufts University", "Tufts SCJ", "SCJ Tufts",
             "SCJ at Brandeis", "Students for Climate Justice at Brandeis University"]
    assert clusters_of(names) == groups(
        {"Students for Climate Justice at Tufts University", "Tufts SCJ", "SCJ Tufts"},
        {"SCJ at Brandeis", "Students for Climate Justice at Brandeis University"})


def test_an_acronym_defined_in_one_answer_is_read_in_another():
    names = ["Gulf Coast Workers Alliance of Mississippi (GCWA)", "GCWA", "GCWA Biloxi"]
    assert clusters_of(names) == groups(
        {"Gulf Coast Workers Alliance of Mississippi (GCWA)", "GCWA"}, {"GCWA Biloxi"})


def test_an_acronym_of_two_organizations_joins_neither_and_is_suggested():
    names = ["Peace Action Network", "Prairie Arts Network", "PAN"]
    found = cluster_organizations(pd.Series([clean_org(n) for n in names]))
    assert len(set(found.key.values())) == 3
    pan = found.key["PAN"]
    assert found.near[pan] == {found.key["Peace Action Network"], found.key["Prairie Arts Network"]}


def test_a_city_short_form_or_postal_code_is_the_place():
    names = ["Tenant Power NOLA", "Tenant Power New Orleans", "Housing Now NY",
             "Housing Now New York", "Tenant Power ATL"]
    assert clusters_of(names) == groups({"Tenant Power NOLA", "Tenant Power New Orleans"},
                                        {"Housing Now NY", "Housing Now New York"},
                                        {"Tenant Power ATL"})


def test_a_country_after_the_name_joins_it_unless_two_countries_are_in_use():
    assert clusters_of(["Oxfam Solidarity", "Oxfam Solidarity Ireland"]) == groups(
        {"Oxfam Solidarity", "Oxfam Solidarity Ireland"})
    assert len(clusters_of(["Boycott Now", "Boycott Now France", "Boycott Now Italy"])) == 3


def test_short_names_one_letter_apart_stay_apart_and_long_typos_join():
    assert len(clusters_of(["Arab Youth Hub", "Arab Youth Hug"])) == 2
    assert len(clusters_of(["Interfaith Coalition for Refugees",
                            "Interfaith Coaliton for Refugees"])) == 1


def test_near_matches_are_suggested_but_chapters_and_locals_are_not():
    names = ["Beth Shalom Havurah", "Beth Shalom Havurah Congregation", "Harbor Workers Union",
             "Harbor Workers Union 12", "Justice Circle", "Justice Circle Seattle"]
    found = cluster_organizations(pd.Series(names))
    key = found.key
    assert found.near[key["Beth Shalom Havurah"]] == {key["Beth Shalom Havurah Congregation"]}
    assert key["Harbor Workers Union"] not in found.near
    assert key["Justice Circle"] not in found.near


def test_the_printed_name_is_the_full_name_not_its_acronym_or_a_chapter_shorthand():
    found = cluster_organizations(pd.Series([
        "Denver SAFC", "Sunrise Alliance for Change, Denver Chapter", "Denver SAFC"]))
    assert set(found.canonical.values()) == {"Sunrise Alliance for Change, Denver Chapter"}
    found = cluster_organizations(pd.Series(["TWU", "Transport Workers Union (TWU)", "TWU"]))
    assert set(found.canonical.values()) == {"Transport Workers Union"}
    found = cluster_organizations(pd.Series(["Union Campesina de Oaxaca",
                                             "Unión Campesina de Oaxaca"]))
    assert set(found.canonical.values()) == {"Unión Campesina de Oaxaca"}


def test_two_organizations_probably_one_are_both_flagged_and_wait_for_review(tmp_path):
    tab = curated(job(tmp_path, [
        response("10/1/2021 10:00:00", "a@example.org", "Beth Shalom Havurah", "Local",
                 authorized="Yes"),
        response("10/2/2021 10:00:00", "b@example.org", "Beth Shalom Havurah Congregation",
                 "Local", authorized="Yes"),
        response("10/3/2021 10:00:00", "c@example.org", "Harbor Workers Union", "Local",
                 authorized="Yes"),
    ]))
    rows = tab.set_index("Name")
    first, second = (rows.loc[n, "Signer ID"] for n in (
        "Beth Shalom Havurah", "Beth Shalom Havurah Congregation"))
    assert rows.loc["Beth Shalom Havurah", "Flags"] == \
        f"possible duplicate of {second}: Beth Shalom Havurah Congregation"
    assert rows.loc["Beth Shalom Havurah Congregation", "Flags"] == \
        f"possible duplicate of {first}: Beth Shalom Havurah"
    assert set(rows.loc[["Beth Shalom Havurah", "Beth Shalom Havurah Congregation"],
                        "Status"]) == {"Needs review"}
    assert rows.loc["Harbor Workers Union", "Status"] == "Approved"


def test_confirming_a_suggestion_with_an_alias_makes_one_signer_from_the_next_run(tmp_path):
    rows = [response("10/1/2021 10:00:00", "a@example.org", "Beth Shalom Havurah", "Local",
                     authorized="Yes"),
            response("10/2/2021 10:00:00", "b@example.org", "Beth Shalom Havurah Congregation",
                     "Local", authorized="Yes")]
    before = curated(job(tmp_path, rows))
    assert len(before) == 2
    first_id = before.loc[before["Name"] == "Beth Shalom Havurah", "Signer ID"].item()
    after = curated(job(tmp_path, rows, aliases={
        "Beth Shalom Havurah": "Beth Shalom Havurah Congregation"}))
    assert after["Name"].tolist() == ["Beth Shalom Havurah Congregation"]
    assert after["Signer ID"].tolist() == [first_id]
    assert after["Flags"].tolist() == [""]


def test_one_organizational_email_domain_joins_an_acronym_the_names_leave_ambiguous():
    names = ["Harbor Light Collective", "Hope Lives Coalition", "HLC", "HLC Memphis",
             "Harbor Light Collective Memphis"]
    alone = cluster_organizations(names)
    assert alone.key["HLC"] not in {alone.key["Harbor Light Collective"],
                                    alone.key["Hope Lives Coalition"]}
    same_domain = ["harborlight.org", "hopelives.org", "harborlight.org", "harborlight.org",
                   "gmail.com"]
    found = cluster_organizations(names, domains=same_domain)
    assert found.key["HLC"] == found.key["Harbor Light Collective"]
    assert found.key["HLC Memphis"] != found.key["HLC"]  # a chapter on its parent's domain
    personal = cluster_organizations(names, domains=["gmail.com"] * len(names))
    assert personal.key["HLC"] not in {personal.key["Harbor Light Collective"],
                                       personal.key["Hope Lives Coalition"]}


def test_a_short_name_typed_in_capitals_keeps_its_acronyms():
    assert clean_org("UTEP SJP") == "UTEP SJP"
    assert clean_org("GEO 3550") == "GEO 3550"
    assert clean_org("DREAM DEFENDERS") == "Dream Defenders"
    assert clean_org("CAIR OHIO") == "CAIR Ohio"
    assert clean_org("JEWISH VOICE FOR PEACE") == "Jewish Voice for Peace"


def test_an_acronym_joined_by_its_domain_does_not_also_join_the_other_name_it_fits():
    names = ["Harbor Light Collective", "Hope Lives Coalition", "HLC"]
    found = cluster_organizations(names, domains=["harborlight.org", "hope.org",
                                                  "harborlight.org"])
    assert found.key["HLC"] == found.key["Harbor Light Collective"]
    assert found.key["Hope Lives Coalition"] != found.key["HLC"]


def test_numbered_names_on_one_domain_stay_apart():
    names = ["Group 1 for Peace", "Group 3 for Peace", "Teamsters Local 32", "Teamsters Local 23"]
    found = cluster_organizations(names, domains=["example.org"] * 4)
    assert len(set(found.key.values())) == 4
