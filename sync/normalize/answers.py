"""The form's short answers: authorization, amplification, named partner organizations."""

from __future__ import annotations

import re

from sync.normalize.text import clean_text, fold

# canonical name → patterns (on folded text) that mean it
PARTNER_ORGS: dict[str, str] = {
    "Defense for Children International - Palestine":
        r"defen[cs]e for children|\bdci[\s-]*p\b|\bdcip\b|\bdci\b",
    "Al-Haq": r"\bal[\s-]*haqq?\b|\balhaqq?\b",
    "Addameer": r"\badd?ameer\b|\badd?amir\b",
    "Bisan Center for Research and Development": r"\bbisan\b",
    "Union of Agricultural Work Committees": r"agricultural work|\buawc\b",
    "Union of Palestinian Women's Committees":
        r"palestinian wom[ae]n(?:['’]?s)? committee|\bupwc\b",
}


def yes_no_maybe(answer: str) -> str:
    """"Yes", "No", "Maybe" or "" for a free-ish yes/no answer."""
    text = fold(clean_text(answer))
    if not text:
        return ""
    if re.match(r"(yes|yeah|yep|sure|absolutely|definitely|of course|y\b)", text):
        return "Yes"
    if re.match(r"(no|nope|not\b|n\b|unable|cannot|can't)", text):
        return "No"
    return "Maybe"


def authorization(answer: str) -> str:
    """"yes", "no", "individual" (the respondent says they sign only as an individual) or ""."""
    text = fold(clean_text(answer))
    if re.search(r"individual|not applicable|^n/?a\b|myself|personal", text):
        return "individual"
    return {"Yes": "yes", "No": "no"}.get(yes_no_maybe(text), "")


def partner_orgs(answer: str) -> list[str]:
    """The named partner organizations a free-text answer mentions, in the letter's order."""
    text = fold(clean_text(answer))
    return [name for name, pattern in PARTNER_ORGS.items() if re.search(pattern, text)]
