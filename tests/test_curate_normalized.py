"""Normalization as staff see it: one run from a form export to the curated tab."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from sync.config import load_job
from sync.errors import HeaderError
from sync.fields import FIELDS
from sync.pipeline import run_job

HEADERS = list(FIELDS.values())  # the seed form's question titles
CLOCK = dt.datetime(2021, 11, 1, 9, tzinfo=dt.UTC)


def response(when: str, email: str, org: str = "", scope: str = "", first: str = "",
             last: str = "", affiliation: str = "", authorized: str = "Yes") -> list[str]:
    return [when, email, org, scope, first, last, affiliation, authorized, "Yes", ""]


def job(tmp_path: Path, rows: list[list[str]], aliases: dict[str, str] | None = None) -> Path:
    with (tmp_path / "responses.csv").open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([HEADERS, *rows])
    lines = ['name = "t"', "[source]", 'kind = "csv"', 'path = "responses.csv"', "[target]",
             'kind = "workbook"', 'path = "signers.xlsx"', "[state]", 'path = "t.sqlite"']
    if aliases:
        lines += ["[aliases]", *(f'"{k}" = "{v}"' for k, v in aliases.items())]
    (tmp_path / "t.toml").write_text("\n".join(lines), encoding="utf-8")
    return tmp_path / "t.toml"


def curated(path: Path) -> pd.DataFrame:
    job_config = load_job(path)
    run_job(job_config, clock=lambda: CLOCK)
    return pd.read_excel(job_config.target.path, sheet_name="Curated Signers",
                         dtype=str).fillna("")


def orgs(tab: pd.DataFrame) -> pd.DataFrame:
    return tab[tab["Type"] == "Organization"].set_index("Name")


def test_spellings_of_one_organization_are_one_signer_and_chapters_stay_apart(tmp_path):
    tab = curated(job(tmp_path, [
        response("10/1/2021 10:00:00", "a@afsc.example.org",
                 "American Friends Service Committee", "National"),
        response("10/2/2021 10:00:00", "b@example.org",
                 "American Friends Service Committee (AFSC)", "National"),
        response("10/3/2021 10:00:00", "c@example.org", "AFSC", "Regional"),
        response("10/4/2021 10:00:00", "d@example.org", "Democratic Socialists of America",
                 "National"),
        response("10/5/2021 10:00:00", "e@example.org",
                 "Democratic Socialists of America - Boston", "Local"),
    ]))
    assert sorted(orgs(tab).index) == ["American Friends Service Committee",
                                       "Democratic Socialists of America",
                                       "Democratic Socialists of America - Boston"]
    assert orgs(tab).loc["American Friends Service Committee", "Responses"] == "3"
    assert orgs(tab).loc["American Friends Service Committee", "Scope"] == "National"


def test_a_new_spelling_keeps_the_organizations_signer_id(tmp_path):
    rows = [response("10/1/2021 10:00:00", "a@example.org",
                     "Friends Committee on National Legislation", "National")]
    first = curated(job(tmp_path, rows))
    rows += [response("10/2/2021 10:00:00", "b@example.org", "FCNL", "National"),
             response("10/3/2021 10:00:00", "c@example.org",
                      "Friends Committee on National Legislation (FCNL)", "National")]
    second = curated(job(tmp_path, rows))
    assert len(orgs(second)) == 1
    assert orgs(second)["Signer ID"].tolist() == orgs(first)["Signer ID"].tolist()


def test_job_file_aliases_and_the_aliases_tab_set_the_printed_name(tmp_path):
    path = job(tmp_path, [
        response("10/1/2021 10:00:00", "a@example.org", "JVP", "National"),
        response("10/2/2021 10:00:00", "b@example.org", "MoveOn", "National"),
    ], aliases={"JVP": "Jewish Voice for Peace"})
    book = Workbook()
    book.active.title = "Aliases"
    book.active.append(["Variant", "Canonical"])
    book.active.append(["MoveOn", "MoveOn.org Political Action"])
    book.save(tmp_path / "signers.xlsx")
    assert sorted(orgs(curated(path)).index) == ["Jewish Voice for Peace",
                                                 "MoveOn.org Political Action"]


def test_an_aliases_tab_without_its_columns_is_reported_by_name(tmp_path):
    path = job(tmp_path, [response("10/1/2021 10:00:00", "a@example.org", "JVP", "National")])
    book = Workbook()
    book.active.title = "Aliases"
    book.active.append(["From", "To"])
    book.save(tmp_path / "signers.xlsx")
    with pytest.raises(HeaderError, match=r"Aliases.*'Variant' and 'Canonical'"):
        curated(path)


def test_flags_say_why_a_signer_needs_review(tmp_path):
    tab = curated(job(tmp_path, [
        response("10/1/2021 10:00:00", "a@example.org", "CODEPINK", "International"),
        response("10/2/2021 10:00:00", "b@example.org", "Labor for Palestine", "Nation-wide",
                 authorized=""),
        response("10/3/2021 10:00:00", "c@example.org", "Tucson Peace Coalition", ""),
        response("10/4/2021 10:00:00", "d@example.ie", "Ireland-Palestine Solidarity Campaign",
                 "National"),
        response("10/5/2021 10:00:00", "e@example.com", first="Élodie", last="Girard",
                 affiliation="Lyon, France", authorized="Not applicable"),
        response("10/6/2021 10:00:00", "f@example.com", first="Kathleen", last="Fitzgerald",
                 affiliation="Dublin, Ohio", authorized="Not applicable"),
    ]))
    flags = tab.set_index("Name")["Flags"]
    assert flags["CODEPINK"] == "international scope: confirm U.S. base"
    assert flags["Labor for Palestine"] == "authorization not confirmed"
    assert flags["Tucson Peace Coalition"] == "no scope given"
    assert flags["Ireland-Palestine Solidarity Campaign"] == \
        "outside U.S.: email domain .ie (Ireland)"
    assert flags["Élodie Girard"] == "outside U.S.: Lyon (France)"
    assert flags["Kathleen Fitzgerald"] == ""
    outside = tab.set_index("Name")["Outside U.S."]
    assert outside["Ireland-Palestine Solidarity Campaign"] == "Yes"
    assert outside["CODEPINK"] == "No"
    status = tab.set_index("Name")["Status"]
    assert status["Labor for Palestine"] == "Needs review"
    assert status["Kathleen Fitzgerald"] == "Approved"


def test_an_individual_affiliation_uses_the_organization_signers_name(tmp_path):
    tab = curated(job(tmp_path, [
        response("10/1/2021 10:00:00", "a@example.org", "Jewish Voice for Peace", "National"),
        response("10/2/2021 10:00:00", "b@example.org", "Jewish Voice for Peace", "National"),
        response("10/3/2021 10:00:00", "c@example.com", first="eli", last="rosen",
                 affiliation="member, jewish voice for peace", authorized="Not applicable"),
    ]))
    people = tab[tab["Type"] == "Individual"].set_index("Name")
    assert people.loc["Eli Rosen", "Affiliation"] == "Member, Jewish Voice for Peace"


def test_the_same_person_under_two_emails_is_flagged_once(tmp_path):
    tab = curated(job(tmp_path, [
        response("10/1/2021 10:00:00", "lm@example.org", first="Lucía", last="Morales",
                 affiliation="Associate Professor of Anthropology, CUNY",
                 authorized="Not applicable"),
        response("10/2/2021 10:00:00", "lucia@cuny.example.edu", first="Dr. Lucía",
                 last="MORALES", affiliation="associate professor of anthropology, cuny",
                 authorized="Not applicable"),
        response("10/3/2021 10:00:00", "other@example.org", first="Lucía", last="Morales",
                 affiliation="Brooklyn College", authorized="Not applicable"),
    ]))
    first_id = tab.loc[tab["Email"] == "lm@example.org", "Signer ID"].item()
    flags = tab.set_index("Email")["Flags"]
    assert flags["lm@example.org"] == ""
    assert flags["lucia@cuny.example.edu"] == f"possible duplicate of {first_id}"
    assert flags["other@example.org"] == ""


def test_an_organization_answer_of_individual_signs_as_a_person(tmp_path):
    tab = curated(job(tmp_path, [
        response("10/1/2021 10:00:00", "a@example.org", "Individual", first="Ana",
                 last="Ruiz", authorized="Yes"),
        response("10/2/2021 10:00:00", "b@example.org", "Unaffiliated", first="Ben",
                 last="Ode", authorized=""),
    ]))
    assert tab["Type"].tolist() == ["Individual", "Individual"]
    assert tab["Affiliation"].tolist() == ["", ""]
