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
COURTESY_TITLES = {"mr", "mrs", "ms", "mx", "miss", "mister", "madam", "mme"}
# Letters printed after a name ("Brother Tom Nolan, OSB", "Dana Hill, Esq."): folded (no
# periods) → how the letter prints them. Religious orders and degrees.
POST_NOMINALS: dict[str, str] = {
    **{k: k.upper() for k in (
        "osb", "sj", "mm", "op", "ofm", "csj", "ssj", "rsm", "snd", "ihm", "osf", "csc",
        "cssr", "sm", "fsc", "ocso", "ssnd", "scn", "bvm", "cp", "omi", "cm", "md", "jd",
        "rn", "lcsw", "msw", "mph", "dds", "llm")},
    "phd": "PhD", "esq": "Esq.", "dmin": "DMin", "edd": "EdD", "ofmcap": "OFM Cap.",
}
_TRAILING_PART = re.compile(r",\s*([^,]+?)\s*$")

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


_APOSTROPHE_OR_HYPHEN = re.compile(r"([-'’])")
_LEADING_WORD = re.compile(r"\s*([^\s.]+\.?)\s*")


def split_title(first: str, *, keep_last_word: bool = False) -> tuple[list[str], str]:
    """Leading title words of a first-name answer, and what remains (courtesy titles are
    dropped: the form says they are not needed). "Dr.Maria" counts as "Dr. Maria".

    `keep_last_word`: the answer holds the whole name, so its last word is a name even when
    it reads as a title ("Rev. Dr. Rev" is Rev. Dr. + Rev) — and reading the result again
    gives the same name."""
    titles: list[str] = []
    rest = first.strip()
    while rest:
        match = _LEADING_WORD.match(rest)
        key = _title_key(match.group(1)) if match else ""
        if keep_last_word and match and not _bare(rest[match.end():]):
            break
        if key == "the" and titles == [] and _next_is_title(rest[match.end():]):
            rest = rest[match.end():]  # "The Rev. Canon" prints "Rev. Canon"
            continue
        if key in PROFESSIONAL_TITLES:
            titles.append(PROFESSIONAL_TITLES[key])
        elif not key or key not in COURTESY_TITLES:
            break
        rest = rest[match.end():]
    remainder = _bare(rest)
    if remainder and remainder != rest.strip():
        # what the stray punctuation hid may start with a title ("Rev.: Rev.0"): read it as
        # a later run would read the cleaned name, so parsing twice gives the same name
        more, remainder = split_title(remainder, keep_last_word=keep_last_word)
        titles += more
    return titles, remainder


def _next_is_title(text: str) -> bool:
    match = _LEADING_WORD.match(text)
    return bool(match) and _title_key(match.group(1)) in PROFESSIONAL_TITLES


def _trailing_titles(last: str) -> tuple[str, list[str], list[str]]:
    """A surname without the titles and post-nominal letters typed after it: ("Ruiz, Dr."
    → "Ruiz", ["Dr."], []), ("NOLAN, OSB" → "NOLAN", [], ["OSB"])."""
    titles: list[str] = []
    letters: list[str] = []
    while (match := _TRAILING_PART.search(last)) and match.start():
        key = match.group(1).replace(".", "").casefold().replace(" ", "")
        if key in POST_NOMINALS:
            letters.insert(0, POST_NOMINALS[key])
        elif key in PROFESSIONAL_TITLES:
            titles.insert(0, PROFESSIONAL_TITLES[key])
        else:
            break
        last = last[:match.start()]
    return last, titles, letters


def _without_repeat(first: str, last: str) -> tuple[str, str]:
    """A name typed in First Name and again in Last Name counts once: "Ana" | "Ana Ruiz" and
    "Ana Ruiz" | "Ruiz" are Ana Ruiz."""
    a, b = first.casefold(), last.casefold()
    if a and (b == a or b.startswith(a + " ")):
        return "", last
    if b and a.endswith(" " + b):
        return first, ""
    return first, last


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
    parts = _APOSTROPHE_OR_HYPHEN.split(word)
    out: list[str] = []
    for part in parts:
        if part in {"al", "el"} and len(parts) > 1 and not out and keep_article:
            out.append(part)  # Rasha al-Sayed: the article stays lower-case inside a name
        elif part.startswith("mc") and len(part) > 3:
            out.append("Mc" + _cap(part[2:]))
        elif part in _MAC_NAMES:
            out.append("Mac" + _cap(part[3:]))
        elif len(out) == 2 and out[0] in {"o", "O", "d", "D"} and out[1] in "'’":
            out[0] = out[0].upper()
            out.append(_cap(part))
        else:
            out.append(_cap(part))
    return "".join(out)


def _cap(part: str) -> str:
    """The first letter upper-cased, whatever comes before it ("(anne" → "(Anne")."""
    index = next((i for i, c in enumerate(part) if c.isalpha()), len(part))
    letter = part[index:index + 1]
    upper = letter.upper() if len(letter.upper()) == 1 else letter  # "ß" has no capital
    return part[:index] + upper + part[index + 1:]


def _bare(text: str) -> str:
    """A name part without stray separators or lone punctuation ("Mary - Ellen"), and
    without leading formula characters: no name starts with "=", "+", "@" or "-", and a
    sheet would run such text as a formula."""
    words = [w for w in clean_text(text).split(" ") if any(c.isalnum() for c in w)]
    return " ".join(words).strip(" ,;").lstrip("=+@- ").strip(" ,;")


def parse_name(first: str, last: str) -> PersonName:
    """Title, first and last name from the form's two name fields.

    The whole name typed in one field is split; a title alone in First Name with the whole
    name in Last Name ("Pastor" | "Denise Holmberg") is read as title, first, last.
    """
    last, after, letters = _trailing_titles(clean_text(last))
    first, last = _without_repeat(_bare(first), _bare(last))
    if first.replace(".", "").casefold() in POST_NOMINALS:  # "Esq." | "Dana Hill"
        letters.append(POST_NOMINALS[first.replace(".", "").casefold()])
        first = ""
    titles, first = split_title(first, keep_last_word=not last)
    titles += [t for t in after if t not in titles]
    while not first and " " in last:
        first, _, last = (_bare(part) for part in last.partition(" "))
        more, first = split_title(first)
        titles += more
        first, last = _without_repeat(first, last)  # "Ana Ana Ruiz" reads as "Ana" | "Ana Ruiz"
    # three times at most: a last name that cleans away to nothing ("(AFSC)*") or repeats
    # the first ("Ana Ruiz Ruiz") leaves a whole name in First Name again, which a second
    # split reads the way a later run would
    for _ in range(3):
        whole = HumanName(first) if not last and " " in first else None
        if whole is None or not (whole.last and whole.first):
            break
        first = _bare(" ".join(p for p in (whole.first, whole.middle) if p))
        first, last = _without_repeat(first, _bare(whole.last))  # "Ana Ruiz Ruiz"
    last = recase_name(last, leading=not first and not titles)
    return PersonName(" ".join(titles), recase_name(first),
                      ", ".join(p for p in (last, *letters) if p))
