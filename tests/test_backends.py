"""The offline backends: the form's csv export and the .xlsx workbook."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

import openpyxl
import pytest

from sync.backends import workbook
from sync.backends.base import TabWrite
from sync.backends.csv import CsvBook
from sync.backends.workbook import WorkbookBook
from sync.errors import BackendError, ConfigError

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+1+2", "-2+3+cmd|' /C calc'!A0",
           "@SUM(A1:A10)", "=1+1"]


def test_csv_with_or_without_bom_reads_the_same(tmp_path: Path) -> None:
    text = 'Timestamp,Email Address\r\n10/22/2021 18:02:11,"a@example.org"\r\n'
    plain, bom = tmp_path / "plain.csv", tmp_path / "bom.csv"
    plain.write_bytes(text.encode("utf-8"))
    bom.write_bytes(text.encode("utf-8-sig"))
    for path in (plain, bom):
        frame = CsvBook(path).read(["Form Responses 1"])["Form Responses 1"]
        assert frame is not None
        assert list(frame.columns) == ["Timestamp", "Email Address"]
        assert frame.iloc[0].tolist() == ["10/22/2021 18:02:11", "a@example.org"]


def test_csv_cells_with_newlines_and_quotes_survive(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text('A,B\n"line one\nline two","say ""hi"""\n', encoding="utf-8")
    frame = CsvBook(path).read(["x"])["x"]
    assert frame is not None
    assert frame.iloc[0].tolist() == ["line one\nline two", 'say "hi"']


def test_windows_1252_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("Name\nJosé Nuñez\n".encode("cp1252"))
    frame = CsvBook(path).read(["x"])["x"]
    assert frame is not None and frame.iloc[0, 0] == "José Nuñez"


def test_duplicate_and_blank_headers_get_usable_names(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Name,,Name\na,b,c\n", encoding="utf-8")
    frame = CsvBook(path).read(["x"])["x"]
    assert frame is not None and list(frame.columns) == ["Name", "Column 2", "Name (2)"]


def test_csv_is_never_written(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("A\n1\n", encoding="utf-8")
    with pytest.raises(BackendError, match="never written"):
        CsvBook(path).write([TabWrite("x", ["A"], [["2"]])])
    assert path.read_text(encoding="utf-8") == "A\n1\n"


def test_hostile_cells_are_stored_as_text_not_formulas(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    WorkbookBook(path).write([TabWrite("Curated Signers", ["Name"], [[v] for v in HOSTILE])])

    sheet = openpyxl.load_workbook(path)["Curated Signers"]
    cells = [sheet.cell(row=i + 2, column=1) for i in range(len(HOSTILE))]
    assert [c.value for c in cells] == HOSTILE
    assert {c.data_type for c in cells} == {"s"}
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula element anywhere in the sheet


def test_writing_keeps_other_tabs_untouched(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Form Responses 1"
    book.active.append(["Timestamp", "Email Address"])
    book.active.append(["10/22/2021 18:02:11", "a@example.org"])
    book.create_sheet("Staff notes").append(["keep me", 42])
    book.save(path)

    WorkbookBook(path).write([TabWrite("Curated Signers", ["Signer ID"], [["ORG-0001"]])])

    tabs = WorkbookBook(path).read(["Form Responses 1", "Staff notes", "Curated Signers", "Nope"])
    assert tabs["Form Responses 1"].values.tolist() == [["10/22/2021 18:02:11", "a@example.org"]]
    assert list(tabs["Staff notes"].columns) == ["keep me", "42"]
    assert tabs["Curated Signers"].values.tolist() == [["ORG-0001"]]
    assert tabs["Nope"] is None


def test_replace_shrinks_and_append_adds_under_the_header(tmp_path: Path) -> None:
    book = WorkbookBook(tmp_path / "book.xlsx")
    book.write([TabWrite("T", ["A"], [["1"], ["2"], ["3"]])])
    book.write([TabWrite("T", ["A"], [["9"]])])
    book.write([TabWrite("D", ["Digest At"], [["first"]], append=True)])
    book.write([TabWrite("D", ["Digest At"], [["second"]], append=True)])
    tabs = book.read(["T", "D"])
    assert tabs["T"].values.tolist() == [["9"]]
    assert tabs["D"].values.tolist() == [["first"], ["second"]]


def test_a_crash_while_saving_leaves_the_workbook_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "book.xlsx"
    book = WorkbookBook(path)
    book.write([TabWrite("T", ["A"], [["before"]])])
    original = path.read_bytes()

    def crash(archive: zipfile.ZipFile, out: IO[bytes], *args: object, **kwargs: object) -> None:
        out.write(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workbook, "write_package", crash)
    with pytest.raises(BackendError, match="No space left on device"):
        book.write([TabWrite("T", ["A"], [["after"]])])
    monkeypatch.undo()

    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]  # no temp file left
    assert book.read(["T"])["T"].values.tolist() == [["before"]]


def test_a_file_that_is_not_a_workbook_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"is a csv file \(text\), not an \.xlsx workbook"):
        WorkbookBook(path).read(["T"])
    path.write_bytes(b"PK\x03\x04 cut short by a failed download")
    with pytest.raises(BackendError, match=r"not a readable \.xlsx workbook"):
        WorkbookBook(path).read(["T"])
