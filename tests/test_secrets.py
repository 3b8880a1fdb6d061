"""Secrets never reach what a failing run prints, logs or records.

A service-account key file and token-looking environment variables are present (as on a
real server, `GOOGLE_APPLICATION_CREDENTIALS` set) while runs fail in every way the offline
backends can: a missing column, a corrupt workbook, a crash mid-write, an unusable state
file. Nothing of the key or the tokens may appear in stdout, stderr, log records or the
runs table.

Google jobs fail against the fake Sheets server with a freshly generated service-account
key (never committed): not shared (403), not found (404), a server error outlasting the
retries, a corrupt key. Every line of the private key, its ID and the bearer token the
server issued are looked for in the output, the logs at DEBUG, the state file and the
digest files.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from sync.backends.google import GoogleBook
from sync.backends.workbook import WorkbookBook
from sync.cli import main
from sync.config import load_job
from sync.state import State
from tests.conftest import response, write_form_csv, write_job
from tests.google_support import (
    FORM_TAB,
    GOOGLE_JOB,
    KEY,
    FakeGoogle,
    fake_google,
    responses,
    service_account_key,
)
from tests.harness import FaultyBook, InjectedFault, count, run

__all__ = ["fake_google", "service_account_key"]

PRIVATE_KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDfakeSECRETbody"
KEY_ID = "0123456789abcdef0123456789abcdef01234567"
TOKEN = "ya29.a0AfH6SMBfakeACCESStokenVALUE"
SECRETS = (PRIVATE_KEY_BODY, KEY_ID, TOKEN)
ISSUED_TOKEN = "fake-access-token"  # what the fake Sheets server's token endpoint issues


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


# --------------------------------------------------------------------------- Google jobs


@pytest.fixture
def google_key(service_account_key: Path) -> tuple[Path, tuple[str, ...]]:
    """The generated service-account key, with a random key ID; the secrets to look for:
    every line of the private key, its ID, and the bearer token the fake server issues."""
    info = json.loads(service_account_key.read_text())
    info["private_key_id"] = secrets.token_hex(20)
    service_account_key.write_text(json.dumps(info))
    body = [line for line in info["private_key"].splitlines() if "PRIVATE KEY" not in line]
    return service_account_key, (*body, info["private_key_id"], ISSUED_TOKEN)


def _google_job(tmp_path: Path, key: Path) -> Path:
    return write_job(tmp_path, GOOGLE_JOB.format(name="g", key=KEY,
                                                 extra=f'credentials = "{key}"'), "g")


def _not_shared(fake: FakeGoogle, key: Path) -> Path:
    fake.add_form(responses(2))
    fake.server.forbid(KEY)
    return key


def _not_found(fake: FakeGoogle, key: Path) -> Path:
    return key


def _server_error_after_retries(fake: FakeGoogle, key: Path) -> Path:
    fake.add_form(responses(2))
    fake.server.fail(500, times=None, operation="values.batchUpdate")
    return key


def _corrupt_key(fake: FakeGoogle, key: Path) -> Path:
    fake.add_form(responses(2))
    broken = key.with_name("broken.json")
    text = key.read_text()
    broken.write_text(text.replace("\\n", "\\nXYZ", 3))
    return broken


@pytest.mark.parametrize("breakage", [_not_shared, _not_found, _server_error_after_retries,
                                      _corrupt_key])
def test_a_failing_google_run_prints_logs_and_records_no_key_or_token(
    fake_google: FakeGoogle, google_key: tuple[Path, tuple[str, ...]], tmp_path: Path,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
    breakage: Callable[[FakeGoogle, Path], Path]
) -> None:
    count("failing runs checked for secrets")
    key, hidden = google_key
    job = _google_job(tmp_path, breakage(fake_google, key))
    with caplog.at_level(logging.DEBUG):
        assert main(["digest", str(job)]) != 0
    printed = capsys.readouterr()
    assert printed.err  # it did fail, and said so
    written = [p.read_text(errors="replace") for p in tmp_path.rglob("*")
               if p.is_file() and p.suffix not in (".json", ".toml")]
    assert written, "the run recorded nothing to check"
    for text in (printed.out, printed.err, caplog.text, *written):
        for secret in hidden:
            assert secret not in text


def test_the_token_checked_for_is_the_one_google_issues_a_run(
    fake_google: FakeGoogle, google_key: tuple[Path, tuple[str, ...]]
) -> None:
    key, _hidden = google_key
    fake_google.add_form(responses(2))
    book = GoogleBook(KEY, key)
    assert book.read([FORM_TAB])[FORM_TAB] is not None
    assert fake_google.server.token_requests == 1
    assert book.auth.credentials is not None
    assert book.auth.credentials.token == ISSUED_TOKEN
