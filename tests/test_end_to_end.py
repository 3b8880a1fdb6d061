"""The whole path on the offline backends, driven through the CLI as staff would."""

from __future__ import annotations

import csv
import gc
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO

import openpyxl
import pandas as pd
import pytest

from sync.backends import workbook
from sync.cli import main
from sync.config import load_job
from sync.errors import SyncError
from sync.pipeline import run_job
from sync.state import State
from tests.conftest import Clock, response, write_form_csv

REPO = Path(__file__).parents[1]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of the bundled demo (job file and export) in a temp folder."""
    (tmp_path / "jobs").mkdir()
    shutil.copy(REPO / "jobs" / "demo.toml", tmp_path / "jobs" / "demo.toml")
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    return tmp_path / "jobs" / "demo.toml"


def curated(path: Path) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name="Curated Signers", dtype=str).fillna("")


def test_demo_runs_twice_without_change_and_digests_once(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = demo.parent.parent / "out" / "demo-signers.xlsx"
    export = demo.parent.parent / "examples" / "form-responses.csv"
    export_bytes = export.read_bytes()

    assert main(["run", str(demo)]) == 0
    first = curated(book)
    assert len(first) > 100
    assert set(first["Type"]) == {"Organization", "Individual"}
    saved = book.read_bytes()
    assert "curated tab written" in capsys.readouterr().out

    assert main(["run", str(demo)]) == 0
    assert book.read_bytes() == saved  # nothing rewritten
    assert "(0 added to the tab)" in capsys.readouterr().out and curated(book).equals(first)

    assert main(["digest", str(demo)]) == 0
    report = capsys.readouterr().out
    assert f"{(first['Type'] == 'Organization').sum()} new organizations" in report
    assert main(["digest", str(demo)]) == 0
    assert "No new signers" in capsys.readouterr().out
    digest_tab = pd.read_excel(book, sheet_name="Signer Digest")
    assert digest_tab["New Individuals"].tolist()[1] == 0
    assert export.read_bytes() == export_bytes  # the form export is never touched


def test_reviewer_edits_ids_and_row_order_survive_new_responses(
    csv_job: Callable[..., Path], tmp_path: Path
) -> None:
    rows = [
        response(submitted_at="10/20/2021 10:00:00", email="ana@example.org",
                 organization="Jewish Voice for Peace", scope="National", authorized="Yes"),
        response(submitted_at="10/21/2021 10:00:00", email="bo@example.org", first_name="Bo",
                 last_name="Chen", affiliation="Teacher"),
        response(submitted_at="10/22/2021 10:00:00", email="cy@example.org",
                 organization="Sunrise Movement", scope="National", authorized="Yes"),
    ]
    job = csv_job(rows)
    book = tmp_path / "out" / "signers.xlsx"
    assert main(["run", str(job)]) == 0
    before = curated(book)
    ids = dict(zip(before["Name"], before["Signer ID"], strict=True))

    # Staff review: exclude one, annotate another, sort the tab Z to A.
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["Curated Signers"]
    header = [c.value for c in sheet[1]]
    values = sorted(([c.value for c in r] for r in sheet.iter_rows(min_row=2)),
                    key=lambda r: r[header.index("Name")], reverse=True)
    for offset, row in enumerate(values, start=2):
        for column, value in enumerate(row, start=1):
            sheet.cell(offset, column, value)
    status, note = header.index("Status") + 1, header.index("Reviewer Note") + 1
    for row in range(2, sheet.max_row + 1):
        name = sheet.cell(row, header.index("Name") + 1).value
        if name == "Sunrise Movement":
            sheet.cell(row, status, "Excluded")
        if name == "Bo Chen":
            sheet.cell(row, note, "called to confirm")
    workbook.save(book)
    edited_order = [r[0] for r in values]

    rows += [
        response(submitted_at="11/02/2021 10:00:00", email="dee@example.org",
                 organization="jewish voice for peace.", scope="National", authorized="Yes"),
        response(submitted_at="11/03/2021 10:00:00", email="ed@example.org", first_name="Ed",
                 last_name="Diaz", affiliation="Nurse"),
    ]
    job = csv_job(rows)
    assert main(["run", str(job)]) == 0
    after = curated(book)

    assert after["Signer ID"].tolist()[:3] == edited_order  # staff's order kept
    assert after["Name"].tolist()[3:] == ["Ed Diaz"]  # the new signer appended
    jvp = after[after["Signer ID"] == ids["Jewish Voice for Peace"]].iloc[0]
    assert jvp["Name"] == "Jewish Voice for Peace" and jvp["Responses"] == "2"
    assert after.set_index("Signer ID").loc[ids["Sunrise Movement"], "Status"] == "Excluded"
    assert after.set_index("Signer ID").loc[ids["Bo Chen"], "Reviewer Note"] == (
        "called to confirm")
    for name, signer_id in ids.items():
        assert after.set_index("Name").loc[name, "Signer ID"] == signer_id


def test_hostile_answers_reach_the_workbook_as_text_and_the_source_is_untouched(
    csv_job: Callable[..., Path], tmp_path: Path
) -> None:
    hostile = ['=HYPERLINK("http://evil.example","click")', "+1 555 0100", "-1+1", "@SUM(A1)"]
    rows = [
        response(submitted_at=f"10/2{i}/2021 10:00:00", email=f"p{i}@example.org",
                 organization=value, first_name=value, last_name="Doe", affiliation=value,
                 scope="Local", authorized="Yes")
        for i, value in enumerate(hostile)
    ]
    job = csv_job(rows)
    export = tmp_path / "responses.csv"
    before = export.read_bytes()
    assert main(["run", str(job)]) == 0
    assert export.read_bytes() == before

    sheet = openpyxl.load_workbook(tmp_path / "out" / "signers.xlsx")["Curated Signers"]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert all(c.data_type in {"s", "n"} for c in cells)
    texts = {c.value for c in cells}
    assert hostile[0] in texts
    assert any(str(v).casefold().startswith("@sum(") for v in texts)


def test_a_workbook_source_tab_is_never_modified(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Form Responses 1"
    with (REPO / "examples" / "form-responses.csv").open(encoding="utf-8") as export:
        for row in list(csv.reader(export))[:30]:
            sheet.append(row)
    book.save(path)
    saved = openpyxl.load_workbook(path)["Form Responses 1"]
    source_before = [[c.value for c in r] for r in saved.iter_rows()]
    (tmp_path / "job.toml").write_text('[source]\nkind = "workbook"\npath = "form.xlsx"\n')

    assert main(["run", str(tmp_path / "job.toml")]) == 0

    after = openpyxl.load_workbook(path)
    assert after.sheetnames[0] == "Form Responses 1" and "Curated Signers" in after.sheetnames
    assert [[c.value for c in r] for r in after["Form Responses 1"].iter_rows()] == source_before


def test_a_failed_digest_write_changes_nothing_and_the_next_digest_repeats_it(
    csv_job: Callable[..., Path], tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [response(submitted_at="10/20/2021 10:00:00", email="a@example.org",
                     organization="Sunrise Movement", scope="National", authorized="Yes")]
    job = load_job(csv_job(rows))
    run_job(job, with_digest=True, clock=clock)
    book = tmp_path / "out" / "signers.xlsx"
    saved = book.read_bytes()

    rows.append(response(submitted_at="11/02/2021 10:00:00", email="b@example.org",
                         first_name="Bo", last_name="Chen", affiliation="Teacher"))
    job = load_job(csv_job(rows))

    def crash(archive: object, out: IO[bytes], *args: object, **kwargs: object) -> None:
        out.write(b"partial")
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(workbook, "write_package", crash)
    clock.advance(days=7)
    assert main(["digest", str(job.file)]) == 1
    monkeypatch.undo()

    assert book.read_bytes() == saved
    state = State(job.state_path)
    assert len(state.digest_snapshot()) == 1
    assert state.runs(1)[0].outcome == "failed"

    clock.advance(hours=1)
    retry = run_job(job, with_digest=True, clock=clock)
    assert retry.digest is not None
    assert retry.digest.new["Name"].tolist() == ["Bo Chen"]
    assert pd.read_excel(book, sheet_name="Signer Digest")["New Individuals"].tolist() == [0, 1]


def test_runs_leave_the_cycle_collector_on_for_the_long_running_worker(
    csv_job: Callable[..., Path], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run pauses Python's cycle collector for speed; the worker's process must get it
    back after every run, failed ones included, or it would slowly leak."""
    job = load_job(csv_job([response(email="a@example.org", organization="Sunrise Movement")]))
    run_job(job, clock=clock)
    assert gc.isenabled()

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(workbook, "write_package", crash)
    job = load_job(csv_job([response(email="b@example.org", organization="Code Pink")]))
    with pytest.raises(SyncError):
        run_job(job, clock=clock)
    assert gc.isenabled()


def test_digest_dry_run_writes_nothing(csv_job: Callable[..., Path], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    job = csv_job([response(submitted_at="10/20/2021 10:00:00", email="a@example.org",
                            first_name="Ana", last_name="Ruiz")])
    assert main(["digest", "--dry-run", str(job)]) == 0
    out = capsys.readouterr().out
    assert "Ana Ruiz" in out and "Dry run" in out
    assert not (tmp_path / "out" / "signers.xlsx").exists()
    assert State(load_job(job).state_path).last_digest() is None


def test_a_sheet_missing_a_required_column_exits_2_naming_job_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_form_csv(tmp_path / "responses.csv", [], headers=["Timestamp", "Organization Name"])
    (tmp_path / "job.toml").write_text(
        '[source]\nkind = "csv"\npath = "responses.csv"\n'
        '[target]\nkind = "workbook"\npath = "out.xlsx"\n')
    assert main(["run", str(tmp_path / "job.toml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("signer-sync: job: ")
    assert "no column for `email`" in err[0] and "'Timestamp', 'Organization Name'" in err[0]
    assert not (tmp_path / "out.xlsx").exists()


def test_a_renamed_reviewer_column_stops_the_run_instead_of_losing_decisions(
    csv_job: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = csv_job([response(submitted_at="10/20/2021 10:00:00", email="a@example.org",
                            first_name="Ana", last_name="Ruiz")])
    assert main(["run", str(job)]) == 0
    book = tmp_path / "out" / "signers.xlsx"
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["Curated Signers"]
    header = [c.value for c in sheet[1]]
    sheet.cell(1, header.index("Status") + 1, "Decision")
    sheet.cell(2, header.index("Status") + 1, "Excluded")
    workbook.save(book)
    saved = book.read_bytes()

    assert main(["run", str(job)]) == 2
    assert "tab 'Curated Signers' has no column 'Status'" in capsys.readouterr().err
    assert book.read_bytes() == saved
