"""One run of a job at a time: manual runs against a run in progress, and the runs table."""

from __future__ import annotations

import os
import sqlite3
import threading

import pytest

from sync.cli import main
from sync.errors import RunInProgressError
from sync.pipeline import run_job
from sync.runlock import current_holder, job_lock
from sync.state import State
from tests.worker_fixtures import at, make_job, tab_rows


def test_a_run_is_refused_while_another_run_of_the_job_holds_its_lock(tmp_path):
    job = make_job(tmp_path, "letter")
    with job_lock(job.name, job.state_path, kind="digest", at=at("2026-11-30T09:00:00")), \
            pytest.raises(RunInProgressError) as refused:
        run_job(job)
    message = str(refused.value)
    assert "a run of job letter is in progress" in message
    assert f"by pid {os.getpid()}" in message
    assert "2026-11-30T09:00:00-05:00" in message
    assert not job.target.path.exists()
    assert State(job.state_path).runs() == []


def test_manual_run_command_says_a_run_is_in_progress_and_exits_1(tmp_path, capsys):
    job = make_job(tmp_path, "letter")
    with job_lock(job.name, job.state_path, kind="run", at=at("2026-11-30T10:00:00")):
        code = main(["run", str(job.file)])
    assert code == 1
    assert "a run of job letter is in progress" in capsys.readouterr().err
    assert not job.target.path.exists()


def test_manual_run_with_wait_runs_once_the_other_run_finishes(tmp_path):
    job = make_job(tmp_path, "letter", responses=4)
    taken, release = threading.Event(), threading.Event()

    def other_run() -> None:
        with job_lock(job.name, job.state_path, kind="run", at=at("2026-11-30T10:00:00")):
            taken.set()
            release.wait(10)

    holder = threading.Thread(target=other_run)
    holder.start()
    assert taken.wait(10)
    with pytest.raises(RunInProgressError):
        run_job(job)
    releaser = threading.Timer(0.3, release.set)
    releaser.start()
    result = run_job(job, wait=10)
    holder.join(10)
    assert result.wrote
    assert len(tab_rows(job.target.path, "Curated Signers")) == 4


def test_the_lock_is_free_again_after_a_failed_run(tmp_path):
    job = make_job(tmp_path, "letter")
    job.source.path.write_text("Timestamp,Name\n1/1/2021,x\n", encoding="utf-8")
    with pytest.raises(Exception, match="Email"):
        run_job(job)
    assert current_holder(job.state_path) is None
    assert State(job.state_path).runs()[0].outcome == "failed"


def test_status_sees_who_holds_the_lock(tmp_path):
    job = make_job(tmp_path, "letter")
    assert current_holder(job.state_path) is None
    with job_lock(job.name, job.state_path, kind="digest", at=at("2026-11-30T09:00:00")):
        holder = current_holder(job.state_path)
        assert holder is not None and holder.pid == os.getpid() and holder.kind == "digest"
    assert current_holder(job.state_path) is None


def test_a_successful_run_records_organization_and_individual_totals(tmp_path):
    job = make_job(tmp_path, "letter", responses=3)
    run_job(job)
    record = State(job.state_path).runs()[0]
    assert (record.outcome, record.organizations, record.individuals) == ("ok", 3, 0)


def test_a_state_file_from_before_the_totals_columns_keeps_working(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE runs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, started_at TEXT NOT"
            " NULL, ended_at TEXT, outcome TEXT NOT NULL DEFAULT 'running', responses INTEGER,"
            " signers INTEGER, new_signers INTEGER, skipped INTEGER, wrote INTEGER, message TEXT)")
        db.execute("INSERT INTO runs (kind, started_at, outcome, signers) VALUES"
                   " ('run', '2026-11-01T10:00:00-05:00', 'ok', 7)")
    db.close()
    state = State(path)
    old = state.runs()[0]
    assert (old.signers, old.organizations) == (7, None)
    run_id = state.start_run("run", at("2026-11-30T10:00:00"))
    state.finish_run(run_id, at("2026-11-30T10:00:05"), "ok",
                     counts={"signers": 9, "organizations": 5, "individuals": 4})
    assert (state.runs()[0].organizations, state.runs()[0].individuals) == (5, 4)
