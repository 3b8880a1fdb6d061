"""Canonical fields and the mapping from a form's question titles to them.

Forms get small edits over a campaign ("Email address" vs "Email Address", "sign-on" vs
"sign on", a hint appended to a title), so a header matches a field by, in order: the exact
title; the same title ignoring case, spacing and punctuation (`sync.names.fold`); a unique
prefix either way ("Scope" ↔ "Scope of your Organization"). The first rule that gives an
answer wins.

A field that still has no column is blank in every response. Only `email` and a name or
organization are required; every other missing field is reported (`unmapped`) with the
closest header and the `[fields]` line that maps it, since a blank authorization or name
column changes what every response means.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from sync.errors import HeaderError
from sync.names import closest, find, fold

# canonical field → the seed form's question title (DESIGN.md)
FIELDS: dict[str, str] = {
    "submitted_at": "Timestamp",
    "email": "Email Address",
    "organization": "Organization Name",
    "scope": "Scope of your Organization",
    "first_name": "First Name",
    "last_name": "Last Name",
    "affiliation": "Affiliation as you would like it listed on the letter",
    "authorized": "If signing for an organization, are you authorized to sign-on for your "
    "organization?",
    "amplify": "Are you able to support the release of the letter, e.g. amplifying through "
    "social media?",
    "partners": "Have you worked with any of these named Palestinian organizations or visited "
    "them on delegation? If so please list below. Thank you!",
}

# What a blank column means for the signers, said when a field has no column.
CONSEQUENCES: dict[str, str] = {
    "submitted_at": "every response is flagged `no timestamp`",
    "email": "the run stops",
    "organization": "nobody signs for an organization",
    "scope": "every organization is flagged `no scope given`",
    "first_name": "individuals are listed without a first name",
    "last_name": "individuals are listed without a last name",
    "affiliation": "individuals are listed without an affiliation",
    "authorized": "every organization is flagged `authorization not confirmed`",
    "amplify": "Can Amplify stays blank",
    "partners": "Partner Orgs stays blank",
}
NAME_FIELDS = ("first_name", "last_name")

MIN_PREFIX = 4
# How Book.read names a repeated header: "Email Address", "Email Address (2)", …
_REPEAT_SUFFIX = re.compile(r" \(\d+\)$")


def map_headers(
    headers: Sequence[str], overrides: Mapping[str, str] | None = None, *, where: str = ""
) -> dict[str, str]:
    """Return {field: header} for every field found among `headers`.

    `overrides` replaces the seed form's titles for some fields (the job's [fields] table).
    Raises HeaderError when `email` or every name-bearing field is missing; `where` prefixes
    the message ("demo: tab 'Form Responses 1'").
    """
    titles = {**FIELDS, **(overrides or {})}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for rule in (_exact, _folded, _prefix):
        for field_name, title in titles.items():
            if field_name in mapping:
                continue
            header = rule(title, [h for h in headers if h not in taken], titles)
            if header is not None:
                mapping[field_name] = header
                taken.add(header)
    _require(mapping, headers, titles, where)
    return mapping


def _exact(title: str, headers: Sequence[str], _titles: Mapping[str, str]) -> str | None:
    return title if title in headers else None


def _folded(title: str, headers: Sequence[str], _titles: Mapping[str, str]) -> str | None:
    matches = find(title, headers)
    return matches[0] if len(matches) == 1 else None


def _prefix(title: str, headers: Sequence[str], titles: Mapping[str, str]) -> str | None:
    """A header that starts with the title, or that the title starts with, if unambiguous."""
    want = fold(title)

    def related(a: str, b: str) -> bool:
        short = min(a, b, key=len)
        return len(short) >= MIN_PREFIX and (a.startswith(b) or b.startswith(a))

    matches = [h for h in headers if related(fold(h), want)]
    if len(matches) != 1:
        return None
    # the header must not be claimed by another field's title just as well
    rivals = [t for t in titles.values() if t != title and related(fold(matches[0]), fold(t))]
    return None if rivals else matches[0]


def _require(
    mapping: Mapping[str, str], headers: Sequence[str], titles: Mapping[str, str], where: str
) -> None:
    found = ", ".join(repr(h) for h in headers if h) or "none"
    prefix = f"{where}: " if where else ""
    if "email" not in mapping:
        raise HeaderError(
            f"{prefix}no column for `email` (question {titles['email']!r}); headers found: {found}"
        )
    has_name = "first_name" in mapping or "last_name" in mapping
    if "organization" not in mapping and not has_name:
        raise HeaderError(
            f"{prefix}no column for `organization` nor for `first_name`/`last_name` "
            f"(questions {titles['organization']!r}, {titles['first_name']!r}, "
            f"{titles['last_name']!r}); headers found: {found}"
        )


@dataclass(frozen=True)
class Unmapped:
    """A field with no column: what was looked for, the header most like it, the fix."""

    field: str
    title: str  # the question title looked for (the seed form's, or the job's [fields])
    closest: str | None
    consequence: str

    @property
    def fix(self) -> str:
        """The line of the job file's [fields] table that maps the field (to the closest
        header, if any), as valid TOML."""
        return f"{self.field} = {toml_text(self.closest or self.title)}"

    def __str__(self) -> str:
        said = f"no column for `{self.field}` (question {self.title!r}), so {self.consequence}"
        if self.closest is None:
            return (f"{said}; no header looks like it: if the form asks it, add this line "
                    f"under [fields] in the job file, with the title the form shows: "
                    f"{self.fix}")
        return (f"{said}; the closest header is {self.closest!r}: if that is the question, "
                f"add this line under [fields] in the job file: {self.fix}")


def toml_text(text: str) -> str:
    """`text` as a TOML string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def unmapped(headers: Sequence[str], mapping: Mapping[str, str],
             overrides: Mapping[str, str] | None = None) -> list[Unmapped]:
    """Every field `map_headers` found no column for, with the closest header not already
    mapped to another field."""
    titles = {**FIELDS, **(overrides or {})}
    free = [h for h in headers if h not in set(mapping.values())]
    no_names = not any(n in mapping for n in NAME_FIELDS)
    return [Unmapped(name, title, closest(title, free),
                     "nobody signs as an individual" if no_names and name in NAME_FIELDS
                     else CONSEQUENCES[name])
            for name, title in titles.items() if name not in mapping]


def repeats(headers: Sequence[str], mapping: Mapping[str, str],
            overrides: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Fields whose column appears more than once (the same title, or one a person reads as
    the same: Google Forms' collected "Email Address" next to an "Email address" question):
    field → every such column, the mapped one first. A `[fields]` title that names a
    column exactly ("Email Address (2)") is taken as it is."""
    taken = set(mapping.values())
    found: dict[str, list[str]] = {}
    for name, header in mapping.items():
        if (overrides or {}).get(name) == header:
            continue
        key = fold(_REPEAT_SUFFIX.sub("", header))
        others = [h for h in headers if h not in taken
                  and fold(_REPEAT_SUFFIX.sub("", h)) == key]
        if others:
            found[name] = [header, *others]
    return found


def pick_repeated(frame: pd.DataFrame, mapping: Mapping[str, str],
                  overrides: Mapping[str, str] | None = None, *, where: str = ""
                  ) -> dict[str, str]:
    """`mapping` with each repeated column (see `repeats`) replaced by the one that holds
    answers; HeaderError when more than one does, since either could be the right one."""
    picked = dict(mapping)
    prefix = f"{where}: " if where else ""
    for name, columns in repeats(list(frame.columns), mapping, overrides).items():
        filled = [c for c in columns
                  if frame[c].fillna("").astype(str).str.strip().ne("").any()]
        if len(filled) > 1:
            listed = " and ".join(repr(c) for c in filled)
            raise HeaderError(
                f"{prefix}columns {listed} both have answers for `{name}`, and signer-sync "
                "cannot tell which to use; say which under [fields] in the job file, e.g. "
                f"{name} = {toml_text(filled[-1])}, or remove the other column")
        if filled:
            picked[name] = filled[0]
    return picked
