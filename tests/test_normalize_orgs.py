"""Organization clustering: which spellings are one signer, and what the letter prints."""

from __future__ import annotations

import time

import pandas as pd

from sync.normalize.affiliations import canonical_affiliation
from sync.normalize.orgs import clean_org, cluster_organizations, fingerprint


def clusters_of(names: list[str], aliases: dict[str, str] | None = None) -> set[frozenset[str]]:
    found = cluster_organizations(pd.Series([clean_org(n) for n in names]), aliases)
    groups: dict[str, set[str]] = {}
    for name in names:
        groups.setdefault(found.key[clean_org(name)], set()).add(name)
    return {frozenset(group) for group in groups.values()}


def groups(*sets: set[str]) -> set[frozenset[str]]:
    return {frozenset(s) for s in sets}


def test_a_chapter_never_joins_its_parent():
    names = ["Democratic Socialists of America", "Democratic Socialists of America - Boston",
             "Democratic Socialists of America - Pittsburgh", "CAIR", "CAIR-Chicago",
             "Jewish Voice for Peace", "Jewish Voice for Peace - Chicago"]
    assert len(clusters_of(names)) == len(names)


def test_two_places_one_letter_apart_stay_apart():
    names = ["Peace Action of Bedford", "Peace Action of Medford", "Sunrise Austin",
             "Sunrise Tustin", "Berkeley Friends Meeting", "Berkley Friends Meeting"]
    assert len(clusters_of(names)) == len(names)


def test_a_misspelled_place_joins_the_place():
    names = ["Berkeley Friends Meeting", "Berkely Friends Meeting", "Tzedek Chicago",
             "Tzedek Chicgo"]
    assert clusters_of(names) == groups(set(names[:2]), set(names[2:]))


def test_chapters_one_typo_apart_stay_apart():
    names = ["Jewish Voice for Peace - Chicago", "Jewish Voice for Peace - Chico",
             "Veterans For Peace Chapter 27", "Veterans For Peace Chapter 72",
             "SEIU Local 1199", "SEIU Local 199"]
    assert len(clusters_of(names)) == len(names)


def test_acronym_in_parentheses_becomes_an_alias_for_a_later_bare_acronym():
    names = ["Friends Committee on National Legislation (FCNL)", "FCNL", "CODEPINK"]
    assert clusters_of(names) == groups({"CODEPINK"}, {names[0], "FCNL"})


def test_a_bare_acronym_joins_the_one_name_it_abbreviates():
    names = ["US Campaign for Palestinian Rights", "U.S. Campaign for Palestinian Rights",
             "USCPR"]
    assert clusters_of(names) == groups(set(names))


def test_an_ambiguous_bare_acronym_joins_nobody():
    names = ["American Muslims for Palestine", "Arab Media Project", "AMP"]
    assert len(clusters_of(names)) == 3


def test_spacing_case_and_word_order_variants_join():
    names = ["MoveOn", "Move On", "MoveOn.org", "jewish voice for peace", "JEWISH VOICE FOR PEACE",
             "Jewish Voice For Peace", "Boston DSA", "DSA Boston"]
    assert clusters_of(names) == groups(
        {"Boston DSA", "DSA Boston"},
        {"jewish voice for peace", "JEWISH VOICE FOR PEACE", "Jewish Voice For Peace"},
        {"MoveOn", "Move On", "MoveOn.org"},
    )


def test_a_typo_joins_but_a_different_word_does_not():
    names = ["American Muslims for Palestine", "Amercan Muslims for Palestine",
             "American Jews for Palestine"]
    assert clusters_of(names) == groups({"American Jews for Palestine"}, set(names[:2]))


def test_canonical_name_is_the_best_cased_most_common_spelling():
    names = pd.Series([clean_org(n) for n in [
        "JEWISH VOICE FOR PEACE", "Jewish Voice For Peace", "Jewish Voice for Peace",
        "Jewish Voice for Peace", "jvp"]])
    found = cluster_organizations(names)
    assert set(found.canonical.values()) == {"Jewish Voice for Peace"}


def test_staff_aliases_override_the_canonical_name_and_join_spellings():
    names = pd.Series(["AFSC Middle East Program", "American Friends Service Committee"])
    found = cluster_organizations(names, {
        "AFSC Middle East Program": "American Friends Service Committee (AFSC)"})
    assert set(found.canonical.values()) == {"American Friends Service Committee (AFSC)"}
    assert len(set(found.key.values())) == 1


def test_cluster_key_is_the_fingerprint_of_the_canonical_name():
    found = cluster_organizations(pd.Series(["Move On", "MoveOn", "MoveOn"]))
    assert found.key["Move On"] == fingerprint("MoveOn")


def test_an_affiliation_naming_an_organization_signer_uses_its_canonical_name():
    orgs = cluster_organizations(pd.Series([
        "Jewish Voice for Peace", "Jewish Voice for Peace", "jewish voice for peace",
        "Friends Committee on National Legislation (FCNL)"]))
    assert canonical_affiliation("JEWISH VOICE FOR PEACE", orgs) == "Jewish Voice for Peace"
    assert canonical_affiliation("Member, Jewish Voice For Peace", orgs) == \
        "Member, Jewish Voice for Peace"
    assert canonical_affiliation("FCNL", orgs) == "Friends Committee on National Legislation"
    assert canonical_affiliation("Jewish Voice for Peace - Boston", orgs) == \
        "Jewish Voice for Peace - Boston"


def test_clustering_a_hundred_thousand_responses_stays_fast():
    kinds = ["Peace Action", "Coalition for Justice", "Solidarity Network", "Friends Meeting",
             "Democratic Socialists", "Students for Justice", "Tenants Union", "Food Not Bombs",
             "Peace and Justice Center", "Interfaith Alliance"]
    letters = "bcdfghjklmnprstvwz"
    towns = [f"{a}{b}{c}ington".capitalize() for a in letters for b in "aeiou" for c in letters]
    names = [f"{kind} of {town}" for town in towns[:1000] for kind in kinds]
    started = time.perf_counter()
    found = cluster_organizations(pd.Series(names * 10))
    assert time.perf_counter() - started < 10
    assert len(set(found.key.values())) == len(set(names))


def test_an_acronym_led_chapter_joins_the_chapter_spelled_out_not_the_parent():
    names = ["Jewish Voice for Peace", "Jewish Voice for Peace - Los Angeles", "JVP Los Angeles",
             "JVP"]
    assert clusters_of(names) == groups({"Jewish Voice for Peace", "JVP"},
                                        {"Jewish Voice for Peace - Los Angeles",
                                         "JVP Los Angeles"})
