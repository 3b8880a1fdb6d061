"""Backends: one module per kind of spreadsheet, one interface for all (see `base.Book`).

`open_book(kind, ...)` picks the class by the job file's `kind`; the Google backend (and so
gspread) is imported only when a job asks for it.
"""

from __future__ import annotations

from pathlib import Path

from sync.backends.base import Book, TabWrite, frame_from_rows
from sync.config import SourceConfig, TargetConfig

__all__ = ["Book", "TabWrite", "frame_from_rows", "open_source", "open_target"]


def open_source(source: SourceConfig) -> Book:
    if source.kind == "forms":
        from sync.backends.forms import FormsBook

        assert source.form is not None
        return FormsBook(source.form, source.credentials, tab=source.tab)
    return _open(source.kind, source.path, source.spreadsheet, source.credentials)


def open_target(target: TargetConfig) -> Book:
    return _open(target.kind, target.path, target.spreadsheet, target.credentials)


def _open(kind: str, path: Path | None, spreadsheet: str | None, credentials: Path | None) -> Book:
    if kind == "csv":
        from sync.backends.csv import CsvBook

        assert path is not None
        return CsvBook(path)
    if kind == "workbook":
        from sync.backends.workbook import WorkbookBook

        assert path is not None
        return WorkbookBook(path)
    if kind == "google":
        from sync.backends.google import GoogleBook

        assert spreadsheet is not None
        return GoogleBook(spreadsheet, credentials)
    raise ValueError(f"unknown backend kind {kind!r}")
