"""Text too long for a spreadsheet cell, cut once where it enters.

Excel keeps at most 32,767 characters in a cell (openpyxl cuts the rest silently when it
reads), Google Sheets 50,000. An answer longer than the target's limit is cut as soon as
the responses are read (`cut_answers`), so the state file, the digests, the letter list,
the logs and what a run prints never hold more of it than the curated tab can. What the
tool builds from several answers (a name from a first and a last name, every email of an
organization) can still outgrow a cell: `cut_cells` shortens those when the tabs are
written.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import zip_longest

import pandas as pd

CELL_LIMITS = {"workbook": 32_767, "google": 50_000}
# Three dots rather than "…": cleaning answers (NFKC) turns "…" into "...", which would make
# a cut answer two characters too long again.
CUT_MARK = "..."
SHOWN = 5  # rows or Signer IDs a message names


def cell_limit(target_kind: str) -> int:
    """The most characters a cell of this kind of target holds."""
    return CELL_LIMITS.get(target_kind, min(CELL_LIMITS.values()))


def _cut(value: str, limit: int) -> str:
    return value[:limit - len(CUT_MARK)] + CUT_MARK


def _message(where: str, column: str, count: int, limit: int, who: str) -> str:
    return (f"{where}, column {column!r}: {count} value(s) longer than {limit:,} characters "
            f"cut to fit a cell ({who}); the full answers stay in the form's responses")


def _named(items: list[str], noun: str) -> str:
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return f"{noun}{'s' if len(items) > 1 else ''} {', '.join(items[:SHOWN])}{more}"


def cut_answers(responses: pd.DataFrame, headers: Mapping[str, str], limit: int,
                where: str) -> list[str]:
    """Shorten, in place, every answer longer than `limit`; one message per column naming
    the question (`headers`: column → the sheet's header) and the sheet's rows."""
    messages = []
    for column, header in headers.items():
        values = responses[column]
        if max(map(len, values), default=0) <= limit:
            continue  # the usual case, found column by column at C speed
        long = values.str.len() > limit
        responses.loc[long, column] = [_cut(v, limit) for v in values[long]]
        rows = [str(row) for row in responses.index[long]]
        messages.append(_message(where, header, len(rows), limit, _named(rows, "row")))
    return messages


def cut_cells(header: list[str], table: list[list[str | int]], tab: str,
              limit: int) -> list[str]:
    """Shorten, in place, any text in `table` too long for a cell; one message per column
    naming the Signer IDs (each row's first value)."""
    cut: dict[str, list[str]] = {}
    for index, column in enumerate(zip_longest(*table, fillvalue="")):
        if max(map(len, map(str, column)), default=0) <= limit:
            continue
        for row in table:
            value = row[index] if index < len(row) else ""
            if isinstance(value, str) and len(value) > limit:
                row[index] = _cut(value, limit)
                cut.setdefault(header[index], []).append(str(row[0]))
    return [_message(f"tab {tab!r}", column, len(ids), limit, ", ".join(ids[:SHOWN]))
            for column, ids in cut.items()]
