"""The naive reference: a sync written row by row with gspread, counted, not waited for.

The script a volunteer would write first: open the spreadsheet and its tabs, then for every
curated signer either `append_row` (a new signer) or read the row's reviewer cells with
`row_values` and `update` the row if anything in it changed. Each of those gspread calls is
one Sheets API request (the fake server's notes list gspread 6's request cost per call).

`naive_requests` runs that logic over the real pipeline's curated tables against a
`CountingWorksheet`, which records each call instead of sending it, so a million signers
cost no HTTP. `check_against_fake` sends the same calls for a small sample to the fake
Sheets server through real gspread and returns both counts, so the report can show that
one counted call is one request.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

import pandas as pd

from sync.curate import REVIEWER_COLUMNS

# open_by_key, worksheet(form tab), get_all_values of the form, worksheet(curated tab)
OPEN_REQUESTS = 4


class Worksheet(Protocol):
    def row_values(self, row: int, **kwargs: Any) -> list[str]: ...

    def update(self, values: list[list[str]], range_name: str, **kwargs: Any) -> Any: ...

    def append_row(self, values: list[str], **kwargs: Any) -> Any: ...


class CountingWorksheet:
    """Records the gspread calls a row-by-row sync would make, without sending them."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def row_values(self, row: int, **kwargs: Any) -> list[str]:
        self.calls["row_values"] += 1
        return []

    def update(self, values: list[list[str]], range_name: str, **kwargs: Any) -> None:
        self.calls["update"] += 1

    def append_row(self, values: list[str], **kwargs: Any) -> None:
        self.calls["append_row"] += 1

    def total(self) -> int:
        return OPEN_REQUESTS + sum(self.calls.values())


def table_rows(curated: pd.DataFrame) -> dict[str, list[str]]:
    """Signer ID → the row's text, reviewer columns left out (those are the staff's)."""
    columns = [c for c in curated.columns if c not in REVIEWER_COLUMNS]
    texts = curated[columns].astype(str).to_numpy().tolist()
    return {row[0]: row for row in texts}


def sync_row_by_row(sheet: Worksheet, rows: dict[str, list[str]],
                    previous: dict[str, list[str]]) -> None:
    """One call per new signer, two per signer already in the tab (its reviewer cells
    read, then its row written back when it changed)."""
    positions = {signer: index + 2 for index, signer in enumerate(previous)}
    for signer, row in rows.items():
        position = positions.get(signer)
        if position is None:
            sheet.append_row(row, value_input_option="RAW")
            continue
        sheet.row_values(position)
        if previous[signer] != row:
            sheet.update([row], f"A{position}", value_input_option="RAW")


def naive_requests(rows: dict[str, list[str]], previous: dict[str, list[str]],
                   digest: bool = False) -> int:
    sheet = CountingWorksheet()
    sync_row_by_row(sheet, rows, previous)
    if digest:
        sheet.append_row(["digest"])
    return sheet.total()


def check_against_fake(sample: Sequence[list[str]]) -> tuple[int, int]:
    """(counted calls, requests the fake server received) for a first run and a rerun of
    `sample` rows sent for real through gspread."""
    from sync.testing.fake_sheets import FakeSheetsServer, gspread_client

    rows = {row[0]: list(row) for row in sample}
    changed = {k: [*v[:-1], "changed"] for k, v in list(rows.items())[: len(rows) // 2]}
    counted = naive_requests(rows, {}) + naive_requests({**rows, **changed}, rows)
    with FakeSheetsServer() as server:
        server.add_spreadsheet("naive", tabs={"Form": [["Timestamp"]], "Curated": []},
                               row_count=len(rows) + 10)
        for previous, current in (({}, rows), (rows, {**rows, **changed})):
            client = gspread_client(server.url)
            book = client.open_by_key("naive")
            book.worksheet("Form").get_all_values()
            sync_row_by_row(book.worksheet("Curated"), current, previous)
        sent = server.count()
    return counted, sent
