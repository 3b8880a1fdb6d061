"""Property-based tests of the whole pipeline: generated response sheets, realistic and
hostile, through the real csv source, workbook target and SQLite state.

Invariants: a run never raises on data (but stops, writing nothing, when most of the
Timestamp column will not read: a broken source); every non-empty response is accounted for in
exactly one place (behind a signer, or skipped with a reason); no output cell is a formula;
a second run changes nothing; reviewer columns survive.

`HYPOTHESIS_PROFILE=reliability` runs many more examples (`SIGNER_SYNC_EXAMPLES`, default
400; bench/reliability.py sets both).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sync.backends.workbook import WorkbookBook
from sync.config import load_job
from sync.errors import ConfigError
from sync.fields import FIELDS
from tests.conftest import CSV_JOB, write_form_csv, write_job
from tests.harness import count, run, scratch_dir

# CI (the CI variable set) runs the same examples every time: a red build is then one
# anybody can reproduce, not a coin toss; locally each run explores new ones.
settings.register_profile("default", max_examples=30, deadline=None,
                          derandomize="CI" in os.environ,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("reliability", deadline=None,
                          max_examples=int(os.environ.get("SIGNER_SYNC_EXAMPLES", "400")),
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

CLOCK = lambda: dt.datetime(2021, 11, 1, 9, tzinfo=dt.UTC)  # noqa: E731
CURATED = "Curated Signers"

hostile = st.one_of(
    st.text(max_size=40),
    st.builds(lambda p, t: p + t, st.sampled_from(["=", "+", "-", "@", "\t", "\r", "=="]),
              st.text(max_size=20)),
    st.sampled_from(["", " ", "N/A", "none", "test", "asdf", "\u200b", "\x00", "🌍", "اتحاد",
                     "=HYPERLINK(\"http://x\")", "@SUM(A1:A9)"]),
)


def field_values(pool: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(pool), hostile)


FIELD_VALUES = {
    "submitted_at": field_values(["10/20/2021 10:00:00", "10/21/2021 11:30:00",
                                  "2021-11-02 09:00:00", "20.10.2021 10:00:00", ""]),
    "email": field_values(["ana@example.org", "bo@example.org", "cy@example.ie", "",
                           "ANA@EXAMPLE.ORG", "dee@sunrise.example"]),
    "organization": field_values(["Sunrise Movement", "sunrise movement", "Jewish Voice for "
                                  "Peace", "JEWISH VOICE FOR PEACE", "The Harbor Union", ""]),
    "scope": field_values(["National", "Local", "State", "International", "Regional", ""]),
    "first_name": field_values(["Ana", "Rabbi Alissa", "Bo", "", "Dr. Cy"]),
    "last_name": field_values(["Ruiz", "Wise", "Chen", "", "O'Neil"]),
    "affiliation": field_values(["Teacher", "*Affiliation for identification purposes only",
                                 "Harbor Union", "", "N/A"]),
    "authorized": field_values(["Yes", "No", "I am signing as an individual", ""]),
    "amplify": field_values(["Yes", "No", "Maybe", ""]),
    "partners": field_values(["Al-Haq", "Addameer, Al-Haq", "None", ""]),
}
rows_strategy = st.lists(st.fixed_dictionaries(FIELD_VALUES), max_size=12)


def _cells(path: Path) -> list[openpyxl.cell.cell.Cell]:
    book = openpyxl.load_workbook(path)
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]


def _non_empty_rows(rows: list[dict[str, str]]) -> set[int]:
    """Sheet row numbers (header is row 1) of responses with anything typed but a time."""
    return {n for n, row in enumerate(rows, start=2)
            if any(str(row[f]).strip() for f in FIELDS if f != "submitted_at")}


def _answer(**answers: str) -> dict[str, str]:
    return {f: answers.get(f, "") for f in FIELDS}


@given(rows=rows_strategy)
# found lost before the fix: an organization signing "as an individual" with no name
@example(rows=[_answer(email="a@example.org", organization="Acme Union",
                       authorized="I am signing as an individual")])
@example(rows=[_answer(email="=1+1", first_name="@x", organization="\t=cmd|' /C calc'!A0"),
               _answer(email="=1+1", organization="test", first_name="asdf")])
# found renumbered on every run before the fix: two signers without email, one name
@example(rows=[_answer(submitted_at="10/20/2021 10:00:00", first_name="Test", last_name="S"),
               _answer(first_name="Ana", last_name="Ruiz", email="ana@example.org"),
               _answer(submitted_at="10/21/2021 10:00:00", first_name="test", last_name="s")])
def test_any_response_sheet_is_synced_safely_and_idempotently(rows: list[dict[str, str]]) -> None:
    count("hypothesis examples")
    count("generated responses", len(rows))
    with tempfile.TemporaryDirectory(dir=scratch_dir()) as folder:
        base = Path(folder)
        write_form_csv(base / "responses.csv", rows)
        job = load_job(write_job(base, CSV_JOB.format(name="prop"), "prop"))
        book = base / "out" / "signers.xlsx"

        try:
            first = run(job, with_digest=True, clock=CLOCK)  # never raises on data...
        except ConfigError as exc:  # ...but a Timestamp column that mostly will not read
            assert "column 'Timestamp'" in str(exc)  # is a broken source: nothing written
            assert not book.exists()
            return

        # accounted for: behind exactly one signer... or skipped, never both, never neither
        csv_rows = _written_rows(base / "responses.csv")
        expected = _non_empty_rows(csv_rows)
        skipped = {s.row for s in first.skipped}
        behind = set().union(*first.curated["_rows"]) if len(first.curated) else set()
        assert skipped.isdisjoint(behind)
        assert skipped | behind == expected
        assert all(s.reason for s in first.skipped)

        assert all(c.data_type != "f" for c in _cells(book))

        tab_before = WorkbookBook(book).read([CURATED])[CURATED]
        second = run(job, clock=CLOCK)
        assert not second.wrote and second.new_signers == 0
        assert WorkbookBook(book).read([CURATED])[CURATED].equals(tab_before)

        if len(first.curated):
            _review_every_row(book)
            edited = WorkbookBook(book).read([CURATED])[CURATED]
            run(job, clock=CLOCK)
            after = WorkbookBook(book).read([CURATED])[CURATED]
            columns = ["Signer ID", "Listed As", "Status", "Reviewer Note"]
            assert after[columns].equals(edited[columns])
            assert all(c.data_type != "f" for c in _cells(book))


def _written_rows(path: Path) -> list[dict[str, str]]:
    """The rows as the csv reader gives them back (the csv module normalizes newlines)."""
    from sync.backends.csv import CsvBook

    frame = CsvBook(path).read(["x"])["x"]
    assert frame is not None
    return [dict(zip(FIELDS, row, strict=True)) for row in frame.values.tolist()]


def _review_every_row(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book[CURATED]
    header = [c.value for c in sheet[1]]
    listed, status, note = (header.index(c) + 1 for c in ("Listed As", "Status",
                                                           "Reviewer Note"))
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, listed, f"=Listed {row}").data_type = "s"
        sheet.cell(row, status, "Excluded" if row % 2 else "Approved")
        sheet.cell(row, note, f"@checked row {row}").data_type = "s"
    book.save(path)
