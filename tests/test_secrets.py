"""Secrets never reach what a failing run prints, logs or records.

A service-account key file and token-looking environment variables are present (as on a
real server, `GOOGLE_APPLICATION_CREDENTIALS` set) while runs fail in every way the offline
backends can: a missing column, a corrupt workbook, a crash mid-write, an unusable state
file. Nothing of the key or the tokens may appear in stdout, stderr, log records or the
runs table. (The Google backend's own failures are tested with it.)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from sync.backends.workbook import WorkbookBook
from sync.cli import main
from sync.config import load_job
from sync.state import State
from tests.conftest import response, write_form_csv
from tests.harness import FaultyBook, InjectedFault, count, run

PRIVATE_KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDfakeSECRETbody"
KEY_ID = "0123456789abcdef0123456789abcdef01234567"
TOKEN = "ya29.a0AfH6SMBfakeACCESStokenVALUE"
SECRETS = (PRIVATE_KEY_BODY, KEY_ID, TOKEN)


@pytest.fixture
def secrets_around(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    key = tmp_path / "service-account.json"
    key.write_text(json.dumps({
        "type": "service_account", "project_id": "demo", "private_key_id": KEY_ID,
        "private_key": f"-----BEGIN PRIVATE KEY-----\n{PRIVATE_KEY_BODY}\n"
                       "-----END PRIVATE KEY-----\n",
        "client_email": "sync@demo.iam.gserviceaccount.com",
    }))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    monkeypatch.setenv("SIGNER_SYNC_TOKEN", TOKEN)
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", TOKEN)
    return key


def _job(tmp_path: Path, rows: list[dict[str, str]], headers: list[str] | None = None) -> Path:
    write_form_csv(tmp_path / "responses.csv", rows, headers=headers)
    job = tmp_path / "job.toml"
    job.write_text('[source]\nkind = "csv"\npath = "responses.csv"\n'
                   'credentials = "service-account.json"\n'
                   '[target]\nkind = "workbook"\npath = "out.xlsx"\n'
                   '[state]\npath = "state.sqlite"\n')
    return job


ROWS = [response(submitted_at="10/20/2021 10:00:00", email="a@example.org", first_name="Ana",
                 last_name="Ruiz")]


def _break_headers(tmp_path: Path) -> Path:
    return _job(tmp_path, [], headers=["Timestamp", "Organization Name"])


def _break_workbook(tmp_path: Path) -> Path:
    (tmp_path / "out.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    return _job(tmp_path, ROWS)


def _break_state(tmp_path: Path) -> Path:
    (tmp_path / "state.sqlite").mkdir()
    return _job(tmp_path, ROWS)


@pytest.mark.parametrize("breakage", [_break_headers, _break_workbook, _break_state])
def test_a_failing_run_prints_and_records_no_secret(
    secrets_around: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture, breakage: Callable[[Path], Path]
) -> None:
    count("failing runs checked for secrets")
    job = breakage(tmp_path)
    with caplog.at_level(logging.DEBUG):
        assert main(["run", str(job)]) != 0
    printed = capsys.readouterr()
    output = printed.out + printed.err + caplog.text
    assert printed.err  # it did fail, and said so
    for secret in SECRETS:
        assert secret not in output
    if (tmp_path / "state.sqlite").is_file():
        messages = " ".join(r.message or "" for r in State(tmp_path / "state.sqlite").runs())
        assert not any(secret in messages for secret in SECRETS)


def test_a_crash_mid_write_records_no_secret(
    secrets_around: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    count("failing runs checked for secrets")
    job = load_job(_job(tmp_path, ROWS))
    target = FaultyBook(WorkbookBook(tmp_path / "out.xlsx"), "write-after")
    with caplog.at_level(logging.DEBUG), pytest.raises(InjectedFault):
        run(job, target=target)
    messages = " ".join(r.message or "" for r in State(job.state_path).runs())
    assert "injected fault" in messages
    for secret in SECRETS:
        assert secret not in caplog.text + messages
