"""The fast read and write paths of the offline backends keep the slow paths' behaviour."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.datavalidation import DataValidation

from sync.backends import xlsx_parts
from sync.backends.base import TabWrite
from sync.backends.csv import CsvBook
from sync.backends.workbook import WorkbookBook

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "#N/A", "#REF!", "=1+1", "plain"]


def test_hostile_cells_stay_text_in_a_new_and_in_an_existing_workbook(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    book = WorkbookBook(path)
    book.write([TabWrite("Curated Signers", ["Name"], [[v] for v in HOSTILE])])  # new file
    book.write([TabWrite("Curated Signers", ["Name"], [[v] for v in reversed(HOSTILE)]),
                TabWrite("Signer Digest", ["Summary"], [["#N/A"]], append=True)])  # existing

    loaded = openpyxl.load_workbook(path)
    cells = [loaded["Curated Signers"].cell(row=i + 2, column=1) for i in range(len(HOSTILE))]
    assert [c.value for c in cells] == list(reversed(HOSTILE))
    assert {c.data_type for c in cells} == {"s"}
    assert loaded["Signer Digest"].cell(row=2, column=1).data_type == "s"
    frame = book.read(["Curated Signers"])["Curated Signers"]
    assert frame is not None and frame["Name"].tolist() == list(reversed(HOSTILE))


def test_a_replaced_tab_starts_at_the_top_and_keeps_no_old_rows(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    book = WorkbookBook(path)
    book.write([TabWrite("T", ["A", "B"], [["1", "2"], ["3", "4"], ["5", "6"]])])
    book.write([TabWrite("T", ["A", "B"], [["7", "8"]])])
    frame = book.read(["T"])["T"]
    assert frame is not None
    assert list(frame.columns) == ["A", "B"] and frame.values.tolist() == [["7", "8"]]
    assert openpyxl.load_workbook(path)["T"].freeze_panes == "A2"


def test_csv_rows_longer_or_shorter_than_the_header_are_read(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("A,B\n1,2,3\n4\n\n5,6\n", encoding="utf-8")
    frame = CsvBook(path).read(["x"])["x"]
    assert frame is not None
    assert frame.values.tolist() == [["1", "2"], ["4", ""], ["", ""], ["5", "6"]]
    assert frame.index.tolist() == [2, 3, 4, 5]  # sheet row numbers, blank line included


def test_csv_repeated_and_blank_headers_are_named(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Email,,Email\nNA,null,\n", encoding="utf-8")
    frame = CsvBook(path).read(["x"])["x"]
    assert frame is not None
    assert list(frame.columns) == ["Email", "Column 2", "Email (2)"]
    assert frame.values.tolist() == [["NA", "null", ""]]  # no value turns into a blank


def test_a_replaced_tab_keeps_staff_column_widths_and_numbers_stay_numbers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "book.xlsx"
    book = WorkbookBook(path)
    book.write([TabWrite("Curated Signers", ["Name", "Responses"], [["Old", 1]] * 50)])
    staff = openpyxl.load_workbook(path)
    staff["Curated Signers"].column_dimensions["A"].width = 42
    staff.save(path)

    book.write([TabWrite("Curated Signers", ["Name", "Responses"], [["New", 3], ["Other", 2]])])

    sheet = openpyxl.load_workbook(path)["Curated Signers"]
    assert sheet.column_dimensions["A"].width == 42
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Name", "Responses"], ["New", 3], ["Other", 2]]


def _sheet_data(path: Path, part: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(part)
    return xml[xml.index(b"<sheetData"):xml.index(b"</sheetData>")]


@pytest.mark.parametrize("piece", [7, 1 << 20])
def test_a_tab_left_alone_keeps_its_cells_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int,
) -> None:
    """The untouched tab's cells are streamed back from the old file, in pieces of any
    size, around what openpyxl saves."""
    monkeypatch.setattr(xlsx_parts, "_READ_BYTES", piece)
    path = tmp_path / "book.xlsx"
    book = WorkbookBook(path)
    rows = [[f"IND-{n:04d}", f"Signer {n} & Co <x>", n] for n in range(1, 501)]
    book.write([TabWrite("Curated Signers", ["Signer ID", "Name", "Responses"], rows)])
    before = _sheet_data(path, "xl/worksheets/sheet1.xml")

    book.write([TabWrite("Signer Digest", ["Digest At"], [["2021-11-01 09:00"]], append=True)])

    assert _sheet_data(path, "xl/worksheets/sheet1.xml") == before
    tabs = book.read(["Curated Signers", "Signer Digest"])
    assert tabs["Curated Signers"].values.tolist() == [[r[0], r[1], str(r[2])] for r in rows]
    assert tabs["Signer Digest"].values.tolist() == [["2021-11-01 09:00"]]
    assert openpyxl.load_workbook(path)["Curated Signers"].freeze_panes == "A2"


def test_a_tab_staff_formatted_and_saved_keeps_its_values_and_formatting(
    tmp_path: Path,
) -> None:
    path = tmp_path / "book.xlsx"
    book = WorkbookBook(path)
    book.write([TabWrite("Curated Signers", ["Signer ID", "Name"], [["ORG-0001", "Acme"]])])
    staff = openpyxl.load_workbook(path)  # saved again: shared strings and a bold cell
    staff["Curated Signers"]["B2"].font = openpyxl.styles.Font(bold=True)
    staff.save(path)

    book.write([TabWrite("Signer Digest", ["Digest At"], [["2021-11-01 09:00"]], append=True)])

    sheet = openpyxl.load_workbook(path)["Curated Signers"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Signer ID", "Name"], ["ORG-0001", "Acme"]]
    assert sheet["B2"].font.bold


@pytest.mark.parametrize("piece", [5, 64, 1 << 20])
def test_a_replaced_tab_read_in_pieces_keeps_what_staff_set_around_its_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int,
) -> None:
    """The old rows are skipped while the worksheet is read piece by piece (a big tab is
    never held whole); staff's settings before and after the rows survive any split."""
    monkeypatch.setattr(xlsx_parts, "_READ_BYTES", piece)
    path = tmp_path / "book.xlsx"
    book = WorkbookBook(path)
    book.write([TabWrite("Curated Signers", ["Name", "Status"], [["Old", "Approved"]] * 300),
                TabWrite("Notes", ["Note"], [["kept"]])])
    staff = openpyxl.load_workbook(path)
    sheet = staff["Curated Signers"]
    sheet.column_dimensions["A"].width = 42
    statuses = DataValidation(type="list", formula1='"Approved,Needs review,Excluded"')
    statuses.add("B2:B1000")
    sheet.add_data_validation(statuses)
    staff.save(path)

    book.write([TabWrite("Curated Signers", ["Name", "Status"], [["New", "Excluded"]])])

    loaded = openpyxl.load_workbook(path)
    sheet = loaded["Curated Signers"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Name", "Status"], ["New", "Excluded"]]
    assert sheet.column_dimensions["A"].width == 42
    assert [str(v.sqref) for v in sheet.data_validations.dataValidation] == ["B2:B1000"]
    assert loaded["Notes"]["A2"].value == "kept"
