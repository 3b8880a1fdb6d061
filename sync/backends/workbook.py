"""An .xlsx workbook standing in for the Google spreadsheet (offline demo, tests, exports).

Writes load the whole workbook, change only the tabs being written, and save to a temporary
file that then replaces the original (`os.replace` is atomic on one filesystem), so a crash
mid-save never leaves a broken workbook and the other tabs keep their values and formatting.
Replaced tabs are streamed in (xlsx_parts). Reads use calamine.

A tab is found by `sync.names.find_tab` ("Curated signers" is the existing "Curated
Signers"), and written under its existing title: openpyxl would otherwise add
"Curated signers1", since Excel tab names ignore case.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineError, CalamineWorkbook

from sync.backends.base import Cell, TabWrite, display_path, frame_from_rows, unique_headers
from sync.backends.sniff import xlsx_problem
from sync.backends.xlsx_parts import Carried, fill_rows, without_rows, worksheet_parts
from sync.errors import BackendError
from sync.names import find_tab


class WorkbookBook:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = display_path(path)

    def _load(self, replaced: Sequence[str], kept: Collection[str]
              ) -> tuple[Workbook, dict[str, Carried]]:
        """The workbook without the cells of the tabs being replaced, nor of the tabs
        carried over untouched (returned), so openpyxl only parses the tabs in `kept`
        (appended to) and any it cannot carry."""
        try:
            stripped, carried = without_rows(self.path, replaced, kept)
            return load_workbook(stripped), carried
        except FileNotFoundError:
            raise
        except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError,
                ElementTree.ParseError) as exc:
            raise BackendError(f"{self.path} is not a readable .xlsx workbook ({exc})") from None

    def read(self, tabs: Sequence[str]) -> dict[str, pd.DataFrame | None]:
        # calamine (Rust) reads a big tab about ten times faster than openpyxl's read-only
        # mode; like `data_only`, it gives a formula's last computed value.
        if not self.path.exists():
            return dict.fromkeys(tabs)
        book = self._calamine()
        try:
            found = {tab: find_tab(tab, book.sheet_names, self.description) for tab in tabs}
            return {
                tab: frame_from_rows(book.get_sheet_by_name(name).to_python(
                    skip_empty_area=False)) if name is not None else None
                for tab, name in found.items()
            }
        except CalamineError as exc:
            raise BackendError(f"{self.path} is not a readable .xlsx workbook ({exc})") from None
        finally:
            book.close()

    def read_headers(self, tabs: Sequence[str]) -> dict[str, list[str] | None]:
        """Only the header row of each tab (None for a missing one)."""
        if not self.path.exists():
            return dict.fromkeys(tabs)
        book = self._calamine()
        try:
            found = {tab: find_tab(tab, book.sheet_names, self.description) for tab in tabs}
            return {tab: unique_headers(
                (book.get_sheet_by_name(name).to_python(nrows=1) or [[]])[0])
                if name is not None else None for tab, name in found.items()}
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

    def _sheet_names(self) -> list[str]:
        """The tabs' names from the workbook's index alone (no cells are read)."""
        try:
            with zipfile.ZipFile(self.path) as archive:
                return list(worksheet_parts(archive, None).values())
        except (OSError, zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
            raise BackendError(f"{self.path} is not a readable .xlsx workbook ({exc})") from None

    def _calamine(self) -> CalamineWorkbook:
        try:
            return CalamineWorkbook.from_path(str(self.path))
        except FileNotFoundError:
            raise
        except (OSError, CalamineError) as exc:
            problem = xlsx_problem(self.path, self.description)
            if problem is not None:  # a csv, a zip, an empty file...: say which
                raise problem from None
            raise BackendError(f"{self.path} is not a readable .xlsx workbook ({exc})") from None

    def write(self, writes: Sequence[TabWrite]) -> None:
        """Tabs replaced (or written from empty) are emptied by openpyxl and their rows
        streamed in afterwards (see xlsx_parts); rows appended under existing ones go
        through openpyxl."""
        carried: dict[str, Carried] = {}
        if self.path.exists():
            names = self._sheet_names()
            writes = [replace(w, tab=find_tab(w.tab, names, self.description) or w.tab)
                      for w in writes]
            book, carried = self._load([w.tab for w in writes if not w.append],
                                       {w.tab for w in writes if w.append})
        else:
            book = Workbook()
            book.remove(book.active)
        streamed: dict[str, list[Sequence[Cell]]] = {}
        for change in writes:
            exists = change.tab in book.sheetnames
            sheet = book[change.tab] if exists else book.create_sheet(change.tab)
            if change.append and change.tab in streamed:
                streamed[change.tab].extend(change.rows)
            elif change.append and not _is_empty(sheet):
                for row in change.rows:
                    _append(sheet, row)
            else:
                sheet.delete_rows(1, sheet.max_row)
                sheet.freeze_panes = "A2"
                streamed[change.tab] = [change.header, *change.rows]
        self._save(book, streamed, carried)

    def _save(self, book: Workbook, streamed: dict[str, list[Sequence[Cell]]],
              carried: dict[str, Carried]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temps = [self._temp(), self._temp()]
        filled = bool(streamed or carried)
        try:
            book.save(temps[0])
            if filled:
                fill_rows(Path(temps[0]), Path(temps[1]), streamed, carried)
            os.replace(temps[1] if filled else temps[0], self.path)
        except OSError as exc:
            raise BackendError(f"cannot save {self.path} ({exc.strerror or exc})") from None
        finally:
            for temp in temps:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temp)

    def _temp(self) -> str:
        handle, temp = tempfile.mkstemp(prefix=f".{self.path.stem}-", suffix=".xlsx",
                                        dir=self.path.parent)
        os.close(handle)
        return temp


def _is_empty(sheet: Worksheet) -> bool:
    return sheet.max_row == 1 and sheet.max_column == 1 and sheet.cell(1, 1).value is None


def _text_cells(values: Sequence[Cell]) -> list[object]:
    return [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]


def _formula_like(value: object) -> bool:
    """A string openpyxl would store as a formula ("=…") or an error ("#N/A")."""
    return isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES)


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
