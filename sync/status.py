"""`signer-sync status`: what each job's state store says, for a person to read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sync.config import JobConfig
from sync.errors import scrub
from sync.runlock import Holder, current_holder
from sync.scheduler import next_fire_times, stamp
from sync.state import DigestRecord, RunRecord, State

HISTORY = 500


@dataclass(frozen=True)
class JobStatus:
    job: JobConfig
    last_run: RunRecord | None
    last_ok: RunRecord | None
    last_digest: DigestRecord | None
    next_times: dict[str, dt.datetime | None]
    holder: Holder | None


def job_status(job: JobConfig, now: dt.datetime) -> JobStatus:
    """Read the job's state without creating it: a job never run has no state file."""
    runs: list[RunRecord] = []
    digest = None
    if job.state_path.exists():
        state = State(job.state_path)
        runs = state.runs(limit=HISTORY)
        digest = state.last_digest()
    last_ok = next((run for run in runs if run.outcome == "ok"), None)
    return JobStatus(job, runs[0] if runs else None, last_ok, digest,
                     next_fire_times(job, now), current_holder(job.state_path))


def _when(text: str | None, job: JobConfig) -> str:
    return stamp(dt.datetime.fromisoformat(text) if text else None, job)


def _run_line(status: JobStatus) -> str:
    run, job = status.last_run, status.job
    if run is None:
        return "never"
    head = f"{_when(run.started_at, job)}, {run.kind}"
    if run.outcome == "running":
        if status.holder is not None:
            return f"{head}, in progress ({status.holder.describe()})"
        return (f"{head}, interrupted (the process stopped during the run; nothing was "
                "half-written, the next run redoes it)")
    if run.outcome != "ok":
        return f"{head}, FAILED: {scrub(run.message or 'no message recorded')}"
    where = "tab written" if run.wrote else "tab unchanged"
    return (f"{head}, ok: {run.responses} responses, {run.signers} signers "
            f"({run.new_signers} added to the tab), {run.skipped} skipped; {where}")


def _totals_line(status: JobStatus) -> str:
    run = status.last_ok
    if run is None:
        return "no successful run yet"
    if run.organizations is None or run.individuals is None:
        counts = f"{run.signers} signers"
    else:
        counts = f"{run.organizations} organizations, {run.individuals} individuals"
    return f"{counts} (as of {_when(run.started_at, status.job)})"


def render(status: JobStatus) -> str:
    job = status.job
    digest = status.last_digest
    digest_line = "never" if digest is None else f"{stamp(digest.digest_at, job)}: {digest.summary}"
    rows = [
        ("last run", _run_line(status)),
        ("last digest", digest_line),
        ("next sync", f"{stamp(status.next_times['sync'], job)} ({job.schedule.sync})"),
        ("next digest", f"{stamp(status.next_times['digest'], job)} ({job.schedule.digest})"),
        ("totals", _totals_line(status)),
    ]
    return "\n".join([f"{job.name} ({job.file})"] + [f"  {k + ':':<13}{v}" for k, v in rows])
