"""One error hierarchy, with messages written for the staff who run the tool.

    SyncError                 anything signer-sync reports instead of a traceback (exit 1)
    ├── ConfigError           the job file or the sheet's shape is wrong; fix and rerun (exit 2)
    │   ├── HeaderError       a required question has no column in the response sheet
    │   └── PathError         a file or folder of the service's own cannot be used as it is
    ├── SourceError           the responses could not be read
    ├── BackendError          the target spreadsheet could not be read or written
    ├── StateError            the state database could not be used
    │   ├── RunInProgressError  another run of the same job holds the job's lock
    │   └── DamagedStateError   the state file is damaged; rerunning never helps (exit 2)
    └── StageError            a pipeline stage failed; names the stage, wraps the cause

`transient` marks errors worth retrying later (rate limits, timeouts, server errors):
the worker retries those on the next fire time, a person simply reruns.
"""

from __future__ import annotations


class SyncError(Exception):
    """Base class: `str(error)` is a complete sentence a staff member can act on."""

    exit_code = 1

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class ConfigError(SyncError):
    exit_code = 2


class HeaderError(ConfigError):
    """The response sheet lacks a column the job needs."""


class PathError(ConfigError):
    """A state, lock or output file is a symbolic link, or its folder is missing, not a
    folder or not writable: a person has to fix the file system, rerunning never helps."""


class SourceError(SyncError):
    pass


class BackendError(SyncError):
    pass


class StateError(SyncError):
    pass


class RunInProgressError(StateError):
    """Another run of the same job (the worker's or a person's) is running right now."""


class DamagedStateError(StateError):
    """The state file is not a sound SQLite database, or holds values no version of
    signer-sync wrote: the same error would come back on every run."""

    exit_code = 2


class StageError(SyncError):
    """Wraps an unexpected failure inside a stage so the message says where it happened."""

    def __init__(self, job: str, stage: str, cause: BaseException) -> None:
        super().__init__(f"{job}: the {stage} stage failed: {type(cause).__name__}: {cause}")
        self.stage = stage
