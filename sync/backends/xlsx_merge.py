"""The reviewers' edits saved into a workbook while a run was going, kept in its write.

A run builds the curated tab's rows from the tab as it read it. If staff saved the
workbook between that read and the write, the file now holds edits the rows do not: a
Status changed, a note typed, a column or a row of their own added. Every cell staff can
edit (the reviewer columns and staff's own columns, matched by Signer ID) that differs
between the newer tab and the tab as read was edited in between, and the newer value
wins; staff rows (no Signer ID) and staff columns come from the newer tab. The service's
own columns stay as the run computed them.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from sync.backends.base import Cell, TabWrite
from sync.curate import CURATED_COLUMNS, REVIEWER_COLUMNS
from sync.review import staff_columns, staff_rows

ID_COLUMN = "Signer ID"


def with_newer(change: TabWrite, newer: pd.DataFrame | None) -> TabWrite:
    """`change`, built from `change.read_as`, with the edits `newer` holds since."""
    read = change.read_as
    if newer is None or read is None or ID_COLUMN not in newer.columns \
            or ID_COLUMN not in change.header:
        return change
    own = [c for c in change.header if c in CURATED_COLUMNS]
    theirs = staff_columns(newer)
    header = [*own, *theirs]
    at = {name: index for index, name in enumerate(change.header)}
    editable = [c for c in header if c in REVIEWER_COLUMNS or c not in CURATED_COLUMNS]
    before = _by_id(read, [c for c in editable if c in read.columns])
    after = _by_id(newer, [c for c in editable if c in newer.columns])
    ids = at[ID_COLUMN]
    rows: list[list[Cell]] = []
    for row in change.rows:
        signer = str(row[ids]).strip()
        if not signer:
            continue  # a staff row: the newer tab's are taken below
        was, now = before.get(signer, {}), after.get(signer)
        merged = []
        for name in header:
            value: Cell = row[at[name]] if name in at and at[name] < len(row) else ""
            if now is not None and name in now and (
                    name not in was or now[name] != was[name]):
                value = now[name]
            merged.append(value)
        rows.append(merged)
    rows += staff_rows(newer, header)
    return replace(change, header=header, rows=rows, read_as=newer)


def _by_id(tab: pd.DataFrame, columns: list[str]) -> dict[str, dict[str, str]]:
    """Signer ID → {column: text} for the first row of each Signer ID."""
    found: dict[str, dict[str, str]] = {}
    if not columns:
        return found
    values = tab[columns].astype(str).values.tolist()
    for signer, cells in zip(tab[ID_COLUMN].astype(str).str.strip().tolist(), values,
                             strict=True):
        if signer and signer not in found:
            found[signer] = dict(zip(columns, cells, strict=True))
    return found
