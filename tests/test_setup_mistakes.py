"""Setup mistakes a newcomer makes, made the way they make them, against an .xlsx workbook
and a Google spreadsheet on the fake Sheets server: an edited question title, two Email
Address columns, a copied job file, a tab name typed in another case, a missing response
tab, a renamed curated tab. Each is either handled (the same result as without the
mistake) or stopped with exit 2 and a message naming what to change, nothing written."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sync import scheduler
from sync.backends.base import cell_text
from sync.cli import main
from sync.config import load_job
from sync.fields import FIELDS
from sync.scheduler import Worker
from sync.testing.fake_sheets import gspread_client
from tests.conftest import response, write_job
from tests.google_support import GOOGLE_JOB
from tests.harness import count

REPO = Path(__file__).parents[1]
FORM = "Form Responses 1"
CURATED = "Curated Signers"
AUTHORIZED = FIELDS["authorized"]

ORG = response(submitted_at="10/20/2021 10:00:00", email="ana@example.org",
               organization="Jewish Voice for Peace", scope="National", authorized="Yes")
PERSON = response(submitted_at="10/21/2021 10:00:00", email="bo@example.org", first_name="Bo",
                  last_name="Chen", affiliation="Teacher")
LATE = response(submitted_at="11/02/2021 10:00:00", email="ed@example.org", first_name="Ed",
                last_name="Diaz", affiliation="Nurse")


def form_values(rows: list[dict[str, str]], titles: dict[str, str] | None = None,
                extra: list[tuple[str, list[str]]] = ()) -> list[list[Any]]:
    """Header + responses as a Form writes them, the seed titles replaced by `titles` and
    `extra` columns (title, one value per response) added on the right."""
    header: list[Any] = [(titles or {}).get(f, t) for f, t in FIELDS.items()]
    header += [title for title, _values in extra]
    out = [header]
    for index, row in enumerate(rows):
        values: list[Any] = [row[f] for f in FIELDS]
        values[0] = dt.datetime.strptime(row["submitted_at"], "%m/%d/%Y %H:%M:%S")
        out.append(values + [column[index] for _title, column in extra])
    return out


class WorkbookSheet:
    """The form's responses in a workbook; the job writes its tabs into the same file."""

    name = "workbook"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "form.xlsx"

    def make(self, values: list[list[Any]], tab: str = FORM) -> None:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = tab
        for row in values:
            sheet.append(row)
        book.save(self.path)

    def job(self, source: str = "", target: str = "", fields: str = "", name: str = "t") -> Path:
        return write_job(self.folder, f'name = "{name}"\n[source]\nkind = "workbook"\n'
                         f'path = "../form.xlsx"\n{source}\n[target]\n{target}\n'
                         f'[state]\npath = "../state/{name}.sqlite"\n'
                         '[letter]\npublished = "2021-10-29"\n'
                         f'[digest]\ndir = "../out/digests"\n[fields]\n{fields}\n', name)

    def tabs(self) -> list[str]:
        return openpyxl.load_workbook(self.path, read_only=True).sheetnames

    def tab(self, tab: str) -> list[dict[str, str]]:
        sheet = openpyxl.load_workbook(self.path)[tab]
        values = [[cell_text(c) for c in r] for r in sheet.iter_rows(values_only=True)]
        return [dict(zip(values[0], row, strict=True)) for row in values[1:]]

    def edit(self, tab: str, signer_id: str, column: str, value: str) -> None:
        book = openpyxl.load_workbook(self.path)
        header = [c.value for c in book[tab][1]]
        for row in book[tab].iter_rows(min_row=2):
            if row[0].value == signer_id:
                row[header.index(column)].value = value
        book.save(self.path)

    def add_tab(self, tab: str, values: list[list[str]]) -> None:
        book = openpyxl.load_workbook(self.path)
        sheet = book.create_sheet(tab)
        for row in values:
            sheet.append(row)
        book.save(self.path)

    def rename(self, old: str, new: str) -> None:
        book = openpyxl.load_workbook(self.path)
        book[old].title = new
        book.save(self.path)

    def snapshot(self) -> bytes:
        return self.path.read_bytes()


class GoogleSheet:
    """The form's responses in a Google spreadsheet; the job's tabs go into it too."""

    name = "google"

    def __init__(self, kit: Any) -> None:
        self.folder, self.server, self.key = kit.folder, kit.server, kit.key

    def make(self, values: list[list[Any]], tab: str = FORM) -> None:
        self.server.add_spreadsheet(self.key, title="Sign-on (Responses)", tabs={tab: values})

    def job(self, source: str = "", target: str = "", fields: str = "", name: str = "t") -> Path:
        text = GOOGLE_JOB.format(name=name, key=self.key, extra=source)
        return write_job(self.folder, f"{text}\n[target]\n{target}\n[fields]\n{fields}\n", name)

    def tabs(self) -> list[str]:
        return self.server.tabs(self.key)

    def tab(self, tab: str) -> list[dict[str, str]]:
        header, *rows = self.server.values(self.key, tab)
        return [{str(h): str(row[i]) if i < len(row) else "" for i, h in enumerate(header)}
                for row in rows]

    def edit(self, tab: str, signer_id: str, column: str, value: str) -> None:
        values = self.server.values(self.key, tab)
        row = [r[0] for r in values].index(signer_id) + 1
        letter = chr(ord("A") + values[0].index(column))
        self.server.set_cell(self.key, tab, f"{letter}{row}", value,
                             value_input_option="USER_ENTERED")

    def add_tab(self, tab: str, values: list[list[str]]) -> None:
        self.server.add_tab(self.key, tab, values)

    def rename(self, old: str, new: str) -> None:
        """Double-click the tab, type the new name."""
        gspread_client(self.server.url).http_client.batch_update(self.key, {"requests": [
            {"updateSheetProperties": {"properties": {
                "sheetId": self.server.sheet(self.key, old).sheet_id, "title": new},
                "fields": "title"}}]})

    def snapshot(self) -> bytes:
        return json.dumps({tab: self.server.values(self.key, tab,
                                                   value_render_option="UNFORMATTED_VALUE")
                           for tab in self.server.tabs(self.key)}, default=repr).encode()


@pytest.fixture(params=["workbook", "google"])
def sheet(request: pytest.FixtureRequest, tmp_path: Path) -> WorkbookSheet | GoogleSheet:
    if request.param == "google":
        return GoogleSheet(request.getfixturevalue("google_backend"))
    return WorkbookSheet(tmp_path)


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    count("setup mistakes tried")
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def by_name(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["Name"]: r for r in rows}


# ---------------------------------------------------------------- edited question titles


def test_a_punctuation_edit_to_the_authorization_question_keeps_every_answer(
        sheet: WorkbookSheet | GoogleSheet, capsys: pytest.CaptureFixture[str]) -> None:
    edited = "If signing for an organization, are you authorized to sign on for your organization"
    assert edited != AUTHORIZED
    sheet.make(form_values([ORG], {"authorized": edited}))
    code, _out, err = cli(["run", str(sheet.job())], capsys)
    assert code == 0, err
    org = by_name(sheet.tab(CURATED))["Jewish Voice for Peace"]
    assert "authorization not confirmed" not in org["Flags"]
    assert org["Status"] == "Approved"
    assert "no column" not in err


def test_a_spelling_edit_to_the_authorization_question_is_warned_with_the_line_to_add(
        sheet: WorkbookSheet | GoogleSheet, capsys: pytest.CaptureFixture[str]) -> None:
    edited = "If signing for an organisation, are you authorised to sign on?"
    sheet.make(form_values([ORG, PERSON], {"authorized": edited}))
    job = sheet.job()
    fix = f'authorized = "{edited}"'

    code, out, _err = cli(["check", str(job)], capsys)
    assert code == 0, out
    (warning,) = [line for line in out.splitlines() if line.startswith("WARN")]
    assert "no column for `authorized`" in warning
    assert f"add this line under [fields] in the job file: {fix}" in warning
    assert f"the closest header is {edited!r}" in warning
    assert "ready to run, but read the WARN line above" in out

    code, _out, err = cli(["run", str(job)], capsys)
    assert code == 0
    assert err.count("no column for `authorized`") == 1 and fix in err
    assert "authorization not confirmed" in by_name(sheet.tab(CURATED))[
        "Jewish Voice for Peace"]["Flags"]

    job.write_text(job.read_text().replace("[fields]\n", f"[fields]\n{fix}\n"),
                   encoding="utf-8")
    code, out, err = cli(["run", str(job)], capsys)
    assert code == 0, err
    assert "no column" not in err
    org = by_name(sheet.tab(CURATED))["Jewish Voice for Peace"]
    assert "authorization not confirmed" not in org["Flags"]
    assert org["Status"] == "Approved"  # the tool's own default follows the cleared flag


def test_an_unmapped_name_question_is_warned_and_the_fix_brings_the_individuals_back(
        sheet: WorkbookSheet | GoogleSheet, capsys: pytest.CaptureFixture[str]) -> None:
    titles = {"first_name": "Your first name", "last_name": "Your last name"}
    sheet.make(form_values([ORG, PERSON], titles))
    job = sheet.job()

    code, out, _err = cli(["check", str(job)], capsys)
    assert code == 0, out
    assert 'under [fields] in the job file: first_name = "Your first name"' in out
    assert 'under [fields] in the job file: last_name = "Your last name"' in out
    assert "nobody signs as an individual" in out

    code, _out, err = cli(["run", str(job)], capsys)
    assert code == 0
    assert err.count("no column for `first_name`") == 1
    assert "Bo Chen" not in by_name(sheet.tab(CURATED))

    fix = '[fields]\nfirst_name = "Your first name"\nlast_name = "Your last name"\n'
    job.write_text(job.read_text().replace("[fields]\n", fix), encoding="utf-8")
    code, out, err = cli(["run", str(job)], capsys)
    assert code == 0, err
    assert by_name(sheet.tab(CURATED))["Bo Chen"]["Affiliation"] == "Teacher"
    assert "no column for `first_name`" not in err


def test_a_missing_optional_question_is_said_once_per_scheduled_run(
        sheet: WorkbookSheet | GoogleSheet, caplog: pytest.LogCaptureFixture) -> None:
    sheet.make(form_values([ORG], {"amplify": "Will you share the letter?"}))
    worker = Worker([load_job(sheet.job())])
    logger = logging.getLogger("sync")  # the CLI's log setup stops propagation to caplog's
    logger.addHandler(caplog.handler)
    try:
        for _fire in range(2):
            worker.fire("t")
    finally:
        logger.removeHandler(caplog.handler)
    said = [r for r in caplog.records if "no column for `amplify`" in r.getMessage()]
    assert len(said) == 2
    assert all("amplify = \"Will you share the letter?\"" in r.getMessage() for r in said)
    assert [r for r in caplog.records if "ok:" in r.getMessage()]


# ---------------------------------------------------------------- two Email Address columns


def test_two_email_columns_the_first_blank_use_the_one_with_answers(
        sheet: WorkbookSheet | GoogleSheet, capsys: pytest.CaptureFixture[str]) -> None:
    """Google Forms' collected "Email Address" column left blank, next to a question with
    the same title."""
    collected = [{**ORG, "email": ""}, {**PERSON, "email": ""}]
    sheet.make(form_values(collected, extra=[("Email Address",
                                              ["ana@example.org", "bo@example.org"])]))
    code, _out, err = cli(["run", str(sheet.job())], capsys)
    assert code == 0, err
    signers = by_name(sheet.tab(CURATED))
    assert signers["Jewish Voice for Peace"]["Email"] == "ana@example.org"
    assert signers["Bo Chen"]["Email"] == "bo@example.org"


def test_two_email_columns_both_answered_stop_naming_both(
        sheet: WorkbookSheet | GoogleSheet, capsys: pytest.CaptureFixture[str]) -> None:
    sheet.make(form_values([ORG, PERSON], extra=[("Email Address",
                                                  ["ana@work.example", "bo@work.example"])]))
    before = sheet.snapshot()
    code, _out, err = cli(["run", str(sheet.job())], capsys)
    assert code == 2
    assert "'Email Address' and 'Email Address (2)' both have answers for `email`" in err
    assert 'under [fields] in the job file, e.g. email = "Email Address (2)"' in err
    assert sheet.snapshot() == before

    code, out, _err = cli(["check", str(sheet.job())], capsys)
    if sheet.name == "workbook":  # check reads the whole tab only for a workbook or csv
        assert code == 2 and "FAIL  header mapping" in out
    else:
        assert code == 0 and "email: 2 columns ('Email Address', 'Email Address (2)')" in out


# ---------------------------------------------------------------- a copied job file


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository's demo, copied into a folder that is the current folder. `schedule`
    must refuse before its worker starts (which would serve until stopped)."""
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    (tmp_path / "jobs").mkdir()
    shutil.copy(REPO / "jobs" / "demo.toml", tmp_path / "jobs" / "demo.toml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(scheduler, "serve", lambda worker: pytest.fail(
        f"the worker started with {sorted(worker.jobs)}"))
    return tmp_path / "jobs" / "demo.toml"


def test_a_copied_demo_job_is_refused_by_every_command(
        demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["run", str(demo)], capsys)[0] == 0
    state = demo.parents[1] / "state" / "demo.sqlite"
    before = state.read_bytes()
    letter = demo.with_name("letter.toml")
    shutil.copy(demo, letter)  # cp jobs/demo.toml jobs/letter.toml

    for command in (["run", str(letter)], ["digest", str(letter)], ["run", str(demo)],
                    ["digest", "jobs/demo"]):
        code, _out, err = cli(command, capsys)
        assert code == 2, command
        assert "letter.toml" in err and "demo.toml" in err
        assert "its name 'demo' and its state file" in err
        assert "give one of them its own `name` and its own [state] `path`" in err
    code, out, err = cli(["check", str(letter)], capsys)
    assert code == 2 and "FAIL  job file" in out and "demo.toml" in out
    code, _out, err = cli(["schedule"], capsys)  # every jobs/*.toml: none left to run
    assert code == 2
    assert err.count("its name 'demo'") == 2
    assert state.read_bytes() == before
    assert not list((demo.parents[1] / "out" / "digests").glob("*.md"))

    letter.write_text(letter.read_text().replace('name = "demo"', 'name = "letter"')
                      .replace("state/demo.sqlite", "state/letter.sqlite"), encoding="utf-8")
    assert cli(["run", str(letter)], capsys)[0] == 0
    assert cli(["run", str(demo)], capsys)[0] == 0


def test_a_copy_that_only_shares_the_state_file_is_refused(
        demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = demo.with_name("letter.toml")
    copy.write_text(demo.read_text().replace('name = "demo"', 'name = "letter"'),
                    encoding="utf-8")
    code, _out, err = cli(["run", str(copy)], capsys)
    assert code == 2
    assert "shares its state file" in err and "demo.toml" in err


def test_jobs_in_two_folders_given_to_schedule_are_checked_against_each_other(
        demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = demo.parents[1] / "more"
    other.mkdir()
    copy = other / "demo.toml"
    copy.write_text(demo.read_text().replace('"../', '"../jobs/../'), encoding="utf-8")
    code, _out, err = cli(["schedule", str(demo), str(copy)], capsys)
    assert code == 2
    assert str(demo) in err and str(copy) in err


# ---------------------------------------------------------------- tab names


def test_a_curated_tab_configured_in_another_case_is_the_existing_tab(
        sheet: WorkbookSheet | GoogleSheet, capsys: pytest.CaptureFixture[str]) -> None:
    sheet.make(form_values([ORG, PERSON]))
    assert cli(["run", str(sheet.job())], capsys)[0] == 0
    ids = {r["Name"]: r["Signer ID"] for r in sheet.tab(CURATED)}
    sheet.edit(CURATED, ids["Bo Chen"], "Status", "Excluded")
    tabs = sheet.tabs()

    job = sheet.job(target='curated_tab = "Curated signers"\nletter_tab = "letter list"')
    for _run in range(2):
        code, out, err = cli(["run", str(job)], capsys)
        assert code == 0, err
        assert "(0 added to the tab)" in out
    assert sheet.tabs() == tabs
    assert by_name(sheet.tab(CURATED))["Bo Chen"]["Status"] == "Excluded"
    assert [r["As Printed"] for r in sheet.tab("Letter List")][:1] == ["Jewish Voice for Peace"]
    assert not any("Bo Chen" in r["As Printed"] for r in sheet.tab("Letter List"))


def test_staff_tabs_typed_in_another_case_are_found(
        sheet: WorkbookSheet | GoogleSheet, capsys: pytest.CaptureFixture[str]) -> None:
    """An `aliases` tab, a digest tab configured as "signer digest", a response tab typed
    "form responses 1": each is the tab a person means."""
    variant = "Voices of Peace Collective"
    sheet.make(form_values([ORG, {**ORG, "email": "b@example.org", "organization": variant}]))
    sheet.add_tab("aliases", [["Variant", "Canonical"], [variant, "Jewish Voice for Peace"]])
    job = sheet.job(source='tab = "form responses 1"', target='digest_tab = "signer digest"')
    assert cli(["digest", str(job)], capsys)[0] == 0
    sheet.add_tab("Signer Digest (old)", [["Digest At"]])
    assert cli(["digest", str(job)], capsys)[0] == 0
    assert [r["Name"] for r in sheet.tab(CURATED)] == ["Jewish Voice for Peace"]
    assert len(sheet.tab("signer digest")) == 2
    assert sorted(sheet.tabs()) == sorted(
        [FORM, "aliases", CURATED, "Letter List", "signer digest", "Signer Digest (old)"])


def test_a_missing_source_tab_is_a_config_error_naming_the_closest(
        sheet: WorkbookSheet | GoogleSheet, capsys: pytest.CaptureFixture[str]) -> None:
    sheet.make(form_values([ORG]), tab="Form Responses 2")
    job = sheet.job()
    before = sheet.snapshot()
    code, _out, err = cli(["run", str(job)], capsys)
    assert code == 2
    assert err.startswith("signer-sync: t: tab 'Form Responses 1' not found")
    assert "tabs there: 'Form Responses 2'; the closest is 'Form Responses 2'" in err
    assert "set [source] tab in" in err
    code, out, _err = cli(["check", str(job)], capsys)
    assert code == 2 and "FAIL  source: t: tab 'Form Responses 1' not found" in out
    assert sheet.snapshot() == before


# ---------------------------------------------------------------- a renamed curated tab


def test_a_renamed_curated_tab_stops_the_run_instead_of_starting_over(
        sheet: WorkbookSheet | GoogleSheet, capsys: pytest.CaptureFixture[str]) -> None:
    sheet.make(form_values([ORG, PERSON]))
    job = sheet.job()
    assert cli(["run", str(job)], capsys)[0] == 0
    ids = {r["Name"]: r["Signer ID"] for r in sheet.tab(CURATED)}
    sheet.edit(CURATED, ids["Bo Chen"], "Reviewer Note", "called to confirm")
    sheet.rename(CURATED, "Signers - reviewed")
    before = sheet.snapshot()

    code, _out, err = cli(["run", str(job)], capsys)
    assert code == 2
    assert "tab 'Curated Signers' is not in" in err
    assert "tab 'Signers - reviewed' looks like signer-sync's curated tab" in err
    assert "rename the tab back to 'Curated Signers'" in err
    assert 'set curated_tab = "Signers - reviewed" under [target]' in err
    assert sheet.snapshot() == before
    code, out, _err = cli(["check", str(job)], capsys)
    assert code == 2 and "FAIL  target:" in out and "'Signers - reviewed'" in out
    assert sheet.snapshot() == before

    job = sheet.job(target='curated_tab = "Signers - reviewed"')
    code, out, err = cli(["run", str(job)], capsys)
    assert code == 0, err
    assert "(0 added to the tab)" in out
    assert by_name(sheet.tab("Signers - reviewed"))["Bo Chen"]["Reviewer Note"] == (
        "called to confirm")
    assert CURATED not in sheet.tabs()


def test_a_first_run_beside_other_staff_tabs_starts_the_curated_tab(
        sheet: WorkbookSheet | GoogleSheet, capsys: pytest.CaptureFixture[str]) -> None:
    """Only a tab with signer-sync's own columns counts as a renamed curated tab."""
    sheet.make(form_values([ORG]))
    sheet.add_tab("Notes", [["Signer", "Status", "Note"], ["JVP", "called", "yes"]])
    code, out, err = cli(["run", str(sheet.job())], capsys)
    assert code == 0, err
    assert "(1 added to the tab)" in out
    assert CURATED in sheet.tabs()
