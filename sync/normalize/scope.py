"""Scope of an organization → National, Regional, State, Local, International or Unknown.

The form offers the five scopes and an "Other:" box, so answers arrive as free text
("Nation-wide", "Statewide", "City", "Multi-state region", "Worldwide", "Campus"). The scope
word mentioned first wins: "Local chapter of a national organization" is Local.
"""

from __future__ import annotations

import re

from sync.normalize.places import countries, place_key, us_postal_codes, us_states
from sync.normalize.text import clean_text, fold

SCOPES = ("National", "Regional", "State", "Local", "International", "Unknown")

_RULES: tuple[tuple[str, str], ...] = (
    ("International", r"international|inter-national|worldwide|world-wide|world wide|global"
                      r"|transnational|multinational|multi-national|\bplanet|bi-?national"
                      r"|two countries|both countries|cross-?border"),
    ("Regional", r"regional|region|multi-?state|multiple states|tri-?state|several states"
                 r"|midwest|new england|pacific northwest|south-?east|south-?west|north-?east"
                 r"|bay area|appalachia|great lakes|mid-atlantic|gulf coast|west coast"
                 r"|east coast|the south\b|southern states"),
    ("National", r"(?<![a-z])national|(?<![a-z])nation-?wide|country-?wide|\bus-wide\b|all 50"
                 r"|across the (us|u\.s|country|nation)|united states|\busa\b|\bu\.?s\.?(a\.?)?$"
                 r"|coast to coast"
                 r"|federal"),
    ("State", r"\bstate\b|statewide|state-?wide|state level|provincial|province-?wide"),
    ("Local", r"local|city|citywide|city-?wide|county|town|municipal|neighbo|community|campus"
              r"|chapter|congregation|metro|village|parish|university|college|school"
              r"|grassroots|borough|\bgreater\b|\barea\b|twin cities"),
)
_BLANK = re.compile(r"^(n/?a|none|unknown|not sure|\?+|-+|other)$")


def other_scope_text(answer: str) -> str:
    """What a respondent typed in the "Other:" box ("" for one of the five options)."""
    text = re.sub(r"^\s*other\s*[:\-]\s*", "", clean_text(answer), flags=re.IGNORECASE)
    return "" if text.casefold() in {s.casefold() for s in SCOPES[:-1]} else text


def normalize_scope(answer: str) -> str:
    """The canonical scope for a form answer, "Unknown" when nothing fits."""
    text = fold(clean_text(answer))
    text = re.sub(r"^other\s*[:\-]\s*", "", text).strip(" .")
    if not text or _BLANK.match(text):
        return "Unknown"
    for scope in SCOPES[:-1]:
        if text == scope.casefold():
            return scope
    places = _places_named(text)
    known = set(countries().values())
    if len(places & known) >= 2 or (places & known and "us" in places):
        return "International"  # "US and Mexico", "Mexico & USA"
    found = [(match.start(), order, scope)
             for order, (scope, pattern) in enumerate(_RULES)
             for match in [re.search(pattern, text)] if match]
    if found:
        return min(found)[2]
    states = places - known - {"us"}
    if len(states) >= 2:
        return "Regional"  # "Ohio, Michigan, Indiana", "NY/NJ/CT"
    if states:
        return "State"  # "Other: Ohio", "Guam"
    return "Unknown"


_PLACE_SPLIT = re.compile(r"\s*(?:[,;/&+|]|\band\b|-)\s*")
_US = {"us", "u s", "usa", "u s a", "united states", "america"}


def _places_named(text: str) -> set[str]:
    """The U.S. states (postal codes), countries and "us" a folded scope answer lists."""
    states, codes, known = us_states(), us_postal_codes(), countries()
    found: set[str] = set()
    for part in _PLACE_SPLIT.split(text):
        key = place_key(part)
        if key in _US:
            found.add("us")
        elif key in states:
            found.add(states[key])
        elif key.upper() in codes and len(key) == 2:
            found.add(key.upper())
        elif key in known:
            found.add(known[key])
    return found
