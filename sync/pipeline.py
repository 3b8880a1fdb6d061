"""One run of a job, wiring the stages: read → map headers → normalize → curate → write.

Everything the run needs is read in one batch per spreadsheet and written in one batch.
The order of side effects is what makes a failed run harmless:

1. read (source tab, curated tab) — nothing changes;
2. compute everything in memory — nothing changes;
3. write the digest file (digest runs), then the curated tab and digest row in one write;
4. remember Signer IDs and decisions, then (digest runs) advance the digest state.

A failure at 3 leaves the digest state where it was, so the next digest reports the same
signers; a failure at 4 is repaired by the next run, which reads the tab it wrote.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pandas as pd

from sync import curate, review, signer_ids
from sync import digest as digests
from sync.backends import Book, TabWrite, open_source, open_target
from sync.config import JobConfig
from sync.errors import SourceError, StageError, SyncError
from sync.fields import FIELDS, map_headers
from sync.normalize import normalize_responses
from sync.state import DigestRecord, State

log = logging.getLogger("sync")
T = TypeVar("T")
Clock = Callable[[], dt.datetime]


@dataclass
class RunResult:
    job: str
    responses: int
    skipped: list[curate.Skipped]
    curated: pd.DataFrame
    new_signers: int
    wrote: bool
    digest: digests.Digest | None = None
    digest_file: Path | None = None
    messages: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # stage → seconds

    @property
    def needs_review(self) -> int:
        return int((self.curated["Status"] == "Needs review").sum())

    def count(self, kind: str) -> int:
        return int((self.curated["Type"] == kind).sum())


@dataclass(frozen=True)
class Inputs:
    source: pd.DataFrame
    curated: pd.DataFrame | None


def job_clock(job: JobConfig) -> Clock:
    zone = ZoneInfo(job.schedule.timezone)
    return lambda: dt.datetime.now(zone)


def run_job(job: JobConfig, *, with_digest: bool = False, dry_run: bool = False,
            clock: Clock | None = None, source: Book | None = None,
            target: Book | None = None) -> RunResult:
    """Sync one job (and, with `with_digest`, publish its digest). `dry_run` writes nothing.

    `source` and `target` default to the job's own backends; tests and tools pass others.
    """
    clock = clock or job_clock(job)
    state = State(job.state_path)
    kind = "digest" if with_digest else "run"
    run_id = None if dry_run else state.start_run(kind, clock())
    try:
        result = _run(job, state, with_digest, dry_run, clock,
                      source or open_source(job.source), target or open_target(job.target))
    except SyncError as exc:
        if run_id is not None:
            state.finish_run(run_id, clock(), "failed", message=str(exc))
        raise
    except Exception as exc:
        if run_id is not None:
            state.finish_run(run_id, clock(), "failed", message=f"{type(exc).__name__}: {exc}")
        raise
    if run_id is not None:
        state.finish_run(run_id, clock(), "ok", wrote=result.wrote, counts={
            "responses": result.responses, "signers": len(result.curated),
            "new_signers": result.new_signers, "skipped": len(result.skipped),
        })
    return result


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start


def _stage(job: JobConfig, name: str, work: Callable[[], T], timings: dict[str, float]) -> T:
    """Run one stage, timed; an unexpected exception is reported with the stage's name."""
    try:
        with _timed(timings, name):
            return work()
    except SyncError:
        raise
    except Exception as exc:
        raise StageError(job.name, name, exc) from exc


def _run(job: JobConfig, state: State, with_digest: bool, dry_run: bool, clock: Clock,
         source: Book, target: Book) -> RunResult:
    timings: dict[str, float] = {}
    inputs = _stage(job, "read", lambda: read_inputs(job, source, target), timings)
    responses = _stage(job, "map headers", lambda: mapped_responses(job, inputs.source, source),
                       timings)
    log.info("read %d responses from %s", len(responses), source.description)
    clean = _stage(job, "normalize", lambda: normalize_responses(responses), timings)
    review.check_curated_tab(inputs.curated, job.target.curated_tab)
    signers, skipped = _stage(
        job, "curate", lambda: curate.build_signers(clean, job.published, us_only=job.us_only),
        timings,
    )
    ids_started = time.perf_counter()
    tab_ids = [] if inputs.curated is None or inputs.curated.empty else [
        str(i).strip() for i in inputs.curated["Signer ID"] if str(i).strip()
    ]
    remembered = state.decisions()
    stored = state.registry()
    registry = {**signer_ids.registry_from_tab(inputs.curated), **stored}
    assignment = signer_ids.assign_ids(signers, registry, set(tab_ids))
    signers["Signer ID"] = assignment.ids
    signers = curate.flag_possible_duplicates(signers)
    curated = review.merge_decisions(signers, tab_ids, review.decisions_from_tab(inputs.curated),
                                     remembered, assignment.merged)
    timings["ids and decisions"] = time.perf_counter() - ids_started
    new_signers = len(set(curated["Signer ID"]) - set(tab_ids))
    log.info("%d organizations, %d individuals (%d new), %d need review, %d skipped",
             int((curated["Type"] == curate.ORGANIZATION).sum()),
             int((curated["Type"] == curate.INDIVIDUAL).sum()), new_signers,
             int((curated["Status"] == "Needs review").sum()), len(skipped))

    result = RunResult(job.name, len(responses), skipped, curated, new_signers, wrote=False,
                       timings=timings)
    write_started = time.perf_counter()
    writes: list[TabWrite] = []
    table = curated_table(curated)
    if not _same_table(inputs.curated, table):
        writes.append(TabWrite(job.target.curated_tab, list(curate.CURATED_COLUMNS), table,
                               keep_columns=curate.REVIEWER_COLUMNS))
    if with_digest:
        last = state.last_digest()
        result.digest = digests.build_digest(curated, state.digest_snapshot(), clock(),
                                             last.digest_at if last else None, len(skipped))
        writes.append(TabWrite(job.target.digest_tab, list(digests.DIGEST_COLUMNS),
                               [result.digest.tab_row()], append=True))
    if dry_run:
        timings["write"] = time.perf_counter() - write_started
        return result
    if result.digest is not None:
        result.digest_file = write_digest_file(job, result.digest)
    if writes:
        log.info("writing %s to %s", ", ".join(repr(w.tab) for w in writes), target.description)
        target.write(writes)
        result.wrote = True
    else:
        log.info("curated tab %r is up to date; nothing to write", job.target.curated_tab)
    state.save_curation(_changed(assignment.registry, stored),
                        _changed(_decisions(curated), remembered))
    if result.digest is not None:
        state.commit_digest(
            DigestRecord(result.digest.at, result.digest.since, result.digest.summary,
                         result.digest.counts), curated)
    timings["write"] = time.perf_counter() - write_started
    return result


def read_inputs(job: JobConfig, source: Book, target: Book) -> Inputs:
    """Source and curated tabs, in one read when they share a spreadsheet."""
    curated_tab = job.target.curated_tab
    if job.same_book:
        tabs = source.read([job.source.tab, curated_tab])
        frame, curated = tabs[job.source.tab], tabs[curated_tab]
    else:
        frame = source.read([job.source.tab])[job.source.tab]
        curated = target.read([curated_tab])[curated_tab]
    if frame is None:
        raise SourceError(f"tab {job.source.tab!r} not found in {source.description}; tabs "
                          f"there: {', '.join(source.tab_names()) or 'none'}")
    return Inputs(frame, curated)


def mapped_responses(job: JobConfig, frame: pd.DataFrame, source: Book) -> pd.DataFrame:
    """The source tab with canonical field names; blank rows dropped, absent fields blank."""
    where = f"{job.name}: tab {job.source.tab!r} in {source.description}"
    if job.source.kind == "csv":
        where = f"{job.name}: {source.description}"
    mapping = map_headers(list(frame.columns), job.fields, where=where)
    responses = pd.DataFrame(index=frame.index)
    for name in FIELDS:
        responses[name] = frame[mapping[name]].fillna("").astype(str) if name in mapping else ""
    typed = responses.drop(columns="submitted_at").apply(lambda c: c.str.strip() != "")
    return responses[typed.any(axis=1)]


def curated_table(curated: pd.DataFrame) -> list[list[str | int]]:
    table = review.public_columns(curated)
    columns = [[int(v) for v in table[name].tolist()] if name == "Responses"
               else [str(v) for v in table[name].tolist()] for name in table.columns]
    return [list(row) for row in zip(*columns, strict=True)]


def _same_table(existing: pd.DataFrame | None, rows: list[list[str | int]]) -> bool:
    if existing is None or list(existing.columns) != list(curate.CURATED_COLUMNS):
        return False
    if len(existing) != len(rows):
        return False
    return all(  # column by column: stops at the first that differs
        [str(v) for v in existing[name].tolist()] == [str(row[index]) for row in rows]
        for index, name in enumerate(existing.columns)
    )


def _changed(new: dict[str, T], old: dict[str, T]) -> dict[str, T]:
    """The entries of `new` the state does not hold yet: a big sheet's hourly run then
    writes a handful of rows to the state file instead of every signer again."""
    return {key: value for key, value in new.items() if old.get(key) != value}


def _decisions(curated: pd.DataFrame) -> dict[str, review.Decision]:
    return {
        signer_id: review.Decision(listed, status, note, default)
        for signer_id, listed, status, note, default in zip(
            curated["Signer ID"], curated["Listed As"], curated["Status"],
            curated["Reviewer Note"], curated["_default"], strict=True)
    }


def write_digest_file(job: JobConfig, digest: digests.Digest) -> Path:
    """The Markdown digest, saved atomically under `[digest] dir`."""
    job.digest_dir.mkdir(parents=True, exist_ok=True)
    path = job.digest_dir / f"{job.name}-{digest.at:%Y-%m-%d-%H%M}.md"
    handle, temp = tempfile.mkstemp(dir=job.digest_dir, prefix=".digest-", suffix=".md")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(digests.render_markdown(digest, job.name))
    os.replace(temp, path)
    return path
