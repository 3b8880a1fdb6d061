"""Scope of an organization → National, Regional, State, Local, International or Unknown."""

from __future__ import annotations

import re

from sync.normalize.text import clean_text, fold

SCOPES = ("National", "Regional", "State", "Local", "International", "Unknown")

# Checked in order; the first pattern found in the folded answer wins. "Other:" answers
# arrive as free text, so the words people use for each scope are listed here.
_RULES: tuple[tuple[str, str], ...] = (
    ("International", r"international|worldwide|world-wide|global|transnational|multinational"),
    ("Regional", r"regional|region|multi-?state|tri-?state|several states|midwest|new england"
                 r"|pacific northwest|southeast|southwest|northeast|bay area|appalachia"),
    ("National", r"national|nation-?wide|country-?wide|\bus-wide\b|all 50|across the (us|u\.s"
                 r"|country)"),
    ("State", r"\bstate\b|statewide|state-?wide"),
    ("Local", r"local|city|citywide|county|town|municipal|neighbo|community|campus|chapter"
              r"|congregation|metro"),
)


def normalize_scope(answer: str) -> str:
    """The canonical scope for a form answer, "Unknown" when nothing fits."""
    text = fold(clean_text(answer))
    text = re.sub(r"^other\s*:\s*", "", text)
    if not text:
        return "Unknown"
    for scope in SCOPES[:-1]:
        if text == scope.casefold():
            return scope
    for scope, pattern in _RULES:
        if re.search(pattern, text):
            return scope
    return "Unknown"
