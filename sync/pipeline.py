"""One run of a job, wiring the stages: read → map headers → normalize → curate → write.

Everything the run needs is read in one batch per spreadsheet and written in one batch.
The order of side effects is what makes a failed run harmless:

1. read (source tab, curated tab) — nothing changes;
2. compute everything in memory — nothing changes;
3. write the digest files (digest runs) and the letter list file, then the curated tab,
   the Letter List tab and the digest row in one write;
4. remember Signer IDs and decisions, then (digest runs) advance the digest state, putting
   the digest's email in the outbox in the same transaction;
5. send the emails waiting in the outbox (a failure is reported, kept and retried).

A failure at 3 leaves the digest state where it was, so the next digest reports the same
signers; a failure at 4 is repaired by the next run, which reads the tab it wrote.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pandas as pd

from sync import curate, outputs, review, signer_ids
from sync import digest as digests
from sync.backends import Book, TabWrite, open_source, open_target
from sync.config import JobConfig
from sync.delivery import deliver_pending
from sync.errors import SourceError, StageError, SyncError
from sync.fields import FIELDS, map_headers
from sync.normalize import normalize_responses
from sync.render.letter import LETTER_COLUMNS, letter_list, letter_rows
from sync.runlock import job_lock
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
    html_file: Path | None = None
    letter_file: Path | None = None
    messages: list[str] = field(default_factory=list)

    @property
    def needs_review(self) -> int:
        return int((self.curated["Status"] == "Needs review").sum())

    def count(self, kind: str) -> int:
        return int((self.curated["Type"] == kind).sum())


@dataclass(frozen=True)
class Inputs:
    source: pd.DataFrame
    curated: pd.DataFrame | None
    letter: pd.DataFrame | None = None


def job_clock(job: JobConfig) -> Clock:
    zone = ZoneInfo(job.schedule.timezone)
    return lambda: dt.datetime.now(zone)


def run_job(job: JobConfig, *, with_digest: bool = False, dry_run: bool = False,
            clock: Clock | None = None, source: Book | None = None,
            target: Book | None = None, wait: float = 0.0) -> RunResult:
    """Sync one job (and, with `with_digest`, publish its digest). `dry_run` writes nothing.

    `source` and `target` default to the job's own backends; tests and tools pass others.
    The job's lock is held for the whole run: another run of the same job already going
    refuses this one at once (`wait=0`, manual commands) or after `wait` seconds.
    """
    clock = clock or job_clock(job)
    kind = "digest" if with_digest else "run"
    with job_lock(job.name, job.state_path, kind=kind, at=clock(), wait=wait):
        return _locked_run(job, with_digest, dry_run, clock, source, target)


def _locked_run(job: JobConfig, with_digest: bool, dry_run: bool, clock: Clock,
                source: Book | None, target: Book | None) -> RunResult:
    state = State(job.state_path)
    kind = "digest" if with_digest else "run"
    run_id = None if dry_run else state.start_run(kind, clock())
    try:
        source = source or open_source(job.source)
        # One book for both ends when they share a spreadsheet: the Google backend then
        # fetches the spreadsheet's metadata once per run.
        target = target or (source if job.same_book else open_target(job.target))
        result = _run(job, state, with_digest, dry_run, clock, source, target)
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
            "organizations": result.count(curate.ORGANIZATION),
            "individuals": result.count(curate.INDIVIDUAL),
        }, message="; ".join(result.messages))
    return result


def _stage(job: JobConfig, name: str, work: Callable[[], T]) -> T:
    """Run one stage; an unexpected exception is reported with the stage's name."""
    try:
        return work()
    except SyncError:
        raise
    except Exception as exc:
        raise StageError(job.name, name, exc) from exc


def _run(job: JobConfig, state: State, with_digest: bool, dry_run: bool, clock: Clock,
         source: Book, target: Book) -> RunResult:
    inputs = _stage(job, "read", lambda: read_inputs(job, source, target))
    responses = _stage(job, "map headers", lambda: mapped_responses(job, inputs.source, source))
    log.info("read %d responses from %s", len(responses), source.description)
    clean = _stage(job, "normalize", lambda: normalize_responses(responses))
    review.check_curated_tab(inputs.curated, job.target.curated_tab)
    signers, skipped = _stage(
        job, "curate", lambda: curate.build_signers(clean, job.published, us_only=job.us_only)
    )
    tab_ids = [] if inputs.curated is None or inputs.curated.empty else [
        str(i).strip() for i in inputs.curated["Signer ID"] if str(i).strip()
    ]
    remembered = state.decisions()
    registry = {**signer_ids.registry_from_tab(inputs.curated), **state.registry()}
    assignment = signer_ids.assign_ids(signers, registry, set(tab_ids))
    signers["Signer ID"] = assignment.ids
    signers = curate.flag_possible_duplicates(signers)
    curated = review.merge_decisions(signers, tab_ids, review.decisions_from_tab(inputs.curated),
                                     remembered, assignment.merged)
    new_signers = len(set(curated["Signer ID"]) - set(tab_ids))

    result = RunResult(job.name, len(responses), skipped, curated, new_signers, wrote=False)
    writes: list[TabWrite] = []
    table = curated_table(curated)
    if not _same_table(inputs.curated, table):
        writes.append(TabWrite(job.target.curated_tab, list(curate.CURATED_COLUMNS), table,
                               keep_columns=curate.REVIEWER_COLUMNS))
    letter = letter_list(curated)
    if not _same_rows(inputs.letter, LETTER_COLUMNS, letter_rows(letter)):
        writes.append(TabWrite(job.target.letter_tab, list(LETTER_COLUMNS), letter_rows(letter)))
    if with_digest:
        last = state.last_digest()
        result.digest = digests.build_digest(
            curated, state.digest_snapshot(), clock(), last.digest_at if last else None,
            len(skipped), previous_totals=last.counts if last else None,
            published=job.published)
        writes.append(TabWrite(job.target.digest_tab, list(digests.DIGEST_COLUMNS),
                               [result.digest.tab_row()], append=True))
    if dry_run:
        return result
    mail = None
    digest = result.digest
    if digest is not None:
        rendered = _stage(job, "render digest", lambda: outputs.render_digest(job, digest))
        result.digest_file, result.html_file = outputs.write_digest_files(job, digest, rendered)
        if job.email is not None:
            mail = outputs.digest_email(job, digest, rendered, letter).as_bytes()
    result.letter_file = outputs.write_letter_file(job, letter)
    if writes:
        log.info("writing %s to %s", ", ".join(repr(w.tab) for w in writes), target.description)
        target.write(writes)
        result.wrote = True
    else:
        log.info("curated tab %r is up to date; nothing to write", job.target.curated_tab)
    state.save_curation(assignment.registry, _decisions(curated))
    if result.digest is not None:
        state.commit_digest(
            DigestRecord(result.digest.at, result.digest.since, result.digest.summary,
                         result.digest.counts), curated, mail)
    result.messages += deliver_pending(job, state, clock())
    return result


def read_inputs(job: JobConfig, source: Book, target: Book) -> Inputs:
    """Source and curated tabs, in one read when they share a spreadsheet."""
    curated_tab, letter_tab = job.target.curated_tab, job.target.letter_tab
    if job.same_book:
        tabs = source.read([job.source.tab, curated_tab, letter_tab])
        frame, curated, letter = tabs[job.source.tab], tabs[curated_tab], tabs[letter_tab]
    else:
        frame = source.read([job.source.tab])[job.source.tab]
        tabs = target.read([curated_tab, letter_tab])
        curated, letter = tabs[curated_tab], tabs[letter_tab]
    if frame is None:
        raise SourceError(f"tab {job.source.tab!r} not found in {source.description}; tabs "
                          f"there: {', '.join(source.tab_names()) or 'none'}")
    return Inputs(frame, curated, letter)


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
    return [[int(v) if column == "Responses" else str(v) for column, v in zip(table.columns, row,
                                                                                strict=True)]
            for row in table.itertuples(index=False, name=None)]


def _same_table(existing: pd.DataFrame | None, rows: list[list[str | int]]) -> bool:
    return _same_rows(existing, curate.CURATED_COLUMNS, rows)


def _same_rows(existing: pd.DataFrame | None, columns: tuple[str, ...],
               rows: list[list[str | int]]) -> bool:
    if existing is None or list(existing.columns) != list(columns):
        return False
    return existing.astype(str).values.tolist() == [[str(v) for v in row] for row in rows]


def _decisions(curated: pd.DataFrame) -> dict[str, review.Decision]:
    return {
        signer_id: review.Decision(listed, status, note, default)
        for signer_id, listed, status, note, default in zip(
            curated["Signer ID"], curated["Listed As"], curated["Status"],
            curated["Reviewer Note"], curated["_default"], strict=True)
    }

