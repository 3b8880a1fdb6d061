"""Staff edit the curated tab in ways nobody planned: the next run adapts, or stops with a
message naming the tab and column; it never scrambles or drops reviewer decisions."""

from __future__ import annotations

from typing import Any

import pytest

from sync.errors import HeaderError
from tests.conftest import response
from tests.harness import at, count, run

CURATED = "Curated Signers"
FIRST = [
    response(submitted_at="10/20/2021 10:00:00", email="a@sunrise.example",
             organization="Sunrise Movement", scope="National", authorized="Yes"),
    response(submitted_at="10/21/2021 10:00:00", email="bo@example.org", first_name="Bo",
             last_name="Chen", affiliation="Teacher"),
    response(submitted_at="10/22/2021 10:00:00", email="jvp@example.org",
             organization="Jewish Voice for Peace", scope="National", authorized="Yes"),
]
LATER = [response(submitted_at="11/02/2021 10:00:00", email="ed@example.org", first_name="Ed",
                  last_name="Diaz", affiliation="Nurse")]


def rows_by_name(kit: Any) -> dict[str, dict[str, str]]:
    header, *rows = kit.tab(CURATED)
    return {row[header.index("Name")]: dict(zip(header, row, strict=True)) for row in rows}


def names(kit: Any) -> list[str]:
    header, *rows = kit.tab(CURATED)
    return [row[header.index("Name")] for row in rows]


def reviewed(kit: Any) -> Any:
    """A first run, then a reviewer's decisions on every signer, then a run that sees them."""
    job = kit.job(FIRST)
    run(job, clock=lambda: at(1))
    for index, name in enumerate(names(kit)):
        kit.edit(CURATED, index, "Reviewer Note", f"note on {name}")
    kit.edit(CURATED, names(kit).index("Sunrise Movement"), "Status", "Excluded")
    kit.edit(CURATED, names(kit).index("Bo Chen"), "Listed As", "Rev. Bo Chen")
    run(job, clock=lambda: at(1, 10))
    return job


def assert_decisions_kept(kit: Any) -> None:
    table = rows_by_name(kit)
    for name in ("Sunrise Movement", "Bo Chen", "Jewish Voice for Peace"):
        assert table[name]["Reviewer Note"] == f"note on {name}"
    assert table["Sunrise Movement"]["Status"] == "Excluded"
    assert table["Bo Chen"]["Listed As"] == "Rev. Bo Chen"
    assert table["Jewish Voice for Peace"]["Status"] == "Approved"


def test_a_deleted_row_comes_back_with_its_decisions(backend: Any) -> None:
    count("staff edits")
    reviewed(backend)
    backend.delete_row(CURATED, names(backend).index("Sunrise Movement"))
    assert "Sunrise Movement" not in names(backend)

    run(backend.job(FIRST + LATER), clock=lambda: at(2))

    assert_decisions_kept(backend)
    assert names(backend)[-2:] == ["Sunrise Movement", "Ed Diaz"]


def test_a_sorted_tab_keeps_its_order_and_decisions(backend: Any) -> None:
    count("staff edits")
    reviewed(backend)
    backend.sort(CURATED, "Name", reverse=True)
    order = names(backend)

    run(backend.job(FIRST + LATER), clock=lambda: at(2))

    assert names(backend) == [*order, "Ed Diaz"]
    assert_decisions_kept(backend)


def test_an_inserted_staff_column_is_kept_with_its_values(backend: Any) -> None:
    count("staff edits")
    reviewed(backend)
    calls = {name: f"called {name}" for name in names(backend)}
    backend.insert_column(CURATED, "Listed As", "Called?", [calls[n] for n in names(backend)])

    run(backend.job(FIRST + LATER), clock=lambda: at(2))

    table = rows_by_name(backend)
    assert_decisions_kept(backend)
    assert {n: table[n]["Called?"] for n in calls} == calls
    assert table["Ed Diaz"]["Called?"] == ""
    assert backend.tab(CURATED)[0][-1] == "Called?"  # moved after the tool's columns
    assert not run(backend.job(FIRST + LATER), clock=lambda: at(3)).wrote  # then stable


def test_a_hidden_column_stays_hidden_and_right(backend: Any) -> None:
    count("staff edits")
    reviewed(backend)
    backend.hide_column(CURATED, "Email")

    run(backend.job(FIRST + LATER), clock=lambda: at(2))

    assert backend.is_hidden(CURATED, "Email")
    assert rows_by_name(backend)["Ed Diaz"]["Email"] == "ed@example.org"
    assert_decisions_kept(backend)


def test_rows_typed_without_a_signer_id_are_kept_below_the_signers(backend: Any) -> None:
    count("staff edits")
    reviewed(backend)
    below = len(names(backend))
    backend.edit(CURATED, below, "Name", "Added by hand: Harbor Union")
    backend.edit(CURATED, below, "Reviewer Note", "phoned in, no form")

    run(backend.job(FIRST + LATER), clock=lambda: at(2))

    assert names(backend)[-2:] == ["Ed Diaz", "Added by hand: Harbor Union"]
    assert rows_by_name(backend)["Added by hand: Harbor Union"]["Reviewer Note"] == (
        "phoned in, no form")
    assert_decisions_kept(backend)


@pytest.mark.parametrize("column", ["Signer ID", "Listed As", "Status", "Reviewer Note"])
def test_a_renamed_key_column_stops_the_run_naming_tab_and_column(
    backend: Any, column: str
) -> None:
    count("staff edits")
    job = reviewed(backend)
    backend.rename(CURATED, column, f"{column} (old)")
    before = backend.snapshot()

    with pytest.raises(HeaderError) as stopped:
        run(backend.job(FIRST + LATER), clock=lambda: at(2))

    assert f"tab {CURATED!r} has no column {column!r}" in str(stopped.value)
    assert f"'{column} (old)'" in str(stopped.value)
    assert backend.snapshot() == before
    backend.rename(CURATED, f"{column} (old)", column)
    run(job, clock=lambda: at(3))
    assert_decisions_kept(backend)


def test_a_renamed_tool_column_is_kept_as_staff_data_and_rewritten(backend: Any) -> None:
    count("staff edits")
    reviewed(backend)
    backend.rename(CURATED, "Flags", "Why flagged")

    run(backend.job(FIRST + LATER), clock=lambda: at(2))

    header = backend.tab(CURATED)[0]
    assert "Flags" in header and header[-1] == "Why flagged"
    assert_decisions_kept(backend)


def test_decisions_survive_the_state_file_being_lost(backend: Any) -> None:
    count("staff edits")
    job = reviewed(backend)
    job.state_path.unlink()

    run(backend.job(FIRST + LATER), clock=lambda: at(2))

    assert_decisions_kept(backend)
