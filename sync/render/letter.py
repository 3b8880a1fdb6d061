"""The letter list: approved signers exactly as the letter prints them.

Organizations A to Z (a leading "The" ignored), then individuals by last name as
"Name, Affiliation*", then the footnote. Signers that are Excluded or Need review never
appear, and neither does any email address.

`Listed As` wins over Name. For an individual it is the printed line: "Name" alone keeps
the Affiliation column, and "Name, Affiliation" replaces it (so the affiliation is never
printed twice). A comma before a name suffix ("Martin Luther King, Jr.") belongs to the
name, and a Listed As ending in a comma prints no affiliation at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from nameparser.config import CONSTANTS

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
    name, _ = printed_parts(row)
    if row["Listed As"] or "_sort" not in row:
        key = parse_name(name, "").sort_key
    else:
        key = str(row["_sort"])
    return _LEADING.sub("", fold(key)), _person_line(row)


def _person_line(row: Mapping[str, Any]) -> str:
    name, affiliation = printed_parts(row)
    return f"{name}, {affiliation}*" if affiliation else name


def printed_parts(row: Mapping[str, Any]) -> tuple[str, str]:
    """An individual's printed name and affiliation: `Listed As` split at its first comma
    that does not come before a name suffix, else Name and the Affiliation column."""
    listed = str(row["Listed As"]).strip()
    if not listed:
        return str(row["Name"]).strip(), str(row["Affiliation"]).strip()
    name, *rest = listed.split(",")
    while rest and _is_suffix(rest[0]):
        name = f"{name},{rest.pop(0)}"
    if not rest:
        return name.strip(), str(row["Affiliation"]).strip()
    return name.strip(), ",".join(rest).strip().rstrip("*").strip()


def _is_suffix(text: str) -> bool:
    """"Jr.", "III", "PhD": nameparser's name suffixes, the way it compares them."""
    word = text.strip().replace(".", "").lower()
    return word in CONSTANTS.suffix_acronyms or word in CONSTANTS.suffix_not_acronyms
