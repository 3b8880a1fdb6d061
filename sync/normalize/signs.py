"""Signs of a base abroad that are not place names: the way a name is written, the email
provider, and the Palestinian organizations the letter itself names.

Hand-listed: no library knows which words give a name away as written abroad. Each sign
here is weak (a look, never `Outside U.S.` alone) except the email providers and the named
partners, which say where their owner is as surely as a country-code domain does.
"""

from __future__ import annotations

# Words of other languages that are not English words and rarely open or join a U.S.
# group's name; Spanish ones included (Spanish-named U.S. groups are common, hence weak).
# Left out on purpose: "la", "el", "des", "du", "il", "do", "die" ("LA", "El Paso",
# "Des Moines", "IL").
FOREIGN_WORDS = frozenset({
    # function words
    "de", "del", "los", "las", "y", "por", "para", "contra", "pour", "et", "les", "une",
    "aux", "avec", "contre", "und", "fur", "fuer", "der", "gegen", "em", "pela", "pelo",
    "della", "delle", "degli", "di", "een", "het", "voor", "och", "dans", "sur",
    # the words a group abroad names itself with
    "solidarite", "solidaridad", "solidariedade", "solidarieta", "palestina", "palestino",
    "palestinienne", "palestinien", "palestinensische", "palaestinensische", "palastina",
    "gesellschaft", "verein", "stimme", "frieden", "judische", "juedische", "joods",
    "movimiento", "movimento", "mouvement", "colectivo", "coletivo", "collectif", "consejo",
    "comite", "asociacion", "associacao", "sindicato", "federacion", "plateforme",
    "plataforma", "povo", "derechos", "direitos", "droits", "paix", "giustizia", "geluid",
    "deutsch", "deutsche", "una",
})
# What U.S. Latino worker, immigrant and student groups call themselves ("Centro de
# Trabajadores Unidos", "Unión del Barrio", "MEChA de UCLA"): with these, Spanish is a U.S.
# community's language, not a sign of a base abroad.
US_LATINO_WORDS = frozenset({
    "trabajadores", "trabajadoras", "unidos", "unidas", "barrio", "familias", "chicanx",
    "chicano", "chicana", "chicanos", "raza", "cosecha", "inmigrantes", "comunidad",
    "latinx", "latino", "latina", "latinos", "aztlan", "campesinos", "jornaleros", "mecha",
    "esperanza", "pueblo", "agricolas", "lado",
})
# British spellings in a name: "Centre", "Programme", "Labour".
BRITISH_SPELLINGS = frozenset({
    "centre", "centres", "programme", "programmes", "organisation", "organisations",
    "labour", "defence", "neighbourhood", "neighbourhoods", "honour", "theatre",
})
# Legal forms of other countries, as the folded words they end a name with.
LEGAL_FORMS = frozenset({"e v", "ev", "ltd", "cic", "gmbh", "ggmbh", "asbl", "vzw", "onlus",
                         "stichting", "plc", "pty", "aisbl"})
# The organizations the letter names (its form asks who worked with them): all are based in
# Palestine. Folded names and the acronyms they go by.
NAMED_PARTNERS = frozenset({
    "al haq", "alhaq", "addameer", "addameer prisoner support and human rights association",
    "defense for children international palestine", "dci palestine", "dcip", "dci p",
    "bisan center for research and development", "bisan center", "bisan",
    "union of agricultural work committees", "uawc",
    "union of palestinian women s committees", "upwc",
})
# Email providers of one country under a generic domain (btinternet.com is BT's, in the U.K.).
FOREIGN_PROVIDERS = {
    "btinternet.com": "United Kingdom", "btopenworld.com": "United Kingdom",
    "talktalk.net": "United Kingdom", "virginmedia.com": "United Kingdom",
    "ntlworld.com": "United Kingdom", "sky.com": "United Kingdom",
    "eircom.net": "Ireland", "gmx.net": "Germany", "bigpond.com": "Australia",
    "rogers.com": "Canada", "bell.net": "Canada", "telus.net": "Canada",
    "sympatico.ca": "Canada", "walla.com": "Israel", "bezeqint.net": "Israel",
    "rediffmail.com": "India", "naver.com": "South Korea", "qq.com": "China",
    "163.com": "China",
}
# Email providers that serve only U.S. customers: U.S. context, like a .edu address.
US_PROVIDERS = frozenset({
    "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net",
    "charter.net", "earthlink.net", "optonline.net", "frontier.com", "centurylink.net",
    "roadrunner.com", "twc.com", "rr.com",
})


def name_signs(words: list[str]) -> list[str]:
    """The weak signs in a folded name's words, as short reasons."""
    found = set(words)
    signs = []
    if found & FOREIGN_WORDS and not found & US_LATINO_WORDS:
        signs.append("name in another language")
    if found & BRITISH_SPELLINGS:
        signs.append(f"British spelling ({', '.join(sorted(found & BRITISH_SPELLINGS))})")
    tail = " ".join(words[-2:])
    form = tail if tail in LEGAL_FORMS else words[-1] if words and words[-1] in LEGAL_FORMS \
        else ""
    if form and len(words) > len(form.split()):
        signs.append(f"foreign legal form ({form})")
    if "binational" in found or "bi national" in " ".join(words):
        signs.append("binational")
    return signs
