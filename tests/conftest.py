"""Shared fixtures: a form export built from dicts, and job files in a temp folder."""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import settings

from sync.fields import FIELDS

HEADERS = list(FIELDS.values())


def response(**answers: str) -> dict[str, str]:
    """One form response keyed by canonical field; unspecified answers are blank."""
    unknown = set(answers) - set(FIELDS)
    assert not unknown, f"not a field: {unknown}"
    return {field: answers.get(field, "") for field in FIELDS}


def write_form_csv(path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8",
                   headers: list[str] | None = None) -> Path:
    with path.open("w", newline="", encoding=encoding) as out:
        writer = csv.writer(out)
        writer.writerow(headers or HEADERS)
        for row in rows:
            writer.writerow([row[field] for field in FIELDS])
    return path


def write_job(folder: Path, text: str, name: str = "test") -> Path:
    jobs = folder / "jobs"
    jobs.mkdir(exist_ok=True)
    path = jobs / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


CSV_JOB = """
name = "{name}"
[source]
kind = "csv"
path = "../responses.csv"
[target]
kind = "workbook"
path = "../out/signers.xlsx"
[state]
path = "../state/{name}.sqlite"
[letter]
published = "2021-10-29"
[digest]
dir = "../out/digests"
"""


@pytest.fixture
def csv_job(tmp_path: Path) -> Callable[..., Path]:
    """Write responses.csv and a csv → workbook job in tmp_path; returns the job file."""

    def make(rows: list[dict[str, str]], name: str = "test") -> Path:
        write_form_csv(tmp_path / "responses.csv", rows)
        return write_job(tmp_path, CSV_JOB.format(name=name), name)

    return make


class Clock:
    """A settable clock for the pipeline: no waiting on wall-clock time."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: Any) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Iterator[Clock]:
    yield Clock(dt.datetime(2021, 11, 1, 9, 0, tzinfo=dt.UTC))


@pytest.fixture(scope="module")
def sheets_server() -> Iterator[Any]:
    """One fake Sheets server per test module: every Google kit has its own spreadsheet."""
    from sync.testing.fake_sheets import FakeSheetsServer

    with FakeSheetsServer() as server:
        yield server
        assert server.internal_errors == []


@pytest.fixture
def google_backend(sheets_server: Any, tmp_path: Path,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A GoogleKit on the module's fake server; retries never sleep, no key is looked for."""
    from sync.backends import retry
    from sync.backends.endpoint import ENDPOINT_ENV_VAR
    from tests.harness import GoogleKit

    monkeypatch.setattr(retry, "DEFAULT", retry.RetryPolicy(sleep=lambda _seconds: None))
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv(ENDPOINT_ENV_VAR, sheets_server.url)
    yield GoogleKit(tmp_path, sheets_server)
    sheets_server.clear_faults()


@pytest.fixture(params=["workbook", "google"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """The target backends the reliability tests run against (tests/harness.py's kits): a
    workbook file, and a Google spreadsheet on the fake Sheets server."""
    from tests.harness import WorkbookKit

    if request.param == "google":
        return request.getfixturevalue("google_backend")
    return WorkbookKit(tmp_path)


# Tests read workbooks back with pandas: calamine is the engine pandas is moving to (and the
# one the workbook backend reads with).
pd.set_option("io.excel.xlsx.reader", "calamine")

# CI runs the same hypothesis examples every time (see tests/test_pipeline_properties.py).
settings.register_profile("ci", derandomize=True, deadline=None)
if "CI" in os.environ:
    settings.load_profile("ci")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests.harness import write_tally

    write_tally()
