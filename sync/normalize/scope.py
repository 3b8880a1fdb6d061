"""Scope of an organization → National, Regional, State, Local, International or Unknown.

The form offers the five scopes and an "Other:" box, so answers arrive as free text
("Nation-wide", "Statewide", "City", "Multi-state region", "Worldwide", "Campus"). The scope
word mentioned first wins: "Local chapter of a national organization" is Local.
"""

from __future__ import annotations

import re

from sync.normalize.places import us_states
from sync.normalize.text import clean_text, fold

SCOPES = ("National", "Regional", "State", "Local", "International", "Unknown")

_RULES: tuple[tuple[str, str], ...] = (
    ("International", r"international|inter-national|worldwide|world-wide|world wide|global"
                      r"|transnational|multinational|multi-national|\bplanet"),
    ("Regional", r"regional|region|multi-?state|multiple states|tri-?state|several states"
                 r"|midwest|new england|pacific northwest|south-?east|south-?west|north-?east"
                 r"|bay area|appalachia|great lakes|mid-atlantic|gulf coast|west coast"
                 r"|east coast|the south\b|southern states"),
    ("National", r"national|nation-?wide|country-?wide|\bus-wide\b|all 50|across the (us|u\.s"
                 r"|country|nation)|united states|\busa\b|\bu\.?s\.?(a\.?)?$|coast to coast"
                 r"|federal"),
    ("State", r"\bstate\b|statewide|state-?wide|state level"),
    ("Local", r"local|city|citywide|city-?wide|county|town|municipal|neighbo|community|campus"
              r"|chapter|congregation|metro|village|parish|university|college|school"
              r"|grassroots|borough"),
)
_BLANK = re.compile(r"^(n/?a|none|unknown|not sure|\?+|-+|other)$")


def normalize_scope(answer: str) -> str:
    """The canonical scope for a form answer, "Unknown" when nothing fits."""
    text = fold(clean_text(answer))
    text = re.sub(r"^other\s*[:\-]\s*", "", text).strip(" .")
    if not text or _BLANK.match(text):
        return "Unknown"
    for scope in SCOPES[:-1]:
        if text == scope.casefold():
            return scope
    found = [(match.start(), order, scope)
             for order, (scope, pattern) in enumerate(_RULES)
             for match in [re.search(pattern, text)] if match]
    if found:
        return min(found)[2]
    if text in us_states():
        return "State"  # "Other: Ohio"
    return "Unknown"
