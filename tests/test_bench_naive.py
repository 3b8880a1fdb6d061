"""The benchmark's naive reference: each gspread call it counts is one request the Sheets
API would receive."""

from __future__ import annotations

from bench.naive import OPEN_REQUESTS, check_against_fake, naive_requests


def test_counted_calls_are_the_requests_the_fake_server_receives() -> None:
    counted, received = check_against_fake([[f"ID-{i}", "Name", "x"] for i in range(12)])
    assert counted == received
    assert received > 2 * 12  # per signer, not per run


def test_a_rerun_reads_every_signer_and_writes_only_the_changed_and_new() -> None:
    before = {f"ID-{i}": [f"ID-{i}", "a"] for i in range(10)}
    after = {**before, "ID-3": ["ID-3", "b"], "ID-10": ["ID-10", "new"]}
    assert naive_requests(before, {}) == OPEN_REQUESTS + 10
    assert naive_requests(after, before) == OPEN_REQUESTS + 10 + 1 + 1
