"""Fixtures for running signer-sync against the fake Sheets server.

`fake_google` starts a FakeSheetsServer, points SIGNER_SYNC_SHEETS_ENDPOINT at it and
replaces the retry policy with one that records its waits instead of sleeping.
`service_account_key` writes a freshly generated (never committed) service-account key
whose token endpoint is the fake server.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sync.backends import retry
from sync.backends.endpoint import ENDPOINT_ENV_VAR
from sync.fields import FIELDS
from sync.testing.fake_sheets import TOKEN_PATH, FakeSheetsServer
from tests.conftest import response

KEY = "1SignOnFormResponses_Key-0123"
FORM_TAB = "Form Responses 1"
HEADERS = list(FIELDS.values())
SHEETS_OPERATIONS = ("spreadsheets.get", "values.batchGet", "values.batchUpdate",
                     "spreadsheets.batchUpdate", "values.get", "values.update",
                     "values.append", "values.clear", "values.batchClear")


@dataclass
class Waits:
    """The retry policy's waits, recorded instead of slept."""

    seconds: list[float] = field(default_factory=list)

    def __call__(self, delay: float) -> None:
        self.seconds.append(delay)


@dataclass
class FakeGoogle:
    server: FakeSheetsServer
    waits: Waits
    key: str = KEY

    def add_form(self, rows: list[dict[str, str]], *, key: str = KEY,
                 **options: object) -> None:
        """A spreadsheet whose first tab holds these responses, timestamps as date cells."""
        self.server.add_spreadsheet(key, title="Sign-on (Responses)",
                                    tabs={FORM_TAB: form_rows(rows)}, **options)  # type: ignore[arg-type]

    def set_responses(self, rows: list[dict[str, str]], *, key: str = KEY) -> None:
        self.server.set_values(key, FORM_TAB, "A1", form_rows(rows))

    def sheets_requests(self) -> int:
        return sum(self.server.count(operation=op) for op in SHEETS_OPERATIONS)

    def operations(self) -> list[str]:
        return [r.operation or r.path for r in self.server.requests]

    def tab(self, tab: str, *, key: str = KEY) -> list[dict[str, str]]:
        """A tab's rows keyed by header, every value as displayed text."""
        values = self.server.values(key, tab)
        if not values:
            return []
        header = [str(v) for v in values[0]]
        return [{h: str(row[i]) if i < len(row) else "" for i, h in enumerate(header)}
                for row in values[1:]]


def form_rows(rows: list[dict[str, str]]) -> list[list[object]]:
    """Header + responses as a Form writes them: the timestamp a date-time cell."""
    out: list[list[object]] = [HEADERS]
    for row in rows:
        values: list[object] = [row[name] for name in FIELDS]
        values[0] = dt.datetime.strptime(row["submitted_at"], "%m/%d/%Y %H:%M:%S")
        out.append(values)
    return out


def responses(count: int, start: int = 0) -> list[dict[str, str]]:
    """`count` distinct signers: every other one an organization."""
    stamp = dt.datetime(2021, 10, 1, 8, 0)
    return [
        response(submitted_at=(stamp + dt.timedelta(minutes=i)).strftime("%m/%d/%Y %H:%M:%S"),
                 email=f"p{i}@example.org", first_name=f"Ann{i}", last_name=f"Lee{i}",
                 affiliation="Teacher",
                 **({"organization": f"Group {i} for Peace", "scope": "Local",
                     "authorized": "Yes"} if i % 2 else {}))
        for i in range(start, start + count)
    ]


@pytest.fixture
def fake_google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    waits = Waits()
    monkeypatch.setattr(retry, "DEFAULT", retry.RetryPolicy(sleep=waits))
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    with FakeSheetsServer(project_number="987654321098") as server:
        monkeypatch.setenv(ENDPOINT_ENV_VAR, server.url)
        yield FakeGoogle(server, waits)
        assert server.internal_errors == []


PRIVATE_KEY_MARKER = "-----BEGIN PRIVATE KEY-----"


@pytest.fixture
def service_account_key(tmp_path: Path, fake_google: FakeGoogle) -> Path:
    """A service-account key generated for this test, its token endpoint the fake."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    info = {
        "type": "service_account",
        "project_id": "coalition-sync",
        "private_key_id": "1" * 40,
        "private_key": pem,
        "client_email": "signer-sync@coalition-sync.iam.gserviceaccount.com",
        "client_id": "1" * 21,
        "token_uri": fake_google.server.url + TOKEN_PATH,
    }
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(info), encoding="utf-8")
    return path


GOOGLE_JOB = """
name = "{name}"
[source]
kind = "google"
spreadsheet = "https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"
{extra}
[state]
path = "../state/{name}.sqlite"
[letter]
published = "2021-10-29"
[digest]
dir = "../out/digests"
"""
