"""The one `spreadsheets.batchUpdate` that creates missing tabs, lays them out and grows
grids that a write would overflow.

Layout of a tab with reviewer columns (the curated tab): frozen header row, a Status
dropdown, a warning-only protected range over each block of computed columns (reviewer
columns stay free), conditional formatting for `Needs review` rows and `Outside U.S.`
cells, a basic filter and column widths. Other tabs (digest, letter list) get a frozen
header and widths when created.

Each piece is sent only when the metadata shows it missing, so later runs send nothing;
the protected ranges double as the marker that the tab was laid out (dropdown and widths
go with them), so staff's own widths and validation are never overwritten.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sync.backends.base import TabWrite

STATUS_COLUMN = "Status"
OUTSIDE_COLUMN = "Outside U.S."
STATUS_CHOICES = ("Approved", "Needs review", "Excluded")
PROTECTED_DESCRIPTION = (
    "signer-sync: computed by every run (edits here are overwritten); "
    "edit Listed As, Status and Reviewer Note instead"
)
NEW_TAB_ROWS = 1000
WIDTHS = {
    "Name": 240, "Listed As": 200, "Affiliation": 220, "Flags": 300, "Reviewer Note": 240,
    "Email": 240, "Partner Orgs": 220, "Summary": 480, "Signer ID": 90, "Type": 100,
    "As Printed": 420, "Section": 140,  # the Letter List tab
}
DEFAULT_WIDTH = 120
NEEDS_REVIEW_COLOR = {"red": 1.0, "green": 0.95, "blue": 0.8}
OUTSIDE_COLOR = {"red": 0.98, "green": 0.85, "blue": 0.85}

Request = dict[str, Any]


def plan(sheets: Mapping[str, Mapping[str, Any]], writes: Sequence[TabWrite],
         needs: Mapping[str, tuple[int, int]],
         moved: frozenset[str] = frozenset()) -> list[Request]:
    """Every request the writes need before their values can land; [] in steady state.
    `needs` gives each written tab's (rows, columns) after the write; `moved` names the
    tabs whose columns the write moves (their header changes)."""
    requests: list[Request] = []
    next_id = max((int(s["properties"]["sheetId"]) for s in sheets.values()), default=0) + 1
    for change in writes:
        rows, columns = needs[change.tab]
        sheet = sheets.get(change.tab)
        if sheet is None:
            sheet_id, next_id = next_id, next_id + 1
            requests.append({"addSheet": {"properties": {
                "sheetId": sheet_id, "title": change.tab,
                "gridProperties": {"rowCount": rows + NEW_TAB_ROWS,
                                   "columnCount": columns,
                                   "frozenRowCount": 1}}}})
            requests.extend(_layout(sheet_id, change, None))
            continue
        sheet_id = int(sheet["properties"]["sheetId"])
        grid = sheet["properties"].get("gridProperties", {})
        have_rows, have_columns = int(grid.get("rowCount", 0)), int(grid.get("columnCount", 0))
        if rows > have_rows or columns > have_columns:
            requests.append(_update_grid(sheet_id, {
                "rowCount": max(have_rows, rows + max(NEW_TAB_ROWS, rows // 2)),
                "columnCount": max(have_columns, columns)}))
            if STATUS_COLUMN in change.header and change.keep_columns:
                requests.append(_status_dropdown(sheet_id, change.header.index(STATUS_COLUMN)))
        requests.extend(_layout(sheet_id, change, sheet))
        if change.tab in moved and STATUS_COLUMN in change.header and change.keep_columns:
            # The dropdown stays on the column where the Status was (after staff inserted a
            # column, one to its right): strict, it would refuse Reviewer Notes typed in
            # Sheets. It follows the Status column to where this write puts it.
            requests.append({"setDataValidation": {"range": {
                "sheetId": sheet_id, "startRowIndex": 1,
                "startColumnIndex": 0, "endColumnIndex": len(change.header)}}})
            requests.append(_status_dropdown(sheet_id, change.header.index(STATUS_COLUMN)))
    return requests


def _layout(sheet_id: int, change: TabWrite, sheet: Mapping[str, Any] | None) -> Iterator[Request]:
    header = change.header
    if sheet is not None and int(sheet["properties"].get("gridProperties", {}).get(
            "frozenRowCount", 0)) < 1:
        yield _update_grid(sheet_id, {"frozenRowCount": 1})
    if not change.keep_columns:
        if sheet is None:
            yield from _widths(sheet_id, header)
        return
    protected = sheet is not None and any(
        p.get("description") == PROTECTED_DESCRIPTION for p in sheet.get("protectedRanges", []))
    if not protected:
        keep = sorted(header.index(c) for c in change.keep_columns if c in header)
        for start, stop in spans(len(header), keep):
            yield {"addProtectedRange": {"protectedRange": {
                "range": {"sheetId": sheet_id, "startColumnIndex": start, "endColumnIndex": stop},
                "description": PROTECTED_DESCRIPTION, "warningOnly": True}}}
        if STATUS_COLUMN in header:
            yield _status_dropdown(sheet_id, header.index(STATUS_COLUMN))
        yield from _widths(sheet_id, header)
    present = {
        str(v.get("userEnteredValue"))
        for rule in (sheet or {}).get("conditionalFormats", [])
        for v in rule.get("booleanRule", {}).get("condition", {}).get("values", [])
    }
    for formula, first, stop, color in _highlights(header):
        if formula not in present:
            yield {"addConditionalFormatRule": {"index": 0, "rule": {
                "ranges": [{"sheetId": sheet_id, "startRowIndex": 1,
                            "startColumnIndex": first, "endColumnIndex": stop}],
                "booleanRule": {
                    "condition": {"type": "CUSTOM_FORMULA",
                                  "values": [{"userEnteredValue": formula}]},
                    "format": {"backgroundColor": color}}}}}
    if sheet is None or not sheet.get("basicFilter"):
        yield {"setBasicFilter": {"filter": {"range": {
            "sheetId": sheet_id, "startRowIndex": 0,
            "startColumnIndex": 0, "endColumnIndex": len(header)}}}}


def _highlights(header: list[str]) -> Iterator[tuple[str, int, int, dict[str, float]]]:
    """(formula, first column, stop column, color) of each conditional format."""
    if STATUS_COLUMN in header:
        letter = column_letter(header.index(STATUS_COLUMN))
        yield f'=${letter}2="Needs review"', 0, len(header), NEEDS_REVIEW_COLOR
    if OUTSIDE_COLUMN in header:
        column = header.index(OUTSIDE_COLUMN)
        yield f'=${column_letter(column)}2="Yes"', column, column + 1, OUTSIDE_COLOR


def _status_dropdown(sheet_id: int, column: int) -> Request:
    return {"setDataValidation": {
        "range": {"sheetId": sheet_id, "startRowIndex": 1,
                  "startColumnIndex": column, "endColumnIndex": column + 1},
        "rule": {"condition": {"type": "ONE_OF_LIST",
                               "values": [{"userEnteredValue": v} for v in STATUS_CHOICES]},
                 "strict": True, "showCustomUi": True}}}


def _update_grid(sheet_id: int, grid: dict[str, int]) -> Request:
    return {"updateSheetProperties": {
        "properties": {"sheetId": sheet_id, "gridProperties": grid},
        "fields": ",".join(f"gridProperties.{k}" for k in grid)}}


def _widths(sheet_id: int, header: list[str]) -> Iterator[Request]:
    for column, name in enumerate(header):
        yield {"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS",
                      "startIndex": column, "endIndex": column + 1},
            "properties": {"pixelSize": WIDTHS.get(name, DEFAULT_WIDTH)},
            "fields": "pixelSize"}}


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def spans(width: int, skip: list[int]) -> Iterator[tuple[int, int]]:
    """Column spans [start, stop) of 0..width that avoid the columns in `skip`."""
    start = 0
    for column in [*skip, width]:
        if column > start:
            yield start, column
        start = column + 1
