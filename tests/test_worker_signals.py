"""SIGTERM/SIGINT in the middle of a run, with a real `python -m sync schedule` process.

The run is held mid-read by its own source: once the worker has loaded the job (and is
blocked on the state file the test holds), the form export is swapped for a named pipe.
The run then waits inside the read until the test writes the new export into the pipe,
so the signal provably arrives while a run is in flight. No sleeps: the test waits on the
worker's log lines and on the pipe.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from freezegun import freeze_time

from sync.cli import main
from sync.config import load_job
from sync.pipeline import run_job
from sync.state import State
from tests.worker_fixtures import form_csv_text, tab_rows, write_job

TIMEOUT = 60


@dataclass
class Worker:
    process: subprocess.Popen[str]
    lines: queue.Queue[str]
    seen: list[str]

    def wait_for(self, text: str) -> str:
        while True:
            line = self.lines.get(timeout=TIMEOUT)
            self.seen.append(line)
            if text in line:
                return line

    def finish(self) -> int:
        code = self.process.wait(timeout=TIMEOUT)
        while not self.lines.empty():
            self.seen.append(self.lines.get_nowait())
        return code


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))


@pytest.fixture
def worker_mid_run(tmp_path) -> Iterator:
    """Start a worker whose catch-up digest is blocked reading a pipe; yield (worker, pipe)."""
    job_file = write_job(tmp_path, "letter", responses=3)
    job = load_job(job_file)
    with freeze_time(dt.datetime.now(dt.UTC) - dt.timedelta(days=21)):
        run_job(job, with_digest=True)  # the old workbook and a digest three weeks ago
    processes: list[subprocess.Popen[str]] = []

    def start(*options: str) -> tuple[Worker, IO[bytes]]:
        barrier = sqlite3.connect(job.state_path, isolation_level=None)
        barrier.execute("BEGIN IMMEDIATE")  # the worker's run waits to record its start
        process = subprocess.Popen(
            [sys.executable, "-m", "sync", *options, "schedule", str(job_file)],
            cwd=tmp_path, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        processes.append(process)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_pump, args=(process.stderr, lines), daemon=True).start()
        worker = Worker(process, lines, [])
        worker.wait_for("digest started")
        job.source.path.unlink()
        os.mkfifo(job.source.path)
        barrier.rollback()
        barrier.close()
        opened: queue.Queue[IO[bytes]] = queue.Queue()
        threading.Thread(target=lambda: opened.put(open(job.source.path, "wb")),  # noqa: SIM115
                         daemon=True).start()
        return worker, opened.get(timeout=TIMEOUT)  # the run has opened the pipe to read it

    yield job, start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def _leftovers(job) -> list[Path]:
    return [p for p in job.target.path.parent.iterdir() if p.name.startswith(".")]


def test_sigterm_during_a_run_lets_it_finish_completely_then_exits_0(worker_mid_run):
    job, start = worker_mid_run
    worker, pipe = start()
    worker.process.send_signal(signal.SIGTERM)
    worker.wait_for("SIGTERM received")
    pipe.write(form_csv_text(5).encode("utf-8"))
    pipe.close()

    assert worker.finish() == 0
    assert len(tab_rows(job.target.path, "Curated Signers")) == 5
    assert len(tab_rows(job.target.path, "Signer Digest")) == 2
    last = State(job.state_path).runs()[0]
    assert (last.kind, last.outcome) == ("digest", "ok")
    assert _leftovers(job) == []
    assert "stopped" in worker.seen[-1]


def test_a_second_signal_abandons_the_run_without_a_partial_write(worker_mid_run, capsys):
    job, start = worker_mid_run
    worker, pipe = start("--log-format", "json")
    worker.process.send_signal(signal.SIGINT)
    worker.wait_for("SIGINT received")
    worker.process.send_signal(signal.SIGTERM)

    assert worker.finish() == 0
    pipe.close()
    assert len(tab_rows(job.target.path, "Curated Signers")) == 3
    assert len(tab_rows(job.target.path, "Signer Digest")) == 1
    assert _leftovers(job) == []
    events = [json.loads(line) for line in worker.seen]
    assert {"digest started", "second signal"} <= {
        e["message"].split(":")[0] for e in events if e["job"] in ("letter", None)}
    assert all(e["job"] == "letter" for e in events if e["message"] == "digest started")

    job.source.path.unlink()
    job.source.path.write_text(form_csv_text(5), encoding="utf-8")
    assert main(["status", str(job.file)]) == 0
    assert "digest, interrupted" in capsys.readouterr().out
