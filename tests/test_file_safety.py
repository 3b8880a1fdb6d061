"""Red-team attacks on the files signer-sync opens: links where its own files should be,
job names that climb out of the project, damaged state files, unwritable folders and tab
names a spreadsheet refuses. Each must end in a message naming the path or the tab and
exit status 2, never a traceback, and never touch a file it does not own."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sync.cli import main
from sync.config import load_job
from sync.errors import PathError, StateError
from sync.pipeline import run_job
from sync.state import State
from tests.jobs import Clock, write_job
from tests.worker_fixtures import tab_rows

ZONE = ZoneInfo("America/New_York")
MONDAY = dt.datetime(2021, 11, 8, 9, 0, tzinfo=ZONE)


def _run(job: Path, capsys: pytest.CaptureFixture[str], command: str = "run") -> tuple[int, str]:
    code = main([command, str(job)])
    return code, capsys.readouterr().err


def _precious(tmp_path: Path) -> tuple[Path, bytes]:
    """The form export: what a link planted in signer-sync's way points at."""
    path = tmp_path / "responses.csv"
    return path, path.read_bytes()


# --- links where the service's own files go --------------------------------------------

@pytest.mark.parametrize("own_file", ["state/test.sqlite.lock", "state/test.sqlite",
                                      "state/test.sqlite-journal",
                                      "out/digests/test-letter-list.txt",
                                      "out/signers.xlsx"])
def test_a_link_in_place_of_an_own_file_is_refused_and_its_target_untouched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], own_file: str) -> None:
    job = write_job(tmp_path)
    target, before = _precious(tmp_path)
    link = tmp_path / own_file
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    code, err = _run(job, capsys)
    assert code == 2
    assert f"{link} " in err and "symbolic link" in err and "Traceback" not in err
    assert target.read_bytes() == before
    assert link.is_symlink()


def test_a_link_in_place_of_the_digest_files_is_refused_before_anything_is_written(
        tmp_path: Path) -> None:
    job = load_job(write_job(tmp_path))
    target, before = _precious(tmp_path)
    digests = tmp_path / "out" / "digests"
    digests.mkdir(parents=True)
    (digests / "test-2021-11-08-0900.html").symlink_to(target)
    with pytest.raises(PathError, match=r"test-2021-11-08-0900\.html .*symbolic link") as refused:
        run_job(job, with_digest=True, clock=Clock(MONDAY))
    assert refused.value.exit_code == 2
    assert target.read_bytes() == before
    assert not (digests / "test-2021-11-08-0900.md").exists()
    assert State(job.state_path).pending_digest() is None


def test_status_refuses_a_linked_lock_file_instead_of_reading_through_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    job = write_job(tmp_path)
    assert main(["run", str(job)]) == 0
    lock = tmp_path / "state" / "test.sqlite.lock"
    lock.unlink()
    lock.symlink_to(tmp_path / "responses.csv")
    code, err = _run(job, capsys, "status")
    assert code == 2 and f"{lock} " in err and "symbolic link" in err


# --- job names ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../../x", "a/b", ".hidden", "x\\y", "x" * 101, "tab\tname"])
def test_a_job_name_that_is_not_a_safe_file_name_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    job = write_job(project)
    text = job.read_text(encoding="utf-8").replace('path = "state/test.sqlite"\n', "")
    job.write_text(text.replace('name = "test"', f"name = {json.dumps(name)}"),
                   encoding="utf-8")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, err = _run(job, capsys)
    assert code == 2
    assert "`name`" in err and "cannot be used" in err and str(job) in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert not list(tmp_path.parent.glob("x*.sqlite*"))


def test_a_job_name_in_another_script_with_spaces_is_fine(tmp_path: Path) -> None:
    job = write_job(tmp_path)
    job.write_text(job.read_text(encoding="utf-8").replace('name = "test"',
                                                           'name = "Brief für Gaza 2.0"'),
                   encoding="utf-8")
    assert load_job(job).name == "Brief für Gaza 2.0"


# --- damaged state -----------------------------------------------------------------------

def _damage(path: Path, pages: list[int]) -> None:
    """Overwrite whole pages of a real SQLite file with junk, as a failing disk would."""
    junk = random.Random(7)
    size = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as out:
        for page in pages:
            out.seek(page * size)
            out.write(junk.randbytes(size))


def _ids(workbook: Path) -> dict[str, str]:
    """Name → Signer ID (the tab's third and first columns)."""
    return {str(row[2]): str(row[0]) for row in tab_rows(workbook, "Curated Signers")}


@pytest.mark.parametrize("pages", [[0], [1], [2, 3, 4]], ids=["header", "schema", "data"])
def test_a_damaged_state_file_says_what_to_do_exits_2_and_moving_it_aside_recovers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], pages: list[int]) -> None:
    job = write_job(tmp_path)
    assert main(["digest", str(job)]) == 0
    job_config = load_job(job)
    ids = _ids(job_config.target.path)
    _damage(job_config.state_path, pages)
    capsys.readouterr()
    code, err = _run(job, capsys)
    assert code == 2
    assert f"the state file {job_config.state_path} is damaged" in err
    assert "Running again will not help. Move the file aside" in err
    assert "Signer IDs, Listed As, Status and Reviewer Note are read back" in err
    assert "database is locked" not in err and "Traceback" not in err
    job_config.state_path.rename(job_config.state_path.with_suffix(".sqlite.damaged"))
    assert main(["run", str(job)]) == 0
    assert _ids(job_config.target.path) == ids


def test_a_lock_on_a_sound_state_file_is_not_taken_for_damage(tmp_path: Path,
                                                              monkeypatch) -> None:
    """Real contention stays a retryable failure (exit 1), never reported as damage."""
    monkeypatch.setattr("sync.state.BUSY_TIMEOUT_SECONDS", 0.05)
    job = load_job(write_job(tmp_path))
    state = State(job.state_path)
    holder = sqlite3.connect(job.state_path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StateError) as failed:
            state.runs()
    finally:
        holder.rollback()
        holder.close()
    assert failed.value.exit_code == 1 and failed.value.transient
    assert "database is locked" in str(failed.value) and "damaged" not in str(failed.value)


@pytest.mark.parametrize(("table", "column", "value"), [
    ("digests", "counts", "{not json"),
    ("digests", "counts", "[1, 2]"),
    ("digests", "digest_at", "last monday"),
])
def test_a_state_row_that_no_run_wrote_is_reported_as_damage(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, column: str,
        value: str) -> None:
    job = write_job(tmp_path)
    assert main(["digest", str(job)]) == 0
    state_path = tmp_path / "state" / "test.sqlite"
    with sqlite3.connect(state_path) as db:
        db.execute(f"UPDATE {table} SET {column} = ?", (value,))
    capsys.readouterr()
    code, err = _run(job, capsys, "digest")
    assert code == 2
    assert f"the state file {state_path} is damaged (table {table} holds a value" in err
    assert "Move the file aside" in err and "Traceback" not in err


def test_a_pending_digest_row_with_bad_json_is_reported_as_damage(tmp_path: Path,
                                                                   capsys) -> None:
    job = load_job(write_job(tmp_path))
    assert main(["run", str(job.file)]) == 0
    with sqlite3.connect(job.state_path) as db:
        db.execute("INSERT INTO pending_digest (id, digest_at, tab_row) VALUES "
                   "(1, '2021-11-08T09:00:00-05:00', '[\"unterminated')")
    capsys.readouterr()
    code, err = _run(job.file, capsys)
    assert code == 2 and "table pending_digest holds a value signer-sync cannot read" in err


# --- folders that cannot be written --------------------------------------------------------

@pytest.mark.parametrize("blocked", ["out/digests", "state"])
def test_a_file_where_a_folder_should_be_is_named_with_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], blocked: str) -> None:
    job = write_job(tmp_path)
    (tmp_path / blocked).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / blocked).write_text("not a folder", encoding="utf-8")
    code, err = _run(job, capsys)
    assert code == 2
    assert f"{tmp_path / blocked} is a file, where a folder should be" in err
    assert "Traceback" not in err
    assert (tmp_path / blocked).read_text(encoding="utf-8") == "not a folder"


def _nobody() -> tuple[int, int] | None:
    try:
        import pwd
        entry = pwd.getpwnam("nobody")
    except (ImportError, KeyError):
        return None
    return entry.pw_uid, entry.pw_gid


@pytest.mark.skipif(os.geteuid() == 0 and _nobody() is None,
                    reason="as root a read-only folder needs another user to run as")
def test_a_read_only_digest_folder_is_named_with_exit_2(tmp_path_factory) -> None:
    """Root writes anywhere whatever the mode, so as root the run goes out as `nobody`."""
    folder = Path(tmp_path_factory.mktemp("readonly"))
    write_job(folder)
    digests = folder / "out" / "digests"
    digests.mkdir(parents=True)
    (folder / "state").mkdir()
    user = _nobody() if os.geteuid() == 0 else None
    for path in [folder, *folder.rglob("*")]:
        if user is not None and path != digests:
            os.chown(path, *user)
    digests.chmod(0o555)
    for parent in folder.parents:
        if user is not None and not os.access(parent, os.X_OK, effective_ids=False):
            pytest.skip(f"{parent} is closed to other users")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sync", "run", str(folder / "job.toml")],
            capture_output=True, text=True, cwd=folder, check=False,
            user=user[0] if user else None, group=user[1] if user else None,
            env={**os.environ, "HOME": str(folder)})
    except PermissionError as exc:
        pytest.skip(f"as root, and `nobody` may not run this checkout's python ({exc})")
    if "Permission denied" in done.stderr and "signer-sync:" not in done.stderr:
        pytest.skip(f"`nobody` may not read this checkout: {done.stderr[-200:]}")
    assert done.returncode == 2, done.stderr
    assert f"cannot write {digests / 'test-letter-list.txt'}" in done.stderr
    assert "may not write there" in done.stderr and "Traceback" not in done.stderr
    shutil.rmtree(folder, ignore_errors=True)


# --- tab names a spreadsheet refuses -------------------------------------------------------

@pytest.mark.parametrize(("kind", "tab", "problem"), [
    ("workbook", "Signers 2021/22", "it contains /"),
    ("workbook", "Review? [new]", "it contains ? [ ]"),
    ("workbook", "x" * 32, "32 characters long; a tab of an Excel workbook has at most 31"),
    ("google", "x" * 101, "101 characters long; a tab of a Google spreadsheet has at most 100"),
])
def test_a_tab_name_the_spreadsheet_refuses_is_named_when_the_job_is_loaded(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, tab: str,
        problem: str) -> None:
    job = write_job(tmp_path)
    target = ('[target]\nkind = "workbook"\npath = "out/signers.xlsx"\n' if kind == "workbook"
              else '[target]\nkind = "google"\nspreadsheet = "https://docs.google.com/'
                   'spreadsheets/d/abc/edit"\n')
    text = job.read_text(encoding="utf-8").replace(
        '[target]\nkind = "workbook"\npath = "out/signers.xlsx"\n',
        f"{target}curated_tab = {tab!r}\n".replace("'", '"'))
    job.write_text(text, encoding="utf-8")
    code, err = _run(job, capsys)
    assert code == 2
    assert f"[target] `curated_tab` {tab!r}" in err and problem in err
    assert not (tmp_path / "out" / "signers.xlsx").exists()


def test_the_longest_tab_names_each_spreadsheet_takes_are_accepted(tmp_path: Path) -> None:
    job = write_job(tmp_path)
    job.write_text(job.read_text(encoding="utf-8").replace(
        'path = "out/signers.xlsx"\n', f'path = "out/signers.xlsx"\ncurated_tab = "{"x" * 31}"\n'),
        encoding="utf-8")
    result = run_job(load_job(job))
    assert result.wrote
    assert len(tab_rows(tmp_path / "out" / "signers.xlsx", "x" * 31)) == len(result.curated)
