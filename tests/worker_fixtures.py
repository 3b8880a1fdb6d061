"""Tiny real jobs for the worker tests: a csv form export in, a workbook out, in tmp_path."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from sync.config import JobConfig, load_job
from sync.fields import FIELDS

HEADER = list(FIELDS.values())  # the seed form's question titles
ORGANIZATIONS = ["Jewish Voice for Peace", "American Friends Service Committee",
                 "Detroit Peace Coalition", "Oakland Teachers for Justice", "Maine Friends"]


def form_rows(count: int) -> list[list[str]]:
    """`count` responses, each signing for a different organization (no individuals)."""
    return [[f"10/{10 + i}/2021 9:00:00", f"contact{i}@org{i}.example.org",
             ORGANIZATIONS[i % len(ORGANIZATIONS)] + (f" {i}" if i >= len(ORGANIZATIONS) else ""),
             "National", "", "", "", "Yes", "Yes", ""] for i in range(count)]


def form_csv_text(count: int, header: list[str] = HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(form_rows(count))
    return out.getvalue()


def write_job(folder: Path, name: str, *, responses: int = 3, sync: str = "0 * * * *",
              digest: str = "0 9 * * mon", timezone: str = "America/New_York") -> Path:
    """A job file under `folder/jobs/` reading `folder/NAME.csv`, writing `folder/out/`."""
    (folder / "jobs").mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.csv").write_text(form_csv_text(responses), encoding="utf-8")
    job_file = folder / "jobs" / f"{name}.toml"
    job_file.write_text(f"""name = "{name}"
[source]
kind = "csv"
path = "../{name}.csv"
[target]
kind = "workbook"
path = "../out/{name}.xlsx"
[state]
path = "../state/{name}.sqlite"
[digest]
dir = "../out/digests"
[schedule]
sync = "{sync}"
digest = "{digest}"
timezone = "{timezone}"
""", encoding="utf-8")
    return job_file


def make_job(folder: Path, name: str, **options: object) -> JobConfig:
    return load_job(write_job(folder, name, **options))  # type: ignore[arg-type]


def tab_rows(path: Path, tab: str) -> list[tuple[object, ...]]:
    """A tab's data rows (header excluded), read from the saved workbook."""
    book = load_workbook(path, read_only=True)
    try:
        return list(book[tab].iter_rows(min_row=2, values_only=True))
    finally:
        book.close()


def at(text: str, zone: str = "America/New_York") -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))
