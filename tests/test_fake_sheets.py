"""The fake Sheets server answers like Google, driven through real gspread over HTTP.

Each test pins down a behaviour the production Google backend relies on; where the fake
copies a specific real-API message or quirk, the test says so.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator

import gspread
import pytest
import requests
from gspread.exceptions import APIError, SpreadsheetNotFound
from gspread.utils import ValidationConditionType, ValueRenderOption

from sync.testing.fake_sheets import (
    ENDPOINT_ENV_VAR,
    EndpointSession,
    FakeSheetsServer,
    endpoint_from_env,
    from_serial_number,
    gspread_client,
    mount_endpoint,
    quote_sheet_title,
    to_serial_number,
)

KEY = "1FormResponsesKey_abc-123"
FORM_TAB = "Form Responses 1"
STAMP_1 = dt.datetime(2021, 10, 22, 18, 2, 11)
STAMP_2 = dt.datetime(2021, 10, 23, 9, 3, 4)


@pytest.fixture
def server() -> Iterator[FakeSheetsServer]:
    with FakeSheetsServer() as fake:
        fake.add_spreadsheet(
            KEY,
            title="Sign-on (Responses)",
            tabs={
                FORM_TAB: [
                    ["Timestamp", "Full name", "Email", "Organisation", ""],
                    [STAMP_1, "Ann Lee", "ann@example.org", "", ""],
                    [STAMP_2, "Bob Roy", "bob@example.org", "Acme", None],
                ],
                "Signers": [],
            },
        )
        yield fake
        assert fake.internal_errors == []


@pytest.fixture
def client(server: FakeSheetsServer) -> gspread.Client:
    return gspread_client(server.url)


@pytest.fixture
def book(client: gspread.Client, server: FakeSheetsServer) -> gspread.Spreadsheet:
    spreadsheet = client.open_by_key(KEY)
    server.reset_requests()
    return spreadsheet


# --------------------------------------------------------------------------- metadata


def test_open_by_key_fetches_metadata_once(
    client: gspread.Client, server: FakeSheetsServer
) -> None:
    spreadsheet = client.open_by_key(KEY)

    assert spreadsheet.title == "Sign-on (Responses)"
    assert spreadsheet.locale == "en_US"
    assert server.count() == 1
    (request,) = server.requests
    assert (request.method, request.path) == ("GET", f"/v4/spreadsheets/{KEY}")
    assert request.query == {"includeGridData": ["false"]}

    worksheets = spreadsheet.worksheets()
    assert [(w.title, w.id, w.index) for w in worksheets] == [
        (FORM_TAB, 0, 0),
        ("Signers", worksheets[1].id, 1),
    ]
    assert (worksheets[0].row_count, worksheets[0].col_count) == (1000, 26)
    assert worksheets[0].frozen_row_count == 0


def test_metadata_shape_and_include_grid_data(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    meta = book.fetch_sheet_metadata()
    assert meta["spreadsheetId"] == KEY
    assert set(meta["properties"]) >= {"title", "locale", "timeZone", "autoRecalc"}
    first = meta["sheets"][0]
    assert first == {
        "properties": {
            "sheetId": 0,
            "title": FORM_TAB,
            "index": 0,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": 1000, "columnCount": 26},
        }
    }

    with_grid = book.fetch_sheet_metadata(
        params={"includeGridData": "true", "ranges": f"'{FORM_TAB}'!A1:B2"}
    )
    assert len(with_grid["sheets"]) == 1
    rows = with_grid["sheets"][0]["data"][0]["rowData"]
    stamp = rows[1]["values"][0]
    assert stamp["formattedValue"] == "10/22/2021 18:02:11"
    assert stamp["userEnteredFormat"]["numberFormat"]["type"] == "DATE_TIME"
    assert stamp["effectiveValue"] == {"numberValue": to_serial_number(STAMP_1)}
    assert rows[0]["values"][1] == {
        "userEnteredValue": {"stringValue": "Full name"},
        "effectiveValue": {"stringValue": "Full name"},
        "formattedValue": "Full name",
    }


def test_unknown_spreadsheet_is_404(client: gspread.Client, server: FakeSheetsServer) -> None:
    with pytest.raises(SpreadsheetNotFound) as caught:
        client.open_by_key("no-such-key")
    cause = caught.value.__cause__
    assert isinstance(cause, APIError)
    assert cause.error == {
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
    }
    assert server.count(status=404) == 1


def test_unshared_spreadsheet_is_403_permission_denied(
    client: gspread.Client, server: FakeSheetsServer
) -> None:
    server.forbid(KEY)
    # gspread turns a 403 from open_by_key into a bare PermissionError; the API's answer
    # survives only as the cause.
    with pytest.raises(PermissionError) as caught:
        client.open_by_key(KEY)
    cause = caught.value.__cause__
    assert isinstance(cause, APIError)
    assert cause.error["message"] == "The caller does not have permission"
    assert cause.error["status"] == "PERMISSION_DENIED"

    server.forbid(KEY, writes_only=True)  # shared as a viewer
    spreadsheet = client.open_by_key(KEY)
    assert spreadsheet.sheet1.get("B2") == [["Ann Lee"]]
    with pytest.raises(APIError) as caught_write:
        spreadsheet.sheet1.update([["x"]], "E2")
    assert caught_write.value.code == 403

    server.forbid(KEY, forbidden=False)
    spreadsheet.sheet1.update([["x"]], "E2")


def test_disabled_api_answers_service_disabled(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    server.disable_api(project_number="987654321")
    with pytest.raises(APIError) as caught:
        book.values_get("Signers")
    error = caught.value.error
    assert caught.value.code == 403
    assert error["status"] == "PERMISSION_DENIED"
    assert error["message"].startswith(
        "Google Sheets API has not been used in project 987654321 before or it is disabled."
    )
    assert error["details"][0]["reason"] == "SERVICE_DISABLED"

    server.enable_api()
    assert book.values_get("Signers")["range"] == "Signers!A1:Z1000"


# --------------------------------------------------------------------------- reading


def test_batch_get_quoted_tabs_trims_and_omits_values_for_empty_ranges(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    answer = book.values_batch_get(
        [f"'{FORM_TAB}'!A1:Z", "Signers", f"'{FORM_TAB}'!E1:F3", f"'{FORM_TAB}'!A5:C6"]
    )

    form, signers, blank_columns, blank_rows = answer["valueRanges"]
    assert form == {
        "range": "'Form Responses 1'!A1:Z1000",
        "majorDimension": "ROWS",
        "values": [
            ["Timestamp", "Full name", "Email", "Organisation"],
            ["10/22/2021 18:02:11", "Ann Lee", "ann@example.org"],
            ["10/23/2021 9:03:04", "Bob Roy", "bob@example.org", "Acme"],
        ],
    }
    assert signers == {"range": "Signers!A1:Z1000", "majorDimension": "ROWS"}
    assert "values" not in blank_columns
    assert blank_rows == {"range": "'Form Responses 1'!A5:C6", "majorDimension": "ROWS"}

    # requests sends the repeated `ranges` params form-encoded: spaces as "+".
    (request,) = server.requests
    assert request.raw_query.startswith("ranges=%27Form+Responses+1%27%21A1%3AZ&ranges=")
    assert request.query["ranges"][0] == f"'{FORM_TAB}'!A1:Z"


def test_ranges_are_parsed_and_echoed_like_google(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    server.add_tab(KEY, "Jon's list", [["a", "b"], ["c", "d"]])
    echo = {
        f"'{FORM_TAB}'": "'Form Responses 1'!A1:Z1000",
        f"'{FORM_TAB}'!A2:J": "'Form Responses 1'!A2:J1000",
        f"'{FORM_TAB}'!A:C": "'Form Responses 1'!A1:C1000",
        f"'{FORM_TAB}'!5:10": "'Form Responses 1'!A5:Z10",
        f"'{FORM_TAB}'!b2": "'Form Responses 1'!B2",
        "'Signers'!$A$1:$B$2": "Signers!A1:B2",
        "Signers!B2:A1": "Signers!A1:B2",
        "Signers": "Signers!A1:Z1000",
        "A1:B2": "'Form Responses 1'!A1:B2",  # no tab: the first visible sheet
        "'Jon''s list'!A1": "'Jon''s list'!A1",
    }
    for requested, canonical in echo.items():
        assert book.values_get(requested)["range"] == canonical, requested

    assert book.values_get("'Jon''s list'!B2")["values"] == [["d"]]
    # The path carries gspread's percent-encoding (%27 quote, %20 space, %21 !, %3A colon).
    assert "/values/%27Jon%27%27s%20list%27%21B2" in server.requests[-1].raw_path

    for bad in ["Nope!A1", "'Signers", "Signers!A0", "Signers!A1:B2:C3", "Items & Stock!A1"]:
        with pytest.raises(APIError) as caught:
            book.values_get(bad)
        assert caught.value.error == {
            "code": 400,
            "message": f"Unable to parse range: {bad}",
            "status": "INVALID_ARGUMENT",
        }


def test_date_cells_render_like_a_form_timestamp(book: gspread.Spreadsheet) -> None:
    worksheet = book.get_worksheet(0)
    formatted = worksheet.get("A2:A3")
    unformatted = worksheet.get("A2:A3", value_render_option=ValueRenderOption.unformatted)
    as_strings = worksheet.get(
        "A2:A3",
        value_render_option=ValueRenderOption.unformatted,
        date_time_render_option="FORMATTED_STRING",
    )

    assert formatted == [["10/22/2021 18:02:11"], ["10/23/2021 9:03:04"]]
    assert unformatted == [[44491.7515162037], [44492.37712962963]]
    assert from_serial_number(unformatted[0][0]) == STAMP_1
    assert as_strings == formatted


def test_numbers_and_booleans_per_render_option(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    server.set_values(KEY, "Signers", "A1", [[7, 2.5, True, 1e20]])
    worksheet = book.worksheet("Signers")
    assert worksheet.get("A1:D1") == [["7", "2.5", "TRUE", "1E+20"]]
    assert worksheet.get("A1:D1", value_render_option=ValueRenderOption.unformatted) == [
        [7, 2.5, True, 1e20]
    ]
    assert worksheet.get("A1:D1", major_dimension="COLUMNS") == [
        ["7"],
        ["2.5"],
        ["TRUE"],
        ["1E+20"],
    ]


# --------------------------------------------------------------------------- writing


def test_raw_keeps_formula_text_while_user_entered_makes_a_formula(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    worksheet = book.worksheet("Signers")
    server.reset_requests()
    link = '=HYPERLINK("https://example.org/s/1","Ann Lee")'

    worksheet.update([[link, "007"]], "A1", raw=True)
    worksheet.update([[link, "007"]], "A2", raw=False)

    assert worksheet.get("A1:B2") == [[link, "007"], ["Ann Lee", "7"]]
    assert worksheet.get("A1:B2", value_render_option=ValueRenderOption.formula) == [
        [link, "007"],
        [link, 7],
    ]
    assert server.cell(KEY, "Signers", "A1").kind == "string"
    assert server.cell(KEY, "Signers", "A2").kind == "formula"
    assert server.requests[0].query == {"valueInputOption": ["RAW"]}
    assert server.requests[1].query == {"valueInputOption": ["USER_ENTERED"]}


def test_user_entered_parses_like_the_sheets_ui(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    worksheet = book.worksheet("Signers")
    typed = ["12", "1,234.5", "50%", "TRUE", "10/22/2021", "2021-10-22 18:02:11", "'0042", "x"]
    worksheet.update([typed], "A1", raw=False)

    assert worksheet.get("A1:H1") == [
        ["12", "1,234.5", "50%", "TRUE", "10/22/2021", "2021-10-22 18:02:11", "0042", "x"]
    ]
    assert worksheet.get("A1:H1", value_render_option=ValueRenderOption.unformatted) == [
        [12, 1234.5, 0.5, True, 44491, 44491.7515162037, "0042", "x"]
    ]


def test_writes_beyond_the_grid_fail_while_append_grows_it(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    worksheet = book.worksheet("Signers")

    with pytest.raises(APIError) as caught:
        worksheet.update([["late"]], "A1001")
    assert caught.value.code == 400
    assert caught.value.response.headers["Content-Type"].startswith("application/json")
    assert caught.value.error == {
        "code": 400,
        "message": "Range (Signers!A1001) exceeds grid limits. Max rows: 1000, max columns: 26",
        "status": "INVALID_ARGUMENT",
    }
    with pytest.raises(APIError, match=r"Range \('Form Responses 1'!AA1\) exceeds grid limits"):
        book.values_update(
            f"'{FORM_TAB}'!AA1", params={"valueInputOption": "RAW"}, body={"values": [[1]]}
        )
    with pytest.raises(APIError, match="exceeds grid limits"):
        book.values_batch_update(
            {"valueInputOption": "RAW", "data": [{"range": "Signers!A999", "values": [[1]] * 3}]}
        )
    assert server.values(KEY, "Signers") == []

    rows = [[f"signer {n}", n] for n in range(1, 1003)]
    answer = worksheet.append_rows(rows)

    assert answer["updates"]["updatedRange"] == "Signers!A1:B1002"
    assert "tableRange" not in answer
    state = server.sheet(KEY, "Signers")
    assert (state.row_count, state.column_count) == (1002, 26)
    assert server.values(KEY, "Signers")[-1] == ["signer 1002", "1002"]

    wide = worksheet.append_row([f"c{n}" for n in range(30)])
    assert wide["tableRange"] == "Signers!A1:B1002"
    assert wide["updates"]["updatedRange"] == "Signers!A1003:AD1003"
    assert server.sheet(KEY, "Signers").column_count == 30


def test_writes_must_fit_an_explicit_range(book: gspread.Spreadsheet) -> None:
    worksheet = book.worksheet("Signers")
    with pytest.raises(APIError) as caught:
        worksheet.update([[1], [2], [3]], "A1:A2")
    assert caught.value.error["message"] == (
        "Requested writing within range [Signers!A1:A2], but tried writing to row [3]"
    )
    with pytest.raises(APIError, match=r"but tried writing to column \[C\]"):
        worksheet.update([[1, 2, 3]], "A1:B1")


def test_values_batch_update_is_all_or_nothing(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    with pytest.raises(APIError) as caught:
        book.values_batch_update(
            {
                "valueInputOption": "RAW",
                "data": [
                    {"range": "Signers!A1", "values": [["kept?"]]},
                    {"range": "'Missing tab'!A1", "values": [["x"]]},
                ],
            }
        )
    assert caught.value.error["message"] == (
        "Invalid data[1]: Unable to parse range: 'Missing tab'!A1"
    )
    assert server.values(KEY, "Signers") == []

    answer = book.values_batch_update(
        {
            "valueInputOption": "RAW",
            "data": [
                {"range": "Signers!A1:B1", "values": [["Name", "Status"]]},
                {"range": "Signers!A2", "values": [["Ann", "Pending"], ["Bob", None]]},
            ],
        }
    )
    assert answer["totalUpdatedCells"] == 5
    assert [r["updatedRange"] for r in answer["responses"]] == ["Signers!A1:B1", "Signers!A2:B3"]
    assert server.values(KEY, "Signers") == [["Name", "Status"], ["Ann", "Pending"], ["Bob"]]


def test_empty_string_clears_and_clear_endpoints(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    worksheet = book.get_worksheet(0)
    worksheet.update([["", "Ann Lee"]], "D2:E2")
    assert server.cell(KEY, FORM_TAB, "D2") is None

    answer = worksheet.batch_clear(["C2:C3", "B3"])
    assert answer["clearedRanges"] == ["'Form Responses 1'!C2:C3", "'Form Responses 1'!B3"]
    assert server.values(KEY, FORM_TAB)[1:] == [
        ["10/22/2021 18:02:11", "Ann Lee", "", "", "Ann Lee"],
        ["10/23/2021 9:03:04", "", "", "Acme"],
    ]
    assert worksheet.clear()["clearedRange"] == "'Form Responses 1'!A1:Z1000"
    assert server.values(KEY, FORM_TAB) == []


def test_insert_rows_relies_on_append_table_detection(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    # gspread inserts blank rows, then appends at A<row>: an empty anchor means "write here".
    worksheet = book.get_worksheet(0)
    worksheet.insert_rows([["inserted"]], row=2)
    assert [row[0] for row in server.values(KEY, FORM_TAB)] == [
        "Timestamp",
        "inserted",
        "10/22/2021 18:02:11",
        "10/23/2021 9:03:04",
    ]
    assert server.sheet(KEY, FORM_TAB).row_count == 1001

    worksheet.delete_rows(2)
    server.set_cell(KEY, FORM_TAB, "A5", "after a gap")
    answer = worksheet.append_row(["appended"])
    # A blank row ends the table: the append lands in the gap, as it does on Google.
    assert answer["tableRange"] == "'Form Responses 1'!A1:D3"
    assert answer["updates"]["updatedRange"] == "'Form Responses 1'!A4"


def test_reviewer_edits_between_requests_are_seen(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    worksheet = book.get_worksheet(0)
    assert worksheet.acell("D2").value is None
    server.set_cell(KEY, FORM_TAB, "D2", "Approved")
    assert worksheet.acell("D2").value == "Approved"
    server.set_cell(KEY, FORM_TAB, "D2", None)
    assert worksheet.acell("D2").value is None


# --------------------------------------------------------------------------- faults


def test_429_surfaces_as_api_error_then_the_next_call_succeeds(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    worksheet = book.get_worksheet(0)
    server.reset_requests()
    rule = server.fail(429, times=2, method="GET")

    for _ in range(2):
        with pytest.raises(APIError) as caught:
            worksheet.get("A1")
        assert caught.value.code == 429
        assert caught.value.error["status"] == "RESOURCE_EXHAUSTED"
        assert caught.value.error["message"].startswith(
            "Quota exceeded for quota metric 'Read requests' and limit "
            "'Read requests per minute per user' of service 'sheets.googleapis.com'"
        )
    assert worksheet.get("A1") == [["Timestamp"]]
    assert (rule.hits, rule.remaining) == (2, 0)
    assert [r.status for r in server.requests] == [429, 429, 200]


def test_fault_matchers_target_writes(book: gspread.Spreadsheet, server: FakeSheetsServer) -> None:
    server.fail(500, path_contains=":batchUpdate")
    worksheet = book.worksheet("Signers")

    # gspread's Worksheet.get turns a range without values into [[]].
    assert worksheet.get("A1") == [[]]
    with pytest.raises(APIError) as caught:
        worksheet.freeze(rows=1)
    assert caught.value.error == {
        "code": 500,
        "message": "Internal error encountered.",
        "status": "INTERNAL",
    }
    worksheet.freeze(rows=1)
    assert server.sheet(KEY, "Signers").frozen_row_count == 1


def test_fault_after_apply_loses_only_the_answer(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    server.fail(503, operation="values.append", after_apply=True)
    worksheet = book.worksheet("Signers")
    with pytest.raises(APIError) as caught:
        worksheet.append_row(["Ann"])
    assert caught.value.error["status"] == "UNAVAILABLE"
    # The write happened anyway: a blind retry would duplicate the row.
    assert server.values(KEY, "Signers") == [["Ann"]]


def test_proxy_502_has_a_non_json_body(book: gspread.Spreadsheet, server: FakeSheetsServer) -> None:
    server.fail(502)
    with pytest.raises(APIError) as caught:
        book.values_get("Signers")
    # gspread cannot parse the body: its APIError.code is -1, the HTTP status is on .response.
    assert caught.value.code == -1
    assert caught.value.response.status_code == 502
    assert caught.value.response.headers["Content-Type"].startswith("text/html")
    assert "<title>Error 502 (Server Error)!!1</title>" in caught.value.error["message"]
    assert caught.value.error["status"].startswith("invalid JSON")
    assert book.values_get("Signers")["range"] == "Signers!A1:Z1000"


def test_delay_applies_to_every_request(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    server.delay = 0.05
    started = time.perf_counter()
    book.values_get("Signers")
    assert time.perf_counter() - started >= 0.05
    server.delay = 0


# --------------------------------------------------------------------------- request log


def test_request_log_counts_and_resets(book: gspread.Spreadsheet, server: FakeSheetsServer) -> None:
    worksheet = book.worksheet(FORM_TAB)
    worksheet.get_all_values()
    worksheet.batch_update([{"range": "D2", "values": [["Approved"]]}])

    assert server.count() == 3
    assert server.count(operation="spreadsheets.get") == 1
    assert server.count(method="GET") == 2
    assert server.count(path_contains=":batchUpdate") == 1
    assert server.count(path_contains="/values/'Form Responses 1'") == 1

    write = server.requests[-1]
    assert write.operation == "values.batchUpdate"
    assert write.spreadsheet_id == KEY
    assert write.status == 200
    assert write.body["valueInputOption"] == "RAW"
    assert write.body["data"] == [{"range": "'Form Responses 1'!D2", "values": [["Approved"]]}]

    server.reset_requests()
    assert server.requests == []
    assert server.count() == 0


def test_gspread_request_costs(client: gspread.Client, server: FakeSheetsServer) -> None:
    """How many API calls common gspread 6.2.1 calls make (quota is per request)."""

    def cost(action: object) -> list[str | None]:
        server.reset_requests()
        assert callable(action)
        action()
        return [r.operation for r in server.requests]

    spreadsheet = client.open_by_key(KEY)
    worksheet = spreadsheet.sheet1
    assert cost(lambda: client.open_by_key(KEY)) == ["spreadsheets.get"]
    assert cost(lambda: spreadsheet.worksheet(FORM_TAB)) == ["spreadsheets.get"]
    assert cost(lambda: spreadsheet.sheet1) == ["spreadsheets.get"]
    assert cost(spreadsheet.worksheets) == ["spreadsheets.get"]
    assert cost(worksheet.get_all_values) == ["values.get"]
    assert cost(worksheet.get_all_records) == ["values.get"]
    assert cost(lambda: worksheet.batch_get(["A1", "B1"])) == ["values.batchGet"]
    assert cost(lambda: worksheet.update([["x"]], "F1")) == ["values.update"]
    assert cost(lambda: worksheet.append_rows([["y"]])) == ["values.append"]
    assert cost(lambda: worksheet.insert_row(["z"], 2)) == [
        "spreadsheets.batchUpdate",
        "values.append",
    ]
    assert cost(lambda: worksheet.freeze(rows=1)) == ["spreadsheets.batchUpdate"]
    assert cost(lambda: spreadsheet.list_protected_ranges(0)) == ["spreadsheets.get"]


def test_concurrent_requests_are_all_logged(server: FakeSheetsServer) -> None:
    def read() -> None:
        session = EndpointSession(server.url)
        for _ in range(5):
            reply = session.get(f"https://sheets.googleapis.com/v4/spreadsheets/{KEY}/values/A1")
            assert reply.status_code == 200

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server.count(operation="values.get", status=200) == 40


# --------------------------------------------------------------------------- layout


def test_layout_requests_are_recorded(book: gspread.Spreadsheet, server: FakeSheetsServer) -> None:
    added = book.add_worksheet("Curated", rows=50, cols=8)
    assert (added.title, added.row_count, added.col_count, added.index) == ("Curated", 50, 8, 2)
    reply = book.batch_update(
        {"requests": [{"addSheet": {"properties": {"title": "Review", "index": 0}}}]}
    )["replies"][0]["addSheet"]["properties"]
    assert reply == {
        "sheetId": reply["sheetId"],
        "title": "Review",
        "index": 0,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": 1000, "columnCount": 26},
    }
    assert server.tabs(KEY) == ["Review", FORM_TAB, "Signers", "Curated"]

    added.add_validation(
        "H2:H", ValidationConditionType.one_of_list, ["Approved", "Rejected"], showCustomUi=True
    )
    protected = added.add_protected_range("A1:H1", warning_only=True, description="header")
    added.freeze(rows=1)
    added.set_basic_filter("A1:H50")
    book.batch_update(
        {
            "requests": [
                {
                    "updateDimensionProperties": {
                        "range": {
                            "sheetId": added.id,
                            "dimension": "COLUMNS",
                            "startIndex": 1,
                            "endIndex": 3,
                        },
                        "properties": {"pixelSize": 240},
                        "fields": "pixelSize",
                    }
                },
                {"appendDimension": {"sheetId": added.id, "dimension": "ROWS", "length": 10}},
            ]
        }
    )

    state = server.sheet(KEY, "Curated")
    assert state.frozen_row_count == 1
    assert state.row_count == 60
    assert set(state.data_validations) == {f"H{n}" for n in range(2, 51)}
    assert state.data_validations["H2"] == {
        "condition": {
            "type": "ONE_OF_LIST",
            "values": [{"userEnteredValue": "Approved"}, {"userEnteredValue": "Rejected"}],
        },
        "showCustomUi": True,
    }
    range_id = protected["replies"][0]["addProtectedRange"]["protectedRange"]["protectedRangeId"]
    assert state.protected_ranges == [
        {
            "protectedRangeId": range_id,
            "range": {
                "sheetId": added.id,
                "startRowIndex": 0,
                "endRowIndex": 1,
                "startColumnIndex": 0,
                "endColumnIndex": 8,
            },
            "description": "header",
            "warningOnly": True,
        }
    ]
    assert state.basic_filter == {
        "range": {
            "sheetId": added.id,
            "startRowIndex": 0,
            "endRowIndex": 50,
            "startColumnIndex": 0,
            "endColumnIndex": 8,
        }
    }
    assert state.column_widths == {"B": 240, "C": 240}
    assert [next(iter(r)) for r in state.applied_requests] == [
        "addSheet",
        "setDataValidation",
        "addProtectedRange",
        "updateSheetProperties",
        "setBasicFilter",
        "updateDimensionProperties",
        "appendDimension",
    ]

    # The same state, read back through the API as the backend would.
    sheet_meta = next(
        s for s in book.fetch_sheet_metadata()["sheets"] if s["properties"]["title"] == "Curated"
    )
    assert sheet_meta["properties"]["gridProperties"] == {
        "rowCount": 60,
        "columnCount": 8,
        "frozenRowCount": 1,
    }
    assert sheet_meta["protectedRanges"] == state.protected_ranges
    assert sheet_meta["basicFilter"] == state.basic_filter
    assert book.list_protected_ranges(added.id) == state.protected_ranges
    grid = book.fetch_sheet_metadata(params={"includeGridData": "true", "ranges": "Curated!H2"})[
        "sheets"
    ][0]["data"][0]
    assert grid["rowData"] == [{"values": [{"dataValidation": state.data_validations["H2"]}]}]
    assert grid["columnMetadata"] == [{"pixelSize": 100}]


def test_protected_range_defaults_editors_to_the_owner(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    book.sheet1.add_protected_range("A1:E1", editor_users_emails=["staff@example.org"])
    (protected,) = server.sheet(KEY, FORM_TAB).protected_ranges
    assert protected["editors"] == {"users": ["owner@example.com", "staff@example.org"]}
    assert "warningOnly" not in protected


def test_batch_update_is_atomic_and_errors_name_the_request(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    with pytest.raises(APIError) as caught:
        book.batch_update(
            {
                "requests": [
                    {"addSheet": {"properties": {"title": "Ghost"}}},
                    {"addSheet": {"properties": {"title": "signers"}}},
                ]
            }
        )
    assert caught.value.error["message"] == (
        'Invalid requests[1].addSheet: A sheet with the name "signers" already exists. '
        "Please enter another name."
    )
    assert server.tabs(KEY) == [FORM_TAB, "Signers"]

    with pytest.raises(APIError, match=r"Invalid requests\[0\]\.deleteSheet: No grid with id: 42"):
        book.batch_update({"requests": [{"deleteSheet": {"sheetId": 42}}]})
    with pytest.raises(APIError, match="does not implement 'sortRange'"):
        book.batch_update({"requests": [{"sortRange": {"range": {"sheetId": 0}}}]})


def test_update_sheet_properties_honours_fields(
    book: gspread.Spreadsheet, server: FakeSheetsServer
) -> None:
    worksheet = book.worksheet("Signers")
    worksheet.freeze(rows=2, cols=1)
    book.batch_update(
        {
            "requests": [
                {
                    "updateSheetProperties": {
                        "properties": {
                            "sheetId": worksheet.id,
                            "title": "Ignored",
                            "gridProperties": {"rowCount": 40},
                        },
                        "fields": "gridProperties.rowCount,gridProperties.frozenColumnCount",
                    }
                }
            ]
        }
    )
    state = server.sheet(KEY, "Signers")
    assert (state.row_count, state.column_count) == (40, 26)
    assert (state.frozen_row_count, state.frozen_column_count) == (2, 0)

    server.set_cell(KEY, "Signers", "A40", "last row")
    worksheet.resize(rows=39)
    assert server.values(KEY, "Signers") == []


# --------------------------------------------------------------------------- endpoint wiring


def test_endpoint_session_rewrites_only_the_sheets_origin(server: FakeSheetsServer) -> None:
    session = EndpointSession(server.url + "/")
    reply = session.get(f"https://sheets.googleapis.com/v4/spreadsheets/{KEY}")
    assert reply.json()["properties"]["title"] == "Sign-on (Responses)"
    assert reply.url.startswith(server.url + "/v4/")
    assert "https://sheets.googleapis.com.evil.example/" not in session.adapters

    plain = mount_endpoint(requests.Session(), server.url)
    assert plain.get(f"https://sheets.googleapis.com/v4/spreadsheets/{KEY}").ok
    client = gspread_client(server.url, session=requests.Session())
    assert client.open_by_key(KEY).title == "Sign-on (Responses)"

    assert endpoint_from_env({ENDPOINT_ENV_VAR: f" {server.url}/ "}) == server.url
    assert endpoint_from_env({}) is None
    with pytest.raises(ValueError, match="not a usable API base URL"):
        EndpointSession("localhost:8080")


def test_routes_the_fake_does_not_serve_answer_json_404(server: FakeSheetsServer) -> None:
    reply = requests.get(server.url + "/drive/v3/files")
    assert reply.status_code == 404
    assert reply.json()["error"]["message"] == (
        "FakeSheetsServer has no endpoint for GET /drive/v3/files"
    )
    reply = requests.put(
        f"{server.url}/v4/spreadsheets/{KEY}/values/Signers!A1", json={"values": [["x"]]}
    )
    assert reply.status_code == 400
    assert reply.json()["error"]["message"] == "'valueInputOption' is required but not specified"


def test_helpers() -> None:
    assert quote_sheet_title("Sheet1") == "Sheet1"
    assert quote_sheet_title("Form Responses 1") == "'Form Responses 1'"
    assert quote_sheet_title("Jon's") == "'Jon''s'"
    assert quote_sheet_title("AB12") == "'AB12'"
    assert to_serial_number(dt.date(1900, 1, 1)) == 2
    assert from_serial_number(2.5) == dt.datetime(1900, 1, 1, 12)
