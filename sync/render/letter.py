"""The letter list: approved signers exactly as the letter prints them.

Organizations A to Z (a leading "The" ignored), then individuals by last name as
"Name, Affiliation*" (`Listed As` wins over Name), then the footnote. Signers that are
Excluded or Need review never appear, and neither does any email address.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sync import frames
from sync.curate import INDIVIDUAL, ORGANIZATION
from sync.normalize.names import parse_name
from sync.normalize.text import fold

FOOTNOTE = "*Affiliation listed for identification purposes only."
LETTER_COLUMNS = ("Section", "As Printed")
_LEADING = re.compile(r"^[\W_]+")


@dataclass(frozen=True)
class LetterList:
    organizations: list[str]
    individuals: list[str]

    @property
    def footnote(self) -> str:
        """The footnote, when at least one individual is listed with an affiliation."""
        return FOOTNOTE if any(line.endswith("*") for line in self.individuals) else ""


def letter_list(curated: pd.DataFrame) -> LetterList:
    approved = curated[curated["Status"] == "Approved"] if not curated.empty else curated
    orgs = approved[approved["Type"] == ORGANIZATION]
    people = approved[approved["Type"] == INDIVIDUAL]
    org_lines = sorted((_org_key(_shown(r)), _shown(r)) for r in _rows(orgs))
    person_lines = sorted((_person_key(r), _person_line(r)) for r in _rows(people))
    return LetterList([line for _, line in org_lines], [line for _, line in person_lines])


def letter_rows(letter: LetterList) -> list[list[str | int]]:
    """The `Letter List` tab's rows: (Section, As Printed), in printing order."""
    rows: list[list[str | int]] = [["Organization", line] for line in letter.organizations]
    rows += [["Individual", line] for line in letter.individuals]
    if letter.footnote:
        rows.append(["Footnote", letter.footnote])
    return rows


def render_letter_text(letter: LetterList, job_name: str) -> str:
    """Plain text, one signer a line: paste the lines under each heading into the letter
    as they are."""
    lines = [f"Letter list: {job_name}", "Approved signers: "
             f"{len(letter.organizations)} organizations, {len(letter.individuals)} "
             "individuals.", "", "Organizations", "", *letter.organizations, "",
             "Individuals", "", *letter.individuals]
    if letter.footnote:
        lines += ["", letter.footnote]
    return "\n".join(lines) + "\n"


def _rows(signers: pd.DataFrame) -> list[dict[str, Any]]:
    return frames.dicts(signers, "Name", "Listed As", "Affiliation", "_sort")


def _shown(row: Mapping[str, Any]) -> str:
    return str(row["Listed As"] or row["Name"]).strip()


def _org_key(name: str) -> tuple[str, str]:
    """A to Z by the name's words: a leading "The" and leading punctuation ignored."""
    folded = _LEADING.sub("", fold(name))
    return _LEADING.sub("", folded.removeprefix("the ")), name


def _person_key(row: Mapping[str, Any]) -> tuple[str, str]:
    """Last name, then first: the curated `_sort` unless a reviewer renamed the signer."""
    if row["Listed As"] or "_sort" not in row:
        key = parse_name(_shown(row), "").sort_key
    else:
        key = str(row["_sort"])
    return _LEADING.sub("", fold(key)), _shown(row)


def _person_line(row: Mapping[str, Any]) -> str:
    affiliation = str(row["Affiliation"]).strip()
    return f"{_shown(row)}, {affiliation}*" if affiliation else _shown(row)
