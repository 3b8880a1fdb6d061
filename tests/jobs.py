"""A small job in a temporary folder: a form export as CSV, a workbook target."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sync.config import JobConfig, load_job
from sync.fields import FIELDS

RESPONSES = [
    ("10/15/2021 9:14:37", "rabbi.miriam@jvp.example.org", "Jewish Voice for Peace", "National",
     "Rabbi Miriam", "Feldstein", "Rabbinical Council", "Yes", "Yes", ""),
    ("10/16/2021 11:00:00", "info@bals.example.org", "Bay Area Legal Support Collective",
     "Regional", "Dana", "Ortiz", "", "Yes", "Yes", ""),
    ("10/20/2021 15:30:00", "noura@rutgers.example.edu", "", "", "Noura", "Erakat",
     "Rutgers University", "", "Yes", ""),
    ("11/02/2021 08:00:00", "hello@fpn.example.org", "Florida Palestine Network", "State",
     "Sam", "Rivera", "", "Yes", "", ""),
]


def write_job(folder: Path, responses=RESPONSES, extra: str = "") -> Path:
    export = folder / "responses.csv"
    with export.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(FIELDS.values())
        writer.writerows(responses)
    job = folder / "job.toml"
    job.write_text(f"""
name = "test"
[source]
kind = "csv"
path = "responses.csv"
[target]
kind = "workbook"
path = "out/signers.xlsx"
[state]
path = "state/test.sqlite"
[letter]
published = "2021-10-29"
[digest]
dir = "out/digests"
{extra}
""", encoding="utf-8")
    return job


def load(folder: Path, **kwargs) -> JobConfig:
    return load_job(write_job(folder, **kwargs))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)
