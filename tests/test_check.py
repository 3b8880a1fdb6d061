"""`signer-sync check JOB`: every problem staff can hit before a first run, each with its fix,
and nothing written."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sync.cli import main
from tests.conftest import write_job
from tests.google_support import (
    GOOGLE_JOB,
    KEY,
    PRIVATE_KEY_MARKER,
    FakeGoogle,
    fake_google,
    responses,
    service_account_key,
)

__all__ = ["fake_google", "service_account_key"]

REPO = Path(__file__).parents[1]
EMAIL = "signer-sync@coalition-sync.iam.gserviceaccount.com"


def check(job: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", str(job)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_offline_demo_checks_clean_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "jobs").mkdir()
    shutil.copy(REPO / "jobs" / "demo.toml", tmp_path / "jobs" / "demo.toml")
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    code, out = check(tmp_path / "jobs" / "demo.toml", capsys)
    assert code == 0, out
    assert "email ← 'Email Address'" in out
    assert "will be created by the first run" in out
    assert not (tmp_path / "out" / "demo-signers.xlsx").exists()
    assert not (tmp_path / "state").exists()


@pytest.fixture
def google_job(tmp_path: Path, service_account_key: Path) -> Path:
    return write_job(tmp_path, GOOGLE_JOB.format(
        name="g", key=KEY, extra=f'credentials = "{service_account_key}"'), "g")


def test_a_ready_google_job_reports_account_access_mapping_and_writes_nothing(
        fake_google: FakeGoogle, google_job: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake_google.add_form(responses(3))
    before = fake_google.server.values(fake_google.key, "Form Responses 1")
    code, out = check(google_job, capsys)
    assert code == 0, out
    assert f"service account {EMAIL}" in out
    assert "can read Google spreadsheet 'Sign-on (Responses)'" in out
    assert "organization ← 'Organization Name'" in out
    assert "can write" in out and "will be created by the first run" in out
    assert fake_google.operations() == ["spreadsheets.get", "values.batchGet",
                                        "values.batchUpdate"]
    (probe,) = [r for r in fake_google.server.requests if r.operation == "values.batchUpdate"]
    assert probe.body["data"] == []
    assert fake_google.server.tabs(fake_google.key) == ["Form Responses 1"]
    assert fake_google.server.values(fake_google.key, "Form Responses 1") == before


Setup = Callable[[FakeGoogle], None]


def _not_shared(google: FakeGoogle) -> None:
    google.add_form(responses(1))
    google.server.forbid(google.key)


def _viewer_only(google: FakeGoogle) -> None:
    google.add_form(responses(1))
    google.server.forbid(google.key, writes_only=True)


def _api_disabled(google: FakeGoogle) -> None:
    google.add_form(responses(1))
    google.server.disable_api()


def _no_such_tab(google: FakeGoogle) -> None:
    google.server.add_spreadsheet(google.key, tabs={"Responses": [["Timestamp"]]})


def _no_email_column(google: FakeGoogle) -> None:
    google.server.add_spreadsheet(google.key, tabs={
        "Form Responses 1": [["Timestamp", "Organization Name"]]})


def _missing(google: FakeGoogle) -> None:
    return None


@pytest.mark.parametrize(("setup", "code", "expected"), [
    (_not_shared, 1, [f"{EMAIL} cannot open", "share the spreadsheet with it as Editor"]),
    (_viewer_only, 1, ["ok    source", f"{EMAIL} cannot edit",
                       "share the spreadsheet with it as Editor"]),
    (_api_disabled, 1, ["Sheets API is not enabled", "enable it at https://console"]),
    (_no_such_tab, 2, ["tab 'Form Responses 1' not found", "tabs there: 'Responses'",
                       "set [source] tab"]),
    (_no_email_column, 2, ["no column for `email`", "map the question under [fields]"]),
    (_missing, 1, ["was not found", "check its address in the job file"]),
], ids=["not-shared", "viewer-only", "api-disabled", "no-such-tab", "no-email-column",
        "missing-spreadsheet"])
def test_each_problem_is_reported_with_its_fix(
        fake_google: FakeGoogle, google_job: Path, capsys: pytest.CaptureFixture[str],
        setup: Setup, code: int, expected: list[str]) -> None:
    setup(fake_google)
    got, out = check(google_job, capsys)
    assert got == code, out
    for text in expected:
        assert text in out
    assert "FAIL" in out and "not ready" in out
    assert fake_google.server.count(operation="spreadsheets.batchUpdate") == 0
    assert PRIVATE_KEY_MARKER not in out


def test_a_bad_key_file_is_reported_by_name_without_its_contents(
        fake_google: FakeGoogle, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake_google.add_form(responses(1))
    key = tmp_path / "key.json"
    key.write_text('{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----'
                   'c2VjcmV0\\n-----END PRIVATE KEY-----\\n"}')
    job = write_job(tmp_path, GOOGLE_JOB.format(name="g", key=KEY,
                                                extra=f'credentials = "{key}"'), "g")
    code, out = check(job, capsys)
    assert code == 2
    assert "FAIL  credentials" in out and "key.json" in out
    assert "missing client_email, token_uri" in out
    assert "c2VjcmV0" not in out and PRIVATE_KEY_MARKER not in out
    assert fake_google.sheets_requests() == 0


def test_a_missing_key_file_named_in_the_job_is_a_config_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    job = write_job(tmp_path, GOOGLE_JOB.format(name="g", key=KEY,
                                                extra='credentials = "nowhere.json"'), "g")
    code, out = check(job, capsys)
    assert code == 2
    assert "nowhere.json" in out and "credentials" in out
