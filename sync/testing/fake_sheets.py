"""A local fake of the Google Sheets API v4, for tests and benchmarks.

No machine that runs signer-sync's tests can reach Google, so this module serves the Sheets
endpoints gspread 6.x calls, over real HTTP on 127.0.0.1, answering the way Google answers:
the same JSON shapes, the same trimming of empty cells, the same canonical range echoes, the
same error bodies (messages copied from real API responses where we have seen them).

    with FakeSheetsServer() as server:
        server.add_spreadsheet(
            "KEY",
            title="Sign-on (Responses)",
            tabs={"Form Responses 1": [["Timestamp", "Name"],
                                       [dt.datetime(2021, 10, 22, 18, 2, 11), "Ann"]]},
        )
        client = gspread_client(server.url)
        rows = client.open_by_key("KEY").worksheet("Form Responses 1").get_all_values()

Besides the data, the server has knobs for the failures a production run must survive
(`fail`, `delay`, `forbid`, `disable_api`), a thread-safe log of every request (`requests`,
`count`), and direct access to the data between requests (`set_cell`, `values`, `sheet`)
to play a reviewer who edits the sheet while a run is in flight.

Known simplifications, each chosen so a test against the fake is at least as strict as the
real thing, or documented where it cannot be:

* Formulas are stored, not computed. A formula cell renders as its text in every render
  option, except `=HYPERLINK("url", "label")` (renders the label) and literal formulas such
  as `="text"` or `=42`.
* USER_ENTERED parses numbers (dropping leading zeros, as Sheets does), TRUE/FALSE,
  percentages, dollar amounts, `M/D/YYYY [H:MM[:SS]]` and `YYYY-MM-DD [H:MM[:SS]]` dates, a
  leading apostrophe (forces text) and formulas; other locale-specific parsing is absent.
* Sheet titles are matched exactly (case-sensitively) in ranges.
* values.append finds the "table" as the bounding box of the non-empty cells inside the
  range (the whole grid below/right of it for a single-cell range) and writes below it.
* Row/column insertion and deletion move cell values and data validation, but not the
  ranges recorded in protected ranges, conditional formats or the basic filter.
* Only the Sheets origin is served; Drive API calls (gspread's `open(title)`,
  `list_spreadsheet_files`, `creationTime`, `get_lastUpdateTime`, sharing) get a 404.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qs, unquote, urlsplit

import gspread
import requests
from google.auth.credentials import AnonymousCredentials
from gspread.http_client import HTTPClient

from sync.backends.endpoint import (
    ENDPOINT_ENV_VAR,
    GOOGLE_SHEETS_ORIGIN,
    EndpointAdapter,
    endpoint_from_env,
    mount_endpoint,
    validate_base_url,
)

__all__ = [
    "DATETIME_PATTERN",
    "DATE_PATTERN",
    "DEFAULT_COLUMN_COUNT",
    "DEFAULT_ROW_COUNT",
    "ENDPOINT_ENV_VAR",
    "GOOGLE_SHEETS_ORIGIN",
    "TOKEN_PATH",
    "Cell",
    "EndpointAdapter",
    "EndpointSession",
    "FakeSheetsServer",
    "FaultRule",
    "RecordedRequest",
    "SheetState",
    "SheetsApiError",
    "column_index",
    "column_letters",
    "endpoint_from_env",
    "from_serial_number",
    "gspread_client",
    "mount_endpoint",
    "quote_sheet_title",
    "to_serial_number",
]


DEFAULT_ROW_COUNT = 1000
DEFAULT_COLUMN_COUNT = 26
MAX_CELLS = 10_000_000
MAX_COLUMNS = 18_278  # ZZZ

DATETIME_PATTERN = "M/d/yyyy H:mm:ss"  # what a Form response sheet's Timestamp column uses
DATE_PATTERN = "M/d/yyyy"
ISO_DATE_PATTERN = "yyyy-mm-dd"
ISO_DATETIME_PATTERN = "yyyy-mm-dd H:mm:ss"

SERIAL_EPOCH = dt.datetime(1899, 12, 30)
TOKEN_PATH = "/token"  # the fake's OAuth token endpoint (see FakeSheetsServer._token_reply)

STATUS_NAMES: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    502: "UNKNOWN",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

_DEFAULT_MESSAGES: dict[int, str] = {
    400: "Request contains an invalid argument.",
    401: (
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project."
    ),
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    409: "The operation was aborted.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
    504: "The request timed out.",
}

_HTML_ERROR = """<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">
  <title>Error {status} (Server Error)!!1</title>
  <p><b>{status}.</b> <ins>That's an error.</ins>
  <p>The server encountered a temporary error and could not complete your request.
  <p>Please try again in 30 seconds.  <ins>That's all we know.</ins>
"""

ValueRenderOption = Literal["FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"]
_VALUE_RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
_DATETIME_RENDER_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")
_DIMENSIONS = ("ROWS", "COLUMNS")
_INPUT_OPTIONS = ("RAW", "USER_ENTERED")
_INSERT_OPTIONS = ("OVERWRITE", "INSERT_ROWS")


# --------------------------------------------------------------------------- errors


class SheetsApiError(Exception):
    """An error answer, shaped like Google's: {"error": {"code", "message", "status"}}."""

    def __init__(
        self,
        code: int,
        message: str,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.details = details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def _invalid(message: str) -> SheetsApiError:
    return SheetsApiError(400, message)


class _RequestError(Exception):
    """A batchUpdate request failed; the caller prefixes `Invalid requests[i].kind: `."""


# --------------------------------------------------------------------------- A1 notation


def column_letters(index: int) -> str:
    """0-based column index -> letters (0 -> "A", 26 -> "AA")."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Column letters -> 0-based index ("A" -> 0); case-insensitive."""
    n = 0
    for char in letters.upper():
        n = n * 26 + ord(char) - 64
    return n - 1


def _cell_a1(row: int, col: int) -> str:
    return f"{column_letters(col)}{row + 1}"


_BARE_TITLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CELL_LIKE_TITLE = re.compile(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*")
# What the fake accepts as an unquoted tab name in a range. Google refuses unquoted names
# with punctuation ("Items & Stock!A2:P" -> "Unable to parse range"); quoting always works.
_UNQUOTED_TITLE = re.compile(r"[\w .]+")
_ENDPOINT = re.compile(r"\$?([A-Za-z]{1,3})?(?:\$?([0-9]+))?")


def quote_sheet_title(title: str) -> str:
    """A tab name as Google writes it in a range: bare when it is a plain identifier that
    cannot be mistaken for a cell ("Sheet1"), otherwise single-quoted with quotes doubled
    ("'Form Responses 1'", "'Jon''s'")."""
    if _BARE_TITLE.fullmatch(title) and not _CELL_LIKE_TITLE.fullmatch(title):
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True)
class _Bounds:
    """A parsed A1 range: 0-based inclusive indexes, None where the range is open-ended."""

    row0: int | None = None
    row1: int | None = None
    col0: int | None = None
    col1: int | None = None
    single: bool = False


_WHOLE = _Bounds()


def _parse_endpoint(token: str) -> tuple[int | None, int | None] | None:
    match = _ENDPOINT.fullmatch(token)
    if match is None or not (match.group(1) or match.group(2)):
        return None
    col = column_index(match.group(1)) if match.group(1) else None
    row = int(match.group(2)) - 1 if match.group(2) else None
    if (row is not None and row < 0) or (col is not None and col >= MAX_COLUMNS):
        return None
    return row, col


def _parse_a1(text: str) -> _Bounds | None:
    """A1:B2, A1, A2:J (open rows), A:C, 5:10, A5:5 (open columns); None if not A1."""
    parts = text.split(":")
    if len(parts) == 1:
        point = _parse_endpoint(parts[0])
        if point is None or point[0] is None or point[1] is None:
            return None
        return _Bounds(point[0], point[0], point[1], point[1], single=True)
    if len(parts) != 2:
        return None
    start, end = _parse_endpoint(parts[0]), _parse_endpoint(parts[1])
    if start is None or end is None:
        return None
    (ra, ca), (rb, cb) = start, end
    if ra is not None and ca is not None:
        if rb is not None and cb is not None:
            r0, r1, c0, c1 = ra, rb, ca, cb
        elif cb is not None:
            r0, r1, c0, c1 = ra, None, ca, cb
        else:
            r0, r1, c0, c1 = ra, rb, ca, None
    elif ra is None and rb is None and ca is not None and cb is not None:
        r0, r1, c0, c1 = None, None, ca, cb
    elif ca is None and cb is None and ra is not None and rb is not None:
        r0, r1, c0, c1 = ra, rb, None, None
    else:
        return None
    if r0 is not None and r1 is not None and r0 > r1:
        r0, r1 = r1, r0
    if c0 is not None and c1 is not None and c0 > c1:
        c0, c1 = c1, c0
    return _Bounds(r0, r1, c0, c1)


# --------------------------------------------------------------------------- cell values


def to_serial_number(moment: dt.datetime | dt.date) -> float:
    """Days since 1899-12-30 (Sheets' SERIAL_NUMBER); timezone info is ignored."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day)
    return (moment.replace(tzinfo=None) - SERIAL_EPOCH) / dt.timedelta(days=1)


def from_serial_number(serial: float) -> dt.datetime:
    """The inverse of `to_serial_number`, rounded to the second."""
    return SERIAL_EPOCH + dt.timedelta(seconds=round(serial * 86400))


_DATE_FORMATTERS: dict[str, Callable[[dt.datetime], str]] = {
    DATETIME_PATTERN: lambda m: (
        f"{m.month}/{m.day}/{m.year} {m.hour}:{m.minute:02d}:{m.second:02d}"
    ),
    DATE_PATTERN: lambda m: f"{m.month}/{m.day}/{m.year}",
    ISO_DATE_PATTERN: lambda m: f"{m:%Y-%m-%d}",
    ISO_DATETIME_PATTERN: lambda m: f"{m:%Y-%m-%d} {m.hour}:{m.minute:02d}:{m.second:02d}",
}

CellKind = Literal["string", "number", "bool", "formula", "datetime"]


@dataclass(frozen=True)
class Cell:
    """One stored cell. `datetime` cells hold a serial number and a number-format `pattern`;
    `display` is the formatted text of a number typed with a format ("50%", "$3.00")."""

    kind: CellKind
    value: str | int | float | bool
    pattern: str | None = None
    display: str | None = None

    @property
    def datetime(self) -> dt.datetime | None:
        if self.kind != "datetime":
            return None
        return from_serial_number(float(self.value))


def _json_number(value: float | int) -> int | float:
    """Google's JSON writes integral doubles without a fraction (44491, not 44491.0)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _format_number(value: float | int) -> str:
    """Sheets' "Automatic" number format, closely enough: 10 significant digits."""
    if isinstance(value, int) and abs(value) < 10**15:
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.10g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}E{int(exponent):+03d}"
    return text


def _format_datetime(serial: float, pattern: str | None) -> str:
    formatter = _DATE_FORMATTERS.get(
        pattern or DATETIME_PATTERN, _DATE_FORMATTERS[DATETIME_PATTERN]
    )
    return formatter(from_serial_number(serial))


_HYPERLINK = re.compile(
    r'=\s*HYPERLINK\(\s*"((?:[^"]|"")*)"\s*(?:[,;]\s*"((?:[^"]|"")*)"\s*)?\)\s*', re.IGNORECASE
)
_STRING_FORMULA = re.compile(r'=\s*"((?:[^"]|"")*)"\s*')
_NUMBER_FORMULA = re.compile(r"=\s*([+-]?[0-9]+(?:\.[0-9]+)?)\s*")


def _formula_result(formula: str) -> str | int | float | bool:
    """What the fake can compute of a formula; anything else renders as its own text."""
    if match := _HYPERLINK.fullmatch(formula):
        label = match.group(2) if match.group(2) is not None else match.group(1)
        return label.replace('""', '"')
    if match := _STRING_FORMULA.fullmatch(formula):
        return match.group(1).replace('""', '"')
    if match := _NUMBER_FORMULA.fullmatch(formula):
        text = match.group(1)
        return float(text) if "." in text else int(text)
    if formula.strip().upper() in ("=TRUE", "=TRUE()", "=FALSE", "=FALSE()"):
        return "TRUE" in formula.upper()
    return formula


def _render_scalar(value: str | int | float | bool, formatted: bool) -> Any:
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE") if formatted else value
    if isinstance(value, int | float):
        return _format_number(value) if formatted else _json_number(value)
    return value


def _render(cell: Cell, value_render: str, datetime_render: str) -> Any:
    """A cell as values.get returns it under the given render options."""
    formatted = value_render == "FORMATTED_VALUE"
    if cell.kind == "formula":
        if value_render == "FORMULA":
            return cell.value
        return _render_scalar(_formula_result(str(cell.value)), formatted)
    if cell.kind == "datetime":
        if formatted or datetime_render == "FORMATTED_STRING":
            return _format_datetime(float(cell.value), cell.pattern)
        return _json_number(float(cell.value))
    if cell.kind == "number" and formatted and cell.display is not None:
        return cell.display
    return _render_scalar(cell.value, formatted)


_NUMBER_TEXT = re.compile(
    r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
)
_CURRENCY_TEXT = re.compile(r"([+-]?)\$(.+)")
_US_DATE_TEXT = re.compile(
    r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?:\s+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?"
)
_ISO_DATE_TEXT = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?"
)


def _parse_number(text: str) -> int | float | None:
    if not _NUMBER_TEXT.fullmatch(text) or not any(ch.isdigit() for ch in text):
        return None
    plain = text.replace(",", "")
    if re.fullmatch(r"[+-]?[0-9]+", plain):
        number = int(plain)
        return number if abs(number) < 2**53 else float(number)
    return float(plain)


def _number_cell(value: int | float, display: str | None = None) -> Cell:
    if isinstance(value, int) and abs(value) >= 2**53:
        value = float(value)
    return Cell("number", value, display=display)


def _parse_date(text: str) -> Cell | None:
    if match := _US_DATE_TEXT.fullmatch(text):
        month, day, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        time_parts = match.group(4, 5, 6)
        with_time = DATETIME_PATTERN
    elif match := _ISO_DATE_TEXT.fullmatch(text):
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
        time_parts = match.group(4, 5, 6)
        with_time = ISO_DATETIME_PATTERN
    else:
        return None
    hour, minute, second = (int(part) if part else 0 for part in time_parts)
    try:
        moment = dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    if time_parts[0] is None:
        pattern = DATE_PATTERN if with_time == DATETIME_PATTERN else ISO_DATE_PATTERN
    else:
        pattern = with_time
    return Cell("datetime", to_serial_number(moment), pattern=pattern)


def _typed_cell(text: str) -> Cell:
    """What Sheets makes of `text` typed into a cell (valueInputOption=USER_ENTERED)."""
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return Cell("bool", stripped.upper() == "TRUE")
    number = _parse_number(stripped)
    if number is not None:
        return _number_cell(number, display=stripped if "," in stripped else None)
    if stripped.endswith("%"):
        number = _parse_number(stripped[:-1].strip())
        if number is not None:
            return _number_cell(number / 100, display=stripped)
    if match := _CURRENCY_TEXT.fullmatch(stripped):
        number = _parse_number(match.group(2))
        if number is not None:
            return _number_cell(-number if match.group(1) == "-" else number, display=stripped)
    return _parse_date(stripped) or Cell("string", text)


def _scalar_ok(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _input_cell(value: Any, input_option: str) -> Cell | None:
    """A JSON input value -> the cell it makes; None means "empty the cell"."""
    if isinstance(value, Cell):
        return value
    if isinstance(value, dt.datetime):
        return Cell("datetime", to_serial_number(value), pattern=DATETIME_PATTERN)
    if isinstance(value, dt.date):
        return Cell("datetime", to_serial_number(value), pattern=DATE_PATTERN)
    if isinstance(value, bool):
        return Cell("bool", value)
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise _invalid(f"Invalid value: {value}")
        return _number_cell(value)
    if not isinstance(value, str):
        raise TypeError(f"unsupported cell value {value!r}")
    if value == "":
        return None
    if input_option == "RAW":
        return Cell("string", value)
    if value.startswith("="):
        return Cell("formula", value)
    if value.startswith("'"):
        return Cell("string", value[1:]) if len(value) > 1 else None
    return _typed_cell(value)


def _user_entered_value(cell: Cell) -> dict[str, Any]:
    if cell.kind == "formula":
        return {"formulaValue": cell.value}
    if cell.kind == "bool":
        return {"boolValue": cell.value}
    if cell.kind in ("number", "datetime"):
        return {"numberValue": _json_number(float(cell.value))}
    return {"stringValue": cell.value}


def _effective_value(cell: Cell) -> dict[str, Any]:
    if cell.kind != "formula":
        return _user_entered_value(cell)
    result = _formula_result(str(cell.value))
    if isinstance(result, bool):
        return {"boolValue": result}
    if isinstance(result, int | float):
        return {"numberValue": result}
    return {"stringValue": result}


# --------------------------------------------------------------------------- JSON helpers


def _strip_nulls(value: Any) -> Any:
    """Drop JSON nulls, as the API does with unset fields (gspread sends many)."""
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value]
    return value


def _drop_false(value: dict[str, Any]) -> dict[str, Any]:
    """Top-level false booleans vanish from Google's proto3 JSON output."""
    return {k: v for k, v in value.items() if v is not False}


def _expand_fields(fields: str) -> list[str]:
    """'title,gridProperties(rowCount,columnCount)' -> title, gridProperties.rowCount, ...;
    '/' separators (gspread writes 'gridProperties/frozenRowCount') become dots."""
    paths: list[str] = []
    depth = 0
    current = ""
    for char in fields:
        if char == "," and depth == 0:
            paths.append(current)
            current = ""
            continue
        depth += (char == "(") - (char == ")")
        current += char
    paths.append(current)
    expanded: list[str] = []
    for raw_path in paths:
        path = raw_path.strip().replace("/", ".")
        if not path:
            continue
        if "(" in path and path.endswith(")"):
            head, _, inner = path.partition("(")
            expanded.extend(f"{head}.{sub}" for sub in _expand_fields(inner[:-1]))
        else:
            expanded.append(path)
    return expanded


def _apply_mask(target: dict[str, Any], source: Mapping[str, Any], fields: str) -> None:
    """Copy the `fields` of `source` into `target`; a named field absent from `source` is
    reset (removed), which is how the API treats a field mask. `*` copies everything given."""
    if fields.strip() == "*":
        for key, value in source.items():
            target[key] = copy.deepcopy(value)
        return
    for path in _expand_fields(fields):
        parts = path.split(".")
        src: Any = source
        dst = target
        for part in parts[:-1]:
            src = src.get(part, {}) if isinstance(src, Mapping) else {}
            child = dst.get(part)
            if not isinstance(child, dict):
                child = {}
                dst[part] = child
            dst = child
        last = parts[-1]
        if isinstance(src, Mapping) and src.get(last) is not None:
            dst[last] = copy.deepcopy(src[last])
        else:
            dst.pop(last, None)


def _top_fields(fields: str) -> set[str]:
    if fields.strip() == "*":
        return {"*"}
    return {path.split(".")[0] for path in _expand_fields(fields)}


# --------------------------------------------------------------------------- model


@dataclass
class _Sheet:
    properties: dict[str, Any]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    validations: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    protected_ranges: list[dict[str, Any]] = field(default_factory=list)
    conditional_formats: list[dict[str, Any]] = field(default_factory=list)
    basic_filter: dict[str, Any] | None = None
    merges: list[dict[str, Any]] = field(default_factory=list)
    column_meta: dict[int, dict[str, Any]] = field(default_factory=dict)
    row_meta: dict[int, dict[str, Any]] = field(default_factory=dict)
    formats: list[dict[str, Any]] = field(default_factory=list)
    applied_requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sheet_id(self) -> int:
        return int(self.properties["sheetId"])

    @property
    def title(self) -> str:
        return str(self.properties["title"])

    @property
    def grid(self) -> dict[str, Any]:
        return self.properties.setdefault("gridProperties", {})

    @property
    def row_count(self) -> int:
        return int(self.grid.get("rowCount", 0))

    @property
    def column_count(self) -> int:
        return int(self.grid.get("columnCount", 0))

    def set_size(self, rows: int | None = None, columns: int | None = None) -> None:
        """Resize the grid; cells outside it are gone, as in Sheets."""
        if rows is not None:
            self.grid["rowCount"] = rows
        if columns is not None:
            self.grid["columnCount"] = columns
        rows, columns = self.row_count, self.column_count
        for store in (self.cells, self.validations):
            for key in [k for k in store if k[0] >= rows or k[1] >= columns]:
                del store[key]

    def public_properties(self) -> dict[str, Any]:
        """SheetProperties as the API writes them: fixed keys first, zero/false omitted."""
        props = copy.deepcopy(self.properties)
        grid = props.get("gridProperties", {})
        for key in ("frozenRowCount", "frozenColumnCount"):
            if not grid.get(key):
                grid.pop(key, None)
        leading = ("sheetId", "title", "index", "sheetType", "gridProperties")
        ordered = {key: props.pop(key) for key in leading if key in props}
        return _drop_false({**ordered, **props})


def _working_copy(spreadsheet: _Spreadsheet) -> _Spreadsheet:
    """A copy for an all-or-nothing batchUpdate to work on. Cells are immutable, so each
    tab's cell map is copied shallowly: a deep copy of 170,000 cells took 20 s."""
    memo: dict[int, Any] = {id(sheet.cells): dict(sheet.cells) for sheet in spreadsheet.sheets}
    return copy.deepcopy(spreadsheet, memo)


@dataclass
class _Spreadsheet:
    key: str
    properties: dict[str, Any]
    sheets: list[_Sheet] = field(default_factory=list)
    forbidden: Literal["all", "writes"] | None = None
    next_sheet_id: int = 1_000_000_001
    next_protected_range_id: int = 1_500_000_001

    def reindex(self) -> None:
        for index, sheet in enumerate(self.sheets):
            sheet.properties["index"] = index

    def sheet_by_title(self, title: str) -> _Sheet | None:
        return next((s for s in self.sheets if s.title == title), None)

    def sheet_by_id(self, sheet_id: int) -> _Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def title_taken(self, title: str, ignore: _Sheet | None = None) -> bool:
        folded = title.casefold()
        return any(s.title.casefold() == folded for s in self.sheets if s is not ignore)

    def new_sheet_id(self) -> int:
        taken = {s.sheet_id for s in self.sheets}
        while self.next_sheet_id in taken:
            self.next_sheet_id += 1
        self.next_sheet_id += 1
        return self.next_sheet_id - 1

    def total_cells(self) -> int:
        return sum(s.row_count * s.column_count for s in self.sheets)

    def check_cell_limit(self) -> None:
        if self.total_cells() > MAX_CELLS:
            raise _invalid(
                "This action would increase the number of cells in the workbook above the "
                f"limit of {MAX_CELLS} cells."
            )

    def add_sheet(
        self,
        title: str,
        *,
        sheet_id: int | None = None,
        index: int | None = None,
        row_count: int = DEFAULT_ROW_COUNT,
        column_count: int = DEFAULT_COLUMN_COUNT,
        extra: Mapping[str, Any] | None = None,
    ) -> _Sheet:
        properties: dict[str, Any] = {
            "sheetId": self.new_sheet_id() if sheet_id is None else sheet_id,
            "title": title,
            "index": 0,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": row_count, "columnCount": column_count},
        }
        for key, value in (extra or {}).items():
            if key == "gridProperties":
                properties["gridProperties"].update(value)
            elif key not in properties:
                properties[key] = copy.deepcopy(value)
        sheet = _Sheet(properties)
        position = len(self.sheets) if index is None else max(0, min(index, len(self.sheets)))
        self.sheets.insert(position, sheet)
        self.reindex()
        return sheet

    def first_visible_sheet(self) -> _Sheet:
        for sheet in self.sheets:
            if not sheet.properties.get("hidden"):
                return sheet
        return self.sheets[0]


@dataclass(frozen=True)
class _Target:
    """A range resolved against a spreadsheet."""

    sheet: _Sheet
    bounds: _Bounds
    a1: str | None  # the A1 part as requested (None: the whole tab)

    @property
    def label(self) -> str:
        """The requested range with the tab name written canonically, for messages."""
        title = quote_sheet_title(self.sheet.title)
        return title if self.a1 is None else f"{title}!{self.a1.replace('$', '').upper()}"

    def clipped(self) -> tuple[int, int, int, int]:
        """(row0, row1, col0, col1), inclusive, open ends closed at the grid's edge."""
        b, s = self.bounds, self.sheet
        return (
            0 if b.row0 is None else b.row0,
            s.row_count - 1 if b.row1 is None else b.row1,
            0 if b.col0 is None else b.col0,
            s.column_count - 1 if b.col1 is None else b.col1,
        )

    def check_grid(self) -> None:
        b, s = self.bounds, self.sheet
        rows_out = any(v is not None and v >= s.row_count for v in (b.row0, b.row1))
        cols_out = any(v is not None and v >= s.column_count for v in (b.col0, b.col1))
        if rows_out or cols_out:
            raise self.exceeds_grid()

    def exceeds_grid(self) -> SheetsApiError:
        return _invalid(
            f"Range ({self.label}) exceeds grid limits. Max rows: {self.sheet.row_count}, "
            f"max columns: {self.sheet.column_count}"
        )


def _range_label(sheet: _Sheet, row0: int, row1: int, col0: int, col1: int) -> str:
    """Google's canonical echo of a range: 'Form Responses 1'!A1:J3, Sheet1!B2."""
    start = _cell_a1(row0, col0)
    end = _cell_a1(row1, col1)
    a1 = start if start == end else f"{start}:{end}"
    return f"{quote_sheet_title(sheet.title)}!{a1}"


def _resolve(spreadsheet: _Spreadsheet, text: str) -> _Target:
    """Parse a range the way Google does; unknown tabs and bad A1 give its 400."""
    error = _invalid(f"Unable to parse range: {text}")
    a1: str | None
    if text.startswith("'"):
        pieces: list[str] = []
        position = 1
        while True:
            closing = text.find("'", position)
            if closing < 0:
                raise error
            pieces.append(text[position:closing])
            if text.startswith("''", closing):
                pieces.append("'")
                position = closing + 2
                continue
            rest = text[closing + 1 :]
            break
        title = "".join(pieces)
        if rest == "":
            a1 = None
        elif rest.startswith("!") and len(rest) > 1:
            a1 = rest[1:]
        else:
            raise error
    elif "!" in text:
        title, _, a1 = text.partition("!")
        if not _UNQUOTED_TITLE.fullmatch(title) or not a1:
            raise error
    else:
        bounds = _parse_a1(text)
        if bounds is not None and spreadsheet.sheets:
            return _Target(spreadsheet.first_visible_sheet(), bounds, text)
        if not _UNQUOTED_TITLE.fullmatch(text):
            raise error
        title, a1 = text, None
    sheet = spreadsheet.sheet_by_title(title)
    if sheet is None:
        raise error
    bounds = _WHOLE if a1 is None else _parse_a1(a1)
    if bounds is None:
        raise error
    return _Target(sheet, bounds, a1)


# --------------------------------------------------------------------------- values


def _read(
    sheet: _Sheet,
    region: tuple[int, int, int, int],
    major: str,
    value_render: str,
    datetime_render: str,
) -> list[list[Any]]:
    """Values of a region, trimmed like Google: no trailing empty cells or rows."""
    row0, row1, col0, col1 = region
    by_rows = major == "ROWS"
    last_inner: dict[int, int] = {}
    for row, col in sheet.cells:
        if row0 <= row <= row1 and col0 <= col <= col1:
            outer, inner = (row, col) if by_rows else (col, row)
            last_inner[outer] = max(last_inner.get(outer, -1), inner)
    if not last_inner:
        return []
    outer_start, inner_start = (row0, col0) if by_rows else (col0, row0)
    result: list[list[Any]] = []
    for outer in range(outer_start, max(last_inner) + 1):
        line: list[Any] = []
        for inner in range(inner_start, last_inner.get(outer, inner_start - 1) + 1):
            cell = sheet.cells.get((outer, inner) if by_rows else (inner, outer))
            line.append("" if cell is None else _render(cell, value_render, datetime_render))
        result.append(line)
    return result


def _value_range(
    target: _Target, major: str, value_render: str, datetime_render: str
) -> dict[str, Any]:
    region = target.clipped()
    answer: dict[str, Any] = {"range": _range_label(target.sheet, *region), "majorDimension": major}
    values = _read(target.sheet, region, major, value_render, datetime_render)
    if values:
        answer["values"] = values
    return answer


def _input_rows(values: Any, major: str) -> list[list[Any]]:
    """Request `values` as rows of scalars (None = leave the cell alone)."""
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(line, list) for line in values):
        raise _invalid("Invalid values: expected a list of lists.")
    for i, line in enumerate(values):
        for j, value in enumerate(line):
            if not _scalar_ok(value):
                raise _invalid(f"Invalid values[{i}][{j}]: {json.dumps(value)}")
    if major == "ROWS":
        return [list(line) for line in values]
    height = max((len(line) for line in values), default=0)
    return [[line[r] if r < len(line) else None for line in values] for r in range(height)]


@dataclass
class _Write:
    sheet: _Sheet
    row0: int
    col0: int
    rows: list[list[Any]]
    fallback_label: str

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(line) for line in self.rows), default=0)

    def summary(self, spreadsheet_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet_id}
        written = [
            (self.row0 + i, self.col0 + j)
            for i, line in enumerate(self.rows)
            for j, value in enumerate(line)
            if value is not None
        ]
        if not written:
            answer["updatedRange"] = self.fallback_label
            return answer
        answer["updatedRange"] = _range_label(
            self.sheet,
            self.row0,
            self.row0 + self.height - 1,
            self.col0,
            self.col0 + self.width - 1,
        )
        answer["updatedRows"] = len({r for r, _ in written})
        answer["updatedColumns"] = len({c for _, c in written})
        answer["updatedCells"] = len(written)
        return answer

    def apply(self, input_option: str) -> None:
        for i, line in enumerate(self.rows):
            for j, value in enumerate(line):
                if value is None:
                    continue
                position = (self.row0 + i, self.col0 + j)
                cell = _input_cell(value, input_option)
                if cell is None:
                    self.sheet.cells.pop(position, None)
                else:
                    self.sheet.cells[position] = cell


def _plan_update(target: _Target, values: Any, major: str) -> _Write:
    """Check a values.update/batchUpdate write the way Google does, before touching data."""
    target.check_grid()
    bounds, sheet = target.bounds, target.sheet
    row0, row1, col0, col1 = target.clipped()
    within = _range_label(sheet, row0, row1, col0, col1)
    plan = _Write(sheet, row0, col0, _input_rows(values, major), within)
    if not plan.height or not plan.width:
        return plan
    last_row = row0 + plan.height - 1
    last_col = col0 + plan.width - 1
    if bounds.single:
        # A single cell is only an anchor: the data may spill past it, but not the grid.
        if last_row >= sheet.row_count or last_col >= sheet.column_count:
            raise target.exceeds_grid()
        return plan
    if last_row > row1:
        raise _invalid(
            f"Requested writing within range [{within}], but tried writing to row [{last_row + 1}]"
        )
    if last_col > col1:
        raise _invalid(
            f"Requested writing within range [{within}], but tried writing to column "
            f"[{column_letters(last_col)}]"
        )
    return plan


def _find_table(target: _Target) -> tuple[int, int, int, int] | None:
    """The "table" values.append writes under, as (top, bottom, left, right) inclusive.

    Like Google: the first row inside the range that has data starts the table, which then
    runs down, past the range's own end, for as long as consecutive rows have data (in the
    range's columns; to the grid's right edge for a single-cell range). So an empty anchor
    cell means "no table, write here" (gspread's insert_rows relies on that) and a blank row
    ends a table (a later append lands in the gap)."""
    sheet, bounds = target.sheet, target.bounds
    row0, row1, col0, col1 = target.clipped()
    if bounds.single:
        col1 = sheet.column_count - 1
    filled: dict[int, list[int]] = {}
    for row, col in sheet.cells:
        if row >= row0 and col0 <= col <= col1:
            filled.setdefault(row, []).append(col)
    start = next((row for row in range(row0, row1 + 1) if row in filled), None)
    if start is None:
        return None
    end = start
    while end + 1 in filled:
        end += 1
    columns = [col for row in range(start, end + 1) for col in filled[row]]
    return start, end, min(columns), max(columns)


def _shift(store: dict[tuple[int, int], Any], axis: int, start: int, delta: int) -> None:
    """Move entries at or after `start` on `axis` (0 rows, 1 columns) by `delta`; with a
    negative delta the entries in [start, start - delta) are deleted."""
    moved: dict[tuple[int, int], Any] = {}
    for key in list(store):
        position = key[axis]
        if position < start:
            continue
        value = store.pop(key)
        if delta < 0 and position < start - delta:
            continue
        new_key = (position + delta, key[1]) if axis == 0 else (key[0], position + delta)
        moved[new_key] = value
    store.update(moved)


def _shift_meta(meta: dict[int, dict[str, Any]], start: int, delta: int) -> None:
    moved: dict[int, dict[str, Any]] = {}
    for index in list(meta):
        if index < start:
            continue
        value = meta.pop(index)
        if delta < 0 and index < start - delta:
            continue
        moved[index + delta] = value
    meta.update(moved)


# --------------------------------------------------------------------------- batchUpdate


_RECORD_ONLY_REQUESTS = frozenset(
    {
        "autoResizeDimensions",
        "updateBorders",
        "addBanding",
        "updateBanding",
        "deleteBanding",
        "updateDimensionGroup",
        "addDimensionGroup",
        "deleteDimensionGroup",
    }
)


class _BatchUpdate:
    """Applies spreadsheets.batchUpdate requests to a spreadsheet (the caller passes a copy
    and keeps it only if every request succeeds: the API's batchUpdate is all or nothing)."""

    def __init__(self, spreadsheet: _Spreadsheet, owner_email: str) -> None:
        self.spreadsheet = spreadsheet
        self.owner_email = owner_email

    def run(self, requests_: Any) -> list[dict[str, Any]]:
        if not isinstance(requests_, list) or not requests_:
            raise _invalid("Must specify at least one request.")
        replies: list[dict[str, Any]] = []
        for i, request in enumerate(requests_):
            if not isinstance(request, dict) or len(_strip_nulls(request)) != 1:
                raise _invalid(f"Invalid requests[{i}]: exactly one request kind must be set.")
            kind, payload = next(iter(_strip_nulls(request).items()))
            handler = getattr(self, f"_do_{kind}", None)
            try:
                if handler is not None:
                    reply = handler(payload if isinstance(payload, dict) else {})
                elif kind in _RECORD_ONLY_REQUESTS:
                    reply = self._record_only(kind, payload)
                else:
                    raise _invalid(
                        f"Invalid requests[{i}]: FakeSheetsServer does not implement '{kind}'."
                    )
            except _RequestError as error:
                raise _invalid(f"Invalid requests[{i}].{kind}: {error}") from None
            replies.append(reply)
        return replies

    # helpers

    def _sheet(self, sheet_id: Any) -> _Sheet:
        sheet = self.spreadsheet.sheet_by_id(int(sheet_id or 0))
        if sheet is None:
            raise _RequestError(f"No grid with id: {sheet_id or 0}")
        return sheet

    def _grid_range(self, grid_range: Mapping[str, Any]) -> tuple[_Sheet, int, int, int, int]:
        """A GridRange as (sheet, row0, row1, col0, col1) half-open, clipped to the grid."""
        sheet = self._sheet(grid_range.get("sheetId", 0))
        row0 = int(grid_range.get("startRowIndex", 0))
        row1 = int(grid_range.get("endRowIndex", sheet.row_count))
        col0 = int(grid_range.get("startColumnIndex", 0))
        col1 = int(grid_range.get("endColumnIndex", sheet.column_count))
        if row0 < 0 or col0 < 0 or row1 < row0 or col1 < col0:
            raise _RequestError(f"Invalid range: {json.dumps(dict(grid_range))}")
        if row1 > sheet.row_count or col1 > sheet.column_count:
            label = _range_label(sheet, row0, max(row0, row1 - 1), col0, max(col0, col1 - 1))
            raise _RequestError(
                f"Range ({label}) exceeds grid limits. Max rows: {sheet.row_count}, "
                f"max columns: {sheet.column_count}"
            )
        return sheet, row0, row1, col0, col1

    @staticmethod
    def _record(sheet: _Sheet, kind: str, payload: Any) -> None:
        sheet.applied_requests.append({kind: copy.deepcopy(payload)})

    def _record_only(self, kind: str, payload: Any) -> dict[str, Any]:
        sheet_id = 0
        if isinstance(payload, dict):
            for key in ("range", "dimensions", "bandedRange"):
                if isinstance(payload.get(key), dict):
                    sheet_id = payload[key].get("sheetId", 0)
                    break
        self._record(self._sheet(sheet_id), kind, payload)
        return {}

    # sheets

    def _do_addSheet(self, payload: dict[str, Any]) -> dict[str, Any]:
        properties = dict(payload.get("properties", {}))
        spreadsheet = self.spreadsheet
        title = properties.pop("title", None)
        if not title:
            number = len(spreadsheet.sheets) + 1
            while spreadsheet.title_taken(f"Sheet{number}"):
                number += 1
            title = f"Sheet{number}"
        if spreadsheet.title_taken(title):
            raise _RequestError(
                f'A sheet with the name "{title}" already exists. Please enter another name.'
            )
        sheet_id = properties.pop("sheetId", None)
        if sheet_id is not None and (int(sheet_id) < 0 or spreadsheet.sheet_by_id(int(sheet_id))):
            raise _RequestError(f"Sheet with id {sheet_id} already exists.")
        sheet_type = properties.pop("sheetType", "GRID")
        if sheet_type != "GRID":
            raise _RequestError(f"FakeSheetsServer only supports GRID sheets, not {sheet_type}.")
        grid = dict(properties.pop("gridProperties", {}))
        rows = int(grid.pop("rowCount", DEFAULT_ROW_COUNT))
        columns = int(grid.pop("columnCount", DEFAULT_COLUMN_COUNT))
        if rows < 1 or columns < 1 or columns > MAX_COLUMNS:
            raise _RequestError("Invalid grid size.")
        sheet = spreadsheet.add_sheet(
            title,
            sheet_id=None if sheet_id is None else int(sheet_id),
            index=properties.pop("index", None),
            row_count=rows,
            column_count=columns,
            extra={**properties, "gridProperties": grid},
        )
        spreadsheet.check_cell_limit()
        self._record(sheet, "addSheet", payload)
        return {"addSheet": {"properties": sheet.public_properties()}}

    def _do_deleteSheet(self, payload: dict[str, Any]) -> dict[str, Any]:
        sheet = self._sheet(payload.get("sheetId", 0))
        if len(self.spreadsheet.sheets) == 1:
            raise _RequestError("You can't remove all the sheets in a document.")
        self.spreadsheet.sheets.remove(sheet)
        self.spreadsheet.reindex()
        return {}

    def _do_updateSheetProperties(self, payload: dict[str, Any]) -> dict[str, Any]:
        source = payload.get("properties", {})
        fields = str(payload.get("fields", ""))
        if not fields.strip():
            raise _RequestError("At least one field must be updated; 'fields' is empty.")
        sheet = self._sheet(source.get("sheetId", 0))
        before = copy.deepcopy(sheet.properties)
        updated = copy.deepcopy(sheet.properties)
        _apply_mask(updated, {k: v for k, v in source.items() if k != "sheetId"}, fields)
        updated["sheetId"] = before["sheetId"]
        updated["sheetType"] = before.get("sheetType", "GRID")
        title = updated.get("title") or before["title"]
        if title != before["title"] and self.spreadsheet.title_taken(title, ignore=sheet):
            raise _RequestError(
                f'A sheet with the name "{title}" already exists. Please enter another name.'
            )
        updated["title"] = title
        grid = updated.setdefault("gridProperties", {})
        old_grid = before.get("gridProperties", {})
        grid.setdefault("rowCount", old_grid.get("rowCount", DEFAULT_ROW_COUNT))
        grid.setdefault("columnCount", old_grid.get("columnCount", DEFAULT_COLUMN_COUNT))
        if int(grid["rowCount"]) < 1 or not 1 <= int(grid["columnCount"]) <= MAX_COLUMNS:
            raise _RequestError("Invalid grid size.")
        if int(grid.get("frozenRowCount", 0)) >= int(grid["rowCount"]):
            raise _RequestError("You can't freeze all visible rows on the sheet.")
        if int(grid.get("frozenColumnCount", 0)) >= int(grid["columnCount"]):
            raise _RequestError("You can't freeze all visible columns on the sheet.")
        new_index = updated.pop("index", before["index"])
        sheet.properties = updated
        sheet.set_size(int(grid["rowCount"]), int(grid["columnCount"]))
        if new_index != before["index"]:
            sheets = self.spreadsheet.sheets
            sheets.remove(sheet)
            sheets.insert(max(0, min(int(new_index), len(sheets))), sheet)
        self.spreadsheet.reindex()
        self.spreadsheet.check_cell_limit()
        self._record(sheet, "updateSheetProperties", payload)
        return {}

    def _do_updateSpreadsheetProperties(self, payload: dict[str, Any]) -> dict[str, Any]:
        fields = str(payload.get("fields", ""))
        if not fields.strip():
            raise _RequestError("At least one field must be updated; 'fields' is empty.")
        _apply_mask(self.spreadsheet.properties, payload.get("properties", {}), fields)
        return {}

    # dimensions

    def _dimension_range(self, payload: Mapping[str, Any]) -> tuple[_Sheet, str, int, int]:
        dimension_range = payload.get("range", {})
        sheet = self._sheet(dimension_range.get("sheetId", 0))
        dimension = dimension_range.get("dimension")
        if dimension not in _DIMENSIONS:
            raise _RequestError("range.dimension must be ROWS or COLUMNS.")
        size = sheet.row_count if dimension == "ROWS" else sheet.column_count
        start = int(dimension_range.get("startIndex", 0))
        end = int(dimension_range.get("endIndex", size))
        if not 0 <= start <= end:
            raise _RequestError("Invalid dimension range.")
        return sheet, dimension, start, end

    def _do_appendDimension(self, payload: dict[str, Any]) -> dict[str, Any]:
        sheet = self._sheet(payload.get("sheetId", 0))
        length = int(payload.get("length", 0))
        if length < 1:
            raise _RequestError("length must be at least 1.")
        if payload.get("dimension") == "ROWS":
            sheet.set_size(rows=sheet.row_count + length)
        elif payload.get("dimension") == "COLUMNS":
            sheet.set_size(columns=sheet.column_count + length)
        else:
            raise _RequestError("dimension must be ROWS or COLUMNS.")
        self.spreadsheet.check_cell_limit()
        self._record(sheet, "appendDimension", payload)
        return {}

    def _do_insertDimension(self, payload: dict[str, Any]) -> dict[str, Any]:
        sheet, dimension, start, end = self._dimension_range(payload)
        count = end - start
        axis = 0 if dimension == "ROWS" else 1
        size = sheet.row_count if axis == 0 else sheet.column_count
        if start > size or count < 1:
            raise _RequestError("Invalid dimension range.")
        _shift(sheet.cells, axis, start, count)
        _shift(sheet.validations, axis, start, count)
        _shift_meta(sheet.row_meta if axis == 0 else sheet.column_meta, start, count)
        if axis == 0:
            sheet.set_size(rows=size + count)
        else:
            sheet.set_size(columns=size + count)
        self.spreadsheet.check_cell_limit()
        self._record(sheet, "insertDimension", payload)
        return {}

    def _do_deleteDimension(self, payload: dict[str, Any]) -> dict[str, Any]:
        sheet, dimension, start, end = self._dimension_range(payload)
        axis = 0 if dimension == "ROWS" else 1
        size = sheet.row_count if axis == 0 else sheet.column_count
        end = min(end, size)
        if end - start >= size:
            noun = "rows" if axis == 0 else "columns"
            raise _RequestError(f"You can't delete all the {noun} on the sheet.")
        _shift(sheet.cells, axis, start, start - end)
        _shift(sheet.validations, axis, start, start - end)
        _shift_meta(sheet.row_meta if axis == 0 else sheet.column_meta, start, start - end)
        if axis == 0:
            sheet.set_size(rows=size - (end - start))
        else:
            sheet.set_size(columns=size - (end - start))
        self._record(sheet, "deleteDimension", payload)
        return {}

    def _do_updateDimensionProperties(self, payload: dict[str, Any]) -> dict[str, Any]:
        sheet, dimension, start, end = self._dimension_range(payload)
        fields = str(payload.get("fields", ""))
        if not fields.strip():
            raise _RequestError("At least one field must be updated; 'fields' is empty.")
        meta = sheet.row_meta if dimension == "ROWS" else sheet.column_meta
        size = sheet.row_count if dimension == "ROWS" else sheet.column_count
        if end > size:
            raise _RequestError(f"Invalid dimension range: endIndex {end} > {size}.")
        for index in range(start, end):
            _apply_mask(meta.setdefault(index, {}), payload.get("properties", {}), fields)
        self._record(sheet, "updateDimensionProperties", payload)
        return {}

    # data validation, protection, filters, conditional formats

    def _do_setDataValidation(self, payload: dict[str, Any]) -> dict[str, Any]:
        sheet, row0, row1, col0, col1 = self._grid_range(payload.get("range", {}))
        rule = payload.get("rule")
        for row in range(row0, row1):
            for col in range(col0, col1):
                if rule:
                    sheet.validations[(row, col)] = copy.deepcopy(_drop_false(rule))
                else:
                    sheet.validations.pop((row, col), None)
        self._record(sheet, "setDataValidation", payload)
        return {}

    def _do_addProtectedRange(self, payload: dict[str, Any]) -> dict[str, Any]:
        protected = _drop_false(dict(payload.get("protectedRange", {})))
        if "range" not in protected:
            raise _RequestError("protectedRange.range is required by FakeSheetsServer.")
        sheet, *_ = self._grid_range(protected["range"])
        protected["range"] = {"sheetId": sheet.sheet_id, **protected["range"]}
        range_id = protected.pop("protectedRangeId", None)
        taken = {p["protectedRangeId"] for s in self.spreadsheet.sheets for p in s.protected_ranges}
        if range_id is None:
            range_id = self.spreadsheet.next_protected_range_id
            while range_id in taken:
                range_id += 1
            self.spreadsheet.next_protected_range_id = range_id + 1
        elif range_id in taken:
            raise _RequestError(f"A protected range with ID {range_id} already exists.")
        editors = {k: v for k, v in protected.pop("editors", {}).items() if v}
        if not protected.get("warningOnly"):
            # The API always adds the spreadsheet's owner to a protected range's editors.
            users = list(editors.get("users", []))
            editors["users"] = users if self.owner_email in users else [self.owner_email, *users]
        if editors:
            protected["editors"] = editors
        stored = {"protectedRangeId": range_id, **protected}
        sheet.protected_ranges.append(stored)
        self._record(sheet, "addProtectedRange", payload)
        return {"addProtectedRange": {"protectedRange": copy.deepcopy(stored)}}

    def _find_protected(self, range_id: Any) -> tuple[_Sheet, dict[str, Any]]:
        for sheet in self.spreadsheet.sheets:
            for protected in sheet.protected_ranges:
                if protected["protectedRangeId"] == range_id:
                    return sheet, protected
        raise _RequestError(f"No protected range with id: {range_id}")

    def _do_deleteProtectedRange(self, payload: dict[str, Any]) -> dict[str, Any]:
        sheet, protected = self._find_protected(payload.get("protectedRangeId"))
        sheet.protected_ranges.remove(protected)
        self._record(sheet, "deleteProtectedRange", payload)
        return {}

    def _do_updateProtectedRange(self, payload: dict[str, Any]) -> dict[str, Any]:
        source = payload.get("protectedRange", {})
        sheet, protected = self._find_protected(source.get("protectedRangeId"))
        _apply_mask(protected, source, str(payload.get("fields", "*")))
        self._record(sheet, "updateProtectedRange", payload)
        return {}

    def _do_setBasicFilter(self, payload: dict[str, Any]) -> dict[str, Any]:
        basic_filter = copy.deepcopy(payload.get("filter", {}))
        sheet, row0, row1, col0, col1 = self._grid_range(basic_filter.get("range", {}))
        # The API answers with the concrete range even when only the sheet was named.
        basic_filter["range"] = {
            "sheetId": sheet.sheet_id,
            "startRowIndex": row0,
            "endRowIndex": row1,
            "startColumnIndex": col0,
            "endColumnIndex": col1,
        }
        sheet.basic_filter = basic_filter
        self._record(sheet, "setBasicFilter", payload)
        return {}

    def _do_clearBasicFilter(self, payload: dict[str, Any]) -> dict[str, Any]:
        sheet = self._sheet(payload.get("sheetId", 0))
        sheet.basic_filter = None
        self._record(sheet, "clearBasicFilter", payload)
        return {}

    def _do_addConditionalFormatRule(self, payload: dict[str, Any]) -> dict[str, Any]:
        rule = copy.deepcopy(payload.get("rule", {}))
        ranges = rule.get("ranges") or []
        if not ranges:
            raise _RequestError("rule.ranges must name at least one range.")
        sheet = self._sheet(ranges[0].get("sheetId", 0))
        for grid_range in ranges:
            self._grid_range(grid_range)
        index = int(payload.get("index", 0))
        if not 0 <= index <= len(sheet.conditional_formats):
            raise _RequestError(f"Invalid index {index}.")
        sheet.conditional_formats.insert(index, rule)
        self._record(sheet, "addConditionalFormatRule", payload)
        return {}

    def _do_deleteConditionalFormatRule(self, payload: dict[str, Any]) -> dict[str, Any]:
        sheet = self._sheet(payload.get("sheetId", 0))
        index = int(payload.get("index", 0))
        if not 0 <= index < len(sheet.conditional_formats):
            raise _RequestError(f"No conditional format on sheet {sheet.sheet_id} at index {index}")
        rule = sheet.conditional_formats.pop(index)
        self._record(sheet, "deleteConditionalFormatRule", payload)
        return {"deleteConditionalFormatRule": {"rule": rule}}

    def _do_updateConditionalFormatRule(self, payload: dict[str, Any]) -> dict[str, Any]:
        sheet = self._sheet(payload.get("sheetId", 0))
        index = int(payload.get("index", 0))
        rules = sheet.conditional_formats
        if not 0 <= index < len(rules):
            raise _RequestError(f"No conditional format on sheet {sheet.sheet_id} at index {index}")
        old_rule = rules[index]
        if "rule" in payload:
            new_rule = copy.deepcopy(payload["rule"])
            rules[index] = new_rule
            new_index = index
        else:
            new_index = int(payload.get("newIndex", index))
            new_rule = rules.pop(index)
            rules.insert(new_index, new_rule)
        self._record(sheet, "updateConditionalFormatRule", payload)
        return {
            "updateConditionalFormatRule": {
                "newRule": new_rule,
                "oldRule": old_rule,
                "newIndex": new_index,
                "oldIndex": index,
            }
        }

    # cells

    def _apply_cell_data(
        self, sheet: _Sheet, row: int, col: int, cell_data: Mapping[str, Any], fields: set[str]
    ) -> None:
        everything = "*" in fields
        if everything or "userEnteredValue" in fields:
            entered = cell_data.get("userEnteredValue") or {}
            position = (row, col)
            if "formulaValue" in entered:
                sheet.cells[position] = Cell("formula", str(entered["formulaValue"]))
            elif "stringValue" in entered:
                sheet.cells[position] = Cell("string", str(entered["stringValue"]))
            elif "numberValue" in entered:
                sheet.cells[position] = _number_cell(entered["numberValue"])
            elif "boolValue" in entered:
                sheet.cells[position] = Cell("bool", bool(entered["boolValue"]))
            else:
                sheet.cells.pop(position, None)
        if everything or "dataValidation" in fields:
            rule = cell_data.get("dataValidation")
            if rule:
                sheet.validations[(row, col)] = copy.deepcopy(_drop_false(rule))
            else:
                sheet.validations.pop((row, col), None)

    def _do_repeatCell(self, payload: dict[str, Any]) -> dict[str, Any]:
        sheet, row0, row1, col0, col1 = self._grid_range(payload.get("range", {}))
        fields = _top_fields(str(payload.get("fields", "")))
        cell_data = payload.get("cell", {})
        if fields & {"*", "userEnteredValue", "dataValidation"}:
            for row in range(row0, row1):
                for col in range(col0, col1):
                    self._apply_cell_data(sheet, row, col, cell_data, fields)
        sheet.formats.append({"repeatCell": copy.deepcopy(payload)})
        self._record(sheet, "repeatCell", payload)
        return {}

    def _do_updateCells(self, payload: dict[str, Any]) -> dict[str, Any]:
        fields = _top_fields(str(payload.get("fields", "")))
        if "start" in payload:
            start = payload["start"]
            sheet = self._sheet(start.get("sheetId", 0))
            row0, col0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
            row1, col1 = sheet.row_count, sheet.column_count
        else:
            sheet, row0, row1, col0, col1 = self._grid_range(payload.get("range", {}))
        rows = payload.get("rows", [])
        if row0 + len(rows) > row1:
            raise _RequestError("Attempting to write row beyond the grid limits.")
        for i, row_data in enumerate(rows):
            values = row_data.get("values", [])
            if col0 + len(values) > col1:
                raise _RequestError("Attempting to write column beyond the grid limits.")
            for j, cell_data in enumerate(values):
                self._apply_cell_data(sheet, row0 + i, col0 + j, cell_data, fields)
        sheet.formats.append({"updateCells": copy.deepcopy(payload)})
        self._record(sheet, "updateCells", payload)
        return {}

    def _do_mergeCells(self, payload: dict[str, Any]) -> dict[str, Any]:
        sheet, row0, row1, col0, col1 = self._grid_range(payload.get("range", {}))
        sheet.merges.append(
            {
                "sheetId": sheet.sheet_id,
                "startRowIndex": row0,
                "endRowIndex": row1,
                "startColumnIndex": col0,
                "endColumnIndex": col1,
            }
        )
        self._record(sheet, "mergeCells", payload)
        return {}

    def _do_unmergeCells(self, payload: dict[str, Any]) -> dict[str, Any]:
        sheet, row0, row1, col0, col1 = self._grid_range(payload.get("range", {}))
        sheet.merges = [
            m
            for m in sheet.merges
            if m["endRowIndex"] <= row0
            or m["startRowIndex"] >= row1
            or m["endColumnIndex"] <= col0
            or m["startColumnIndex"] >= col1
        ]
        self._record(sheet, "unmergeCells", payload)
        return {}


# --------------------------------------------------------------------------- logging, faults


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake answered. `path` is percent-decoded (`raw_path` as sent);
    `query` is decoded too, `+` as space (`raw_query` as sent); `body` is the parsed JSON
    body (None when there was none, the raw text when it was not JSON)."""

    method: str
    path: str
    raw_path: str
    raw_query: str
    query: dict[str, list[str]]
    body: Any
    status: int
    operation: str | None
    spreadsheet_id: str | None

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass
class FaultRule:
    """Answer the next `remaining` matching requests (None: every one) with `status`.

    Matchers are ANDed: `method` (case-insensitive), `path_contains` (a substring of the
    percent-decoded path, e.g. ":batchUpdate", "/values/"), `operation` (e.g. "values.get",
    "values.batchUpdate", "spreadsheets.batchUpdate"). With `after_apply` the request is
    carried out first and only the answer is lost, as when Google commits a write and the
    connection then fails (a retry would apply it twice). `html` answers with an HTML page,
    as a proxy or Google's front end does for 502s."""

    status: int
    remaining: int | None = 1
    method: str | None = None
    path_contains: str | None = None
    operation: str | None = None
    message: str | None = None
    html: bool = False
    after_apply: bool = False
    hits: int = 0

    def matches(self, method: str, path: str, operation: str | None) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path_contains is not None and self.path_contains not in path:
            return False
        return self.operation is None or self.operation == operation


@dataclass(frozen=True)
class SheetState:
    """A snapshot of one tab's layout, for assertions. Cells are keyed in A1 ("H2"),
    columns by letter, rows by 1-based number."""

    sheet_id: int
    title: str
    index: int
    row_count: int
    column_count: int
    frozen_row_count: int
    frozen_column_count: int
    properties: dict[str, Any]
    data_validations: dict[str, dict[str, Any]]
    protected_ranges: list[dict[str, Any]]
    conditional_formats: list[dict[str, Any]]
    basic_filter: dict[str, Any] | None
    merges: list[dict[str, Any]]
    column_widths: dict[str, int]
    row_heights: dict[int, int]
    hidden_columns: frozenset[str]
    hidden_rows: frozenset[int]
    formats: list[dict[str, Any]]
    applied_requests: list[dict[str, Any]]


@dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=UTF-8"


_KEY = r"/v4/spreadsheets/(?P<key>[^/:]+)"
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(_KEY), "spreadsheets.get"),
    ("POST", re.compile(_KEY + r":batchUpdate"), "spreadsheets.batchUpdate"),
    ("GET", re.compile(_KEY + r"/values:batchGet"), "values.batchGet"),
    ("POST", re.compile(_KEY + r"/values:batchUpdate"), "values.batchUpdate"),
    ("POST", re.compile(_KEY + r"/values:batchClear"), "values.batchClear"),
    ("POST", re.compile(_KEY + r"/values/(?P<range>.+):append"), "values.append"),
    ("POST", re.compile(_KEY + r"/values/(?P<range>.+):clear"), "values.clear"),
    ("GET", re.compile(_KEY + r"/values/(?P<range>.+)"), "values.get"),
    ("PUT", re.compile(_KEY + r"/values/(?P<range>.+)"), "values.update"),
]


def _route(method: str, raw_path: str) -> tuple[str, str, str | None] | None:
    for route_method, pattern, operation in _ROUTES:
        match = pattern.fullmatch(raw_path)
        if match and route_method == method:
            groups = match.groupdict()
            text = groups.get("range")
            return operation, unquote(groups["key"]), None if text is None else unquote(text)
    return None


def _first(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def _enum(value: Any, allowed: Sequence[str], default: str, field_name: str, type_name: str) -> str:
    if value is None or value == "":
        return default
    if value not in allowed:
        raise _invalid(
            f"Invalid value at '{field_name}' "
            f'(type.googleapis.com/google.apps.sheets.v4.{type_name}), "{value}"'
        )
    return str(value)


def _input_option(value: Any) -> str:
    if value is None or value == "":
        raise _invalid("'valueInputOption' is required but not specified")
    return _enum(value, _INPUT_OPTIONS, "RAW", "value_input_option", "ValueInputOption")


# --------------------------------------------------------------------------- the server


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Idle keep-alive connections park handler threads; do not wait for them on close.
    block_on_close = False
    fake: FakeSheetsServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Send headers and body in one segment, without Nagle: otherwise each keep-alive
    # request stalls ~40 ms on the client's delayed ACK.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr line."""

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        reply = self.server.fake._handle(method, self.path, raw_body)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)


class FakeSheetsServer:
    """A fake Google Sheets v4 API on http://127.0.0.1:<free port>.

    Use as a context manager (or call `start`/`stop`). All methods are thread-safe; the
    HTTP side serves each connection on its own thread and applies requests one at a time,
    like a single spreadsheet's write queue."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        owner_email: str = "owner@example.com",
        project_number: str = "123456789012",
    ) -> None:
        self.owner_email = owner_email
        self.project_number = project_number
        self._address = (host, port)
        self._lock = threading.RLock()
        self.token_requests = 0
        self._spreadsheets: dict[str, _Spreadsheet] = {}
        self._log: list[RecordedRequest] = []
        self._faults: list[FaultRule] = []
        self._delay = 0.0
        self._api_disabled_for: str | None = None
        self._internal_errors: list[str] = []
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> Self:
        if self._httpd is not None:
            return self
        httpd = _HTTPServer(self._address, _Handler)
        httpd.fake = self
        thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="FakeSheetsServer",
            daemon=True,
        )
        thread.start()
        self._httpd, self._thread = httpd, thread
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if thread is not None:
            thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL to use in place of https://sheets.googleapis.com."""
        if self._httpd is None:
            raise RuntimeError("FakeSheetsServer is not running; call start() first")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # data set-up and inspection

    def add_spreadsheet(
        self,
        key: str,
        title: str = "Untitled spreadsheet",
        tabs: Mapping[str, Sequence[Sequence[Any]]] | None = None,
        *,
        row_count: int = DEFAULT_ROW_COUNT,
        column_count: int = DEFAULT_COLUMN_COUNT,
        value_input_option: str = "RAW",
        locale: str = "en_US",
        time_zone: str = "America/New_York",
    ) -> None:
        """Create (or replace) a spreadsheet. `tabs` maps tab titles, in order, to rows of
        values: str, int, float, bool, None (empty), datetime.datetime (a date-time cell
        like a Form's Timestamp) or datetime.date. Strings are taken as typed under
        `value_input_option` ("USER_ENTERED" makes "=..." a formula). Each tab's grid is
        `row_count` x `column_count`, grown to fit its rows. The first tab gets sheetId 0."""
        spreadsheet = _Spreadsheet(
            key,
            {
                "title": title,
                "locale": locale,
                "autoRecalc": "ON_CHANGE",
                "timeZone": time_zone,
                "defaultFormat": {
                    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
                    "verticalAlignment": "BOTTOM",
                    "wrapStrategy": "OVERFLOW_CELL",
                    "textFormat": {"fontFamily": "arial,sans,sans-serif", "fontSize": 10},
                },
            },
        )
        for position, (tab, rows) in enumerate((tabs or {"Sheet1": []}).items()):
            height = len(rows)
            width = max((len(row) for row in rows), default=0)
            sheet = spreadsheet.add_sheet(
                tab,
                sheet_id=0 if position == 0 else None,
                row_count=max(row_count, height),
                column_count=max(column_count, width),
            )
            self._write_direct(sheet, 0, 0, rows, value_input_option)
        with self._lock:
            self._spreadsheets[key] = spreadsheet

    def add_tab(
        self,
        key: str,
        title: str,
        rows: Sequence[Sequence[Any]] = (),
        *,
        row_count: int = DEFAULT_ROW_COUNT,
        column_count: int = DEFAULT_COLUMN_COUNT,
        sheet_id: int | None = None,
        index: int | None = None,
        value_input_option: str = "RAW",
    ) -> int:
        """Add a tab as a person would in the UI; returns its sheetId."""
        with self._lock:
            spreadsheet = self._get(key)
            if spreadsheet.title_taken(title):
                raise ValueError(f"tab {title!r} already exists in {key!r}")
            sheet = spreadsheet.add_sheet(
                title,
                sheet_id=sheet_id,
                index=index,
                row_count=max(row_count, len(rows)),
                column_count=max([column_count, *(len(row) for row in rows)]),
            )
            self._write_direct(sheet, 0, 0, rows, value_input_option)
            return sheet.sheet_id

    def remove_spreadsheet(self, key: str) -> None:
        with self._lock:
            self._spreadsheets.pop(key, None)

    def tabs(self, key: str) -> list[str]:
        """The spreadsheet's tab titles, in order."""
        with self._lock:
            return [sheet.title for sheet in self._get(key).sheets]

    def title(self, key: str) -> str:
        with self._lock:
            return str(self._get(key).properties["title"])

    def values(
        self, key: str, tab: str, *, value_render_option: ValueRenderOption = "FORMATTED_VALUE"
    ) -> list[list[Any]]:
        """The tab's values exactly as a values.get of the whole tab would return them
        (trimmed; [] for an empty tab)."""
        with self._lock:
            sheet = self._tab(key, tab)
            region = (0, sheet.row_count - 1, 0, sheet.column_count - 1)
            return _read(sheet, region, "ROWS", value_render_option, "SERIAL_NUMBER")

    def cell(self, key: str, tab: str, a1: str) -> Cell | None:
        """The stored cell at `a1` ("H2"), or None when empty."""
        with self._lock:
            row, col = self._a1_cell(a1)
            return self._tab(key, tab).cells.get((row, col))

    def set_cell(
        self, key: str, tab: str, a1: str, value: Any, *, value_input_option: str = "RAW"
    ) -> None:
        """Change one cell between requests, as a reviewer editing the sheet would; None or
        "" empties it. The grid grows if needed."""
        self.set_values(
            key,
            tab,
            a1,
            [[value if value is not None else ""]],
            value_input_option=value_input_option,
        )

    def set_values(
        self,
        key: str,
        tab: str,
        a1: str,
        rows: Sequence[Sequence[Any]],
        *,
        value_input_option: str = "RAW",
    ) -> None:
        """Write a block of values with its top-left corner at `a1` (None skips a cell,
        "" empties it). The grid grows if needed."""
        with self._lock:
            row, col = self._a1_cell(a1)
            self._write_direct(self._tab(key, tab), row, col, rows, value_input_option)

    def sheet(self, key: str, tab: str) -> SheetState:
        """A snapshot of the tab's properties and recorded layout state."""
        with self._lock:
            sheet = self._tab(key, tab)
            grid = sheet.grid
            return SheetState(
                sheet_id=sheet.sheet_id,
                title=sheet.title,
                index=int(sheet.properties["index"]),
                row_count=sheet.row_count,
                column_count=sheet.column_count,
                frozen_row_count=int(grid.get("frozenRowCount", 0)),
                frozen_column_count=int(grid.get("frozenColumnCount", 0)),
                properties=sheet.public_properties(),
                data_validations={
                    _cell_a1(r, c): copy.deepcopy(rule)
                    for (r, c), rule in sorted(sheet.validations.items())
                },
                protected_ranges=copy.deepcopy(sheet.protected_ranges),
                conditional_formats=copy.deepcopy(sheet.conditional_formats),
                basic_filter=copy.deepcopy(sheet.basic_filter),
                merges=copy.deepcopy(sheet.merges),
                column_widths={
                    column_letters(i): int(m["pixelSize"])
                    for i, m in sorted(sheet.column_meta.items())
                    if "pixelSize" in m
                },
                row_heights={
                    i + 1: int(m["pixelSize"])
                    for i, m in sorted(sheet.row_meta.items())
                    if "pixelSize" in m
                },
                hidden_columns=frozenset(
                    column_letters(i) for i, m in sheet.column_meta.items() if m.get("hiddenByUser")
                ),
                hidden_rows=frozenset(
                    i + 1 for i, m in sheet.row_meta.items() if m.get("hiddenByUser")
                ),
                formats=copy.deepcopy(sheet.formats),
                applied_requests=copy.deepcopy(sheet.applied_requests),
            )

    # faults

    @property
    def delay(self) -> float:
        """Seconds every request waits before it is handled (outside the data lock)."""
        return self._delay

    @delay.setter
    def delay(self, seconds: float) -> None:
        self._delay = max(0.0, float(seconds))

    def fail(
        self,
        status: int = 500,
        times: int | None = 1,
        *,
        method: str | None = None,
        path_contains: str | None = None,
        operation: str | None = None,
        message: str | None = None,
        html: bool | None = None,
        after_apply: bool = False,
    ) -> FaultRule:
        """Fail the next `times` matching requests (None: until `clear_faults`). The body is
        Google's JSON error for `status` (429 gets the real quota message; `message`
        overrides), or an HTML page when `html` (the default for 502). See FaultRule."""
        rule = FaultRule(
            status=status,
            remaining=times,
            method=method,
            path_contains=path_contains,
            operation=operation,
            message=message,
            html=status == 502 if html is None else html,
            after_apply=after_apply,
        )
        with self._lock:
            self._faults.append(rule)
        return rule

    def clear_faults(self) -> None:
        """Drop every fault rule, every `forbid` and a `disable_api`."""
        with self._lock:
            self._faults.clear()
            self._api_disabled_for = None
            for spreadsheet in self._spreadsheets.values():
                spreadsheet.forbidden = None

    def forbid(self, key: str, forbidden: bool = True, *, writes_only: bool = False) -> None:
        """Make requests about `key` answer 403 "The caller does not have permission": all of
        them, as for a spreadsheet not shared with the service account, or with
        `writes_only` every request but GETs, as for one shared with it as a viewer."""
        with self._lock:
            self._get(key).forbidden = ("writes" if writes_only else "all") if forbidden else None

    def disable_api(self, project_number: str | None = None) -> None:
        """Answer every request with the 403 SERVICE_DISABLED error ("Google Sheets API has
        not been used in project ... before or it is disabled") until `enable_api`."""
        with self._lock:
            self._api_disabled_for = project_number or self.project_number

    def enable_api(self) -> None:
        with self._lock:
            self._api_disabled_for = None

    # request log

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._log)

    def count(
        self,
        *,
        method: str | None = None,
        path_contains: str | None = None,
        operation: str | None = None,
        status: int | None = None,
    ) -> int:
        """How many logged requests match all the given filters."""
        with self._lock:
            return sum(
                1
                for r in self._log
                if (method is None or r.method == method.upper())
                and (path_contains is None or path_contains in r.path)
                and (operation is None or r.operation == operation)
                and (status is None or r.status == status)
            )

    def reset_requests(self) -> None:
        with self._lock:
            self._log.clear()

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of bugs in the fake itself (answered as 500 INTERNAL)."""
        with self._lock:
            return list(self._internal_errors)

    # internals: data access

    def _get(self, key: str) -> _Spreadsheet:
        spreadsheet = self._spreadsheets.get(key)
        if spreadsheet is None:
            raise KeyError(f"no spreadsheet {key!r} in the fake")
        return spreadsheet

    def _tab(self, key: str, tab: str) -> _Sheet:
        sheet = self._get(key).sheet_by_title(tab)
        if sheet is None:
            raise KeyError(f"no tab {tab!r} in spreadsheet {key!r}")
        return sheet

    @staticmethod
    def _a1_cell(a1: str) -> tuple[int, int]:
        bounds = _parse_a1(a1)
        if bounds is None or not bounds.single or bounds.row0 is None or bounds.col0 is None:
            raise ValueError(f"not a single-cell A1 reference: {a1!r}")
        return bounds.row0, bounds.col0

    @staticmethod
    def _write_direct(
        sheet: _Sheet, row0: int, col0: int, rows: Sequence[Sequence[Any]], input_option: str
    ) -> None:
        if input_option not in _INPUT_OPTIONS:
            raise ValueError(f"value_input_option must be one of {_INPUT_OPTIONS}")
        height = row0 + len(rows)
        width = col0 + max((len(row) for row in rows), default=0)
        sheet.set_size(max(sheet.row_count, height), max(sheet.column_count, width))
        _Write(sheet, row0, col0, [list(row) for row in rows], "").apply(input_option)

    # internals: HTTP

    def _handle(self, method: str, target: str, raw_body: bytes) -> _Reply:
        split = urlsplit(target)
        raw_path = split.path
        path = unquote(raw_path)
        query = parse_qs(split.query, keep_blank_values=True)
        body: Any = None
        body_error = False
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                body, body_error = raw_body.decode("utf-8", "replace"), True
        if method == "POST" and raw_path == TOKEN_PATH:
            return self._token_reply(body)
        routed = _route(method, raw_path)
        operation = routed[0] if routed else None
        key = routed[1] if routed else None

        delay = self._delay
        if delay:
            time.sleep(delay)
        with self._lock:
            fault = next((f for f in self._faults if f.matches(method, path, operation)), None)
            if fault is not None:
                fault.hits += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
            if fault is not None and not fault.after_apply:
                reply = self._fault_reply(fault, method)
            else:
                reply = self._answer(method, raw_path, routed, query, body, body_error)
                if fault is not None:
                    reply = self._fault_reply(fault, method)
            self._log.append(
                RecordedRequest(
                    method=method,
                    path=path,
                    raw_path=raw_path,
                    raw_query=split.query,
                    query=query,
                    body=body,
                    status=reply.status,
                    operation=operation,
                    spreadsheet_id=key,
                )
            )
        return reply

    def _token_reply(self, body: Any) -> _Reply:
        """An OAuth token endpoint, enough for google-auth's service-account flow: a key
        whose `token_uri` is `server.url + TOKEN_PATH` gets a bearer token here. Requests
        to it are counted in `token_requests`, not in the Sheets request log."""
        with self._lock:
            self.token_requests += 1
        form = parse_qs(body) if isinstance(body, str) else {}
        if "assertion" not in form and not isinstance(body, dict):
            return self._json_reply(400, {"error": "invalid_request"})
        return self._json_reply(
            200, {"access_token": "fake-access-token", "expires_in": 3600, "token_type": "Bearer"}
        )

    @staticmethod
    def _json_reply(status: int, payload: Mapping[str, Any]) -> _Reply:
        return _Reply(status, json.dumps(payload, indent=2).encode("utf-8"))

    def _fault_reply(self, fault: FaultRule, method: str) -> _Reply:
        if fault.html:
            page = _HTML_ERROR.format(status=fault.status)
            return _Reply(fault.status, page.encode("utf-8"), "text/html; charset=UTF-8")
        if fault.status == 429:
            return self._json_reply(429, self._quota_error(method, fault.message).body())
        message = fault.message or _DEFAULT_MESSAGES.get(fault.status, "Unknown error.")
        return self._json_reply(fault.status, SheetsApiError(fault.status, message).body())

    def _quota_error(self, method: str, message: str | None) -> SheetsApiError:
        kind = "Read" if method == "GET" else "Write"
        project = self.project_number
        text = message or (
            f"Quota exceeded for quota metric '{kind} requests' and limit '{kind} requests per "
            f"minute per user' of service 'sheets.googleapis.com' for consumer "
            f"'project_number:{project}'."
        )
        details = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {
                    "service": "sheets.googleapis.com",
                    "consumer": f"projects/{project}",
                    "quota_metric": f"sheets.googleapis.com/{kind.lower()}_requests",
                    "quota_limit": f"{kind}RequestsPerMinutePerUser",
                    "quota_limit_value": "60",
                    "quota_location": "global",
                },
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Request a higher quota limit.",
                        "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                    }
                ],
            },
        ]
        return SheetsApiError(429, text, details=details)

    @staticmethod
    def _service_disabled(project: str) -> SheetsApiError:
        activation = (
            "https://console.developers.google.com/apis/api/sheets.googleapis.com/overview"
            f"?project={project}"
        )
        message = (
            f"Google Sheets API has not been used in project {project} before or it is "
            f"disabled. Enable it by visiting {activation} then retry. If you enabled this API "
            "recently, wait a few minutes for the action to propagate to our systems and retry."
        )
        details = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "SERVICE_DISABLED",
                "domain": "googleapis.com",
                "metadata": {
                    "service": "sheets.googleapis.com",
                    "consumer": f"projects/{project}",
                    "activationUrl": activation,
                    "serviceTitle": "Google Sheets API",
                    "containerInfo": project,
                },
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {"description": "Google developers console API activation", "url": activation}
                ],
            },
        ]
        return SheetsApiError(403, message, details=details)

    def _answer(
        self,
        method: str,
        raw_path: str,
        routed: tuple[str, str, str | None] | None,
        query: dict[str, list[str]],
        body: Any,
        body_error: bool,
    ) -> _Reply:
        try:
            if self._api_disabled_for is not None:
                raise self._service_disabled(self._api_disabled_for)
            if routed is None:
                raise SheetsApiError(
                    404, f"FakeSheetsServer has no endpoint for {method} {unquote(raw_path)}"
                )
            if body_error:
                raise _invalid("Invalid JSON payload received.")
            operation, key, range_text = routed
            spreadsheet = self._spreadsheets.get(key)
            if spreadsheet is None:
                raise SheetsApiError(404, _DEFAULT_MESSAGES[404])
            if spreadsheet.forbidden == "all" or (
                spreadsheet.forbidden == "writes" and method != "GET"
            ):
                raise SheetsApiError(403, _DEFAULT_MESSAGES[403])
            payload = body if isinstance(body, dict) else {}
            answer = self._operation(operation, spreadsheet, range_text, query, payload)
            return self._json_reply(200, answer)
        except SheetsApiError as error:
            return self._json_reply(error.code, error.body())
        except Exception:
            self._internal_errors.append(traceback.format_exc())
            return self._json_reply(500, SheetsApiError(500, _DEFAULT_MESSAGES[500]).body())

    def _operation(
        self,
        operation: str,
        spreadsheet: _Spreadsheet,
        range_text: str | None,
        query: dict[str, list[str]],
        body: dict[str, Any],
    ) -> dict[str, Any]:
        key = spreadsheet.key
        if operation == "spreadsheets.get":
            return self._spreadsheets_get(spreadsheet, query)
        if operation == "spreadsheets.batchUpdate":
            return self._spreadsheets_batch_update(spreadsheet, _strip_nulls(body))
        if operation in ("values.get", "values.batchGet"):
            major = _enum(
                _first(query, "majorDimension"), _DIMENSIONS, "ROWS", "major_dimension", "Dimension"
            )
            value_render = _enum(
                _first(query, "valueRenderOption"),
                _VALUE_RENDER_OPTIONS,
                "FORMATTED_VALUE",
                "value_render_option",
                "ValueRenderOption",
            )
            datetime_render = _enum(
                _first(query, "dateTimeRenderOption"),
                _DATETIME_RENDER_OPTIONS,
                "SERIAL_NUMBER",
                "date_time_render_option",
                "DateTimeRenderOption",
            )
            texts = [range_text or ""] if operation == "values.get" else query.get("ranges", [])
            targets = [_resolve(spreadsheet, text) for text in texts]
            for target in targets:
                target.check_grid()
            ranges = [_value_range(t, major, value_render, datetime_render) for t in targets]
            if operation == "values.get":
                return ranges[0]
            answer: dict[str, Any] = {"spreadsheetId": key}
            if ranges:
                answer["valueRanges"] = ranges
            return answer
        if operation == "values.update":
            return self._values_update(spreadsheet, range_text or "", query, _strip_nulls(body))
        if operation == "values.batchUpdate":
            return self._values_batch_update(spreadsheet, _strip_nulls(body))
        if operation == "values.append":
            return self._values_append(spreadsheet, range_text or "", query, _strip_nulls(body))
        if operation == "values.clear":
            target = _resolve(spreadsheet, range_text or "")
            target.check_grid()
            cleared = self._clear(target)
            return {"spreadsheetId": key, "clearedRange": cleared}
        if operation == "values.batchClear":
            texts = _strip_nulls(body).get("ranges", [])
            targets = [_resolve(spreadsheet, str(text)) for text in texts]
            for target in targets:
                target.check_grid()
            answer = {"spreadsheetId": key}
            if targets:
                answer["clearedRanges"] = [self._clear(t) for t in targets]
            return answer
        raise SheetsApiError(404, f"FakeSheetsServer has no operation {operation}")

    # internals: operations

    def _spreadsheets_get(
        self, spreadsheet: _Spreadsheet, query: dict[str, list[str]]
    ) -> dict[str, Any]:
        fields = _first(query, "fields") or ""
        with_grid = _truthy(_first(query, "includeGridData") or "false") or bool(
            re.search(r"(?:^|[,(./])data(?:$|[,().])", fields)
        )
        wanted: dict[int, list[_Bounds]] = {}
        for text in query.get("ranges", []):
            target = _resolve(spreadsheet, text)
            target.check_grid()
            wanted.setdefault(target.sheet.sheet_id, []).append(target.bounds)
        sheets: list[dict[str, Any]] = []
        for sheet in spreadsheet.sheets:
            if wanted and sheet.sheet_id not in wanted:
                continue
            entry: dict[str, Any] = {"properties": sheet.public_properties()}
            if with_grid:
                entry["data"] = [
                    self._grid_data(sheet, _Target(sheet, bounds, None).clipped())
                    for bounds in wanted.get(sheet.sheet_id, [_WHOLE])
                ]
            if sheet.merges:
                entry["merges"] = copy.deepcopy(sheet.merges)
            if sheet.conditional_formats:
                entry["conditionalFormats"] = copy.deepcopy(sheet.conditional_formats)
            if sheet.protected_ranges:
                entry["protectedRanges"] = copy.deepcopy(sheet.protected_ranges)
            if sheet.basic_filter is not None:
                entry["basicFilter"] = copy.deepcopy(sheet.basic_filter)
            sheets.append(entry)
        return {
            "spreadsheetId": spreadsheet.key,
            "properties": copy.deepcopy(spreadsheet.properties),
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{spreadsheet.key}/edit",
        }

    @staticmethod
    def _grid_data(sheet: _Sheet, region: tuple[int, int, int, int]) -> dict[str, Any]:
        """GridData as includeGridData=true returns it: typed values, formatted values,
        number formats of date cells and data validation rules."""
        row0, row1, col0, col1 = region
        last_col: dict[int, int] = {}
        for row, col in [*sheet.cells, *sheet.validations]:
            if row0 <= row <= row1 and col0 <= col <= col1:
                last_col[row] = max(last_col.get(row, -1), col)
        row_data: list[dict[str, Any]] = []
        for row in range(row0, max(last_col, default=row0 - 1) + 1):
            values: list[dict[str, Any]] = []
            for col in range(col0, last_col.get(row, col0 - 1) + 1):
                data: dict[str, Any] = {}
                cell = sheet.cells.get((row, col))
                if cell is not None:
                    data["userEnteredValue"] = _user_entered_value(cell)
                    data["effectiveValue"] = _effective_value(cell)
                    data["formattedValue"] = _render(cell, "FORMATTED_VALUE", "SERIAL_NUMBER")
                    if cell.kind == "datetime":
                        kind = "DATE_TIME" if "H" in (cell.pattern or "") else "DATE"
                        data["userEnteredFormat"] = {
                            "numberFormat": {"type": kind, "pattern": cell.pattern}
                        }
                rule = sheet.validations.get((row, col))
                if rule is not None:
                    data["dataValidation"] = copy.deepcopy(rule)
                values.append(data)
            row_data.append({"values": values} if values else {})
        grid: dict[str, Any] = {}
        if row0:
            grid["startRow"] = row0
        if col0:
            grid["startColumn"] = col0
        grid["rowData"] = row_data
        grid["rowMetadata"] = [
            {"pixelSize": 21, **sheet.row_meta.get(i, {})} for i in range(row0, row1 + 1)
        ]
        grid["columnMetadata"] = [
            {"pixelSize": 100, **sheet.column_meta.get(i, {})} for i in range(col0, col1 + 1)
        ]
        return grid

    def _spreadsheets_batch_update(
        self, spreadsheet: _Spreadsheet, body: dict[str, Any]
    ) -> dict[str, Any]:
        working = _working_copy(spreadsheet)
        replies = _BatchUpdate(working, self.owner_email).run(body.get("requests"))
        self._spreadsheets[spreadsheet.key] = working
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.key, "replies": replies}
        if _truthy(body.get("includeSpreadsheetInResponse", False)):
            answer["updatedSpreadsheet"] = self._spreadsheets_get(
                working, {"includeGridData": [str(body.get("responseIncludeGridData", False))]}
            )
        return answer

    def _updated_data(self, write: _Write, options: Mapping[str, Any]) -> dict[str, Any]:
        value_render = _enum(
            options.get("responseValueRenderOption"),
            _VALUE_RENDER_OPTIONS,
            "FORMATTED_VALUE",
            "response_value_render_option",
            "ValueRenderOption",
        )
        datetime_render = _enum(
            options.get("responseDateTimeRenderOption"),
            _DATETIME_RENDER_OPTIONS,
            "SERIAL_NUMBER",
            "response_date_time_render_option",
            "DateTimeRenderOption",
        )
        row1 = write.row0 + max(write.height, 1) - 1
        col1 = write.col0 + max(write.width, 1) - 1
        target = _Target(write.sheet, _Bounds(write.row0, row1, write.col0, col1), None)
        return _value_range(target, "ROWS", value_render, datetime_render)

    def _values_update(
        self,
        spreadsheet: _Spreadsheet,
        range_text: str,
        query: dict[str, list[str]],
        body: dict[str, Any],
    ) -> dict[str, Any]:
        input_option = _input_option(_first(query, "valueInputOption"))
        major = _enum(
            body.get("majorDimension"), _DIMENSIONS, "ROWS", "major_dimension", "Dimension"
        )
        target = _resolve(spreadsheet, range_text)
        write = _plan_update(target, body.get("values"), major)
        write.apply(input_option)
        answer = write.summary(spreadsheet.key)
        if _truthy(_first(query, "includeValuesInResponse") or "false"):
            options = {
                k: _first(query, k)
                for k in ("responseValueRenderOption", "responseDateTimeRenderOption")
            }
            answer["updatedData"] = self._updated_data(write, options)
        return answer

    def _values_batch_update(
        self, spreadsheet: _Spreadsheet, body: dict[str, Any]
    ) -> dict[str, Any]:
        input_option = _input_option(body.get("valueInputOption"))
        plans: list[_Write] = []
        for i, item in enumerate(body.get("data", [])):
            try:
                if not isinstance(item, dict) or "range" not in item:
                    raise _invalid("a range is required.")
                major = _enum(
                    item.get("majorDimension"), _DIMENSIONS, "ROWS", "major_dimension", "Dimension"
                )
                target = _resolve(spreadsheet, str(item["range"]))
                plans.append(_plan_update(target, item.get("values"), major))
            except SheetsApiError as error:
                raise _invalid(f"Invalid data[{i}]: {error.message}") from None
        for plan in plans:
            plan.apply(input_option)
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.key}
        if not plans:
            return answer
        responses = [plan.summary(spreadsheet.key) for plan in plans]
        if _truthy(body.get("includeValuesInResponse", False)):
            for plan, response in zip(plans, responses, strict=True):
                response["updatedData"] = self._updated_data(plan, body)
        answer["totalUpdatedRows"] = sum(r.get("updatedRows", 0) for r in responses)
        answer["totalUpdatedColumns"] = sum(r.get("updatedColumns", 0) for r in responses)
        answer["totalUpdatedCells"] = sum(r.get("updatedCells", 0) for r in responses)
        answer["totalUpdatedSheets"] = len(
            {
                plan.sheet.sheet_id
                for plan, r in zip(plans, responses, strict=True)
                if r.get("updatedCells")
            }
        )
        answer["responses"] = responses
        return answer

    def _values_append(
        self,
        spreadsheet: _Spreadsheet,
        range_text: str,
        query: dict[str, list[str]],
        body: dict[str, Any],
    ) -> dict[str, Any]:
        input_option = _input_option(_first(query, "valueInputOption"))
        insert_option = _enum(
            _first(query, "insertDataOption"),
            _INSERT_OPTIONS,
            "OVERWRITE",
            "insert_data_option",
            "InsertDataOption",
        )
        major = _enum(
            body.get("majorDimension"), _DIMENSIONS, "ROWS", "major_dimension", "Dimension"
        )
        target = _resolve(spreadsheet, range_text)
        sheet, bounds = target.sheet, target.bounds
        rows = _input_rows(body.get("values"), major)
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.key}
        table = _find_table(target)
        if table is not None:
            top, bottom, left, right = table
            answer["tableRange"] = _range_label(sheet, top, bottom, left, right)
            start_row, start_col = bottom + 1, left
        else:
            start_row, start_col = bounds.row0 or 0, bounds.col0 or 0
        write = _Write(
            sheet,
            start_row,
            start_col,
            rows,
            _range_label(sheet, start_row, start_row, start_col, start_col),
        )
        # Appending grows the grid (rows and columns) instead of failing like update does.
        new_rows, new_cols = sheet.row_count, sheet.column_count
        if insert_option == "INSERT_ROWS" and write.height:
            new_rows += write.height
        new_rows = max(new_rows, start_row + write.height)
        new_cols = max(new_cols, start_col + write.width)
        if new_cols > MAX_COLUMNS:
            raise target.exceeds_grid()
        extra_cells = (new_rows * new_cols) - (sheet.row_count * sheet.column_count)
        if spreadsheet.total_cells() + extra_cells > MAX_CELLS:
            spreadsheet.check_cell_limit()
            raise _invalid(
                "This action would increase the number of cells in the workbook above the "
                f"limit of {MAX_CELLS} cells."
            )
        if insert_option == "INSERT_ROWS" and write.height and start_row < sheet.row_count:
            _shift(sheet.cells, 0, start_row, write.height)
            _shift(sheet.validations, 0, start_row, write.height)
            _shift_meta(sheet.row_meta, start_row, write.height)
        sheet.set_size(new_rows, new_cols)
        write.apply(input_option)
        answer["updates"] = write.summary(spreadsheet.key)
        if _truthy(_first(query, "includeValuesInResponse") or "false"):
            options = {
                k: _first(query, k)
                for k in ("responseValueRenderOption", "responseDateTimeRenderOption")
            }
            answer["updates"]["updatedData"] = self._updated_data(write, options)
        return answer

    @staticmethod
    def _clear(target: _Target) -> str:
        row0, row1, col0, col1 = target.clipped()
        cells = target.sheet.cells
        for row, col in [k for k in cells if row0 <= k[0] <= row1 and col0 <= k[1] <= col1]:
            del cells[(row, col)]
        return _range_label(target.sheet, row0, row1, col0, col1)


# --------------------------------------------------------------------------- gspread wiring


class EndpointSession(requests.Session):
    """A requests.Session whose Sheets API calls go to `base_url` (e.g. a FakeSheetsServer)."""

    def __init__(self, base_url: str, *, origin: str = GOOGLE_SHEETS_ORIGIN) -> None:
        super().__init__()
        self.base_url = validate_base_url(base_url)
        mount_endpoint(self, self.base_url, origin=origin)


def gspread_client(
    base_url: str,
    session: requests.Session | None = None,
    *,
    http_client: type[HTTPClient] = HTTPClient,
) -> gspread.Client:
    """An unauthenticated gspread Client whose Sheets requests go to `base_url`.

    gspread's HTTPClient uses a given session as-is and never touches the credentials in
    that case, so anonymous credentials are enough. A given `session` gets the endpoint
    mounted on it (useful to add retries or count requests); otherwise an EndpointSession
    is made."""
    if session is None:
        session = EndpointSession(base_url)
    else:
        mount_endpoint(session, base_url)
    return gspread.Client(auth=AnonymousCredentials(), session=session, http_client=http_client)
