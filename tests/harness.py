"""Tools for the reliability tests: fault-injecting wrappers at the real boundaries, a
backend kit per kind of target, and a tally of what was tried (written out by
bench/reliability.py into RELIABILITY.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from sync.backends import Book, TabWrite
from sync.backends.google import GoogleBook
from sync.backends.workbook import WorkbookBook
from sync.config import JobConfig, load_job
from sync.pipeline import RunResult, run_job
from sync.review import Decision
from sync.state import DigestRecord, State
from sync.testing.fake_sheets import FakeSheetsServer, column_letters, gspread_client
from tests.conftest import CSV_JOB, write_form_csv, write_job
from tests.google_support import FORM_TAB, GOOGLE_JOB, form_rows

TALLY: Counter[str] = Counter()
TALLY_ENV = "SIGNER_SYNC_TALLY"


def count(what: str, n: int = 1) -> None:
    TALLY[what] += n


def write_tally() -> None:
    """Add this session's tally to the file named by $SIGNER_SYNC_TALLY (if set)."""
    target = os.environ.get(TALLY_ENV)
    if not target:
        return
    path = Path(target)
    total = Counter(json.loads(path.read_text())) if path.exists() else Counter()
    total.update(TALLY)
    path.write_text(json.dumps(dict(sorted(total.items())), indent=2))


def run(job: JobConfig, **kwargs: Any) -> RunResult:
    """`run_job`, counted."""
    count("pipeline runs")
    return run_job(job, **kwargs)


def scratch_dir() -> str | None:
    """A memory-backed folder for the many short-lived files of property tests: SQLite's
    fsync costs ~20 ms a commit on the CI disk and nothing in /dev/shm."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


class InjectedFault(RuntimeError):
    """What an injected fault raises: stands for a crash, a lost connection, a full disk."""


class FaultyBook:
    """A real Book that fails once at `when`: "read" (after the read came back),
    "write-before" (nothing written) or "write-after" (written, the answer lost)."""

    def __init__(self, book: Book, when: str) -> None:
        self.book, self.when = book, when
        self.description = book.description

    def read(self, tabs: Sequence[str]) -> dict[str, pd.DataFrame | None]:
        result = self.book.read(tabs)
        self._maybe_fail("read")
        return result

    def tab_names(self) -> list[str]:
        return self.book.tab_names()

    def write(self, writes: Sequence[TabWrite]) -> None:
        self._maybe_fail("write-before")
        self.book.write(writes)
        self._maybe_fail("write-after")

    def _maybe_fail(self, point: str) -> None:
        if point == self.when:
            count("faults injected")
            raise InjectedFault(f"injected fault at {point}")


class FaultyState(State):
    """The real SQLite state, failing in `method` (before it touches the file)."""

    def __init__(self, path: Path, method: str) -> None:
        super().__init__(path)
        self.method = method

    def save_curation(self, registry: Any, decisions: dict[str, Decision]) -> None:
        self._maybe_fail("save_curation")
        super().save_curation(registry, decisions)

    def commit_digest(self, record: DigestRecord, snapshot: pd.DataFrame,
                      mail: bytes | None = None) -> None:
        self._maybe_fail("commit_digest")
        super().commit_digest(record, snapshot, mail)

    def begin_digest(self, record: DigestRecord, snapshot: pd.DataFrame, tab_row: list[str],
                     file: str | None, mail: bytes | None = None) -> None:
        self._maybe_fail("begin_digest")
        super().begin_digest(record, snapshot, tab_row, file, mail)

    def _maybe_fail(self, method: str) -> None:
        if method == self.method:
            count("faults injected")
            raise InjectedFault(f"injected fault in {method}")


@dataclass
class WorkbookKit:
    """A csv → workbook job in `folder`: the target is a real .xlsx file.

    A kit for another backend offers the same methods: `job`, `book`, `tab`, and the staff
    edits (`edit`, `delete_row`, `sort`, `insert_column`, `hide_column`, `is_hidden`,
    `rename`, `snapshot`) done the way that backend's users do them."""

    folder: Path
    name = "workbook"

    def job(self, rows: list[dict[str, str]], job_name: str = "test") -> JobConfig:
        write_form_csv(self.folder / "responses.csv", rows)
        return load_job(write_job(self.folder, CSV_JOB.format(name=job_name), job_name))

    def book(self) -> Book:
        return WorkbookBook(self.folder / "out" / "signers.xlsx")

    def tab(self, name: str) -> list[list[str]]:
        """The tab's values as text, header first ([] when it does not exist)."""
        frame = self.book().read([name])[name]
        if frame is None:
            return []
        return [list(frame.columns), *frame.astype(str).values.tolist()]

    @property
    def path(self) -> Path:
        return self.folder / "out" / "signers.xlsx"

    def _change(self, tab: str, change: Any) -> None:
        book = openpyxl.load_workbook(self.path)
        change(book[tab], [c.value for c in book[tab][1]])
        book.save(self.path)

    def edit(self, tab: str, row: int, column: str, value: str) -> None:
        """A person typing `value` into `column` of data row `row` (0-based)."""
        self._change(tab, lambda sheet, header: sheet.cell(row + 2, header.index(column) + 1,
                                                           value))

    def delete_row(self, tab: str, row: int) -> None:
        self._change(tab, lambda sheet, _: sheet.delete_rows(row + 2))

    def sort(self, tab: str, column: str, *, reverse: bool = False) -> None:
        """Data > Sort range, on the data rows."""

        def change(sheet: Any, header: list[str]) -> None:
            rows = sorted(([c.value for c in r] for r in sheet.iter_rows(min_row=2)),
                          key=lambda r: str(r[header.index(column)]), reverse=reverse)
            for number, values in enumerate(rows, start=2):
                for col, value in enumerate(values, start=1):
                    sheet.cell(number, col, value)

        self._change(tab, change)

    def insert_column(self, tab: str, before: str, title: str, values: list[str]) -> None:
        def change(sheet: Any, header: list[str]) -> None:
            at = header.index(before) + 1
            sheet.insert_cols(at)
            for number, value in enumerate([title, *values], start=1):
                sheet.cell(number, at, value)

        self._change(tab, change)

    def hide_column(self, tab: str, column: str) -> None:
        def change(sheet: Any, header: list[str]) -> None:
            sheet.column_dimensions[get_column_letter(header.index(column) + 1)].hidden = True

        self._change(tab, change)

    def is_hidden(self, tab: str, column: str) -> bool:
        sheet = openpyxl.load_workbook(self.path)[tab]
        header = [c.value for c in sheet[1]]
        return bool(sheet.column_dimensions[get_column_letter(header.index(column) + 1)].hidden)

    def rename(self, tab: str, column: str, title: str) -> None:
        self._change(tab, lambda sheet, header: sheet.cell(1, header.index(column) + 1, title))

    def snapshot(self) -> bytes:
        """The whole spreadsheet, to prove a stopped run changed nothing."""
        return self.path.read_bytes()


@dataclass
class GoogleKit:
    """A Google job whose responses and curated tabs share one spreadsheet on a fake Sheets
    server, as real users have it: the form's response tab and the tool's tabs side by side.

    Staff edits go through the server the way a Sheets user makes them: typing into cells,
    Delete row / Insert column / Hide column (spreadsheets.batchUpdate requests), Data >
    Sort range (the cells' values move, the rows' formatting stays). The spreadsheet's key
    is derived from `folder`, so `dataclasses.replace(kit, folder=...)` gives a new one."""

    folder: Path
    server: FakeSheetsServer
    key: str = field(init=False)
    name = "google"

    def __post_init__(self) -> None:
        digest = hashlib.sha256(str(self.folder).encode()).hexdigest()[:24]
        self.key = f"1Kit{digest}"

    def job(self, rows: list[dict[str, str]], job_name: str = "test") -> JobConfig:
        values = form_rows(rows)
        if not self._exists():
            self.server.add_spreadsheet(self.key, title="Sign-on (Responses)",
                                        tabs={FORM_TAB: values})
        else:
            old = len(self.server.values(self.key, FORM_TAB))
            blank: list[list[object]] = [[""] * len(values[0])] * max(0, old - len(values))
            self.server.set_values(self.key, FORM_TAB, "A1", [*values, *blank])
        text = GOOGLE_JOB.format(name=job_name, key=self.key, extra="")
        return load_job(write_job(self.folder, text, job_name))

    def _exists(self) -> bool:
        try:
            self.server.tabs(self.key)
        except KeyError:
            return False
        return True

    def book(self) -> Book:
        return GoogleBook(self.key)

    def tab(self, name: str) -> list[list[str]]:
        """The tab's values as text, header first ([] when it does not exist)."""
        frame = self.book().read([name])[name]
        if frame is None:
            return []
        return [list(frame.columns), *frame.astype(str).values.tolist()]

    def _header(self, tab: str) -> list[str]:
        return [str(v) for v in self.server.values(self.key, tab)[0]]

    def _letter(self, tab: str, column: str) -> str:
        return column_letters(self._header(tab).index(column))

    def _batch_update(self, *requests_: dict[str, Any]) -> None:
        gspread_client(self.server.url).http_client.batch_update(
            self.key, {"requests": list(requests_)})

    def _dimension(self, tab: str, dimension: str, index: int) -> dict[str, Any]:
        return {"sheetId": self.server.sheet(self.key, tab).sheet_id, "dimension": dimension,
                "startIndex": index, "endIndex": index + 1}

    def edit(self, tab: str, row: int, column: str, value: str) -> None:
        """A person typing `value` into `column` of data row `row` (0-based)."""
        self.server.set_cell(self.key, tab, f"{self._letter(tab, column)}{row + 2}", value,
                             value_input_option="USER_ENTERED")

    def delete_row(self, tab: str, row: int) -> None:
        """Right-click > Delete row: the rows below move up."""
        self._batch_update({"deleteDimension": {"range": self._dimension(tab, "ROWS",
                                                                          row + 1)}})

    def sort(self, tab: str, column: str, *, reverse: bool = False) -> None:
        """Data > Sort range, on the data rows: values move, typed values keep their type."""
        header, *rows = self.server.values(self.key, tab,
                                           value_render_option="UNFORMATTED_VALUE")
        width = len(header)
        padded = [[*r, *[""] * (width - len(r))] for r in rows]
        padded.sort(key=lambda r: str(r[header.index(column)]), reverse=reverse)
        self.server.set_values(self.key, tab, "A2", padded)

    def insert_column(self, tab: str, before: str, title: str, values: list[str]) -> None:
        """Insert 1 column left, then a title and a value per row typed into it."""
        letter = self._letter(tab, before)
        index = self._header(tab).index(before)
        self._batch_update({"insertDimension": {
            "range": self._dimension(tab, "COLUMNS", index), "inheritFromBefore": False}})
        self.server.set_values(self.key, tab, f"{letter}1", [[v] for v in [title, *values]],
                               value_input_option="USER_ENTERED")

    def hide_column(self, tab: str, column: str) -> None:
        index = self._header(tab).index(column)
        self._batch_update({"updateDimensionProperties": {
            "range": self._dimension(tab, "COLUMNS", index),
            "properties": {"hiddenByUser": True}, "fields": "hiddenByUser"}})

    def is_hidden(self, tab: str, column: str) -> bool:
        return self._letter(tab, column) in self.server.sheet(self.key, tab).hidden_columns

    def rename(self, tab: str, column: str, title: str) -> None:
        self.server.set_cell(self.key, tab, f"{self._letter(tab, column)}1", title,
                             value_input_option="USER_ENTERED")

    def snapshot(self) -> bytes:
        """Every tab's values and layout but the form's (which the test's job() refills),
        to prove a stopped run changed nothing."""
        tabs = {
            tab: {"values": self.server.values(self.key, tab,
                                               value_render_option="UNFORMATTED_VALUE"),
                  "layout": self.server.sheet(self.key, tab)}
            for tab in self.server.tabs(self.key) if tab != FORM_TAB
        }
        return json.dumps(tabs, default=repr, sort_keys=True).encode()


def reported_new(digest_dir: Path) -> list[str]:
    """Every name listed as new in the Markdown digests in `digest_dir`."""
    names: list[str] = []
    for path in sorted(digest_dir.glob("*.md")):
        section = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                section = line
            elif line.startswith("- ") and section.startswith("## New "):
                names.append(re.sub(r", .*$", "", line[2:]))
    return names


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2021, 11, day, hour, 0, tzinfo=dt.UTC)
