"""The benchmark's form-export generator: deterministic, the seed form's format, the mix."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from bench.generate import responses, write_export

REPO = Path(__file__).parents[1]
TIMESTAMP = re.compile(r"^([1-9]|1[0-2])/([1-9]|[12]\d|3[01])/\d{4} ([0-9]|1\d|2[0-3]):\d\d:\d\d$")


@pytest.fixture(scope="module")
def rows() -> list[list[str]]:
    return list(responses(3000, seed=8))


def test_the_same_seed_gives_the_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    one = write_export(tmp_path / "one.csv", 500, seed=3).read_bytes()
    two = write_export(tmp_path / "two.csv", 500, seed=3).read_bytes()
    other = write_export(tmp_path / "other.csv", 500, seed=4).read_bytes()
    assert one == two
    assert one != other


def test_the_export_has_the_seed_forms_headers_and_timestamp_format(tmp_path: Path) -> None:
    path = write_export(tmp_path / "r.csv", 200)
    with path.open(newline="", encoding="utf-8") as generated, \
            (REPO / "examples" / "form-responses.csv").open(newline="", encoding="utf-8") as seed:
        header, *body = list(csv.reader(generated))
        assert header == next(csv.reader(seed))
    assert len(body) == 200
    assert all(len(row) == len(header) for row in body)
    stamps = [row[0] for row in body]
    assert all(TIMESTAMP.match(s) for s in stamps), [s for s in stamps if not TIMESTAMP.match(s)]


def test_the_mix_has_titles_variants_duplicates_foreign_signers_and_junk(
    rows: list[list[str]],
) -> None:
    firsts = [row[4] for row in rows]
    assert any(f.startswith(("Rabbi ", "Rev. Dr. ", "Imam ")) for f in firsts)
    assert any(f.startswith(("Mr. ", "Ms. ", "Mx. ")) for f in firsts)
    assert any(f.isupper() for f in firsts) and any(f.islower() for f in firsts)

    orgs = [row[2] for row in rows if row[2]]
    by_fold: dict[str, set[str]] = {}
    for org in orgs:
        key = org.casefold().strip(" ,").removeprefix("the ")
        by_fold.setdefault(key, set()).add(org)
    assert any(len(spellings) > 1 for spellings in by_fold.values())
    assert any(org.startswith("The ") for org in orgs)

    emails = [row[1].strip().casefold() for row in rows if row[1].strip()]
    assert len(set(emails)) < len(emails)  # the same email answering again
    assert any(re.search(r"\.(ie|co\.uk|de|ca|fr|ps)$", e) for e in emails)
    assert any(row[3] == "International" for row in rows)

    assert any(row[2].casefold() in {"test", "asdf"} for row in rows)
    assert any(not any(cell for cell in row[1:]) for row in rows)  # a blank response
    assert any("for identification purposes only" in row[6] for row in rows)
    assert any(row[7].startswith("Not applicable") for row in rows)

