"""One contract, every backend: the same end-to-end behaviours against an .xlsx workbook and
against the fake Google Sheets server, driven through the CLI as staff would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import openpyxl
import pytest

from sync.backends import workbook
from sync.backends.base import cell_text
from sync.cli import main
from sync.config import load_job
from sync.state import State
from tests.conftest import response, write_job
from tests.google_support import GOOGLE_JOB, FakeGoogle, fake_google, form_rows

__all__ = ["fake_google"]

CURATED = "Curated Signers"
DIGEST = "Signer Digest"


class Sheet(Protocol):
    """A spreadsheet holding a form's responses, as the tests see it."""

    job: Path

    def set_responses(self, rows: list[dict[str, str]]) -> None: ...
    def tab(self, tab: str) -> list[dict[str, str]]: ...
    def edit(self, signer_id: str, column: str, value: str) -> None: ...
    def writes(self) -> int: ...
    def stored_as_text(self, value: str) -> bool: ...
    def break_writes(self) -> None: ...
    def heal(self) -> None: ...


class WorkbookSheet:
    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.path = folder / "form.xlsx"
        self.job = write_job(folder, '[source]\nkind = "workbook"\npath = "../form.xlsx"\n'
                                     '[state]\npath = "../state/t.sqlite"\n'
                                     '[letter]\npublished = "2021-10-29"\n'
                                     '[digest]\ndir = "../out/digests"\n', "t")
        self.monkeypatch = monkeypatch
        self.saves = 0

    def set_responses(self, rows: list[dict[str, str]]) -> None:
        book = openpyxl.load_workbook(self.path) if self.path.exists() else openpyxl.Workbook()
        if "Form Responses 1" in book.sheetnames:
            del book["Form Responses 1"]
        sheet = book.create_sheet("Form Responses 1", 0)
        for row in form_rows(rows):
            sheet.append(row)
            for cell in sheet[sheet.max_row]:  # what a respondent typed is text, as in a Form
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        if "Sheet" in book.sheetnames:
            del book["Sheet"]
        book.save(self.path)

    def tab(self, tab: str) -> list[dict[str, str]]:
        book = openpyxl.load_workbook(self.path)
        if tab not in book.sheetnames:
            return []
        values = [[cell_text(c) for c in r] for r in book[tab].iter_rows(values_only=True)]
        return [dict(zip(values[0], row, strict=True)) for row in values[1:]]

    def edit(self, signer_id: str, column: str, value: str) -> None:
        book = openpyxl.load_workbook(self.path)
        sheet = book[CURATED]
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == signer_id:
                row[header.index(column)].value = value
        book.save(self.path)

    def writes(self) -> int:
        return self.path.stat().st_mtime_ns

    def stored_as_text(self, value: str) -> bool:
        sheet = openpyxl.load_workbook(self.path)[CURATED]
        cells = [c for row in sheet.iter_rows() for c in row if c.value == value]
        return bool(cells) and all(c.data_type == "s" for c in cells)

    def break_writes(self) -> None:
        def fail(*args: object, **kwargs: object) -> None:
            raise OSError(5, "Input/output error")

        self.monkeypatch.setattr(workbook, "write_package", fail)

    def heal(self) -> None:
        self.monkeypatch.undo()


class GoogleSheet:
    def __init__(self, folder: Path, google: FakeGoogle) -> None:
        self.google = google
        self.job = write_job(folder, GOOGLE_JOB.format(name="t", key=google.key, extra=""), "t")
        self.created = False

    def set_responses(self, rows: list[dict[str, str]]) -> None:
        if self.created:
            self.google.set_responses(rows)
        else:
            self.google.add_form(rows)
            self.created = True

    def tab(self, tab: str) -> list[dict[str, str]]:
        return self.google.tab(tab)

    def edit(self, signer_id: str, column: str, value: str) -> None:
        values = self.google.server.values(self.google.key, CURATED)
        row = [r[0] for r in values].index(signer_id) + 1
        letter = chr(ord("A") + values[0].index(column))
        self.google.server.set_cell(self.google.key, CURATED, f"{letter}{row}", value)

    def writes(self) -> int:
        return self.google.server.count(operation="values.batchUpdate")

    def stored_as_text(self, value: str) -> bool:
        values = self.google.server.values(self.google.key, CURATED,
                                           value_render_option="FORMULA")
        found = [(r, c) for r, row in enumerate(values) for c, v in enumerate(row) if v == value]
        return bool(found) and all(
            self.google.server.cell(self.google.key, CURATED,
                                    f"{chr(ord('A') + c)}{r + 1}").kind == "string"  # type: ignore[union-attr]
            for r, c in found)

    def break_writes(self) -> None:
        self.google.server.fail(500, times=None, operation="values.batchUpdate")

    def heal(self) -> None:
        self.google.server.clear_faults()


@pytest.fixture(params=["workbook", "google"])
def sheet(request: pytest.FixtureRequest, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Sheet]:
    if request.param == "workbook":
        yield WorkbookSheet(tmp_path, monkeypatch)
    else:
        yield GoogleSheet(tmp_path, request.getfixturevalue("fake_google"))


ORG = response(submitted_at="10/20/2021 10:00:00", email="ana@example.org",
               organization="Jewish Voice for Peace", scope="National", authorized="Yes")
PERSON = response(submitted_at="10/21/2021 10:00:00", email="bo@example.org", first_name="Bo",
                  last_name="Chen", affiliation="Teacher")
LATE = response(submitted_at="11/02/2021 10:00:00", email="ed@example.org", first_name="Ed",
                last_name="Diaz", affiliation="Nurse")


def test_a_run_writes_the_curated_tab_and_a_second_run_writes_nothing(
        sheet: Sheet, capsys: pytest.CaptureFixture[str]) -> None:
    sheet.set_responses([ORG, PERSON])
    assert main(["run", str(sheet.job)]) == 0
    rows = sheet.tab(CURATED)
    assert sorted(r["Name"] for r in rows) == ["Bo Chen", "Jewish Voice for Peace"]
    assert {r["First Signed"][:10] for r in rows} == {"2021-10-20", "2021-10-21"}
    writes = sheet.writes()

    assert main(["run", str(sheet.job)]) == 0
    assert "(0 added to the tab)" in capsys.readouterr().out
    assert sheet.writes() == writes
    assert sheet.tab(CURATED) == rows
    assert len(sheet.tab("Form Responses 1")) == 2


def test_reviewer_edits_are_kept_by_signer_id_when_new_responses_arrive(sheet: Sheet) -> None:
    sheet.set_responses([ORG, PERSON])
    assert main(["run", str(sheet.job)]) == 0
    ids = {r["Name"]: r["Signer ID"] for r in sheet.tab(CURATED)}
    sheet.edit(ids["Jewish Voice for Peace"], "Status", "Excluded")
    sheet.edit(ids["Bo Chen"], "Reviewer Note", "called to confirm")
    sheet.edit(ids["Bo Chen"], "Listed As", "Prof. Bo Chen")

    sheet.set_responses([ORG, PERSON, LATE])
    assert main(["run", str(sheet.job)]) == 0
    after = {r["Signer ID"]: r for r in sheet.tab(CURATED)}
    assert after[ids["Jewish Voice for Peace"]]["Status"] == "Excluded"
    assert after[ids["Bo Chen"]]["Reviewer Note"] == "called to confirm"
    assert after[ids["Bo Chen"]]["Listed As"] == "Prof. Bo Chen"
    assert [r["Name"] for r in sheet.tab(CURATED)][-1] == "Ed Diaz"
    assert len(after) == 3


def test_hostile_answers_arrive_as_text_not_formulas(sheet: Sheet) -> None:
    hostile = '=HYPERLINK("http://evil.example","click")'
    sheet.set_responses([response(submitted_at="10/20/2021 10:00:00", email="x@example.org",
                                  first_name="Al", last_name="Ng", affiliation=hostile)])
    assert main(["run", str(sheet.job)]) == 0
    assert sheet.tab(CURATED)[0]["Affiliation"] == hostile
    assert sheet.stored_as_text(hostile)


def test_a_second_digest_reports_no_new_signers(
        sheet: Sheet, capsys: pytest.CaptureFixture[str]) -> None:
    sheet.set_responses([ORG, PERSON])
    assert main(["digest", str(sheet.job)]) == 0
    assert "Bo Chen" in capsys.readouterr().out
    assert main(["digest", str(sheet.job)]) == 0
    assert "No new signers" in capsys.readouterr().out
    digest = sheet.tab(DIGEST)
    assert [(r["New Organizations"], r["New Individuals"]) for r in digest] == [
        ("1", "1"), ("0", "0")]


def test_a_failed_write_exits_1_and_the_next_digest_reports_the_same_signers(
        sheet: Sheet, capsys: pytest.CaptureFixture[str]) -> None:
    sheet.set_responses([ORG])
    assert main(["digest", str(sheet.job)]) == 0
    sheet.set_responses([ORG, PERSON])
    capsys.readouterr()

    sheet.break_writes()
    assert main(["digest", str(sheet.job)]) == 1
    assert "signer-sync:" in capsys.readouterr().err
    sheet.heal()
    assert [r["Name"] for r in sheet.tab(CURATED)] == ["Jewish Voice for Peace"]
    assert len(sheet.tab(DIGEST)) == 1
    assert State(load_job(sheet.job).state_path).runs(1)[0].outcome == "failed"

    assert main(["digest", str(sheet.job)]) == 0
    out = capsys.readouterr().out
    assert "Bo Chen" in out
    assert [r["New Individuals"] for r in sheet.tab(DIGEST)] == ["0", "1"]
