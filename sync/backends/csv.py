"""The file Google Forms gives with "Download responses (.csv)". Read-only."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sync.backends import sniff
from sync.backends.base import TabWrite, display_path, frame_from_rows, unique_headers
from sync.errors import BackendError, SourceError

log = logging.getLogger(__name__)


class CsvBook:
    """A single-tab book: whatever tab is asked for, the file's rows answer."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = display_path(path)

    def _text(self) -> str:
        """The file's text: UTF-8 (with or without Excel's byte-order mark) when it decodes
        as UTF-8, else Windows-1252, Excel's "CSV (Comma delimited)" save on Windows (every
        byte decodes there). A file that is no csv at all is refused with what it is."""
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot read {self.path} ({exc.strerror or exc})") from None
        problem = sniff.csv_problem(self.path, self.description, data[:4096])
        if problem is not None:
            raise problem
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            log.warning("%s is not UTF-8; reading it as Windows-1252", self.path)
            return data.decode("cp1252", errors="replace")

    def read(self, tabs: Sequence[str]) -> dict[str, pd.DataFrame | None]:
        text = self._text()
        try:
            frame = _parsed(text)
        except ValueError:  # ragged rows or no rows at all: the csv module copes with both
            frame = frame_from_rows(list(csv.reader(io.StringIO(text, newline=""))))
        return {tab: frame for tab in tabs}

    def tab_names(self) -> list[str]:
        return [self.path.stem]

    def write(self, writes: Sequence[TabWrite]) -> None:
        raise BackendError(f"{self.path} is a form export (csv) and is never written")


def _parsed(text: str) -> pd.DataFrame:
    """The export as `frame_from_rows` would give it, parsed by pandas' C reader (some 15x
    faster than the csv module on a big export)."""
    raw = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False,
                      skip_blank_lines=False)
    body = raw.iloc[1:].fillna("").astype(object)
    body.columns = unique_headers(raw.iloc[0].fillna(""))
    body.index = pd.RangeIndex(2, 2 + len(body), name="row")
    return body
