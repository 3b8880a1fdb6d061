"""`signer-sync check JOB`: is this job ready to run? Reads as little as it can, writes nothing.

It reports, each on one line with the fix when something is wrong: the job file, the
credentials and the service account's email (Google), access to the source, the source
tab's header mapping, whether its timestamps read (a file source: the Google backend
reads only the header row here), access to the target and whether the target is writable.
`WARN` lines are what a run would do silently but staff most likely did not mean: a
question with no column (with the closest header and the `[fields]` line to add), two
columns for one question. They do not change the exit status.

For a Google spreadsheet that costs one metadata request, one read of the header row and,
for write access, an empty values.batchUpdate (a viewer is refused it; it changes nothing);
when the curated tab is missing, one more read of the other tabs' header rows (to tell a
first run from a renamed curated tab).

Exit status: 0 all is well; 2 the job file, the credentials or the sheet's shape need
fixing; 1 access problems (sharing, API not enabled, network).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sync import tabs
from sync.backends import Book, open_source, open_target
from sync.config import JobConfig, load_job
from sync.errors import ConfigError, SyncError
from sync.fields import FIELDS, map_headers, pick_repeated, repeats, unmapped
from sync.names import find_tab
from sync.normalize.times import parse_timestamps, timestamp_problem
from sync.pipeline import mapped_responses


@dataclass(frozen=True)
class Finding:
    ok: bool
    topic: str
    text: str
    exit_code: int = 0
    warning: bool = False


@dataclass
class CheckReport:
    job: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        codes = {f.exit_code for f in self.findings if not f.ok}
        return 2 if 2 in codes else (1 if codes else 0)

    def good(self, topic: str, text: str) -> None:
        self.findings.append(Finding(True, topic, text))

    def bad(self, topic: str, error: SyncError | str, exit_code: int | None = None) -> None:
        code = exit_code if exit_code is not None else (
            error.exit_code if isinstance(error, SyncError) else 1)
        self.findings.append(Finding(False, topic, str(error), code))

    def warn(self, topic: str, text: str) -> None:
        self.findings.append(Finding(True, topic, text, warning=True))

    @property
    def warnings(self) -> int:
        return sum(f.warning for f in self.findings)

    def lines(self) -> list[str]:
        return [f"{'WARN' if f.warning else 'ok  ' if f.ok else 'FAIL'}  {f.topic}: {f.text}"
                for f in self.findings]


def check_job(path: str | Path) -> CheckReport:
    report = CheckReport(str(path))
    try:
        job = load_job(path)
    except ConfigError as exc:
        report.bad("job file", exc)
        return report
    report.job = job.name
    report.good("job file", f"{job.file} is valid")
    source = _open(report, "source", lambda: open_source(job.source))
    if source is None:
        return report
    target = source if job.same_book else _open(report, "target", lambda: open_target(job.target))
    if _credentials(report, job, source) and _source(report, job, source) and target is not None:
        if target is not source:
            _credentials(report, job, target, topic="target credentials")
        _target(report, job, target)
    return report


def _open(report: CheckReport, topic: str, work: object) -> object | None:
    try:
        return work()  # type: ignore[operator]
    except SyncError as exc:
        report.bad(topic, exc, 2)
        return None


def _credentials(report: CheckReport, job: JobConfig, book: object,
                 topic: str = "credentials") -> bool:
    if not hasattr(type(book), "auth"):  # the property itself loads the credentials
        return True
    try:
        auth = book.auth  # type: ignore[attr-defined]
    except ConfigError as exc:
        report.bad(topic, exc)
        return False
    who = f"; service account {auth.email}" if auth.email else ""
    report.good(topic, f"{auth.origin}{who}")
    return True


def _source(report: CheckReport, job: JobConfig, book: object) -> bool:
    tab = job.source.tab
    frame = None
    try:
        if hasattr(book, "read_header"):
            header = book.read_header(tab)  # type: ignore[attr-defined]
        else:
            frame = book.read([tab])[tab]  # type: ignore[attr-defined]
            header = None if frame is None else list(frame.columns)
    except SyncError as exc:
        report.bad("source", exc)
        return False
    where = book.description  # type: ignore[attr-defined]
    if header is None:
        report.bad("source", tabs.missing_source_tab(job, book))  # type: ignore[arg-type]
        return False
    report.good("source", f"can read {where}" + ("" if job.source.kind == "csv" else
                                                f", tab {tab!r}"))
    try:
        where = where if job.source.kind == "csv" else f"tab {tab!r}"
        mapping = map_headers(header, job.fields, where=where)
        if frame is not None:
            mapping = pick_repeated(frame, mapping, job.fields, where=where)
    except ConfigError as exc:
        report.bad("header mapping", f"{exc}; map the question under [fields] in the job "
                                     "file", 2)
        return True
    for name in FIELDS:
        if name in mapping:
            report.good("header mapping", f"{name} ← {mapping[name]!r}")
    for missing in unmapped(header, mapping, job.fields):
        report.warn("header mapping", str(missing))
    if frame is None:  # only the header was read: say what a run will do with repeats
        for name, columns in repeats(header, mapping, job.fields).items():
            report.warn("header mapping", f"{name}: {len(columns)} columns "
                        f"({', '.join(repr(c) for c in columns)}); a run uses the one with "
                        "answers, and stops if more than one has answers")
    if frame is not None and "submitted_at" in mapping:
        _timestamps(report, job, frame, book, mapping)
    return True


def _timestamps(report: CheckReport, job: JobConfig, frame: pd.DataFrame, book: Book,
                mapping: dict[str, str]) -> None:
    """Whether the timestamp column reads (as the run would read it), and its span."""
    values = mapped_responses(job, frame, book, mapping)[0]["submitted_at"]
    zone = job.schedule.timezone
    parsed = parse_timestamps(values, zone)
    problem = timestamp_problem(values, parsed, mapping["submitted_at"])
    if problem:
        report.bad("timestamps", problem, 2)
        return
    read = parsed.dropna()
    if read.empty:
        return
    text = (f"{len(read):,} read, {read.min():%Y-%m-%d %H:%M} to {read.max():%Y-%m-%d %H:%M} "
            f"({zone})")
    unread = int((values.str.strip() != "").sum()) - len(read)
    if unread:
        text += f"; {unread:,} cannot be read (their signers are flagged `no timestamp`)"
    report.good("timestamps", text)


def _target(report: CheckReport, job: JobConfig, book: object) -> None:
    where = book.description  # type: ignore[attr-defined]
    if hasattr(book, "probe_write"):
        try:
            names = book.tab_names()  # type: ignore[attr-defined]
            book.probe_write()  # type: ignore[attr-defined]
        except SyncError as exc:
            report.bad("target", exc)
            return
        _curated_tab(report, job, book, names, f"can write {where}")
        return
    path = job.target.path
    assert path is not None
    writable = os.access(path if path.exists() else path.parent, os.W_OK)
    if writable:
        if not path.exists():
            report.good("target", f"can write {where} (will be created by the first run)")
            return
        try:
            tab_names = book.tab_names()  # type: ignore[attr-defined]
        except SyncError as exc:
            report.bad("target", exc)
            return
        _curated_tab(report, job, book, tab_names, f"can write {where}")
    else:
        report.bad("target", f"cannot write {where}: check the file's permissions or choose "
                             "another [target] path", 1)


def _curated_tab(report: CheckReport, job: JobConfig, book: object, tab_names: list[str],
                 access: str) -> None:
    """Whether the curated tab exists (under which title), or was renamed by staff."""
    curated = job.target.curated_tab
    where = book.description  # type: ignore[attr-defined]
    try:
        found = find_tab(curated, tab_names, where)
        renamed = [] if found else tabs.renamed_curated_tabs(job, book)  # type: ignore[arg-type]
    except SyncError as exc:
        report.bad("target", exc)
        return
    if renamed:
        report.bad("target", tabs.renamed_curated_error(job, book, renamed))  # type: ignore[arg-type]
    elif found is None:
        report.good("target", f"{access}; tab {curated!r} will be created by the first run")
    else:
        said = "" if found == curated else f" (as {found!r})"
        report.good("target", f"{access}; tab {curated!r} exists{said}")
