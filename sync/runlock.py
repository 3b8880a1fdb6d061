"""One run of a job at a time: an exclusive lock on a file next to the job's state file.

`run_job` takes the lock for every run, manual or scheduled, so a person's `signer-sync run`
and the worker's hourly sync never read and write the same tabs and state at once. The lock
file (`STATE.sqlite.lock`) holds who took it, so the refusal can say which run is going on.

Stdlib `fcntl.flock` rather than the `filelock` package: the worker and its deployment are
POSIX-only, flock is released by the kernel when a process dies (a killed worker never
leaves a stale lock), and we need to read the holder's details, which filelock does not
keep. Two opens of the file in one process conflict as well, so threads are covered too.
The lock file is opened with `O_NOFOLLOW` (see `sync.own_files`): a symbolic link in its
place is refused rather than followed and truncated.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sync import own_files
from sync.errors import RunInProgressError, StateError

POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Holder:
    """Who holds a job's lock, as written into the lock file."""

    pid: int | None
    kind: str
    started_at: str

    def describe(self) -> str:
        started = f"started {self.started_at}" if self.started_at else "start time unknown"
        by = f" by pid {self.pid}" if self.pid else ""
        return f"{started}{by}"


def lock_path(state_path: Path) -> Path:
    return state_path.with_name(state_path.name + ".lock")


def _read_holder(fd: int) -> Holder:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    pid = data.get("pid")
    return Holder(pid if isinstance(pid, int) else None, str(data.get("kind", "")),
                  str(data.get("started_at", "")))


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def job_lock(job_name: str, state_path: Path, *, kind: str, at: dt.datetime,
             wait: float = 0.0) -> Iterator[None]:
    """Hold the job's lock for the `with` block.

    With `wait=0` (manual commands) a held lock is refused at once; the worker passes a
    wait in seconds and polls until then. Refusal raises `RunInProgressError` naming the
    job and the run that holds the lock.
    """
    path = lock_path(state_path)
    try:
        own_files.make_folder(path.parent, "the state folder")
        fd = own_files.open_no_follow(path, os.O_RDWR | os.O_CREAT, "the job's lock file")
    except OSError as exc:
        own_files.refuse_unusable(path, "the job's lock file", exc)
        raise StateError(f"{job_name}: cannot open the lock file {path} ({exc})") from None
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                holder = _read_holder(fd)
                raise RunInProgressError(
                    f"{job_name}: a run of job {job_name} is in progress "
                    f"({holder.describe()}); try again when it has finished",
                    transient=True,
                )
            time.sleep(POLL_SECONDS)
        record = json.dumps({"pid": os.getpid(), "kind": kind,
                             "started_at": at.isoformat(timespec="seconds")})
        os.ftruncate(fd, 0)
        os.pwrite(fd, record.encode("utf-8"), 0)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def current_holder(state_path: Path) -> Holder | None:
    """The run holding the job's lock right now, or None (used by `status`)."""
    path = lock_path(state_path)
    if not path.exists():
        return None
    fd = own_files.open_no_follow(path, os.O_RDONLY, "the job's lock file")
    try:
        if _try_lock(fd):
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        return _read_holder(fd)
    finally:
        os.close(fd)
