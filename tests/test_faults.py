"""Faults at every step boundary of a run: the runs after it converge on what a fault-free
sequence gives (same curated tab, every signer reported new exactly once, reviewer
decisions kept).

The boundaries, in the order a run crosses them (sync/pipeline.py): after the read;
recording the digest as pending; saving the digest file; before the write (the digest file
is already saved); after the write (the curated tab and digest row landed, the answer was
lost); before the IDs and decisions are saved; before the digest state is committed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sync.errors import SyncError
from sync.state import State
from tests.conftest import response
from tests.harness import (
    FaultyBook,
    FaultyState,
    InjectedFault,
    at,
    count,
    reported_new,
    run,
)

CURATED, DIGEST = "Curated Signers", "Signer Digest"

BATCHES = [
    [
        response(submitted_at="10/20/2021 10:00:00", email="a@sunrise.example",
                 organization="Sunrise Movement", scope="National", authorized="Yes"),
        response(submitted_at="10/20/2021 11:00:00", email="bo@example.org", first_name="Bo",
                 last_name="Chen", affiliation="Teacher"),
    ],
    [
        # not yet confirmed: flagged, "Needs review" until the next batch confirms it
        response(submitted_at="10/27/2021 10:00:00", email="h1@harbor.example",
                 organization="Harbor Tenants Union", scope="Local"),
        # no email: the Signer ID rests on the name alone
        response(submitted_at="10/27/2021 11:00:00", first_name="Cy", last_name="Diaz",
                 affiliation="Nurse"),
        response(submitted_at="10/27/2021 12:00:00", email="jvp@example.org",
                 organization="Jewish Voice for Peace", scope="National", authorized="Yes"),
    ],
    [
        response(submitted_at="11/03/2021 10:00:00", email="h2@harbor.example",
                 organization="harbor tenants union", scope="Local", authorized="Yes"),
        response(submitted_at="11/03/2021 11:00:00", email="fay@example.org",
                 first_name="Fay", last_name="Gold", affiliation="Librarian"),
    ],
]

# boundary → how to make one run fail there
FAULTS = ("after read", "recording the digest", "digest file", "before write", "after write",
          "before saving decisions", "before digest commit")
FAULT_STEP = 1  # the middle batch: a reviewer has already edited the tab by then

# Faults only a remote spreadsheet has, armed on the fake Sheets server (tests/harness.py
# GoogleKit) for the middle run: fault → (FakeSheetsServer.fail arguments, whether the run
# recovers by itself). The retry policy makes 5 attempts, so times=5 exhausts it.
REMOTE_FAULTS: dict[str, tuple[dict[str, Any], bool]] = {
    "write refused until retries run out":
        ({"status": 500, "times": 5, "operation": "values.batchUpdate"}, False),
    "write landed, every answer lost":
        ({"status": 500, "times": 5, "operation": "values.batchUpdate", "after_apply": True},
         False),
    "write landed, one answer lost":
        ({"status": 500, "times": 1, "operation": "values.batchUpdate", "after_apply": True},
         True),
    "rate limited twice on the read":
        ({"status": 429, "times": 2, "operation": "values.batchGet"}, True),
    "rate limited until retries run out":
        ({"status": 429, "times": 5, "operation": "values.batchGet"}, False),
    "proxy's HTML 502 on the write":
        ({"status": 502, "times": 1, "operation": "values.batchUpdate"}, True),
    "proxy's HTML 502 until retries run out":
        ({"status": 502, "times": 5, "operation": "spreadsheets.get"}, False),
}


def _remote_faulty_run(kit: Any, job: Any, fault: str, clock: dt.datetime) -> None:
    rule, recovers = REMOTE_FAULTS[fault]
    kit.server.reset_requests()
    kit.server.fail(**rule)
    count("faults injected")
    try:
        if recovers:
            assert run(job, with_digest=True, clock=lambda: clock).wrote
        else:
            with pytest.raises(SyncError):
                run(job, with_digest=True, clock=lambda: clock)
    finally:
        kit.server.clear_faults()
    assert kit.server.count(status=rule["status"]) == rule["times"]


def _faulty_run(kit: Any, job: Any, fault: str, clock: dt.datetime, folder: Path) -> None:
    if fault in REMOTE_FAULTS:
        _remote_faulty_run(kit, job, fault, clock)
        return
    kwargs: dict[str, Any] = {"with_digest": True, "clock": lambda: clock}
    if fault == "after read":
        kwargs["target"] = FaultyBook(kit.book(), "read")
    elif fault == "before write":
        kwargs["target"] = FaultyBook(kit.book(), "write-before")
    elif fault == "after write":
        kwargs["target"] = FaultyBook(kit.book(), "write-after")
    elif fault == "recording the digest":
        kwargs["state"] = FaultyState(job.state_path, "begin_digest")
    elif fault == "before saving decisions":
        kwargs["state"] = FaultyState(job.state_path, "save_curation")
    elif fault == "before digest commit":
        kwargs["state"] = FaultyState(job.state_path, "commit_digest")
    else:
        blocker = folder / "not-a-folder"
        blocker.write_text("a file where the digest folder should be")
        job = dataclasses.replace(job, digest_dir=blocker / "digests")
        count("faults injected")
    with pytest.raises((InjectedFault, SyncError)):
        run(job, **kwargs)


def _review(kit: Any) -> None:
    """A reviewer excludes one signer and annotates another."""
    names = [row[2] for row in kit.tab(CURATED)[1:]]
    kit.edit(CURATED, names.index("Sunrise Movement"), "Status", "Excluded")
    kit.edit(CURATED, names.index("Bo Chen"), "Reviewer Note", "called to confirm")


def play(kit: Any, folder: Path, fault: str | None = None,
         recovery: str = "retry") -> dict[str, Any]:
    """Run the batches a week apart as digests; with `fault`, the middle one first fails
    there, then is retried at once (`retry`) or never (`next`: the next week's run heals)."""
    rows: list[dict[str, str]] = []
    for step, batch in enumerate(BATCHES):
        rows += batch
        job = kit.job(rows)
        clock = at(1 + 7 * step)
        if fault and step == FAULT_STEP:
            _faulty_run(kit, job, fault, clock, folder)
            if recovery == "next":
                continue
        run(job, with_digest=True, clock=lambda c=clock: c)
        if step == 0:
            _review(kit)
    state = State(job.state_path)
    return {"curated": kit.tab(CURATED), "digest": kit.tab(DIGEST),
            "pending": state.pending_digest(),
            "new": reported_new(job.digest_dir)}


def _new_counts(digest_tab: list[list[str]]) -> list[tuple[str, str]]:
    header = digest_tab[0]
    orgs, people = header.index("New Organizations"), header.index("New Individuals")
    return [(row[orgs], row[people]) for row in digest_tab[1:]]


_CLEAN: dict[str, dict[str, Any]] = {}


def clean_play(kit: Any, folder: Path) -> dict[str, Any]:
    """The fault-free result on the kit's backend, played once per backend and session
    (it depends only on BATCHES and the clock)."""
    if kit.name not in _CLEAN:
        (folder / "clean").mkdir()
        _CLEAN[kit.name] = play(dataclasses.replace(kit, folder=folder / "clean"),
                                folder / "clean")
    return _CLEAN[kit.name]


@pytest.mark.parametrize("recovery", ["retry", "next"])
@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_at_any_boundary_converges_to_the_fault_free_result(
    backend: Any, tmp_path: Path, fault: str, recovery: str
) -> None:
    assert_converges(backend, tmp_path, fault, recovery)


@pytest.mark.parametrize("fault", REMOTE_FAULTS)
def test_a_sheets_server_fault_converges_to_the_fault_free_result(
    google_backend: Any, tmp_path: Path, fault: str
) -> None:
    """Retried in the run when it can be, else healed by the next week's run."""
    assert_converges(google_backend, tmp_path, fault, "next")


def assert_converges(backend: Any, tmp_path: Path, fault: str, recovery: str) -> None:
    clean = clean_play(backend, tmp_path)
    faulty = play(backend, tmp_path, fault, recovery)

    assert faulty["curated"] == clean["curated"]
    signers = sorted(row[2] for row in clean["curated"][1:])
    assert sorted(clean["new"]) == signers
    assert sorted(faulty["new"]) == signers  # every signer reported new exactly once
    published = [c for c in _new_counts(faulty["digest"]) if c != ("0", "0")]
    assert sum(int(o) + int(p) for o, p in published) == len(signers)
    if recovery == "retry":
        # the same digests as without the fault, plus at most an empty one
        assert published == _new_counts(clean["digest"])
    assert faulty["pending"] is None

    table = {row[2]: dict(zip(faulty["curated"][0], row, strict=True))
             for row in faulty["curated"][1:]}
    assert table["Sunrise Movement"]["Status"] == "Excluded"
    assert table["Bo Chen"]["Reviewer Note"] == "called to confirm"
    assert table["Harbor Tenants Union"]["Status"] == "Approved"  # its flag cleared in week 3


def test_a_digest_written_but_not_recorded_is_recorded_not_appended_again(
    backend: Any, tmp_path: Path
) -> None:
    job = backend.job(BATCHES[0])
    with pytest.raises(InjectedFault):
        run(job, with_digest=True, clock=lambda: at(1),
            state=FaultyState(job.state_path, "commit_digest"))
    assert len(backend.tab(DIGEST)) == 2  # header and the digest's row

    result = run(job, with_digest=True, clock=lambda: at(1, 10))

    assert result.digest is not None and result.digest.new.empty
    assert _new_counts(backend.tab(DIGEST)) == [("1", "1"), ("0", "0")]
    assert sorted(reported_new(job.digest_dir)) == ["Bo Chen", "Sunrise Movement"]


def test_a_digest_that_never_reached_the_tab_loses_its_file_and_is_reported_again(
    backend: Any, tmp_path: Path
) -> None:
    job = backend.job(BATCHES[0])
    with pytest.raises(InjectedFault):
        run(job, with_digest=True, clock=lambda: at(1),
            target=FaultyBook(backend.book(), "write-before"))
    assert len(list(job.digest_dir.glob("*.md"))) == 1  # saved before the write failed

    result = run(job, with_digest=True, clock=lambda: at(2))

    assert result.digest is not None and len(result.digest.new) == 2
    assert [p.name for p in job.digest_dir.glob("*.md")] == ["test-2021-11-02-0900.md"]
    assert _new_counts(backend.tab(DIGEST)) == [("1", "1")]


def test_a_second_digest_in_the_same_minute_keeps_the_first_file(
    backend: Any, tmp_path: Path
) -> None:
    job = backend.job(BATCHES[0])
    run(job, with_digest=True, clock=lambda: at(1))
    run(job, with_digest=True, clock=lambda: at(1))
    assert sorted(p.name for p in job.digest_dir.glob("*.md")) == [
        "test-2021-11-01-0900-2.md", "test-2021-11-01-0900.md"]
    assert sorted(reported_new(job.digest_dir)) == ["Bo Chen", "Sunrise Movement"]
