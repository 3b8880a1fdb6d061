"""People's names: professional titles kept, courtesy titles dropped, casing repaired.

The form asks for the title in the First Name field ("Professor, Rabbi, Imam, Reverend")
and says Mr./Ms./Mx. are not needed, so the title is read off the front of the first name.
Casing is repaired only in a field typed all upper- or all lower-case, so a name typed
with care ("deShawn", "van der Berg") stays exactly as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nameparser import HumanName

from sync.normalize.text import clean_text, is_single_case

# folded title (no period) → how the letter prints it
PROFESSIONAL_TITLES: dict[str, str] = {
    "dr": "Dr.", "doctor": "Dr.", "prof": "Prof.", "professor": "Professor",
    "rabbi": "Rabbi", "imam": "Imam", "rev": "Rev.", "reverend": "Reverend",
    "revd": "Rev.", "sister": "Sister", "father": "Father", "fr": "Fr.", "pastor": "Pastor",
    "bishop": "Bishop", "archbishop": "Archbishop", "cantor": "Cantor", "elder": "Elder",
    "sheikh": "Sheikh", "shaykh": "Shaykh", "chaplain": "Chaplain", "minister": "Minister",
    "deacon": "Deacon", "brother": "Brother", "br": "Br.", "hon": "Hon.",
    "honorable": "Honorable", "judge": "Judge", "senator": "Senator", "rep": "Rep.",
    "representative": "Representative", "councilmember": "Councilmember",
    "mayor": "Mayor", "maulana": "Maulana", "ustadh": "Ustadh", "ustadha": "Ustadha",
    "mother": "Mother", "venerable": "Venerable", "rt": "Rt.",
}
COURTESY_TITLES = {"mr", "mrs", "ms", "mx", "miss", "mister", "madam", "mme", "m"}

_PARTICLES = {"de", "del", "della", "der", "den", "di", "da", "das", "dos", "du", "van", "von",
              "la", "le", "bin", "bint", "ibn", "al", "el", "ben", "ter", "ten", "y"}


@dataclass(frozen=True)
class PersonName:
    title: str
    first: str
    last: str

    @property
    def display(self) -> str:
        """"Rabbi Alissa Wise": title, first, last, single-spaced."""
        return " ".join(part for part in (self.title, self.first, self.last) if part)

    @property
    def sort_key(self) -> str:
        return f"{self.last} {self.first}".casefold().strip()


def _title_key(token: str) -> str:
    return token.rstrip(".,").casefold()


def split_title(first: str) -> tuple[list[str], str]:
    """Leading title words of a first-name answer, and what remains."""
    titles: list[str] = []
    words = first.split(" ")
    while len(words) > 1 or (words and _title_key(words[0]) in COURTESY_TITLES):
        key = _title_key(words[0])
        if key in PROFESSIONAL_TITLES:
            titles.append(PROFESSIONAL_TITLES[key])
        elif key not in COURTESY_TITLES:
            break
        words = words[1:]
    return titles, " ".join(words)


def recase_name(text: str) -> str:
    """Proper casing for a name typed in one case; any other text is returned unchanged."""
    if not is_single_case(text):
        return text
    words = text.lower().split(" ")
    return " ".join(
        word if index and word in _PARTICLES else _capitalize_word(word)
        for index, word in enumerate(words)
    )


def _capitalize_word(word: str) -> str:
    parts = re.split(r"([-'’])", word)
    out = []
    for part in parts:
        if part in {"al", "el"} and len(parts) > 1 and not out:
            out.append(part)  # al-Sayed, el-Amin: the article stays lower-case
        elif part.startswith("mc") and len(part) > 2:
            out.append("Mc" + part[2:].capitalize())
        else:
            out.append(part.capitalize())
    return "".join(out)


def parse_name(first: str, last: str) -> PersonName:
    """Title, first and last name from the form's two name fields."""
    first, last = clean_text(first), clean_text(last)
    titles, first = split_title(first)
    if not last and " " in first:
        whole = HumanName(first)
        if whole.last:
            first, last = " ".join(p for p in (whole.first, whole.middle) if p), whole.last
    return PersonName(" ".join(titles), recase_name(first), recase_name(last))
