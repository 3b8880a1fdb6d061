"""`signer-sync status`: what staff see about each job, read from its state store."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from sync.cli import main
from sync.pipeline import run_job
from tests.worker_fixtures import at, form_csv_text, make_job, write_job


def _status(capsys, *jobs: str) -> tuple[int, str]:
    code = main(["status", *jobs])
    return code, capsys.readouterr().out


def test_status_of_a_job_never_run_says_so_and_creates_no_state(tmp_path, capsys):
    job = make_job(tmp_path, "fresh")
    with freeze_time(at("2026-12-01T10:10:00")):
        code, out = _status(capsys, str(job.file))
    assert code == 0
    assert "last run:    never" in out and "last digest: never" in out
    assert "next sync:   2026-12-01 11:00 EST" in out
    assert "next digest: 2026-12-07 09:00 EST" in out
    assert not job.state_path.exists()


def test_status_shows_the_failed_last_run_the_last_digest_and_totals_of_the_last_good_run(
        tmp_path, capsys):
    job = make_job(tmp_path, "letter", responses=4)
    with freeze_time(at("2026-11-30T09:00:00")):
        run_job(job, with_digest=True)
    job.source.path.write_text("Timestamp,Name\n1/1/2021,x\n", encoding="utf-8")
    with freeze_time(at("2026-11-30T10:00:00")), pytest.raises(Exception, match="Email"):
        run_job(job)
    with freeze_time(at("2026-11-30T10:20:00")):
        code, out = _status(capsys, str(job.file))
    assert code == 0
    pairs = (line.split(":", 1) for line in out.splitlines()[1:])
    lines = {key.strip(): value.strip() for key, value in pairs}
    assert lines["last run"].startswith("2026-11-30 10:00 EST, run, FAILED: ")
    assert "Email" in lines["last run"]
    assert lines["last digest"].startswith("2026-11-30 09:00 EST: 4 new organizations")
    assert lines["next sync"].startswith("2026-11-30 11:00 EST")
    assert lines["next digest"].startswith("2026-12-07 09:00 EST")
    assert lines["totals"] == "4 organizations, 0 individuals (as of 2026-11-30 09:00 EST)"


def test_status_without_job_names_covers_every_job_in_the_jobs_folder(
        tmp_path, capsys, monkeypatch):
    write_job(tmp_path, "alpha")
    write_job(tmp_path, "beta")
    monkeypatch.chdir(tmp_path)
    code, out = _status(capsys)
    assert code == 0
    assert [line.split(" ")[0] for line in out.splitlines() if not line.startswith(" ")
            and line] == ["alpha", "beta"]


def test_status_reports_a_broken_job_file_and_still_shows_the_others(tmp_path, capsys):
    good = write_job(tmp_path, "good")
    broken = write_job(tmp_path, "broken")
    (tmp_path / "broken.csv").unlink()
    code = main(["status", str(good), str(broken)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out.startswith("good (")
    assert "broken.csv does not exist" in captured.err


def test_status_shows_the_counts_of_a_run_that_found_nothing_new(tmp_path, capsys):
    job = make_job(tmp_path, "letter", responses=2)
    run_job(job)
    job.source.path.write_text(form_csv_text(2), encoding="utf-8")
    run_job(job)
    code, out = _status(capsys, str(job.file))
    assert code == 0
    assert "ok: 2 responses, 2 signers (0 added to the tab), 0 skipped; tab unchanged" in out
