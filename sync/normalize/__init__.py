"""The normalize stage: mapped responses in, clean responses out (pure, no I/O).

One module per kind of answer; `normalize_responses` applies them all and adds the derived
columns curation needs. It never drops a row: deciding what is junk is curation's job.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd

from sync.normalize.answers import authorization, partner_orgs, yes_no_maybe
from sync.normalize.location import outside_us_reasons
from sync.normalize.names import parse_name
from sync.normalize.orgs import clean_org, cluster_organizations
from sync.normalize.scope import normalize_scope
from sync.normalize.text import clean_text, is_blankish
from sync.normalize.times import parse_timestamp

CLEAN_COLUMNS = (
    "submitted_at", "email", "organization", "org_key", "scope", "title", "first_name",
    "last_name", "display_name", "sort_name", "affiliation", "authorized", "amplify",
    "partners", "outside_reasons",
)
T = TypeVar("T")


def clean_email(value: str) -> str:
    text = clean_text(value).removeprefix("mailto:").replace(" ", "").strip("<>;,")
    return text.casefold()


def clean_affiliation(value: str) -> str:
    """The affiliation as the letter should print it, without what people copy from the
    form's own wording (the asterisk, "for identification purposes only")."""
    text = clean_text(value)
    text = text.replace("*", "")
    lowered = text.casefold()
    marker = "for identification purposes only"
    if marker in lowered:
        start = lowered.index(marker)
        text = text[:start] + text[start + len(marker):]
        text = text.replace("()", "").replace("[]", "")
    text = clean_text(text).strip(" ,;:-–—.")
    if is_blankish(text):
        return ""
    return clean_org(text)


def per_distinct(values: pd.Series, clean: Callable[[str], T]) -> pd.Series:
    """`values.map(clean)`, calling `clean` once per distinct value: a form's answers repeat
    a lot (scopes, yes/no, the same organization), so big sheets normalize much faster."""
    return values.map({value: clean(value) for value in values.unique()})


def normalize_responses(responses: pd.DataFrame) -> pd.DataFrame:
    """Clean every answer; one output row per input row, same index."""
    out = pd.DataFrame(index=responses.index)
    out["submitted_at"] = pd.to_datetime(
        responses["submitted_at"].map(parse_timestamp), errors="coerce"
    )
    out["email"] = per_distinct(responses["email"], clean_email)
    out["organization"] = per_distinct(responses["organization"], clean_org)
    out["org_key"] = cluster_organizations(out["organization"])
    out["scope"] = per_distinct(responses["scope"], normalize_scope)
    names = [parse_name(first, last) for first, last in zip(
        responses["first_name"], responses["last_name"], strict=True)]
    out["title"] = [n.title for n in names]
    out["first_name"] = [n.first for n in names]
    out["last_name"] = [n.last for n in names]
    out["display_name"] = [n.display if (n.first or n.last) else "" for n in names]
    out["sort_name"] = [n.sort_key for n in names]
    out["affiliation"] = per_distinct(responses["affiliation"], clean_affiliation)
    out["authorized"] = per_distinct(responses["authorized"], authorization)
    out["amplify"] = per_distinct(responses["amplify"], yes_no_maybe)
    out["partners"] = per_distinct(responses["partners"], partner_orgs)
    out["outside_reasons"] = per_distinct(out["email"], outside_us_reasons)
    return out
