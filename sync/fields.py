"""Canonical fields and the mapping from a form's question titles to them.

Forms get small edits over a campaign ("Email address" vs "Email Address", a hint appended
to a title), so a header matches a field by, in order: the exact title; the same title
ignoring case and spacing; a unique prefix either way ("Scope" ↔ "Scope of your
Organization"). The first rule that gives an answer wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sync.errors import HeaderError

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

MIN_PREFIX = 4


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


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
    matches = [h for h in headers if _fold(h) == _fold(title)]
    return matches[0] if len(matches) == 1 else None


def _prefix(title: str, headers: Sequence[str], titles: Mapping[str, str]) -> str | None:
    """A header that starts with the title, or that the title starts with, if unambiguous."""
    want = _fold(title)

    def related(a: str, b: str) -> bool:
        short = min(a, b, key=len)
        return len(short) >= MIN_PREFIX and (a.startswith(b) or b.startswith(a))

    matches = [h for h in headers if related(_fold(h), want)]
    if len(matches) != 1:
        return None
    # the header must not be claimed by another field's title just as well
    rivals = [t for t in titles.values() if t != title and related(_fold(matches[0]), _fold(t))]
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
