"""A Google spreadsheet through gspread, in as few Sheets API requests as a run allows.

A run costs, whatever the number of rows:

1. one `spreadsheets.get` limited to tab properties and the layout markers (cached);
2. one `values.batchGet` of every tab `read` is asked for (unformatted, timestamps as
   serial numbers, so the spreadsheet's locale cannot change how dates read);
3. one `values.batchUpdate` (valueInputOption=RAW: a respondent's `=IMPORTXML(...)` stays
   text) with every tab `write` is given.

A digest adds one `values.batchGet` of the digest tab's first column, to find the row
after its last. The first run adds one `spreadsheets.batchUpdate` that creates the missing
tabs and lays them out (see `sync.backends.google_layout`); it also grows a grid that
values.batchUpdate would otherwise overflow (that call never grows the grid). Only payloads
larger than about 2 MB are split, into a few requests of whole row blocks, never per row.

gspread's convenience objects (`open_by_key`, `worksheet`) each cost a metadata request,
so this module calls gspread's HTTPClient directly.

A tab is found by `sync.names.find_tab` ("form responses 1" is "Form Responses 1") and
written under its existing title, never added a second time.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import gspread
import pandas as pd
import requests
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import GoogleAuthError, TransportError
from google.auth.transport.requests import AuthorizedSession
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from sync.backends import google_layout as layout
from sync.backends import retry as retrying
from sync.backends.base import Cell, TabWrite, cell_text, frame_from_rows
from sync.backends.endpoint import endpoint_from_env, mount_endpoint
from sync.backends.google_auth import GoogleAuth, load_auth
from sync.backends.retry import RetryPolicy, error_code, is_transient
from sync.errors import BackendError, ConfigError
from sync.names import find_tab

T = TypeVar("T")

# One comfortable payload: Google advises keeping requests near 2 MB.
MAX_PAYLOAD_BYTES = 2_000_000
# Cells per values.batchGet before a read is split into row blocks: a 10,000-response
# form and its curated tab fit in one.
MAX_READ_CELLS = 1_000_000
TIMEOUT_SECONDS = 120.0

METADATA_FIELDS = (
    "spreadsheetId,properties(title),sheets(properties(sheetId,title,index,"
    "gridProperties(rowCount,columnCount,frozenRowCount)),"
    "protectedRanges(protectedRangeId,description),"
    "conditionalFormats(booleanRule(condition(values))),basicFilter(range))"
)

_KEY_IN_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_KEY = re.compile(r"[A-Za-z0-9_-]{20,}")


def spreadsheet_key(spreadsheet: str) -> str:
    """The key of a spreadsheet given as its URL or as the key itself."""
    text = spreadsheet.strip()
    match = _KEY_IN_URL.search(text)
    if match:
        return match.group(1)
    if _KEY.fullmatch(text):
        return text
    raise ConfigError(
        f"{spreadsheet!r} is neither a Google Sheets URL nor a spreadsheet key; copy the "
        "spreadsheet's address from the browser (https://docs.google.com/spreadsheets/d/...)"
    )


def a1(tab: str, cells: str = "") -> str:
    """An A1 range on `tab`, the tab name quoted as the API expects ('It''s'!A1)."""
    quoted = "'" + tab.replace("'", "''") + "'"
    return f"{quoted}!{cells}" if cells else quoted


class GoogleBook:
    """One Google spreadsheet as a `Book`. Metadata is fetched once per instance; the
    pipeline uses one instance for a run's read and write."""

    def __init__(self, spreadsheet: str, credentials: Path | None = None, *,
                 retry: RetryPolicy | None = None, environ: Mapping[str, str] | None = None,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        self.key = spreadsheet_key(spreadsheet)
        self.retry = retry or retrying.DEFAULT
        self._credentials_path = credentials
        self._environ = environ
        self._timeout = timeout
        self._auth: GoogleAuth | None = None
        self._http: HTTPClient | None = None
        self._meta: dict[str, Any] | None = None
        self._rows: dict[str, list[list[Any]]] = {}

    # ------------------------------------------------------------------ connection

    @property
    def description(self) -> str:
        title = (self._meta or {}).get("properties", {}).get("title")
        return f"Google spreadsheet {title!r} ({self.key})" if title else (
            f"Google spreadsheet {self.key}")

    @property
    def auth(self) -> GoogleAuth:
        if self._auth is None:
            self._auth = load_auth(self._credentials_path, self._environ)
        return self._auth

    @property
    def http(self) -> HTTPClient:
        if self._http is None:
            auth = self.auth
            session: requests.Session = (
                requests.Session() if auth.credentials is None
                else AuthorizedSession(auth.credentials)
            )
            endpoint = endpoint_from_env(self._environ)
            if endpoint:
                mount_endpoint(session, endpoint)
            client = gspread.Client(auth=auth.credentials or AnonymousCredentials(),
                                    session=session)
            client.set_timeout(self._timeout)
            self._http = client.http_client
        return self._http

    def _call(self, what: str, work: Callable[[], T], *, writing: bool = False) -> T:
        try:
            return self.retry.call(what, work)
        except (APIError, requests.RequestException) as exc:
            raise self._explain(exc, writing=writing) from None
        except TransportError:
            raise BackendError("cannot reach Google to sign in; nothing was half-written, run "
                               "again later", transient=True) from None
        except GoogleAuthError as exc:
            reason = str(exc.args[0]) if exc.args else type(exc).__name__
            raise BackendError(
                f"Google refused the credentials ({self.auth.origin}): {reason}; check that the "
                "key belongs to an existing service account, or download a new key"
            ) from None

    def _explain(self, exc: Exception, *, writing: bool) -> BackendError:
        """A Sheets API failure as a sentence staff can act on."""
        response = getattr(exc, "response", None)
        if not isinstance(response, requests.Response):
            return BackendError(
                f"cannot reach the Google Sheets API ({type(exc).__name__}); nothing was "
                "half-written, run again later", transient=True)
        code = error_code(response)
        body = _error_body(response)
        message = str(body.get("message") or f"HTTP {response.status_code}")
        who = self.auth.who
        share = ("share the spreadsheet with it as Editor (in Google Sheets: Share, add "
                 f"{self.auth.email}, choose Editor)") if self.auth.email else (
            "share the spreadsheet as Editor with the account signer-sync runs as")
        if is_transient(exc):
            return BackendError(
                f"Google Sheets kept failing ({code}: {message}) after retries; nothing was "
                "half-written, run again later",
                transient=True)
        if code == 403 and _reason(body) == "SERVICE_DISABLED":
            url = _activation_url(body)
            return BackendError(
                "the Google Sheets API is not enabled in the service account's Google Cloud "
                f"project: enable it{' at ' + url if url else ''}, wait a few minutes, then "
                "run again")
        if code == 404:
            return BackendError(
                f"spreadsheet {self.key} was not found: check its address in the job file; if "
                f"it is right, {who} cannot see it: {share}")
        if code == 403:
            need = "edit" if writing else "open"
            return BackendError(f"{who} cannot {need} spreadsheet {self.key}: {share}")
        if code == 401:
            return BackendError(
                f"Google refused the credentials ({self.auth.origin}): {message}; download a "
                "new key for the service account")
        return BackendError(f"Google Sheets refused the request for spreadsheet {self.key}: "
                            f"{message}")

    def metadata(self) -> dict[str, Any]:
        """Tab properties and layout markers, fetched once."""
        if self._meta is None:
            self._meta = self._call("reading the spreadsheet's tabs", lambda: dict(
                self.http.fetch_sheet_metadata(self.key, params={"fields": METADATA_FIELDS})))
        return self._meta

    def _sheets(self) -> dict[str, dict[str, Any]]:
        return {s["properties"]["title"]: s for s in self.metadata().get("sheets", [])}

    # ------------------------------------------------------------------ Book

    def tab_names(self) -> list[str]:
        return list(self._sheets())

    def _found(self, tabs: Sequence[str]) -> dict[str, str | None]:
        """Each tab asked for → the title of the tab it names (None when missing)."""
        titles = list(self._sheets())
        return {tab: find_tab(tab, titles, self.description) for tab in dict.fromkeys(tabs)}

    def read(self, tabs: Sequence[str]) -> dict[str, pd.DataFrame | None]:
        sheets = self._sheets()
        found = self._found(tabs)
        present = [t for t in dict.fromkeys(found.values()) if t is not None]
        rows = self._read_rows({t: _grid(sheets[t]) for t in present}, None)
        self._rows.update(rows)
        frames = {title: frame_from_rows(rows[title]) for title in present}
        return {t: frames.get(found[t] or "") for t in tabs}

    def read_header(self, tab: str) -> list[str] | None:
        """Only the header row of `tab` (for `check`), or None when the tab is missing."""
        return self.read_headers([tab])[tab]

    def read_headers(self, tabs: Sequence[str]) -> dict[str, list[str] | None]:
        """Only the header row of each tab, in one request (None for a missing tab)."""
        sheets = self._sheets()
        found = self._found(tabs)
        present = [t for t in dict.fromkeys(found.values()) if t is not None]
        rows = self._read_rows({t: (1, _grid(sheets[t])[1]) for t in present}, None)
        headers = {title: list(frame_from_rows(rows[title][:1] or [[]]).columns)
                   for title in present}
        return {t: headers.get(found[t] or "") for t in tabs}

    def _read_rows(self, grids: Mapping[str, tuple[int, int]],
                   columns: int | None) -> dict[str, list[list[Any]]]:
        """Values of whole tabs (the first `columns` columns if given), in as few
        values.batchGet requests as MAX_READ_CELLS allows."""
        blocks: list[tuple[str, int, int, int]] = []  # tab, first row, last row, width
        for tab, (height, width) in grids.items():
            width = min(width, columns) if columns else width
            step = max(1, MAX_READ_CELLS // max(width, 1))
            for first in range(1, max(height, 1) + 1, step):
                blocks.append((tab, first, min(height, first + step - 1), width))
        result: dict[str, list[list[Any]]] = {tab: [] for tab in grids}
        for group in _groups(blocks, lambda b: (b[2] - b[1] + 1) * b[3], MAX_READ_CELLS):
            ranges = [a1(tab, f"A{first}:{layout.column_letter(width - 1)}{last}")
                      for tab, first, last, width in group]
            answer = self._call("reading values", lambda ranges=ranges: self.http.values_batch_get(
                self.key, ranges, params={
                    "valueRenderOption": "UNFORMATTED_VALUE",
                    "dateTimeRenderOption": "SERIAL_NUMBER",
                    "majorDimension": "ROWS",
                }))
            for (tab, first, _last, _width), value_range in zip(
                    group, answer.get("valueRanges", []), strict=True):
                values = value_range.get("values", [])
                if values:  # the API trims empty rows: pad those of earlier blocks back
                    rows = result[tab]
                    rows.extend([] for _ in range(first - 1 - len(rows)))
                    rows.extend(values)
        return result

    def write(self, writes: Sequence[TabWrite]) -> None:
        sheets = self._sheets()
        writes = [replace(w, tab=find_tab(w.tab, list(sheets), self.description) or w.tab)
                  for w in writes]
        unread = [w.tab for w in writes if w.append and w.tab in sheets and w.tab not in self._rows]
        if unread:
            self._rows.update(self._read_rows({t: _grid(sheets[t]) for t in unread}, 1))
        data: list[dict[str, Any]] = []
        needs: dict[str, tuple[int, int]] = {}
        for change in writes:
            existing = self._rows.get(change.tab, [])
            ranges, height = (_append_ranges(change, existing) if change.append
                              else _replace_ranges(change, existing))
            data.extend(ranges)
            needs[change.tab] = (height, max(len(change.header), _width(existing)))
        moved = frozenset(
            c.tab for c in writes if not c.append and self._rows.get(c.tab)
            and [cell_text(v) for v in self._rows[c.tab][0]][:len(c.header)] != c.header)
        requests_ = layout.plan(sheets, writes, needs, moved)
        if requests_:
            # Not idempotent (addSheet): if an attempt lands but its answer is lost, the
            # retry is refused ("already exists") and the run fails having written no
            # values; the next run sees the tabs and sends only what is still missing.
            self._call("laying out the tabs", lambda: self.http.batch_update(
                self.key, {"requests": requests_}), writing=True)
            self._meta = None
        # values.batchUpdate to fixed ranges is idempotent: a retry after a lost answer
        # writes the same cells again. Split payloads are too: a run that fails half-way
        # is redone whole by the next run, which rewrites every range.
        for chunk in _payload_chunks(data):
            self._call("writing values", lambda chunk=chunk: self.http.values_batch_update(
                self.key, {"valueInputOption": "RAW", "data": chunk}), writing=True)
        for change in writes:
            self._rows.pop(change.tab, None)

    def probe_write(self) -> None:
        """Ask for write access without writing: an empty values.batchUpdate is refused
        with 403 for an account that may only view (`check` uses it)."""
        self._call("checking write access", lambda: self.http.values_batch_update(
            self.key, {"valueInputOption": "RAW", "data": []}), writing=True)


# ---------------------------------------------------------------------- planning writes


def _replace_ranges(change: TabWrite, existing: list[list[Any]]) -> tuple[list[dict[str, Any]],
                                                                              int]:
    """Ranges that make the tab hold header + rows, leaving reviewer cells of rows that
    stay where they are untouched, and blanking rows beyond the new end."""
    header, rows = change.header, change.rows
    tab, width = change.tab, len(header)
    old_header = [cell_text(v) for v in existing[0]] if existing else []
    old_ids = [cell_text(r[0]) if r else "" for r in existing[1:]]
    new_ids = [cell_text(r[0]) if r else "" for r in rows]
    keep = sorted(header.index(c) for c in change.keep_columns if c in header)
    unmoved = (bool(existing) and old_header[:width] == header and bool(keep)
               and new_ids[:len(old_ids)] == old_ids)
    data = [] if old_header[:width] == header else [_range(tab, 1, 0, [header])]
    if unmoved:
        # Every existing row keeps its place: write only the cells that changed from what
        # this run read, so a reviewer's edit made while this run was in flight survives
        # and the payload stays small whatever the tab's size; new rows go below, whole.
        # Reviewer columns are compared one by one: the run changes one only to move the
        # tool's own default (a flag cleared: "Needs review" becomes "Approved").
        count = len(old_ids)
        for start, stop in [*layout.spans(width, keep), *((k, k + 1) for k in keep)]:
            changed = [i for i in range(count)
                       if _texts(existing[i + 1], start, stop) != _texts(rows[i], start, stop)]
            for first, last in _runs(changed):
                data.append(_range(tab, 2 + first, start,
                                   [list(r[start:stop]) for r in rows[first:last + 1]]))
        if rows[count:]:
            data.append(_range(tab, 2 + count, 0, rows[count:]))
    else:
        # Rows moved (a signer left the middle of the tab, or the header changed), so every
        # row is rewritten whole, reviewer cells included, with the values this run read
        # and merged by Signer ID. Only an edit made between this run's read and its write
        # is lost, and only in this case.
        if rows:
            data.append(_range(tab, 2, 0, rows))
    height = 1 + len(rows)
    if len(existing) > height:
        blank_width = max(width, _width(existing))
        data.append(_range(tab, height + 1, 0,
                           [[""] * blank_width for _ in range(len(existing) - height)]))
    return data, height


def _append_ranges(change: TabWrite, existing: list[list[Any]]) -> tuple[list[dict[str, Any]],
                                                                             int]:
    """The rows under the tab's last non-empty row (the header first if the tab is empty).
    Written to fixed cells rather than with values.append, so a retry cannot add a row
    twice."""
    last = len(existing)
    while last and not any(cell_text(v).strip() for v in existing[last - 1]):
        last -= 1
    if last == 0:
        return [_range(change.tab, 1, 0, [change.header, *change.rows])], 1 + len(change.rows)
    return [_range(change.tab, last + 1, 0, change.rows)], last + len(change.rows)


def _range(tab: str, row: int, column: int, values: list[list[Cell]]) -> dict[str, Any]:
    width = max((len(r) for r in values), default=1)
    cells = (f"{layout.column_letter(column)}{row}:"
             f"{layout.column_letter(column + max(width, 1) - 1)}{row + max(len(values), 1) - 1}")
    return {"range": a1(tab, cells), "majorDimension": "ROWS", "values": values}


def _texts(row: Sequence[Any], start: int, stop: int) -> list[str]:
    cells = [cell_text(v) for v in row[start:stop]]
    return cells + [""] * (stop - start - len(cells))


def _runs(indexes: list[int]) -> Iterator[tuple[int, int]]:
    """Consecutive runs of sorted indexes as (first, last) pairs."""
    for _key, group in itertools.groupby(enumerate(indexes), lambda p: p[1] - p[0]):
        items = [i for _n, i in group]
        yield items[0], items[-1]


def _width(rows: list[list[Any]]) -> int:
    return max((len(r) for r in rows), default=0)


def _grid(sheet: Mapping[str, Any]) -> tuple[int, int]:
    grid = sheet["properties"].get("gridProperties", {})
    return int(grid.get("rowCount", 0)), int(grid.get("columnCount", 0))


def _groups(items: Sequence[T], size: Callable[[T], int], limit: int) -> Iterator[list[T]]:
    group: list[T] = []
    total = 0
    for item in items:
        if group and total + size(item) > limit:
            yield group
            group, total = [], 0
        group.append(item)
        total += size(item)
    if group:
        yield group


def _payload_chunks(data: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """`data` split into values.batchUpdate payloads of at most MAX_PAYLOAD_BYTES, a large
    range split into blocks of whole rows."""
    pieces: list[tuple[dict[str, Any], int]] = []
    for item in data:
        size = len(json.dumps(item))
        if size <= MAX_PAYLOAD_BYTES or len(item["values"]) < 2:
            pieces.append((item, size))
            continue
        tab, cells = item["range"].rsplit("!", 1)
        match = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)\d+", cells)
        assert match is not None
        first_col, first_row, last_col = match.group(1), int(match.group(2)), match.group(3)
        per_row = max(1, size // len(item["values"]))
        step = max(1, MAX_PAYLOAD_BYTES // per_row // 2)
        for offset in range(0, len(item["values"]), step):
            block = item["values"][offset:offset + step]
            start = first_row + offset
            piece = {"range": f"{tab}!{first_col}{start}:{last_col}{start + len(block) - 1}",
                     "majorDimension": "ROWS", "values": block}
            pieces.append((piece, len(json.dumps(piece))))
    for group in _groups(pieces, lambda p: p[1], MAX_PAYLOAD_BYTES):
        yield [item for item, _size in group]


def _error_body(response: requests.Response) -> dict[str, Any]:
    try:
        body = json.loads(response.text)
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _reason(error: Mapping[str, Any]) -> str | None:
    for detail in error.get("details", []) or []:
        if isinstance(detail, dict) and detail.get("reason"):
            return str(detail["reason"])
    return None


def _activation_url(error: Mapping[str, Any]) -> str | None:
    for detail in error.get("details", []) or []:
        url = (detail.get("metadata") or {}).get("activationUrl") if isinstance(
            detail, dict) else None
        if url:
            return str(url)
    return None
