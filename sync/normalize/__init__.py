"""The normalize stage: mapped responses in, clean responses out (pure, no I/O).

One module per kind of answer; `normalize_responses` applies them all and adds the derived
columns curation needs. It never drops a row: deciding what is junk is curation's job.
Every per-value function runs once per distinct value (answers repeat a lot), and the
organization column is clustered as a whole (orgs.cluster_organizations).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from sync.normalize import location as location_module
from sync.normalize import orgs as orgs_module
from sync.normalize import text as text_module
from sync.normalize.affiliations import canonical_affiliation, clean_affiliation
from sync.normalize.answers import authorization, partner_orgs, yes_no_maybe
from sync.normalize.location import outside_us_evidence_of_pairs
from sync.normalize.names import parse_name
from sync.normalize.orgs import clean_organization_answer, cluster_organizations, fingerprint
from sync.normalize.scope import normalize_scope, other_scope_text
from sync.normalize.text import CACHE_SIZE, clean_text, is_text_lost, no_new_formula, text_lost
from sync.normalize.times import DEFAULT_ZONE, parse_timestamps

CLEAN_COLUMNS = (
    "submitted_at", "email", "organization", "org_spelling_key", "org_key", "org_name", "org_near",
    "scope", "title", "first_name", "last_name", "display_name", "sort_name", "affiliation",
    "authorized", "amplify", "partners", "org_evidence", "person_evidence", "org_text_lost",
    "person_text_lost",
)

__all__ = ["CLEAN_COLUMNS", "clean_affiliation", "clean_email", "clear_caches",
           "normalize_responses"]


def clear_caches() -> None:
    """Empty the per-value caches (`CACHE_SIZE` entries each) of the normalize modules.

    They pay off while a run normalizes, but at 1M responses they hold some 1.2 GB that
    nothing needs once the responses are clean, through curation and writing, and on into
    the worker's next run. The place tables (loaded once) stay."""
    for module in (text_module, orgs_module, location_module):
        for value in vars(module).values():
            if hasattr(value, "cache_clear") and value.cache_info().maxsize == CACHE_SIZE:
                value.cache_clear()


def clean_email(value: str) -> str:
    text = clean_text(value).removeprefix("mailto:").replace(" ", "").strip("<>;,")
    return unicodedata.normalize("NFKC", text.casefold())


def _per_distinct(values: pd.Series, function: Callable[[str], Any]) -> pd.Series:
    """`values.map(function)`, calling `function` once per distinct value."""
    results = {value: function(value) for value in pd.unique(values).tolist()}
    return values.map(results.__getitem__)


def _name_fields(first: str, last: str) -> tuple[str, str, str, str, str]:
    """The `_NAME_COLUMNS` of one pair of name answers. A name an ANSI save turned into
    question marks is kept as it came ("???? ???"): its signer is flagged, not lost."""
    name = parse_name(first, last)
    if not (name.first or name.last) and is_text_lost(f"{first} {last}"):
        first, last = clean_text(first), clean_text(last)
        return "", first, last, f"{first} {last}".strip(), f"{last} {first}".casefold().strip()
    display = name.display if (name.first or name.last) else ""
    return name.title, name.first, name.last, display, name.sort_key


def _organization(value: str) -> str:
    """The organization answer cleaned; one whose text an ANSI save destroyed as it came."""
    cleaned = no_new_formula(value, clean_organization_answer(value))
    return cleaned or (clean_text(value) if is_text_lost(value) else "")


_NAME_COLUMNS = ("title", "first_name", "last_name", "display_name", "sort_name")


def _text(function: Callable[[str], str]) -> Callable[[str], str]:
    """A cleaning function that never turns typed text into a formula."""
    return lambda value: no_new_formula(value, function(value))


def _column(frame: pd.DataFrame, values: list[Any]) -> pd.Series:
    """A column of Python values (text stays text even when there are no rows)."""
    return pd.Series(values, index=frame.index, dtype=object)


def _pairs(first: pd.Series, second: pd.Series,
           function: Callable[[str, str], Any]) -> list[Any]:
    results: dict[tuple[str, str], Any] = {}
    out = []
    # Lists: iterating a pandas string column yields one element at a time through Python.
    for pair in zip(first.tolist(), second.tolist(), strict=True):
        if pair not in results:
            results[pair] = function(*pair)
        out.append(results[pair])
    return out


def normalize_responses(responses: pd.DataFrame, aliases: Mapping[str, str] | None = None,
                        zone: str = DEFAULT_ZONE) -> pd.DataFrame:
    """Clean every answer; one output row per input row, same index.

    `aliases` (variant → canonical organization name) come from the job file's `[aliases]`
    and the spreadsheet's `Aliases` tab; they override the canonical spellings found.
    `zone` is the job's time zone: timestamps that carry a zone are converted to it.
    """
    out = pd.DataFrame(index=responses.index)
    text = {name: responses[name].fillna("").astype(str) for name in responses.columns}
    out["submitted_at"] = parse_timestamps(text["submitted_at"], zone)
    out["email"] = _per_distinct(text["email"], _text(clean_email))
    out["organization"] = _per_distinct(text["organization"], _organization)
    # A name left with no letters ("???? ????") is a signer of its own, kept out of the
    # clustering: any two such names would look alike there.
    lost = _per_distinct(out["organization"], lambda n: f"lost:{n}" if n and not fingerprint(n)
                         else "")
    org_domains = _per_distinct(out["email"], lambda e: e.rpartition("@")[2] if "@" in e else "")
    orgs = cluster_organizations(out["organization"].where(lost == "", ""), aliases,
                                 org_domains.tolist())
    out["org_spelling_key"] = _per_distinct(
        out["organization"], lambda n: fingerprint(n) if n else "").where(lost == "", lost)
    out["org_key"] = _per_distinct(
        out["organization"], lambda n: orgs.key.get(n, "")).where(lost == "", lost)
    out["org_name"] = _per_distinct(
        out["organization"], lambda n: orgs.canonical.get(n, "")).where(
            lost == "", out["organization"])
    # the keys of organizations this one is probably the same as (staff confirm with an alias)
    out["org_near"] = _per_distinct(
        out["org_key"], lambda k: tuple(sorted(orgs.near.get(k, ()))))
    out["scope"] = _per_distinct(text["scope"], normalize_scope)
    names = _pairs(text["first_name"], text["last_name"], _name_fields)
    for index, column in enumerate(_NAME_COLUMNS):
        out[column] = _column(out, [name[index] for name in names])
    out["affiliation"] = _per_distinct(
        _per_distinct(text["affiliation"], _text(clean_affiliation)),
        lambda a: canonical_affiliation(a, orgs))
    out["authorized"] = _per_distinct(text["authorized"], authorization)
    out["amplify"] = _per_distinct(text["amplify"], yes_no_maybe)
    out["partners"] = _per_distinct(text["partners"], partner_orgs)
    # Evidence depends on the email's domain only.
    domains = _per_distinct(out["email"], lambda email: "@" + email.rpartition("@")[2])
    # What was typed in the scope's "Other:" box can name a place ("Ontario").
    other_scope = _per_distinct(text["scope"], other_scope_text)
    out["org_evidence"] = _column(out, outside_us_evidence_of_pairs(
        domains.tolist(), out["organization"].tolist(), other_scope.tolist()))
    # An individual with no affiliation is listed with the organization they named.
    listed = out["affiliation"].where(out["affiliation"] != "", out["org_name"])
    out["person_evidence"] = _column(
        out, outside_us_evidence_of_pairs(domains.tolist(), listed.tolist()))
    out["org_text_lost"] = text_lost(text["organization"])
    out["person_text_lost"] = (text_lost(text["first_name"]) | text_lost(text["last_name"])
                               | text_lost(text["affiliation"]))
    return out
