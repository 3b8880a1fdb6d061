"""The worker: every job's `sync` and `digest` crons in one long-running process.

Each job is one APScheduler job whose trigger fires on either cron (an `OrTrigger` of the
two, each in the job's timezone), with `max_instances=1` and `coalesce=True`. What a fire
does is decided from the state store, not from which cron fired:

* a digest is due when the most recent digest fire time at or before now is later than
  the last digest in state (or, before any digest, than the job's first run). A due digest
  runs instead of the sync; otherwise the fire is a plain sync.
* so a digest missed while the worker was down runs once when it is back (at start, as a
  catch-up), a digest that failed or was refused runs at the next hourly fire, and a missed
  sync is simply the next one. APScheduler's own coalescing only covers a running process;
  the state survives restarts.

Runs never overlap: `max_instances=1` inside the worker, and `run_job`'s lock on the job's
state file against a person's `signer-sync run` (the worker does not wait for that lock: a
fire that finds a run in progress is logged and skipped, and the next fire catches up).
A run that fails is logged with the job's name and recorded in state by `run_job`; it never
reaches APScheduler, so the other jobs and the worker go on.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from sync.config import JobConfig, load_job, shared_identity
from sync.curate import INDIVIDUAL, ORGANIZATION
from sync.errors import ConfigError, RunInProgressError, SyncError
from sync.logs import job_context
from sync.pipeline import run_job
from sync.state import State

log = logging.getLogger("sync.scheduler")
JOBS_DIR = Path("jobs")
# How far back to look for the latest fire time of a cron: growing windows, so an hourly
# cron costs a few steps and a yearly one (or Feb 29) is still found.
_LOOKBACK = tuple(dt.timedelta(days=d) for d in (1 / 24, 1, 8, 32, 367, 4 * 366 + 1))


def load_jobs(paths: Sequence[str]) -> tuple[list[JobConfig], list[ConfigError]]:
    """The named job files, or every `jobs/*.toml`, and the errors of those that are broken.

    A broken job file does not keep the others from running. Two jobs with the same name or
    state file are both refused (the state and the lock are per job, and neither can be
    told to be the right one); `load_job` checks a job against its folder, this against
    the other jobs named.
    """
    files = list(paths) or sorted(str(p) for p in JOBS_DIR.glob("*.toml"))
    if not files:
        raise ConfigError(f"no job files in {JOBS_DIR}/; name one, e.g. jobs/demo.toml")
    jobs: list[JobConfig] = []
    errors: list[ConfigError] = []
    for file in files:
        try:
            job = load_job(file)
        except ConfigError as exc:
            errors.append(exc)
            continue
        if all(job.file != other.file for other in jobs):
            jobs.append(job)
    refused: set[Path] = set()
    for job in jobs:
        for other in jobs:
            problem = None if other is job else shared_identity(
                job, other.file, other.name, other.state_path)
            if problem is not None:
                errors.append(problem)
                refused.add(job.file)
                break
    return [job for job in jobs if job.file not in refused], errors


def job_now(job: JobConfig) -> dt.datetime:
    return dt.datetime.now(ZoneInfo(job.schedule.timezone))


def latest_fire_time(trigger: CronTrigger, now: dt.datetime) -> dt.datetime | None:
    """The trigger's most recent fire time at or before `now` (None if none in 4 years)."""
    for window in _LOOKBACK:
        latest = None
        fire = trigger.get_next_fire_time(None, now - window)
        while fire is not None and fire <= now:
            latest = fire
            fire = trigger.get_next_fire_time(fire, fire + dt.timedelta(microseconds=1))
        if latest is not None:
            return latest
    return None


def next_fire_times(job: JobConfig, now: dt.datetime) -> dict[str, dt.datetime | None]:
    return {which: job.schedule.trigger(which).get_next_fire_time(None, now)
            for which in ("sync", "digest")}


@dataclass(frozen=True)
class DigestCheck:
    due: bool
    missed: dt.datetime | None
    last: dt.datetime | None


def digest_check(job: JobConfig, state: State, now: dt.datetime) -> DigestCheck:
    """Is a digest due now? See the module docstring for the rule."""
    missed = latest_fire_time(job.schedule.trigger("digest"), now)
    record = state.last_digest()
    last = record.digest_at if record else None
    reference = last or state.first_run_at()
    if missed is None or reference is None:
        return DigestCheck(False, missed, last)
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=ZoneInfo(job.schedule.timezone))
    return DigestCheck(reference < missed, missed, last)


def stamp(moment: dt.datetime | None, job: JobConfig) -> str:
    if moment is None:
        return "never"
    zone = ZoneInfo(job.schedule.timezone)
    local = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
    return local.strftime("%Y-%m-%d %H:%M %Z")


class Worker:
    """Schedules the jobs on `scheduler` (a real APScheduler; tests pass their own)."""

    def __init__(self, jobs: Sequence[JobConfig], *,
                 scheduler: BaseScheduler | None = None) -> None:
        self.jobs = {job.name: job for job in jobs}
        self.scheduler = scheduler or BackgroundScheduler()

    def start(self) -> None:
        """Add every job (a due digest fires at once), log the next run times, start."""
        for job in self.jobs.values():
            now = job_now(job)
            check = digest_check(job, State(job.state_path), now)
            options = {"next_run_time": now} if check.due else {}
            self.scheduler.add_job(
                self.fire, OrTrigger([job.schedule.trigger("sync"),
                                      job.schedule.trigger("digest")]),
                args=[job.name], id=job.name, name=job.name, max_instances=1,
                coalesce=True, misfire_grace_time=None, **options)
            times = next_fire_times(job, now)
            with job_context(job.name):
                log.info("scheduled: next sync %s, next digest %s (%s)", stamp(times["sync"], job),
                         stamp(times["digest"], job), job.schedule.timezone)
                if check.due:
                    log.info("catch-up digest now: the digest of %s was missed (last digest %s)",
                             stamp(check.missed, job), stamp(check.last, job))
        self.scheduler.start()

    def fire(self, name: str) -> None:
        """One fire of a job: a digest if one is due, else a sync. Never raises."""
        job = self.jobs[name]
        with job_context(name):
            try:
                with_digest = digest_check(job, State(job.state_path), job_now(job)).due
                kind = "digest" if with_digest else "sync"
                log.info("%s started", kind)
                result = run_job(job, with_digest=with_digest)
            except RunInProgressError as exc:
                log.warning("skipped: %s; the next run will catch up", _unlabelled(exc, name))
                return
            except SyncError as exc:
                log.error("failed: %s; will retry at the next run time", _unlabelled(exc, name))
                return
            except Exception as exc:
                log.error("failed unexpectedly: %s: %s; will retry at the next run time",
                          type(exc).__name__, exc)
                return
            for message in result.messages:  # what `run` prints as warnings
                log.warning("%s", message.removeprefix(f"{name}: "))
            log.info("%s ok: %d organizations, %d individuals (%d added to the tab), "
                     "%d need review; curated tab %s", kind, result.count(ORGANIZATION),
                     result.count(INDIVIDUAL), result.new_signers, result.needs_review,
                     "written" if result.wrote else "unchanged")

    def stop(self) -> None:
        """Let the runs in flight finish, then stop; nothing starts after this is called."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)


def _unlabelled(error: Exception, name: str) -> str:
    """The error's message without its leading job name: the log line already has it."""
    return str(error).removeprefix(f"{name}: ")


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_STOPPED = 0


def serve(worker: Worker) -> None:
    """Run the worker until SIGTERM or SIGINT, then let the run in flight finish.

    The signals only wake the main thread through `signal.set_wakeup_fd` (their handler does
    nothing else, so no lock is ever taken inside a handler, and a signal delivered to any
    of pandas' or the scheduler's threads still reaches us). A second signal while a run is
    finishing abandons it: safe, because every write is atomic (a workbook is swapped in
    whole, the state is a SQLite transaction) and the job's lock dies with the process.
    """
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    previous_fd = signal.set_wakeup_fd(wake_write)
    previous = {sig: signal.signal(sig, _wake_only) for sig in STOP_SIGNALS}
    try:
        worker.start()
        received = _next_wake(wake_read)
        log.info("%s received: stopping once the run in flight (if any) has finished",
                 signal.Signals(received).name)

        def stop() -> None:
            worker.stop()
            os.write(wake_write, bytes([_STOPPED]))

        threading.Thread(target=stop, name="signer-sync-stop").start()
        if _next_wake(wake_read) != _STOPPED:
            log.warning("second signal: abandoning the run in flight; nothing was half-written")
            logging.shutdown()
            os._exit(0)
        log.info("stopped")
    finally:
        signal.set_wakeup_fd(previous_fd)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        os.close(wake_read)
        os.close(wake_write)


def _wake_only(signum: int, frame: object) -> None:
    """The wakeup fd carries the signal to `serve`; nothing to do in the handler itself."""


def _next_wake(fd: int) -> int:
    """Block until a stop signal (its number) or the end of the shutdown (`_STOPPED`)."""
    while True:
        data = os.read(fd, 1)
        if data and (data[0] == _STOPPED or data[0] in {int(s) for s in STOP_SIGNALS}):
            return data[0]
