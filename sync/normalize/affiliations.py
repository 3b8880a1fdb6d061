"""Individuals' affiliations, as the letter prints them.

People copy the form's own wording into the answer ("*", "for identification purposes
only" in every wrapping), leave trailing punctuation, or type "N/A"; all of that goes.
Text typed in one case is recased like an organization name. An affiliation that names an
organization signer takes that organization's canonical spelling, whole ("jewish voice for
peace") or after a role ("Member, jewish voice for peace").
"""

from __future__ import annotations

import re

from sync.normalize.orgs import OrgClusters, clean_org, is_bare_acronym, period_belongs
from sync.normalize.places import us_postal_codes
from sync.normalize.text import clean_text, is_blankish, looks_like_formula

# "(for identification purposes only)", "- for ID only", "[title for identification only]",
# "affiliation listed for identification purposes", "*identification only*".
_ID_ONLY = re.compile(
    r"[(\[{]?\s*[-–—,;:]?\s*(?:\*\s*)?(?:(?:title|affiliation|organi[sz]ation)s?\s+)?"
    r"(?:(?:is\s+)?listed\s+)?(?:(?:for|4)\s+)?(?:the\s+)?(?:purposes?\s+of\s+)?"
    r"\b(?:identification|identifying|ident\.?|id)(?!\w)\s*(?:purposes?|use)?\s*(?:only)?"
    r"\s*[.*]*\s*[)\]}]?",
    re.IGNORECASE,
)
_ID_WORD = re.compile(
    r"\b(identification|identifying|ident\.?)\b|\b(for|4)\s+id\b|\bid\s+(?:only|purposes?)\b",
    re.IGNORECASE)
_TRAILING = " ,;:-–—/*|"
_WRAPPERS = {"(": ")", "[": "]", "{": "}", '"': '"', "“": "”", "'": "'"}
# Small words that are also postal codes: never upper-cased as a state.
_CODE_WORDS = {"in", "or", "me", "hi", "ok", "oh", "de", "la", "pa", "ma", "al"}


def clean_affiliation(value: str) -> str:
    """The affiliation without the form's wording, tidied and recased; "" for none."""
    text = clean_text(value).replace("*", " ")
    if _ID_WORD.search(text):
        text = _ID_ONLY.sub(" ", text)
    text = clean_text(text)
    text = re.sub(r"[(\[{]\s*[)\]}]", " ", text)
    text = _strip_ends(text)
    while len(text) > 1 and text[0] in _WRAPPERS and text.endswith(_WRAPPERS[text[0]]) \
            and text.count(text[0]) == 1 + (text[0] == _WRAPPERS[text[0]]):
        text = _strip_ends(text[1:-1])
    if is_blankish(text):
        return ""
    recased = clean_org(text)
    return _upper_state_codes(recased) if recased != text else recased


def _strip_ends(text: str) -> str:
    """Without leading and trailing separators and a trailing period that is not part of
    an abbreviation ("Inc.", "U.S.")."""
    text = clean_text(text)
    while text != (text := text.strip(_TRAILING)) or (
            text.endswith(".") and not period_belongs(text) and (text := text[:-1])):
        pass
    return text


def _upper_state_codes(text: str) -> str:
    """"Oakland Ca" → "Oakland CA": a postal code that ends a recased segment."""
    codes = {c.casefold() for c in us_postal_codes()} - _CODE_WORDS

    def upper(match: re.Match[str]) -> str:
        word = match.group(1)
        return word.upper() if word.casefold() in codes else word

    return re.sub(r"(?<=\w )(\w{2})(?=$|,|;)", upper, text)


def canonical_affiliation(affiliation: str, orgs: OrgClusters) -> str:
    """The affiliation with an organization signer's canonical spelling where it names one."""
    if not affiliation:
        return ""
    whole = orgs.match(affiliation)
    if whole and not looks_like_formula(whole):
        return whole
    role, sep, rest = affiliation.partition(", ")
    if sep and rest and not is_bare_acronym(rest):
        named = orgs.match(rest)
        if named and not looks_like_formula(named):
            return f"{role}{sep}{named}"
    return affiliation
