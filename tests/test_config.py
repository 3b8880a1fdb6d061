from __future__ import annotations

from pathlib import Path

import pytest

from sync.cli import main
from sync.config import load_job
from sync.errors import ConfigError
from tests.conftest import write_form_csv, write_job

VALID = """
[source]
kind = "csv"
path = "../responses.csv"
[target]
kind = "workbook"
path = "../out/signers.xlsx"
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_form_csv(tmp_path / "responses.csv", [])
    return tmp_path


def test_relative_paths_resolve_against_the_job_file(folder: Path) -> None:
    job = load_job(write_job(folder, VALID, "coalition"))
    assert job.name == "coalition"
    assert job.source.path == (folder / "responses.csv").resolve()
    assert job.target.path == (folder / "out" / "signers.xlsx").resolve()
    assert job.state_path == (folder / "state" / "coalition.sqlite").resolve()
    assert job.target.curated_tab == "Curated Signers"
    assert job.target.digest_tab == "Signer Digest"


def test_the_bundled_demo_job_is_valid() -> None:
    job = load_job(Path(__file__).parents[1] / "jobs" / "demo.toml")
    assert job.source.kind == "csv" and job.target.kind == "workbook"
    assert str(job.published) == "2021-10-29"
    assert job.schedule.timezone == "America/New_York"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[target]\nkind='workbook'\npath='x.xlsx'", "needs a [source] table"),
        ('[source]\nkind = "xlsx"\npath = "../responses.csv"',
         "[source] `kind` must be one of csv, workbook, google, forms (got 'xlsx')"),
        ('[source]\nkind = "csv"', "[source] needs `path`"),
        ('[source]\nkind = "csv"\npath = "../missing.csv"\n'
         '[target]\nkind="workbook"\npath="o.xlsx"',
         "does not exist"),
        ('[source]\nkind = "csv"\npath = "../responses.csv"', "a csv source needs a [target]"),
        (VALID + '[schedule]\nsync = "every hour"', "[schedule] `sync` is not a valid cron"),
        (VALID + '[schedule]\ntimezone = "Mars/Olympus"', "not a known time zone"),
        (VALID + '[letter]\npublished = "last Friday"', "[letter] `published` must be a date"),
        (VALID + '[letter]\nus_only = "yes"', "[letter] `us_only` must be true or false"),
        (VALID + '[sorce]\nkind = "csv"', "unknown key `sorce`"),
        (VALID + '[fields]\nemial = "Email"', "[fields] unknown field `emial`"),
        ('[source]\nkind = "google"', "[source] needs `spreadsheet`"),
        ("[source\nkind=", "not valid TOML"),
    ],
)
def test_a_bad_job_file_is_one_clear_line_naming_file_and_key(
    folder: Path, text: str, expected: str
) -> None:
    path = write_job(folder, text)
    with pytest.raises(ConfigError) as caught:
        load_job(path)
    message = str(caught.value)
    assert expected in message
    assert message.startswith(str(path.resolve())) or message.startswith(str(path))
    assert "\n" not in message


def test_cli_exits_2_with_one_line_for_a_bad_job(folder: Path, capsys: pytest.CaptureFixture[str]
                                                  ) -> None:
    path = write_job(folder, VALID + '[schedule]\ndigest = "0 9 * * funday"')
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "[schedule] `digest` is not a valid cron" in err[0]


def test_cli_exits_2_for_a_missing_job_file(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path / "nope.toml")]) == 2
    assert "job file not found" in capsys.readouterr().err


def test_a_job_can_be_named_without_its_toml_suffix(folder: Path) -> None:
    path = write_job(folder, VALID, "coalition")
    assert load_job(path.with_suffix("")).file == path.resolve()
