"""The interface every backend implements.

A `Book` is a spreadsheet-like set of named tabs. A run reads everything it needs from a
book in one `read` call and writes everything in one `write` call, so a remote backend can
turn each into a single batch request and a local one into a single atomic save.

Values cross this boundary as text: `read` returns one DataFrame per tab whose columns are
the header row (blank headers become "Column N", repeated ones get " (2)") and whose cells
are strings ("" for empty); the index is the sheet's row number. `write` takes plain
strings and numbers; a backend must store every string as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

Cell = str | int | float


@dataclass(frozen=True)
class TabWrite:
    """One tab's new content.

    `append=False` replaces the tab's values (header + rows); `append=True` adds `rows` under
    what is there, writing `header` first only if the tab is empty. `keep_columns` names
    columns whose cells in rows that already exist a backend may leave untouched (reviewer
    columns: a reviewer may be editing them while the run is in flight). `read_as` is the
    tab as the run read it, which `rows` were built from: a backend that finds the tab
    changed since (staff saved the workbook meanwhile) compares the two to keep the edits.
    """

    tab: str
    header: list[str]
    rows: list[list[Cell]]
    append: bool = False
    keep_columns: tuple[str, ...] = field(default=())
    read_as: pd.DataFrame | None = field(default=None, compare=False, repr=False)


class Book(Protocol):
    description: str

    def read(self, tabs: Sequence[str]) -> dict[str, pd.DataFrame | None]:
        """Every requested tab's values (None for a tab that does not exist), in one go."""

    def tab_names(self) -> list[str]:
        """The tabs the book has now."""

    def write(self, writes: Sequence[TabWrite]) -> None:
        """Apply all writes, all or nothing as far as the backend allows."""


def display_path(path: Path) -> str:
    """A path as staff would type it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def cell_text(value: Any) -> str:
    """A cell value as the text a person would have typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def unique_headers(raw: Iterable[Any]) -> list[str]:
    """Header cells made usable as column names: blanks named, repeats numbered."""
    headers: list[str] = []
    seen: dict[str, int] = {}
    for position, value in enumerate(raw, start=1):
        name = cell_text(value).strip() or f"Column {position}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        headers.append(name)
    return headers


def frame_from_rows(rows: Sequence[Sequence[Any]], first_row: int = 1) -> pd.DataFrame:
    """Turn a tab's rows (header first) into the DataFrame `Book.read` returns."""
    if not rows:
        return pd.DataFrame()
    headers = unique_headers(rows[0])
    width = len(headers)
    body = [  # most cells are text already: only the others go through cell_text
        [v if type(v) is str else cell_text(v) for v in row[:width]]
        + [""] * (width - min(len(row), width))
        for row in rows[1:]
    ]
    frame = pd.DataFrame(body, columns=headers, dtype=object)
    frame.index = pd.RangeIndex(first_row + 1, first_row + 1 + len(body), name="row")
    return frame
