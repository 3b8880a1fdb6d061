"""Red-team attacks on the .xlsx target (issues 12 and 13): the curated tab as a review
surface, a workbook saved by staff while a run is going, leftover temporary files, the
file's mode, and Excel features in tabs the service does not own."""

from __future__ import annotations

import os
import re
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.drawing.image import Image
from openpyxl.styles import Font
from PIL import Image as PILImage

from sync.backends.base import TabWrite
from sync.backends.workbook import WorkbookBook
from sync.config import load_job
from sync.curate import CURATED_COLUMNS, REVIEWER_COLUMNS
from sync.pipeline import run_job
from tests.conftest import Clock, response

CURATED, LETTER = "Curated Signers", "Letter List"
STATUS_LIST = '"Approved,Needs review,Excluded"'
SPARKLINE_EXT = (
    '<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:sparklineGroup displayEmptyCellsAs="gap"><x14:colorSeries rgb="FF376092"/>'
    "<x14:sparklines><x14:sparkline><xm:f>Notes!A2:C2</xm:f><xm:sqref>D2</xm:sqref>"
    "</x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext>"
    "</extLst>")


def signers(count: int, flagged: int = 0) -> list[dict[str, str]]:
    """`count` organizations; the first `flagged` give no authorization (Needs review) and
    one more is based in Ireland."""
    rows = [response(submitted_at=f"10/20/2021 10:{n % 60:02d}:00", email=f"a{n}@org{n}.example",
                     organization=f"Tenant Union Number {n}", scope="Local",
                     authorized="" if n < flagged else "Yes")
            for n in range(count)]
    rows.append(response(submitted_at="10/21/2021 10:00:00", email="info@dublin.ie",
                         organization="Dublin Solidarity", scope="International",
                         authorized="Yes"))
    return rows


def letter(column: int) -> str:
    return openpyxl.utils.get_column_letter(column + 1)


# --- issue 12: the curated tab is a review surface ---------------------------------------

def test_the_curated_tab_is_laid_out_for_review(
        csv_job: Callable[..., Path], tmp_path: Path, clock: Clock) -> None:
    run_job(load_job(csv_job(signers(5, flagged=2))), clock=clock)

    book = openpyxl.load_workbook(tmp_path / "out" / "signers.xlsx")
    sheet = book[CURATED]
    status = letter(CURATED_COLUMNS.index("Status"))
    outside = letter(CURATED_COLUMNS.index("Outside U.S."))
    last = letter(len(CURATED_COLUMNS) - 1)
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"
    (validation,) = sheet.data_validations.dataValidation
    assert (validation.type, validation.formula1) == ("list", STATUS_LIST)
    assert validation.errorStyle == "warning"  # other text is allowed, after a warning
    assert str(validation.sqref) == f"{status}2:{status}1048576"
    rules = {str(rng.sqref): [r.formula for r in rng.rules]
             for rng in sheet.conditional_formatting}
    assert rules == {f"A2:{last}1048576": [[f'${status}2="Needs review"']],
                     f"{outside}2:{outside}1048576": [[f'${outside}2="Yes"']]}
    for rng in sheet.conditional_formatting:
        assert rng.rules[0].dxf.fill.bgColor.rgb in ("FFFFF2CC", "FFFAD9D9")
    widths = {name: sheet.column_dimensions[letter(n)].width
              for n, name in enumerate(CURATED_COLUMNS)}
    assert widths["Summary" if "Summary" in widths else "Flags"] > widths["Type"] > 10
    assert widths["Name"] > 30
    letter_tab = book[LETTER]
    assert letter_tab.freeze_panes == "A2"
    assert letter_tab.column_dimensions["B"].width > 15  # "As Printed": a readable width


def test_the_layout_is_never_reapplied_over_what_staff_changed(
        csv_job: Callable[..., Path], tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "out" / "signers.xlsx"
    run_job(load_job(csv_job(signers(3, flagged=1))), clock=clock)
    staff = openpyxl.load_workbook(path)
    sheet = staff[CURATED]
    sheet.column_dimensions["C"].width = 9
    (validation,) = sheet.data_validations.dataValidation
    validation.formula1 = '"Approved,Needs review,Excluded,Ask Dana"'
    sheet["C1"].font = Font(italic=True)
    staff.save(path)

    clock.advance(hours=1)
    run_job(load_job(csv_job(signers(6, flagged=1))), clock=clock)

    sheet = openpyxl.load_workbook(path)[CURATED]
    assert sheet.column_dimensions["C"].width == 9
    assert [v.formula1 for v in sheet.data_validations.dataValidation] == [
        '"Approved,Needs review,Excluded,Ask Dana"']
    assert sheet["C1"].font.italic and not sheet["C1"].font.bold
    assert len(list(sheet.conditional_formatting)) == 2  # not added a second time
    assert sheet.auto_filter.ref.endswith(str(sheet.max_row))  # the filter covers new rows
    assert sheet.max_row == 8  # the header, 7 signers


def test_the_formats_follow_their_columns_by_header_name(tmp_path: Path) -> None:
    """Staff add a column (kept after the service's own); Excel shifts the dropdown and the
    highlight when a column is inserted before Status: they go back onto Status."""
    path = tmp_path / "book.xlsx"
    book = WorkbookBook(path)
    header = list(CURATED_COLUMNS)
    row = ["ORG-0001", *[""] * 7, "Needs review", *[""] * 7, 1]
    book.write([TabWrite(CURATED, header, [row], keep_columns=REVIEWER_COLUMNS)])
    status = letter(header.index("Status"))
    shifted = letter(header.index("Status") + 1)
    with zipfile.ZipFile(path) as archive:  # what Excel saves after inserting a column at D
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
    sheet_xml = sheet_xml.replace(f"{status}2:{status}1048576", f"{shifted}2:{shifted}1048576")
    sheet_xml = sheet_xml.replace(f"${status}2", f"${shifted}2")
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)

    book.write([TabWrite(CURATED, [*header, "Phone"], [[*row, "555"]],
                         keep_columns=REVIEWER_COLUMNS)])

    sheet = openpyxl.load_workbook(path)[CURATED]
    assert [str(v.sqref) for v in sheet.data_validations.dataValidation] == [
        f"{status}2:{status}1048576"]
    needs_review = [rng for rng in sheet.conditional_formatting
                    if "Needs review" in rng.rules[0].formula[0]]
    assert [str(r.sqref) for r in needs_review] == [f"A2:{letter(len(header))}1048576"]
    assert needs_review[0].rules[0].formula == [f'${status}2="Needs review"']


# --- issue 13 item 1: a workbook saved by staff while a run is going -----------------------

def _edit_statuses(path: Path, count: int) -> dict[str, str]:
    """Save the workbook as a reviewer would: `count` Statuses, a note, a Notes tab."""
    book = openpyxl.load_workbook(path)
    sheet = book[CURATED]
    header = [c.value for c in sheet[1]]
    ids, statuses = header.index("Signer ID"), header.index("Status")
    notes = header.index("Reviewer Note")
    edits = {}
    for row in list(sheet.iter_rows(min_row=2))[:count]:
        row[statuses].value = "Excluded"
        row[notes].value = "checked by phone"
        edits[row[ids].value] = "Excluded"
    book.create_sheet("Notes")["A1"] = "call Dana"
    book.save(path)
    return edits


@pytest.mark.parametrize("when", ["before the write", "while the new file is built"])
def test_edits_saved_while_a_run_is_going_are_kept(
        csv_job: Callable[..., Path], tmp_path: Path, clock: Clock, when: str) -> None:
    path = tmp_path / "out" / "signers.xlsx"
    run_job(load_job(csv_job(signers(20))), clock=clock)
    edits: dict[str, str] = {}

    def save_once() -> None:
        if not edits:
            edits.update(_edit_statuses(path, 15))

    class SavedBeforeWrite(WorkbookBook):
        def write(self, writes: list[TabWrite]) -> None:  # type: ignore[override]
            save_once()
            super().write(writes)

    target = (SavedBeforeWrite(path) if when == "before the write"
              else WorkbookBook(path, before_replace=save_once))
    clock.advance(hours=1)
    result = run_job(load_job(csv_job(signers(25))), clock=clock, target=target)

    assert result.wrote and len(edits) == 15
    tabs = WorkbookBook(path).read([CURATED, "Notes"])
    curated = tabs[CURATED].set_index("Signer ID")
    assert {i: curated.loc[i, "Status"] for i in edits} == edits
    assert set(curated.loc[list(edits), "Reviewer Note"]) == {"checked by phone"}
    assert len(curated) == 26  # the run's new signers landed too
    assert tabs["Notes"].columns.tolist() == ["call Dana"]

    clock.advance(hours=1)
    run_job(load_job(csv_job(signers(25))), clock=clock)  # and the next run keeps them
    curated = WorkbookBook(path).read([CURATED])[CURATED].set_index("Signer ID")
    assert {i: curated.loc[i, "Status"] for i in edits} == edits


def test_staff_rows_and_columns_added_while_a_run_is_going_are_kept(
        csv_job: Callable[..., Path], tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "out" / "signers.xlsx"
    run_job(load_job(csv_job(signers(3))), clock=clock)

    def add() -> None:
        book = openpyxl.load_workbook(path)
        sheet = book[CURATED]
        sheet.cell(1, sheet.max_column + 1, "Phone")
        sheet.cell(2, sheet.max_column, "555-0100")
        sheet.append(["", "", "Remember the union from the rally"])
        book.save(path)

    clock.advance(hours=1)
    run_job(load_job(csv_job(signers(5))), clock=clock,
            target=WorkbookBook(path, before_replace=_once(add)))

    curated = WorkbookBook(path).read([CURATED])[CURATED]
    assert curated.columns[-1] == "Phone"
    assert curated["Phone"].tolist()[0] == "555-0100"
    assert curated["Name"].tolist()[-1] == "Remember the union from the rally"
    assert len(curated) == 7


def _once(action: Callable[[], None]) -> Callable[[], None]:
    done: list[bool] = []

    def run() -> None:
        if not done:
            done.append(True)
            action()
    return run


# --- issue 13 item 8: leftovers of a killed run ---------------------------------------------

def test_a_killed_runs_temporary_files_are_removed_and_no_one_elses(tmp_path: Path) -> None:
    path = tmp_path / "signers.xlsx"
    WorkbookBook(path).write([TabWrite(CURATED, ["Signer ID"], [["ORG-0001"]])])
    leftovers = [tmp_path / ".signers-k3x_9q2a.xlsx", tmp_path / ".signers-00000000.xlsx"]
    for leftover in leftovers:
        leftover.write_bytes(b"names and emails")
    others = {".signers-notes.xlsx": b"staff", ".signers-bak-k3x_9q2a.xlsx": b"staff",
              ".other-k3x_9q2a.xlsx": b"another workbook's", "signers-k3x_9q2a.xlsx": b"x"}
    for name, data in others.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / ".signers-linkedxx.xlsx").symlink_to(tmp_path / ".signers-notes.xlsx")

    WorkbookBook(path).read([CURATED])

    assert not any(leftover.exists() for leftover in leftovers)
    assert {n: (tmp_path / n).read_bytes() for n in others} == others
    assert (tmp_path / ".signers-linkedxx.xlsx").is_symlink()


def test_a_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "signers.xlsx"
    book = WorkbookBook(path)
    book.write([TabWrite(CURATED, ["Signer ID"], [["ORG-0001"]])])
    book.write([TabWrite(CURATED, ["Signer ID"], [["ORG-0002"]])])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["signers.xlsx"]


# --- issue 13 item 9: the file's mode --------------------------------------------------------

def test_writing_keeps_the_workbooks_mode(tmp_path: Path) -> None:
    path = tmp_path / "signers.xlsx"
    book = WorkbookBook(path)
    book.write([TabWrite(CURATED, ["Signer ID"], [["ORG-0001"]])])
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # a new file: as any other
    path.chmod(0o664)
    owner = path.stat().st_uid, path.stat().st_gid

    book.write([TabWrite(CURATED, ["Signer ID"], [["ORG-0002"]])])

    assert stat.S_IMODE(path.stat().st_mode) == 0o664
    assert (path.stat().st_uid, path.stat().st_gid) == owner


# --- issue 13 item 10: Excel features in tabs the service does not own ----------------------

def _staff_workbook(path: Path, folder: Path) -> None:
    """A workbook as staff keep it: a Notes tab with a sparkline, a chart and an image."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["Week 1", "Week 2", "Week 3", "Trend"])
    notes.append([3, 5, 9])
    chart = BarChart()
    chart.add_data(Reference(notes, min_col=1, max_col=3, min_row=2))
    notes.add_chart(chart, "F2")
    picture = folder / "logo.png"
    PILImage.new("RGB", (4, 4), "red").save(picture)
    notes.add_image(Image(str(picture)), "F20")
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("</worksheet>",
                                                      SPARKLINE_EXT + "</worksheet>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {i.filename: archive.read(i) for i in archive.infolist()}


def test_a_tab_the_service_does_not_own_reaches_the_new_file_byte_for_byte(
        tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    _staff_workbook(path, tmp_path)
    before = _parts(path)
    assert b"x14:sparklineGroups" in before["xl/worksheets/sheet1.xml"]
    owned = [n for n in before if re.search(r"chart|drawing|media|worksheets/sheet1", n)]
    assert len(owned) >= 5  # the sheet, its drawing and its rels, the chart, the image

    book = WorkbookBook(path)
    book.write([TabWrite(CURATED, ["Signer ID", "Status"], [["ORG-0001", "Approved"]],
                         keep_columns=("Status",)),
                TabWrite("Signer Digest", ["Digest At"], [["2021-11-01"]], append=True)])
    book.write([TabWrite(CURATED, ["Signer ID", "Status"], [["ORG-0002", "Excluded"]],
                         keep_columns=("Status",))])

    after = _parts(path)
    assert {n: after.get(n) for n in owned} == {n: before[n] for n in owned}
    loaded = openpyxl.load_workbook(path)
    assert loaded.sheetnames == ["Notes", CURATED, "Signer Digest"]
    assert [[c.value for c in r] for r in loaded[CURATED].iter_rows()] == [
        ["Signer ID", "Status"], ["ORG-0002", "Excluded"]]


def test_the_form_tab_of_a_workbook_source_keeps_its_extensions(
        tmp_path: Path, clock: Clock) -> None:
    """The form's own tab in a workbook that is both source and target: never rewritten."""
    path = tmp_path / "form.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Form Responses 1"
    fields = [response(email="a@sunrise.example", organization="Sunrise Movement",
                       submitted_at="10/20/2021 10:00:00", authorized="Yes")]
    from tests.google_support import form_rows

    for row in form_rows(fields):
        sheet.append(row)
    book.save(path)
    parts = _parts(path)
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</worksheet>", SPARKLINE_EXT.replace("Notes!", "'Form Responses 1'!").encode()
        + b"</worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    job_file = tmp_path / "jobs" / "t.toml"
    job_file.parent.mkdir()
    job_file.write_text('[source]\nkind = "workbook"\npath = "../form.xlsx"\n'
                        '[state]\npath = "../state/t.sqlite"\n'
                        '[letter]\npublished = "2021-10-29"\n', encoding="utf-8")

    result = run_job(load_job(job_file), clock=clock)

    assert result.wrote
    assert _parts(path)["xl/worksheets/sheet1.xml"] == parts["xl/worksheets/sheet1.xml"]
    assert WorkbookBook(path).read([CURATED])[CURATED]["Name"].tolist() == ["Sunrise Movement"]
