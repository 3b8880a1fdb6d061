"""An .xlsx workbook standing in for the Google spreadsheet (offline demo, tests, exports).

Writes load the whole workbook, change only the tabs being written, and save to a temporary
file that then replaces the original (`os.replace` is atomic on one filesystem), so a crash
mid-save never leaves a broken workbook and the other tabs keep their values and formatting.
A workbook that does not exist yet is streamed out in write-only mode. Reads use calamine.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineError, CalamineWorkbook

from sync.backends.base import Cell, TabWrite, frame_from_rows
from sync.errors import BackendError


class WorkbookBook:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = str(path)

    def _load(self) -> Workbook:
        try:
            return load_workbook(self.path)
        except FileNotFoundError:
            raise
        except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise BackendError(f"{self.path} is not a readable .xlsx workbook ({exc})") from None

    def read(self, tabs: Sequence[str]) -> dict[str, pd.DataFrame | None]:
        # calamine (Rust) reads a big tab about ten times faster than openpyxl's read-only
        # mode; like `data_only`, it gives a formula's last computed value.
        if not self.path.exists():
            return dict.fromkeys(tabs)
        book = self._calamine()
        try:
            names = set(book.sheet_names)
            return {
                tab: frame_from_rows(book.get_sheet_by_name(tab).to_python(
                    skip_empty_area=False)) if tab in names else None
                for tab in tabs
            }
        except CalamineError as exc:
            raise BackendError(f"{self.path} is not a readable .xlsx workbook ({exc})") from None
        finally:
            book.close()

    def tab_names(self) -> list[str]:
        if not self.path.exists():
            return []
        book = self._calamine()
        try:
            return list(book.sheet_names)
        finally:
            book.close()

    def _calamine(self) -> CalamineWorkbook:
        try:
            return CalamineWorkbook.from_path(str(self.path))
        except FileNotFoundError:
            raise
        except (OSError, CalamineError) as exc:
            raise BackendError(f"{self.path} is not a readable .xlsx workbook ({exc})") from None

    def write(self, writes: Sequence[TabWrite]) -> None:
        if not self.path.exists() and len({w.tab for w in writes}) == len(writes):
            self._save(_new_book(writes))
            return
        if self.path.exists():
            book = self._load()
        else:
            book = Workbook()
            book.remove(book.active)
        for change in writes:
            exists = change.tab in book.sheetnames
            _apply(book[change.tab] if exists else book.create_sheet(change.tab), change)
        self._save(book)

    def _save(self, book: Workbook) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{self.path.stem}-", suffix=".xlsx",
                                        dir=self.path.parent)
        os.close(handle)
        try:
            book.save(temp)
            os.replace(temp, self.path)
        except OSError as exc:
            raise BackendError(f"cannot save {self.path} ({exc.strerror or exc})") from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)


def _new_book(writes: Sequence[TabWrite]) -> Workbook:
    """A new workbook built in openpyxl's write-only mode, which streams rows to the file
    instead of keeping a Cell object per value: about twice as fast for a big tab."""
    book = Workbook(write_only=True)
    for change in writes:
        sheet = book.create_sheet(change.tab)
        sheet.freeze_panes = "A2"
        for values in (change.header, *change.rows):
            cells = _text_cells(values)
            hostile = [i for i, v in enumerate(cells) if _formula_like(v)]
            for index in hostile:
                cell = WriteOnlyCell(sheet, value=cells[index])
                cell.data_type = "s"
                cells[index] = cell
            sheet.append(cells)
    return book


def _text_cells(values: Sequence[Cell]) -> list[object]:
    return [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]


def _formula_like(value: object) -> bool:
    """A string openpyxl would store as a formula ("=…") or an error ("#N/A")."""
    return isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES)


def _apply(sheet: Worksheet, change: TabWrite) -> None:
    empty = sheet.max_row == 1 and sheet.max_column == 1 and sheet.cell(1, 1).value is None
    if not change.append or empty:
        # also resets openpyxl's append position to row 1
        sheet.delete_rows(1, sheet.max_row)
        _append(sheet, change.header)
        sheet.freeze_panes = "A2"
    for row in change.rows:
        _append(sheet, row)


def _append(sheet: Worksheet, values: Sequence[Cell]) -> None:
    """Append one row, every string stored as text.

    `Worksheet.append` keeps its own next-row counter (asking `max_row` per row scans every
    cell: quadratic). openpyxl turns a string starting with "=" into a formula and "#N/A" into
    an error; forcing such a cell's data_type back to "s" makes it a plain string cell,
    whatever the respondent typed.
    """
    cells = _text_cells(values)
    sheet.append(cells)
    row = sheet._current_row  # the row just appended; openpyxl has no public accessor
    for column, value in enumerate(cells, start=1):
        if _formula_like(value):
            sheet.cell(row=row, column=column).data_type = "s"
