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
    "mother": "Mother", "venerable": "Venerable", "rt": "Rt.", "canon": "Canon",
    # In a first-name box "Sr." is a religious sister, not "Senior".
    "sr": "Sister", "sra": "Sister", "dra": "Dra.", "imama": "Imama", "rebbe": "Rebbe",
    "rebbetzin": "Rebbetzin", "hazzan": "Hazzan", "chazzan": "Chazzan", "reb": "Reb",
    "shaikh": "Sheikh", "shaykha": "Shaykha", "sheikha": "Sheikha", "prophet": "Prophet",
    "apostle": "Apostle", "evangelist": "Evangelist", "monsignor": "Monsignor",
    "msgr": "Msgr.", "vicar": "Vicar", "friar": "Friar", "swami": "Swami", "lama": "Lama",
    "roshi": "Roshi", "sensei": "Sensei", "prof.dr": "Prof. Dr.",
}
COURTESY_TITLES = {"mr", "mrs", "ms", "mx", "miss", "mister", "madam", "mme", "m"}

_PARTICLES = {"de", "del", "della", "der", "den", "di", "da", "das", "dos", "du", "van", "von",
              "la", "le", "bin", "bint", "ibn", "al", "el", "ben", "ter", "ten", "y", "e"}
# Gaelic "Mac" names that need an inner capital. Not a rule: Machado, Macias, Mackey and
# Macon are not Mac-names, so only these (and every "Mc") get one.
_MAC_NAMES = {"macarthur", "macdonald", "macdougall", "macgregor", "macintyre", "macintosh",
              "mackenzie", "mackinnon", "maclean", "macleod", "macmillan", "macneil",
              "macneill", "macpherson", "macaulay", "macinnes", "macisaac", "macalister",
              "macallister", "maccormack", "macdowell", "macfarlane", "maclaren", "macrae",
              "macbride", "macdonnell", "maceachern", "macewan", "macgowan", "mackay",
              "maclachlan", "macmahon", "macnamara", "macquarrie", "macdermott", "macgee"}


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
    """Leading title words of a first-name answer, and what remains (courtesy titles are
    dropped: the form says they are not needed)."""
    titles: list[str] = []
    words = [w for w in re.split(r"(?<=\.)(?=\w)| ", first) if w]
    while words:
        key = _title_key(words[0])
        if key in PROFESSIONAL_TITLES:
            titles.append(PROFESSIONAL_TITLES[key])
        elif key not in COURTESY_TITLES:
            break
        words = words[1:]
    return titles, " ".join(words)


def recase_name(text: str, *, leading: bool = True) -> str:
    """Proper casing for a name typed in one case; any other text is returned unchanged.

    Particles ("van der", "de la", "bin", "al-") stay lower-case unless they open the
    whole name (`leading`); a lone "Le" or "Di" is a surname, not a particle.
    """
    if not is_single_case(text):
        return text
    words = text.lower().split(" ")
    out = []
    for index, word in enumerate(words):
        particle = word in _PARTICLES and index < len(words) - 1
        if particle and (index or not leading):
            out.append(word)
        else:
            out.append(_capitalize_word(word, keep_article=bool(index) or not leading))
    return " ".join(out)


def _capitalize_word(word: str, *, keep_article: bool) -> str:
    parts = re.split(r"([-'’])", word)
    out: list[str] = []
    for part in parts:
        if part in {"al", "el"} and len(parts) > 1 and not out and keep_article:
            out.append(part)  # Rasha al-Sayed: the article stays lower-case inside a name
        elif part.startswith("mc") and len(part) > 3:
            out.append("Mc" + part[2:].capitalize())
        elif part in _MAC_NAMES:
            out.append("Mac" + part[3:].capitalize())
        elif len(out) == 2 and out[0] in {"o", "O", "d", "D"} and out[1] in "'’":
            out[0] = out[0].upper()
            out.append(part.capitalize())
        else:
            out.append(part.capitalize())
    return "".join(out)


def parse_name(first: str, last: str) -> PersonName:
    """Title, first and last name from the form's two name fields.

    The whole name typed in one field is split; a title alone in First Name with the whole
    name in Last Name ("Pastor" | "Denise Holmberg") is read as title, first, last.
    """
    first, last = clean_text(first).strip(" ,;"), clean_text(last).strip(" ,;")
    titles, first = split_title(first)
    if not first and " " in last:
        first, _, last = last.partition(" ")
    if not titles and not last and " " in first:
        titles, first = split_title(first)
    if not last and " " in first:
        whole = HumanName(first)
        if whole.last and whole.first:
            first, last = " ".join(p for p in (whole.first, whole.middle) if p), whole.last
    elif not first and " " in last:
        first, _, last = last.partition(" ")
    return PersonName(" ".join(titles), recase_name(first),
                      recase_name(last, leading=not first and not titles))
