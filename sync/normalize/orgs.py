"""Organization names: cleaning, a fingerprint key, clusters of spellings, canonical names."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import pandas as pd

from sync.normalize.text import clean_text, fold, is_blankish, is_single_case

SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on",
               "or", "the", "to", "with", "de", "la", "del", "y", "en"}
KNOWN_ACRONYMS = {"us", "usa", "u.s.", "u.s.a.", "uk", "nyc", "la", "dc", "lgbtq", "lgbtqia",
                  "bds", "sjp", "jvp", "afsc", "fcnl", "cair", "dsa", "ucla", "cuny", "suny",
                  "ngo", "aclu", "naacp", "uaw", "seiu", "afl-cio", "cwa", "ufcw", "nlg", "ywca",
                  "ymca", "uscpr", "amp", "cjp", "ifnotnow", "mit", "nyu", "usc", "ucsd"}
_PUNCT = re.compile(r"[^\w\s]")


def clean_org(name: str) -> str:
    """What an organization answer says, tidied; "" when it says nothing."""
    text = clean_text(name).strip(" ,;:")
    if is_blankish(text):
        return ""
    return recase_title(text)


def recase_title(text: str) -> str:
    """Title case for text typed in one case: small words lower, acronyms upper."""
    if not is_single_case(text):
        return text
    words = text.split(" ")
    if len(words) == 1 and text.isupper() and len(text) <= 6:
        return text  # a lone acronym: "CAIR", "FCNL"
    out = []
    for index, word in enumerate(words):
        lower = word.lower()
        if lower in KNOWN_ACRONYMS or (len(lower) > 1 and not re.search(r"[aeiouy]", lower)):
            out.append(word.upper())
        elif index and lower in SMALL_WORDS:
            out.append(lower)
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in lower.split("-")))
    return " ".join(out)


def fingerprint(name: str) -> str:
    """OpenRefine's fingerprint key: folded, punctuation gone, words sorted and unique.

    A leading "The" is dropped first so "The Sunrise Movement" meets "Sunrise Movement".
    """
    text = _PUNCT.sub("", fold(clean_text(name)))
    words = text.split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(sorted(set(words)))


def best_spelling(variants: Iterable[str]) -> str:
    """The canonical spelling among variants: mixed case beats single case, then the most
    common, then the first seen."""
    seen = [v for v in variants if v]
    if not seen:
        return ""
    counts = Counter(seen)
    order = {v: i for i, v in enumerate(dict.fromkeys(seen))}
    return min(counts, key=lambda v: (is_single_case(v), -counts[v], order.get(v, 0)))


def cluster_organizations(names: pd.Series) -> pd.Series:
    """A cluster key per row (the fingerprint); "" for rows with no organization."""
    return names.map(lambda n: fingerprint(n) if n else "")
