"""The worker on a real APScheduler, with time frozen and moved by the test (no sleeping).

Each test starts a BackgroundScheduler under freezegun, moves the clock to the next fire
time and wakes the scheduler; a listener on APScheduler's job events says when a fire has
run, so the test waits on an event queue, never on the wall clock.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
from collections.abc import Iterator

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from freezegun import freeze_time

from sync import logs
from sync.config import JobConfig
from sync.pipeline import run_job
from sync.runlock import job_lock
from sync.scheduler import Worker, digest_check, latest_fire_time
from sync.state import State
from tests.worker_fixtures import HEADER, at, form_csv_text, make_job, tab_rows

UTC = dt.UTC


class Driver:
    """A real scheduler whose clock the test moves; `fired()` waits for the next fire."""

    def __init__(self, frozen, jobs: list[JobConfig]) -> None:
        self.frozen = frozen
        self.events: queue.Queue[JobExecutionEvent] = queue.Queue()
        self.scheduler = BackgroundScheduler(timezone=UTC)
        self.scheduler.add_listener(self.events.put, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        self.worker = Worker(jobs, scheduler=self.scheduler)

    def move_to(self, moment: dt.datetime) -> None:
        self.frozen.move_to(moment)
        self.scheduler.wakeup()

    def fired(self) -> JobExecutionEvent:
        event = self.events.get(timeout=20)
        assert event.exception is None, "a fire must never raise into APScheduler"
        return event

    def fired_jobs(self, count: int) -> set[str]:
        return {self.fired().job_id for _ in range(count)}


@pytest.fixture
def driver_at() -> Iterator:
    drivers: list[Driver] = []
    freezers = []

    def start(moment: dt.datetime, jobs: list[JobConfig]) -> Driver:
        freezer = freeze_time(moment)
        frozen = freezer.start()
        freezers.append(freezer)
        driver = Driver(frozen, jobs)
        drivers.append(driver)
        driver.worker.start()
        return driver

    yield start
    for driver in drivers:
        driver.worker.stop()
    for freezer in freezers:
        freezer.stop()


@pytest.fixture
def worker_logs() -> Iterator[None]:
    """The worker's own log lines on (the test's captured) stderr, restored afterwards."""
    saved = {name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate,
                    logging.getLogger(name).level) for name in ("sync", "apscheduler")}
    yield

    for name, (handlers, propagate, level) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:], logger.propagate = handlers, propagate
        logger.setLevel(level)


def runs(job: JobConfig) -> list[tuple[str, str]]:
    return [(r.kind, r.outcome) for r in reversed(State(job.state_path).runs())]


def test_two_jobs_fire_each_on_its_own_cron_and_timezone(tmp_path, driver_at):
    hourly = make_job(tmp_path, "hourly", sync="0 * * * *", timezone="America/New_York")
    half = make_job(tmp_path, "half", sync="30 * * * *", timezone="Europe/Berlin")
    driver = driver_at(at("2026-12-01T10:10:00"), [hourly, half])

    driver.move_to(at("2026-12-01T10:30:00"))
    event = driver.fired()
    assert event.job_id == "half"
    assert event.scheduled_run_time == at("2026-12-01T16:30:00", "Europe/Berlin")
    assert runs(hourly) == []

    driver.move_to(at("2026-12-01T11:00:00"))
    event = driver.fired()
    assert (event.job_id, event.scheduled_run_time) == ("hourly", at("2026-12-01T11:00:00"))
    assert runs(hourly) == [("run", "ok")] and runs(half) == [("run", "ok")]
    assert len(tab_rows(hourly.target.path, "Curated Signers")) == 3


def test_a_failing_job_is_logged_and_recorded_and_the_other_job_keeps_running(
        tmp_path, driver_at, worker_logs, capsys):
    good = make_job(tmp_path, "good")
    broken = make_job(tmp_path, "broken")
    working_form = broken.source.path.read_text(encoding="utf-8")
    broken.source.path.write_text(form_csv_text(2, [h for h in HEADER if "Email" not in h]),
                                  encoding="utf-8")
    logs.configure(worker=True)
    driver = driver_at(at("2026-12-01T10:10:00"), [good, broken])

    driver.move_to(at("2026-12-01T11:00:00"))
    assert driver.fired_jobs(2) == {"good", "broken"}
    assert runs(good) == [("run", "ok")]
    failed = State(broken.state_path).runs()[0]
    assert failed.outcome == "failed" and "Email" in (failed.message or "")
    error_lines = [line for line in capsys.readouterr().err.splitlines() if " ERROR " in line]
    assert len(error_lines) == 1
    assert "broken: failed: " in error_lines[0] and "failed: broken:" not in error_lines[0]
    assert "retry at the next run time" in error_lines[0]

    broken.source.path.write_text(working_form, encoding="utf-8")
    driver.move_to(at("2026-12-01T12:00:00"))
    assert driver.fired_jobs(2) == {"good", "broken"}
    assert runs(broken) == [("run", "failed"), ("run", "ok")]
    assert driver.scheduler.running


def test_worker_restarted_after_a_missed_monday_runs_exactly_one_catch_up_digest(
        tmp_path, driver_at):
    job = make_job(tmp_path, "weekly", responses=3)
    with freeze_time(at("2026-11-16T09:00:00")):
        run_job(job, with_digest=True)
    job.source.path.write_text(form_csv_text(5), encoding="utf-8")
    # The worker was down on Monday the 23rd and Monday the 30th; it comes back on Tuesday.
    driver = driver_at(at("2026-12-01T10:10:00"), [job])

    assert driver.fired().job_id == "weekly"
    digests = tab_rows(job.target.path, "Signer Digest")
    assert len(digests) == 2
    assert digests[-1][2] == 2  # New Organizations: the two that signed while it was down
    assert State(job.state_path).last_digest().digest_at == at("2026-12-01T10:10:00")

    driver.move_to(at("2026-12-01T11:00:00"))
    assert driver.fired().job_id == "weekly"
    assert runs(job) == [("digest", "ok"), ("digest", "ok"), ("run", "ok")]
    assert len(tab_rows(job.target.path, "Signer Digest")) == 2


def test_worker_started_after_its_digest_ran_schedules_no_catch_up(tmp_path, driver_at):
    job = make_job(tmp_path, "weekly")
    with freeze_time(at("2026-11-30T09:00:00")):
        run_job(job, with_digest=True)
    driver = driver_at(at("2026-12-01T10:10:00"), [job])
    assert driver.scheduler.get_job("weekly").next_run_time == at("2026-12-01T11:00:00")


def test_the_monday_fire_runs_the_digest_and_the_next_fire_a_sync(tmp_path, driver_at):
    job = make_job(tmp_path, "weekly")
    with freeze_time(at("2026-11-29T12:00:00")):
        run_job(job)
    driver = driver_at(at("2026-11-30T08:30:00"), [job])
    driver.move_to(at("2026-11-30T09:00:00"))
    assert driver.fired().scheduled_run_time == at("2026-11-30T09:00:00")
    driver.move_to(at("2026-11-30T10:00:00"))
    driver.fired()
    assert runs(job) == [("run", "ok"), ("digest", "ok"), ("run", "ok")]


def test_a_fire_during_a_manual_run_is_skipped_and_the_next_fire_catches_up_the_digest(
        tmp_path, driver_at, worker_logs, capsys):
    job = make_job(tmp_path, "weekly")
    with freeze_time(at("2026-11-29T12:00:00")):
        run_job(job)
    logs.configure(worker=True)
    driver = driver_at(at("2026-11-30T08:30:00"), [job])
    with job_lock(job.name, job.state_path, kind="run", at=at("2026-11-30T08:59:00")):
        driver.move_to(at("2026-11-30T09:00:00"))
        driver.fired()
    assert runs(job) == [("run", "ok")]
    assert "weekly: skipped: a run of job weekly is in progress" in capsys.readouterr().err

    driver.move_to(at("2026-11-30T10:00:00"))
    driver.fired()
    assert runs(job) == [("run", "ok"), ("digest", "ok")]


def test_latest_digest_fire_time_is_the_last_monday_morning_in_the_jobs_timezone(tmp_path):
    job = make_job(tmp_path, "weekly", digest="0 9 * * mon", timezone="America/New_York")
    trigger = job.schedule.trigger("digest")
    assert latest_fire_time(trigger, at("2026-12-01T10:10:00")) == at("2026-11-30T09:00:00")
    assert latest_fire_time(trigger, at("2026-11-30T09:00:00")) == at("2026-11-30T09:00:00")
    assert latest_fire_time(trigger, at("2026-11-30T08:59:59")) == at("2026-11-23T09:00:00")


def test_a_job_never_run_before_has_no_digest_due(tmp_path):
    job = make_job(tmp_path, "fresh")
    check = digest_check(job, State(job.state_path), at("2026-12-01T10:10:00"))
    assert not check.due
