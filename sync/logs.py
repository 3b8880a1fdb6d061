"""Log lines: one per event, each naming its job, as text or as JSON for log collectors.

The job name travels in a context variable set around each run (`job_context`), so the
pipeline's own `log.info(...)` calls need no job argument and still come out labelled.
The JSON formatter is a dozen lines of stdlib; not worth a dependency such as
python-json-logger for one flat object per line. Both formatters scrub credentials from
every line (`sync.errors.scrub`), and so does the traceback of an unexpected error
(`excepthook`).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sync.errors import scrub

FORMATS = ("text", "json")
_job: contextvars.ContextVar[str] = contextvars.ContextVar("signer_sync_job", default="")


@contextmanager
def job_context(name: str) -> Iterator[None]:
    """Label every log line emitted in this block (in this thread) with the job's name."""
    token = _job.set(name)
    try:
        yield
    finally:
        _job.reset(token)


class _JobFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "job", ""):
            record.job = _job.get()
        return True


def _stamp(record: logging.LogRecord) -> str:
    return dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="seconds")


class TextFormatter(logging.Formatter):
    """The worker's lines are `TIME LEVEL job: message`; a one-job command prints the message."""

    def __init__(self, *, worker: bool) -> None:
        super().__init__()
        self.worker = worker

    def format(self, record: logging.LogRecord) -> str:
        message = " ".join(record.getMessage().split())
        if record.exc_info and record.exc_info[1] is not None:
            message += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
        message = scrub(message)
        if not self.worker:
            return message
        job = getattr(record, "job", "")
        if job and not message.startswith(f"{job}:"):
            message = f"{job}: {message}"
        return f"{_stamp(record)} {record.levelname} {message}"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event = {"time": _stamp(record), "level": record.levelname,
                 "job": getattr(record, "job", "") or None, "message": record.getMessage()}
        if record.exc_info and record.exc_info[1] is not None:
            event["error"] = f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        return json.dumps({k: scrub(v) if isinstance(v, str) else v for k, v in event.items()},
                          ensure_ascii=False)


def excepthook(kind: type[BaseException], error: BaseException,
               trace: TracebackType | None) -> None:
    """Print an unexpected error's traceback as Python would, credentials scrubbed."""
    sys.stderr.write(scrub("".join(traceback.format_exception(kind, error, trace))))


def configure(*, fmt: str = "text", quiet: bool = False, worker: bool = False) -> None:
    """Send the `sync` logs (and APScheduler's warnings) to stderr, one line per event;
    an unexpected error's traceback is scrubbed too."""
    sys.excepthook = excepthook
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_JobFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         TextFormatter(worker=worker))
    for name, level in (("sync", logging.WARNING if quiet else logging.INFO),
                        ("apscheduler", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
