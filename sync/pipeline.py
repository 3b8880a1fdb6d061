"""One run of a job, wiring the stages: read → map headers → normalize → curate → write.

Everything the run needs is read in one batch per spreadsheet and written in one batch.
The order of side effects is what makes a failed run harmless:

1. read (source tab, curated tab) — nothing changes;
2. compute everything in memory — nothing changes;
3. (digest runs) record the digest as pending, with its email; write its Markdown and HTML
   files and the letter list file; then the curated tab, the Letter List tab and the digest
   row in one write;
4. remember Signer IDs and decisions, then (digest runs) advance the digest state, putting
   the digest's email in the outbox in the same transaction;
5. send the emails waiting in the outbox (a failure is reported, kept and retried).

A failure at 3 leaves the digest state where it was, so the next digest reports the same
signers (the next run removes the unpublished Markdown file); a failure at 4 is repaired by
the next run, which reads the tab it wrote and, finding the pending digest's row there,
commits that digest instead of appending it again (see `resolve_pending_digest`).
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pandas as pd

from sync import cells, curate, frames, outputs, review, signer_ids, tabs
from sync import digest as digests
from sync.backends import Book, TabWrite, open_source, open_target
from sync.config import ALIASES_TAB, JobConfig
from sync.delivery import deliver_pending
from sync.errors import ConfigError, HeaderError, StageError, SyncError
from sync.fields import FIELDS, map_headers, pick_repeated, unmapped
from sync.normalize import clear_caches, normalize_responses
from sync.normalize.times import timestamp_problem
from sync.render.letter import LETTER_COLUMNS, LetterList, letter_list, letter_rows
from sync.runlock import job_lock
from sync.state import DigestRecord, PendingDigest, State

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
    timings: dict[str, float] = field(default_factory=dict)  # stage → seconds

    @property
    def needs_review(self) -> int:
        return int(curate.counts_as_needing_review(self.curated["Status"]).sum())

    def count(self, kind: str) -> int:
        return int((self.curated["Type"] == kind).sum())


@dataclass(frozen=True)
class Inputs:
    source: pd.DataFrame
    curated: pd.DataFrame | None
    letter: pd.DataFrame | None = None
    digest: pd.DataFrame | None = None  # read only when a pending digest needs checking
    aliases: pd.DataFrame | None = None


def job_clock(job: JobConfig) -> Clock:
    zone = ZoneInfo(job.schedule.timezone)
    return lambda: dt.datetime.now(zone)


def run_job(job: JobConfig, *, with_digest: bool = False, dry_run: bool = False,
            clock: Clock | None = None, source: Book | None = None,
            target: Book | None = None, state: State | None = None,
            wait: float = 0.0) -> RunResult:
    """Sync one job (and, with `with_digest`, publish its digest). `dry_run` writes nothing.

    `source`, `target` and `state` default to the job's own; tests and tools pass others.
    The job's lock is held for the whole run: another run of the same job already going
    refuses this one at once (`wait=0`, manual commands) or after `wait` seconds.
    """
    clock = clock or job_clock(job)
    kind = "digest" if with_digest else "run"
    with job_lock(job.name, job.state_path, kind=kind, at=clock(), wait=wait), \
            _collector_paused():
        return _locked_run(job, with_digest, dry_run, clock, source, target,
                           state or State(job.state_path))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for one run.

    A run builds millions of small objects (one per cell) and keeps most of them until it
    ends; the collector's full passes kept re-scanning all of them, a third of the curate
    stage's time at 100,000 responses. What a run throws away is freed by reference
    counting; the few cycles it leaves are collected once, right after it.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


def _locked_run(job: JobConfig, with_digest: bool, dry_run: bool, clock: Clock,
                source: Book | None, target: Book | None, state: State) -> RunResult:
    kind = "digest" if with_digest else "run"
    run_id = None if dry_run else state.start_run(kind, clock())
    try:
        # One book for both ends when they share a spreadsheet, whichever end was given:
        # the Google backend then fetches the spreadsheet's metadata once per run, and
        # writes knowing what the run read.
        if job.same_book:
            source = source or target
        source = source or open_source(job.source)
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


@dataclass(frozen=True)
class Curation:
    """What the curate stage decided, and what it needs to remember once it is written."""

    curated: pd.DataFrame
    skipped: list[curate.Skipped]
    assignment: signer_ids.Assignment
    tab_ids: list[str]
    stored_registry: dict[str, str]
    remembered: dict[str, review.Decision]
    reading: review.Reading


def _run(job: JobConfig, state: State, with_digest: bool, dry_run: bool, clock: Clock,
         source: Book, target: Book) -> RunResult:
    timings: dict[str, float] = {}
    pending = None if dry_run else state.pending_digest()
    inputs = _stage(job, "read", lambda: read_inputs(job, source, target,
                                                     with_digest_tab=pending is not None),
                    timings)
    if inputs.curated is None:
        tabs.check_curated_not_renamed(job, target)
    if pending is not None:
        resolve_pending_digest(state, pending, inputs.digest)
    mapping = _stage(job, "map headers", lambda: header_mapping(job, inputs.source, source),
                     timings)
    responses, cut = _stage(job, "map headers",
                            lambda: mapped_responses(job, inputs.source, source, mapping),
                            timings)
    log.info("read %d responses from %s", len(responses), source.description)
    aliases = {**job.aliases, **aliases_from_tab(inputs.aliases, job, target)}
    clean = _stage(job, "normalize", partial(normalize_responses, responses, aliases,
                                             job.schedule.timezone), timings)
    problem = timestamp_problem(responses["submitted_at"], clean["submitted_at"],
                                mapping.get("submitted_at", ""))
    if problem:
        raise ConfigError(f"{source_where(job, source)}: {problem}")
    clear_caches()  # ~1.2 GB at 1M responses; the stages after this barely use them
    # Each frame is let go once the next stage has what it needs: at 1M responses the
    # tab as read and as mapped hold ~0.3 GB, the clean responses ~0.5 GB.
    answered = len(responses)
    inputs = replace(inputs, source=pd.DataFrame())
    del responses
    review.check_curated_tab(inputs.curated, job.target.curated_tab)
    curation = _curate(job, state, inputs, clean, timings)
    del clean
    curated = curation.curated
    result = RunResult(job.name, answered, curation.skipped, curated,
                       len(set(curated["Signer ID"]) - set(curation.tab_ids)), wrote=False,
                       messages=cut, timings=timings)
    for message in curation.reading.messages(job.target.curated_tab):
        log.warning("%s: %s", job.name, message)
        result.messages.append(message)
    write_started = time.perf_counter()
    letter = letter_list(curated)
    writes = _tab_writes(job, inputs, curated, letter, result)
    if with_digest:
        last = state.last_digest()
        result.digest = digests.build_digest(
            curated, state.digest_snapshot(), clock(), last.digest_at if last else None,
            len(curation.skipped), _skip_reasons(curation.skipped),
            previous_totals=last.counts if last else None, published=job.published)
        writes.append(TabWrite(job.target.digest_tab, list(digests.DIGEST_COLUMNS),
                               [result.digest.tab_row()], append=True))
    if not dry_run:
        _publish(job, state, target, writes, curation, letter, result, clock)
    timings["write"] = time.perf_counter() - write_started
    clear_caches()  # what the stages after normalize cached: the worker's next run starts lean
    return result


def _curate(job: JobConfig, state: State, inputs: Inputs, clean: pd.DataFrame,
            timings: dict[str, float]) -> Curation:
    """Signers with their Signer IDs and the reviewers' decisions merged back."""
    signers, skipped = _stage(
        job, "curate", lambda: curate.build_signers(clean, job.published, us_only=job.us_only),
        timings)
    with _timed(timings, "ids and decisions"):
        return _identify(state, inputs, signers, skipped)


def _identify(state: State, inputs: Inputs, signers: pd.DataFrame,
              skipped: list[curate.Skipped]) -> Curation:
    tab_ids = [] if inputs.curated is None or inputs.curated.empty else [
        str(i).strip() for i in inputs.curated["Signer ID"].tolist() if str(i).strip()
    ]
    remembered = state.decisions()
    stored = state.registry()
    registry = {**signer_ids.registry_from_tab(inputs.curated), **stored}
    assignment = signer_ids.assign_ids(signers, registry, set(tab_ids))
    signers["Signer ID"] = assignment.ids
    signers = curate.flag_possible_duplicates(signers)
    curated, reading = review.merge_decisions(
        signers, tab_ids, review.decisions_from_tab(inputs.curated), remembered,
        assignment.merged)
    return Curation(curated, skipped, assignment, tab_ids, stored, remembered, reading)


def _tab_writes(job: JobConfig, inputs: Inputs, curated: pd.DataFrame, letter: LetterList,
                result: RunResult) -> list[TabWrite]:
    """The curated and Letter List tabs, each only when it changed."""
    writes: list[TabWrite] = []
    header, table = curated_table(curated, inputs.curated)
    limit = cells.cell_limit(job.target.kind)
    result.messages += [f"{job.name}: {message}" for message in
                        cells.cut_cells(header, table, job.target.curated_tab, limit)]
    if not _same_rows(inputs.curated, header, table):
        writes.append(TabWrite(job.target.curated_tab, header, table,
                               keep_columns=curate.REVIEWER_COLUMNS, read_as=inputs.curated))
    printed = letter_rows(letter)
    cells.cut_cells(list(LETTER_COLUMNS), printed, job.target.letter_tab, limit)  # as above
    if not _same_rows(inputs.letter, LETTER_COLUMNS, printed):
        writes.append(TabWrite(job.target.letter_tab, list(LETTER_COLUMNS), printed))
    return writes


def _publish(job: JobConfig, state: State, target: Book, writes: list[TabWrite],
             curation: Curation, letter: LetterList, result: RunResult, clock: Clock) -> None:
    """Every side effect of a run, in the order the module docstring gives."""
    curated, digest, mail = curation.curated, result.digest, None
    if digest is not None:
        path = digest_file_path(job, digest)
        rendered = _stage(job, "render digest", lambda: outputs.render_digest(job, digest),
                          result.timings)
        mail = (outputs.digest_email(job, digest, rendered, letter).as_bytes()
                if job.email is not None else None)
        state.begin_digest(_digest_record(digest), curated, _row_text(digest.tab_row()),
                           str(path), mail)
        result.digest_file, result.html_file = _stage(
            job, "write digest files", lambda: outputs.write_digest_files(path, rendered),
            result.timings)
    result.letter_file = outputs.write_letter_file(job, letter)
    if writes:
        log.info("writing %s to %s", ", ".join(repr(w.tab) for w in writes), target.description)
        target.write(writes)
        result.wrote = True
    else:
        log.info("curated tab %r is up to date; nothing to write", job.target.curated_tab)
    state.save_curation(_changed(curation.assignment.registry, curation.stored_registry),
                        _changed(_decisions(curated), curation.remembered))
    if digest is not None:
        state.commit_digest(_digest_record(digest), curated, mail)
    result.messages += deliver_pending(job, state, clock())


def _skip_reasons(skipped: list[curate.Skipped]) -> dict[str, list[int]]:
    reasons: dict[str, list[int]] = {}
    for skip in skipped:
        reasons.setdefault(skip.reason, []).append(skip.row)
    return reasons


def _digest_record(digest: digests.Digest) -> DigestRecord:
    return DigestRecord(digest.at, digest.since, digest.summary, digest.counts)


def _row_text(row: list[str | int]) -> list[str]:
    return [str(v) for v in row]


def resolve_pending_digest(state: State, pending: PendingDigest,
                           digest_tab: pd.DataFrame | None) -> None:
    """Settle a digest an earlier run started but did not commit.

    Its row in the digest tab means the write landed and only the commit was lost: commit
    it now, so its signers are not reported (nor its row appended) a second time. No row
    means nobody saw it: drop it and its Markdown file, and the next digest reports them.
    """
    rows = [] if digest_tab is None else digest_tab.astype(str).values.tolist()
    if pending.tab_row in rows:
        log.info("the digest of %s was written but not recorded; recording it now",
                 pending.record.digest_at.isoformat(sep=" ", timespec="minutes"))
        state.commit_pending()
        return
    state.drop_pending()
    if pending.file:
        for path in outputs.digest_file_pair(Path(pending.file)):
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("could not remove the unpublished digest file %s (%s)", path,
                            exc.strerror or exc)


def read_inputs(job: JobConfig, source: Book, target: Book, *,
                with_digest_tab: bool = False) -> Inputs:
    """Source, curated, Letter List and Aliases tabs (and the digest tab if asked), in one
    read per spreadsheet."""
    curated_tab, digest_tab = job.target.curated_tab, job.target.digest_tab
    target_tabs = [curated_tab, job.target.letter_tab, ALIASES_TAB]
    if with_digest_tab:
        target_tabs.append(digest_tab)
    if job.same_book:
        read = source.read([job.source.tab, *target_tabs])
        frame = read[job.source.tab]
    else:
        frame = source.read([job.source.tab])[job.source.tab]
        read = target.read(target_tabs)
    if frame is None:
        raise tabs.missing_source_tab(job, source)
    return Inputs(frame, read[curated_tab], read[job.target.letter_tab],
                  read.get(digest_tab) if with_digest_tab else None, read[ALIASES_TAB])


def aliases_from_tab(tab: pd.DataFrame | None, job: JobConfig, target: Book) -> dict[str, str]:
    """The optional `Aliases` tab staff keep in the target spreadsheet: `Variant` →
    `Canonical` organization names. Rows missing either are ignored."""
    if tab is None or (tab.empty and not len(tab.columns)):
        return {}
    columns = {str(c).strip().casefold(): c for c in tab.columns}
    if "variant" not in columns or "canonical" not in columns:
        raise HeaderError(
            f"{job.name}: tab {ALIASES_TAB!r} in {target.description} needs the columns "
            f"'Variant' and 'Canonical' (headers found: "
            f"{', '.join(repr(str(c)) for c in tab.columns) or 'none'})")
    pairs = zip(tab[columns["variant"]].fillna("").astype(str),
                tab[columns["canonical"]].fillna("").astype(str), strict=True)
    return {v.strip(): c.strip() for v, c in pairs if v.strip() and c.strip()}


def source_where(job: JobConfig, source: Book) -> str:
    """How a message names the responses: the job, and the file (csv) or the tab in it."""
    if job.source.kind == "csv":
        return f"{job.name}: {source.description}"
    return f"{job.name}: tab {job.source.tab!r} in {source.description}"


def header_mapping(job: JobConfig, frame: pd.DataFrame, source: Book) -> dict[str, str]:
    """{field: header} of the source tab (HeaderError when a required question is missing);
    of repeated columns for one question, the one with answers. Each field without a column
    is logged once, with the `[fields]` line that maps it."""
    where = source_where(job, source)
    headers = list(frame.columns)
    mapping = pick_repeated(frame, map_headers(headers, job.fields, where=where), job.fields,
                            where=where)
    for missing in unmapped(headers, mapping, job.fields):
        log.warning("%s: %s", where, missing)
    return mapping


def mapped_responses(job: JobConfig, frame: pd.DataFrame, source: Book,
                     mapping: dict[str, str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The source tab with canonical field names; blank rows dropped, absent fields blank,
    answers too long for a cell of the target cut (with a message per column)."""
    if mapping is None:
        mapping = header_mapping(job, frame, source)
    responses = pd.DataFrame(index=frame.index)
    for name in FIELDS:
        responses[name] = frame[mapping[name]].fillna("").astype(str) if name in mapping else ""
    cut = cells.cut_answers(responses, {name: mapping[name] for name in FIELDS if name in mapping},
                            cells.cell_limit(job.target.kind), source_where(job, source))
    typed = responses.drop(columns="submitted_at").apply(lambda c: c.str.strip() != "")
    return responses[typed.any(axis=1)], cut


def curated_table(curated: pd.DataFrame, existing: pd.DataFrame | None = None
                  ) -> tuple[list[str], list[list[str | int]]]:
    """The curated tab's header and rows: the contract's columns, then any columns staff
    added (values carried by Signer ID), then any rows staff typed without a Signer ID."""
    extra = review.staff_columns(existing)
    carried = review.staff_values(existing, extra)
    table = review.public_columns(curated)
    columns = [[int(v) for v in table[name].tolist()] if name == "Responses"
               else [str(v) for v in table[name].tolist()] for name in table.columns]
    blank = [""] * len(extra)
    rows: list[list[str | int]] = [
        [*row, *carried.get(str(row[0]), blank)] for row in zip(*columns, strict=True)
    ]
    header = [*curate.CURATED_COLUMNS, *extra]
    rows += review.staff_rows(existing, header)
    return header, rows


def _same_rows(existing: pd.DataFrame | None, header: list[str] | tuple[str, ...],
               rows: list[list[str | int]]) -> bool:
    if existing is None or list(existing.columns) != list(header):
        return False
    if len(existing) != len(rows):
        return False
    return all(  # column by column: stops at the first that differs
        list(map(str, existing[name].tolist())) == list(map(str, map(itemgetter(index), rows)))
        for index, name in enumerate(existing.columns)
    )


def _changed(new: dict[str, T], old: dict[str, T]) -> dict[str, T]:
    """The entries of `new` the state does not hold yet: a big sheet's hourly run then
    writes a handful of rows to the state file instead of every signer again."""
    return {key: value for key, value in new.items() if old.get(key) != value}


def _decisions(curated: pd.DataFrame) -> dict[str, review.Decision]:
    return {
        signer_id: review.Decision(listed, status, note, default)
        for signer_id, listed, status, note, default in frames.rows(
            curated, "Signer ID", "Listed As", "Status", "Reviewer Note", "_default")
    }


def digest_file_path(job: JobConfig, digest: digests.Digest) -> Path:
    """Where to save this digest: a second digest in the same minute never overwrites the
    first (`NAME-2021-11-01-0900-2.md`)."""
    stem = f"{job.name}-{digest.at:%Y-%m-%d-%H%M}"
    path, number = job.digest_dir / f"{stem}.md", 1
    while outputs.taken(path):
        number += 1
        path = job.digest_dir / f"{stem}-{number}.md"
    return path
