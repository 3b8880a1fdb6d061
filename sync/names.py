"""One rule for when two names mean the same to a person: question titles and tab names.

Staff retype and edit names: "sign-on" / "sign on", "organization?" / "organization",
curly or straight quotes, "Curated signers" / "Curated Signers", "form responses 1". So a
name matches another when both are equal once case, spacing and punctuation are ignored
(`fold`). The header mapping (sync.fields) and both spreadsheet backends resolve names
with `find`, so a tab or a question is found the same way everywhere.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process, utils

from sync.errors import ConfigError

# Below this score (see `_likeness`) a name is not offered as "the closest": it would
# mislead ("Your first name" for "Scope of your Organization" scores 49).
CLOSEST_MIN_SCORE = 65


def fold(text: str) -> str:
    """`text` without case, spacing, punctuation or symbols: only its letters and digits.

    NFKC first, so full-width letters and ligatures compare as their plain forms; accents
    stay (a different letter is a different name)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def find(wanted: str, names: Sequence[str]) -> list[str]:
    """The names in `names` that mean `wanted`: `[wanted]` itself when present exactly, else
    every name equal to it under `fold` (one, none, or several when ambiguous)."""
    if wanted in names:
        return [wanted]
    key = fold(wanted)
    if not key:
        return []
    return [name for name in names if fold(name) == key]


def find_tab(wanted: str, tabs: Sequence[str], where: str) -> str | None:
    """The existing tab `wanted` names (None when there is none): the backends write into
    it, keeping its title, instead of adding a tab a person would read as the same one.
    Two tabs that both match (and neither exactly) are a mistake staff must resolve."""
    found = find(wanted, tabs)
    if len(found) > 1:
        raise ConfigError(
            f"tabs {' and '.join(repr(t) for t in found)} in {where} both look like tab "
            f"{wanted!r}; rename or delete one of them so signer-sync knows which to use")
    return found[0] if found else None


def closest(wanted: str, names: Iterable[str]) -> str | None:
    """The name in `names` most like `wanted` (word order, case and punctuation aside), or
    None when none is close enough to suggest."""
    choices = [n for n in names if n]
    if not choices:
        return None
    best = process.extractOne(wanted, choices, scorer=_likeness,
                              processor=utils.default_process,
                              score_cutoff=CLOSEST_MIN_SCORE)
    return None if best is None else best[0]


def _likeness(a: str, b: str, *, score_cutoff: float | None = None, **_: object) -> float:
    """Edit similarity, or word-set similarity when one name is the other's words plus a
    few ("Responses" in "Form Responses 1"). rapidfuzz's WRatio is looser: it rates a
    single shared word ("your") highly."""
    return max(fuzz.ratio(a, b), fuzz.token_set_ratio(a, b))
