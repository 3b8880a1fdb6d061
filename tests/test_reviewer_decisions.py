"""How reviewer decisions are read back from the curated tab (issues 12 and 13).

A Status that is not one of the three values is never silently reset; staff correct the
printed name and affiliation in Listed As; a stale copy saved over the file, or a state
file lost, never turns the tool's own default into a reviewer's approval: no outside-U.S.
signer reaches the Letter List that way."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sync.cli import main
from sync.render.letter import letter_list
from sync.review import Decision, merge_decisions
from sync.status_text import read_status
from tests.conftest import response
from tests.harness import at, count, run
from tests.signers import curated, person

CURATED = "Curated Signers"
LETTER = "Letter List"

SUNRISE = response(submitted_at="10/20/2021 10:00:00", email="a@sunrise.example",
                   organization="Sunrise Movement", scope="National", authorized="Yes")
HARBOR = response(submitted_at="10/20/2021 11:00:00", email="h@harbor.example",  # no scope
                  organization="Harbor Union", authorized="Yes")
JVP = response(submitted_at="10/21/2021 10:00:00", email="jvp@example.org",
               organization="Jewish Voice for Peace", scope="National", authorized="Yes")
JANE = response(submitted_at="10/21/2021 11:00:00", email="jane@example.edu",
                first_name="Jane", last_name="Doe", affiliation="Columbia University")
ZED = response(submitted_at="10/21/2021 12:00:00", email="zed@example.edu",
               first_name="Zed", last_name="Adams", affiliation="Barnard College")
FIRST = [SUNRISE, HARBOR, JVP, JANE, ZED]


def rows(kit: Any) -> dict[str, dict[str, str]]:
    header, *values = kit.tab(CURATED)
    return {row[header.index("Name")]: dict(zip(header, row, strict=True)) for row in values}


def printed(kit: Any) -> list[str]:
    return [line for _, line in kit.tab(LETTER)[1:]]


def edit(kit: Any, name: str, column: str, value: str) -> None:
    header, *values = kit.tab(CURATED)
    kit.edit(CURATED, [r[header.index("Name")] for r in values].index(name), column, value)


# --- a Status that is not one of the three values -----------------------------------------

@pytest.mark.parametrize(("typed", "meant"), [
    ("Aproved", "Approved"), ("approve", "Approved"), ("Exclude", "Excluded"),
    ("Excluded.", "Excluded"), ("needs-review", "Needs review"), ("Exlcuded", "Excluded"),
])
def test_a_near_miss_reads_as_the_value_meant(typed: str, meant: str) -> None:
    assert read_status(typed) == meant


@pytest.mark.parametrize("typed", ["Rejected", "ok", "Unapproved", "Approval", "Approved?",
                                   "yes", "Ex"])
def test_text_that_could_mean_anything_is_not_read_as_a_status(typed: str) -> None:
    assert read_status(typed) is None


def test_a_typo_approving_a_flagged_signer_approves_it_and_says_so(backend: Any) -> None:
    count("reviewer decisions")
    job = backend.job(FIRST)
    run(job, clock=lambda: at(1))
    assert rows(backend)["Harbor Union"]["Status"] == "Needs review"  # no scope given
    edit(backend, "Harbor Union", "Status", "Aproved")
    edit(backend, "Sunrise Movement", "Status", "Exclude")

    result = run(job, clock=lambda: at(1, 10))

    table = rows(backend)
    assert table["Harbor Union"]["Status"] == "Approved"
    assert table["Sunrise Movement"]["Status"] == "Excluded"
    assert "Harbor Union" in printed(backend)
    assert "Sunrise Movement" not in printed(backend)
    harbor, sunrise = table["Harbor Union"]["Signer ID"], table["Sunrise Movement"]["Signer ID"]
    assert f'{harbor}: Status "Aproved" read as "Approved"' in "\n".join(result.messages)
    assert f'{sunrise}: Status "Exclude" read as "Excluded"' in "\n".join(result.messages)
    later = run(job, clock=lambda: at(1, 11))  # then stable: the decisions stay, said once
    assert rows(backend)["Harbor Union"]["Status"] == "Approved"
    assert rows(backend)["Sunrise Movement"]["Status"] == "Excluded"
    assert later.messages == [] and not later.wrote


@pytest.mark.parametrize("typed", ["Rejected", "ok"])
def test_a_status_not_understood_stays_as_typed_and_off_the_letter(backend: Any,
                                                                     typed: str) -> None:
    count("reviewer decisions")
    job = backend.job(FIRST)
    run(job, clock=lambda: at(1))
    assert "Jewish Voice for Peace" in printed(backend)
    edit(backend, "Jewish Voice for Peace", "Status", typed)

    for hour in (10, 11):  # and the next run too: never reset
        result = run(job, clock=lambda hour=hour: at(1, hour))
        jvp = rows(backend)["Jewish Voice for Peace"]
        assert jvp["Status"] == typed
        assert f'Status not understood: "{typed}"' in jvp["Flags"]
        assert "Jewish Voice for Peace" not in printed(backend)
        assert result.needs_review == 2  # Harbor Union (no scope) and this one
        assert f'{jvp["Signer ID"]}: Status "{typed}" not understood' in "\n".join(
            result.messages)
    assert not result.wrote  # the second run found the tab as it would write it

    edit(backend, "Jewish Voice for Peace", "Status", "Excluded")
    run(job, clock=lambda: at(1, 12))
    assert rows(backend)["Jewish Voice for Peace"]["Status"] == "Excluded"
    assert "not understood" not in rows(backend)["Jewish Voice for Peace"]["Flags"]


@pytest.fixture
def cli_logs() -> Iterator[None]:
    """The CLI points the `sync` logger at the test's captured stderr: put it back after."""
    logger = logging.getLogger("sync")
    saved = logger.handlers[:], logger.propagate, logger.level
    yield
    logger.handlers[:], logger.propagate = saved[0], saved[1]
    logger.setLevel(saved[2])


@pytest.mark.usefixtures("cli_logs")
def test_the_run_prints_which_signer_had_a_status_not_understood(
        backend: Any, capsys: pytest.CaptureFixture[str]) -> None:
    count("reviewer decisions")
    run(backend.job(FIRST), clock=lambda: at(1))
    edit(backend, "Jewish Voice for Peace", "Status", "Rejected")
    signer_id = rows(backend)["Jewish Voice for Peace"]["Signer ID"]

    assert main(["run", str(backend.folder / "jobs" / "test.toml")]) == 0

    captured = capsys.readouterr()
    assert f'{signer_id}: Status "Rejected" not understood' in captured.err
    assert "2 need review" in captured.out


# --- Listed As: the printed name and affiliation ----------------------------------------

@pytest.mark.parametrize(("listed_as", "line"), [
    ("", "Jane Doe, Columbia University*"),
    ("Dr. Jane Doe", "Dr. Jane Doe, Columbia University*"),
    ("Jane Doe, Columbia University", "Jane Doe, Columbia University*"),
    ("Jane Doe, Columbia University*", "Jane Doe, Columbia University*"),
    ("Jane Doe, Barnard College", "Jane Doe, Barnard College*"),
    ("Jane Doe,", "Jane Doe"),
    ("Jane Doe, Jr.", "Jane Doe, Jr., Columbia University*"),
    ("Jane Doe, PhD, Teachers College", "Jane Doe, PhD, Teachers College*"),
])
def test_listed_as_sets_the_printed_line_without_printing_an_affiliation_twice(
        listed_as: str, line: str) -> None:
    letter = letter_list(curated(person("IND-0001", "Jane Doe", "Columbia University",
                                        sort="doe jane", listed_as=listed_as)))
    assert letter.individuals == [line]


def test_a_listed_as_with_an_affiliation_sorts_by_the_surname_of_its_name() -> None:
    letter = letter_list(curated(
        person("IND-0001", "Ann Baker", "Tufts", sort="baker ann"),
        person("IND-0002", "Zed Adams", "Barnard College", sort="adams zed",
               listed_as="Zed Carter, Barnard College"),
        person("IND-0003", "Jane Doe", "Columbia University", sort="doe jane",
               listed_as="Jane Abbott, Columbia University"),
    ))
    assert letter.individuals == ["Jane Abbott, Columbia University*", "Ann Baker, Tufts*",
                                  "Zed Carter, Barnard College*"]


def test_staff_correct_name_and_affiliation_on_the_letter_tab_and_file(backend: Any) -> None:
    count("reviewer decisions")
    job = backend.job(FIRST)
    run(job, clock=lambda: at(1))
    edit(backend, "Jane Doe", "Listed As", "Jane Doe, Columbia University")
    edit(backend, "Zed Adams", "Listed As", "Prof. Zed Adams, Barnard College of Columbia")

    result = run(job, clock=lambda: at(1, 10), with_digest=True)

    people = printed(backend)[-3:-1]
    assert people == ["Prof. Zed Adams, Barnard College of Columbia*",
                      "Jane Doe, Columbia University*"]
    text = Path(result.letter_file or job.digest_dir / "test-letter-list.txt").read_text()
    assert "\n".join(people) in text
    assert "Columbia University, Columbia University" not in text
    digest = Path(result.digest_file or "").read_text()  # its new individuals, printed so
    assert "- Jane Doe, Columbia University\n" in digest
    assert "Columbia University, Columbia University" not in digest
    assert rows(backend)["Jane Doe"]["Listed As"] == "Jane Doe, Columbia University"


# --- a stale copy saved over the file -----------------------------------------------------

def save_stale_copy(kit: Any, copy: Any) -> None:
    """Put `copy` (from `take_copy`) back over the spreadsheet: an old download saved over
    the workbook, or another editor pasting their old copy of the tab into the sheet."""
    if kit.name == "workbook":
        shutil.copyfile(copy, kit.path)
    else:
        kit.server.set_values(kit.key, CURATED, "A1", copy)


def take_copy(kit: Any, folder: Path) -> Any:
    if kit.name == "workbook":
        return shutil.copyfile(kit.path, folder / "old-download.xlsx")
    return kit.tab(CURATED)


INTERNATIONAL = response(submitted_at="11/02/2021 10:00:00", email="b@sunrise.example",
                         organization="Sunrise Movement", scope="International",
                         authorized="Yes")


def test_a_stale_copy_never_brings_back_the_tools_old_default_as_a_decision(
        backend: Any, tmp_path: Path) -> None:
    count("reviewer decisions")
    run(backend.job(FIRST), clock=lambda: at(1))
    edit(backend, "Harbor Union", "Status", "Approved")  # a reviewer approves a flagged one
    run(backend.job(FIRST), clock=lambda: at(1, 10))
    copy = take_copy(backend, tmp_path)
    job = backend.job([*FIRST, INTERNATIONAL])  # Sunrise is flagged now
    run(job, clock=lambda: at(2))
    assert rows(backend)["Sunrise Movement"]["Status"] == "Needs review"

    save_stale_copy(backend, copy)
    assert rows(backend)["Sunrise Movement"]["Status"] == "Approved"
    run(job, clock=lambda: at(2, 10))

    table = rows(backend)
    assert table["Sunrise Movement"]["Status"] == "Needs review"
    assert "international scope" in table["Sunrise Movement"]["Flags"]
    assert "Sunrise Movement" not in printed(backend)
    assert table["Harbor Union"]["Status"] == "Approved"  # the reviewer's, in the copy too
    assert table["Jewish Voice for Peace"]["Status"] == "Approved"


def test_a_stale_copy_saved_while_flags_cleared_lets_the_status_follow_them(
        backend: Any, tmp_path: Path) -> None:
    count("reviewer decisions")
    job = backend.job([*FIRST, INTERNATIONAL])
    run(job, clock=lambda: at(2))
    copy = take_copy(backend, tmp_path)  # Sunrise: international scope, Needs review
    job = backend.job(FIRST)  # the international answer was deleted from the form
    run(job, clock=lambda: at(2, 10))
    assert rows(backend)["Sunrise Movement"]["Status"] == "Approved"

    save_stale_copy(backend, copy)
    run(job, clock=lambda: at(2, 11))

    assert rows(backend)["Sunrise Movement"]["Status"] == "Approved"
    assert "Sunrise Movement" in printed(backend)


# --- the state file lost, then new responses ------------------------------------------------

IRISH = [
    response(submitted_at=f"11/0{2 + n}/2021 10:00:00", email=f"{who.lower()}@ipsc.ie",
             first_name=who, last_name="Walsh",
             affiliation="Ireland-Palestine Solidarity Campaign")
    for n, who in enumerate(["Niamh", "Sean", "Aoife"])
] + [
    response(submitted_at="11/05/2021 10:00:00", email="info@ipsc.ie",
             organization="Ireland-Palestine Solidarity Campaign", scope="National",
             authorized="Yes"),
    # existing signers answering again, or joined from Ireland
    response(submitted_at="11/05/2021 11:00:00", email="jane@example.edu",
             first_name="Jane", last_name="Doe",
             affiliation="Ireland-Palestine Solidarity Campaign"),
    response(submitted_at="11/05/2021 12:00:00", email="dublin@sunrise.ie",
             organization="Sunrise Movement", scope="National", authorized="Yes"),
    response(submitted_at="11/05/2021 13:00:00", email="cork@harbor.ie",
             organization="Harbor Union", authorized="Yes"),
]


def lose_state(path: Path, how: str) -> None:
    if how == "deleted":
        path.unlink()
    else:
        path.write_bytes(b"")


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_without_state_new_outside_us_signers_never_reach_the_letter(backend: Any,
                                                                     how: str) -> None:
    count("reviewer decisions")
    job = backend.job(FIRST)
    run(job, clock=lambda: at(1))
    edit(backend, "Harbor Union", "Status", "Approved")
    edit(backend, "Harbor Union", "Reviewer Note", "called them: U.S. union")
    edit(backend, "Harbor Union", "Listed As", "Harbor Union Local 7")
    edit(backend, "Jewish Voice for Peace", "Status", "Excluded")
    run(job, clock=lambda: at(1, 10))
    lose_state(job.state_path, how)

    result = run(backend.job(FIRST + IRISH), clock=lambda: at(6))

    table = rows(backend)
    outside = [name for name, row in table.items() if "outside U.S." in row["Flags"]]
    assert len(outside) == 7
    assert all(table[name]["Status"] == "Needs review" for name in outside)
    letter = "\n".join(printed(backend))
    for name in outside:
        assert name not in letter
    assert "Ireland" not in letter and "Harbor Union" not in letter
    harbor = table["Harbor Union"]  # approved before the .ie answer: re-opened, note kept
    assert (harbor["Reviewer Note"], harbor["Listed As"]) == ("called them: U.S. union",
                                                             "Harbor Union Local 7")
    assert table["Jewish Voice for Peace"]["Status"] == "Excluded"
    assert table["Zed Adams"]["Status"] == "Approved"
    reopened = [m for m in result.messages if "re-opened" in m]
    assert len(reopened) == 1 and "1 approval(s)" in reopened[0]
    assert harbor["Signer ID"] in reopened[0] and "state file" in reopened[0]


def test_without_state_an_approval_of_unchanged_flags_is_kept(backend: Any) -> None:
    count("reviewer decisions")
    job = backend.job(FIRST)
    run(job, clock=lambda: at(1))
    edit(backend, "Harbor Union", "Status", "Approved")
    run(job, clock=lambda: at(1, 10))
    job.state_path.unlink()

    result = run(backend.job([*FIRST, *IRISH[:3]]), clock=lambda: at(6))

    assert rows(backend)["Harbor Union"]["Status"] == "Approved"
    assert "Harbor Union" in printed(backend)
    assert not [m for m in result.messages if "re-opened" in m]


def test_with_state_an_approval_survives_new_flags(backend: Any) -> None:
    count("reviewer decisions")
    job = backend.job(FIRST)
    run(job, clock=lambda: at(1))
    edit(backend, "Harbor Union", "Status", "Approved")
    run(job, clock=lambda: at(1, 10))

    run(backend.job(FIRST + IRISH), clock=lambda: at(6))

    assert rows(backend)["Harbor Union"]["Status"] == "Approved"
    assert rows(backend)["Sunrise Movement"]["Status"] == "Needs review"


# --- the rule itself, on one signer ---------------------------------------------------------

def settled(tab: Decision, remembered: Decision | None, flags: str) -> str:
    signers = pd.DataFrame({"Signer ID": ["ORG-0001"], "Flags": [flags],
                            "_default": ["Needs review" if flags else "Approved"]})
    merged, _ = merge_decisions(signers, ["ORG-0001"], {"ORG-0001": tab},
                                {"ORG-0001": remembered} if remembered else {})
    return str(merged["Status"][0])


def test_a_row_showing_the_default_its_flags_imply_is_the_tools() -> None:
    stale = Decision(status="Approved", flags="")  # written before the signer was flagged
    assert settled(stale, None, "no scope given") == "Needs review"
    tool_wrote = Decision(status="Approved", computed="Approved")
    assert settled(stale, tool_wrote, "no scope given") == "Needs review"


def test_the_state_vouches_for_a_reviewer_who_chose_what_looks_like_a_default() -> None:
    stale = Decision(status="Approved", flags="")
    reviewer_chose = Decision(status="Approved", computed="Needs review")
    assert settled(stale, reviewer_chose, "no scope given") == "Approved"


def test_statuses_no_default_would_show_are_a_reviewers_with_or_without_state() -> None:
    for remembered in (None, Decision(status="Approved", computed="Approved")):
        assert settled(Decision(status="Needs review", flags=""), remembered, "") == (
            "Needs review")
        assert settled(Decision(status="Excluded", flags=""), remembered, "") == "Excluded"
        assert settled(Decision(status="Approved", flags="no scope given"), remembered,
                       "no scope given") == "Approved"
