"""The curate stage: clean responses → one row per signer, reviewer decisions merged back.

Pure functions over DataFrames. The rules, in the order they apply:

1. A response with neither an organization nor a name, or with test junk, is skipped with
   a reason (it still counts in the run's figures).
2. The same email answering twice counts once: its latest answer wins, and the earlier
   answers count towards the signers of the latest one.
3. A response signs for its organization when it names one, unless it says it signs as an
   individual. It signs as an individual when it gives a name and either names no
   organization, gives an affiliation to list, or says it signs as an individual.
4. Organization answers whose names cluster together (normalize.orgs) are one signer.
5. Flags say why a person should look; a flagged signer starts as "Needs review".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from sync.normalize.answers import PARTNER_ORGS
from sync.normalize.names import split_title
from sync.normalize.text import fold, looks_like_formula

CURATED_COLUMNS = (
    "Signer ID", "Type", "Name", "Listed As", "Affiliation", "Scope", "Outside U.S.", "Flags",
    "Status", "Reviewer Note", "Email", "First Signed", "Last Updated", "Late Signer",
    "Can Amplify", "Partner Orgs", "Responses",
)
REVIEWER_COLUMNS = ("Listed As", "Status", "Reviewer Note")
STATUSES = ("Approved", "Needs review", "Excluded")
ORGANIZATION, INDIVIDUAL = "Organization", "Individual"

# Words that, alone, make up the organization and name of a test entry ("test asdf").
_JUNK = {"test", "testing", "asdf", "asdfgh", "qwerty", "xxx", "abc", "aaa", "foo", "bar",
         "lorem", "ipsum", "delete", "ignore", "sample", "dummy"}


@dataclass(frozen=True)
class Skipped:
    row: int
    reason: str


def skip_reasons(clean: pd.DataFrame) -> pd.Series:
    """Why each response is skipped ("" for the ones that are kept)."""

    def reason(row: pd.Series) -> str:
        if not row["organization"] and not row["display_name"]:
            if not row["email"]:
                return "blank response"
            return "no organization or name given"
        typed = {word for field in ("organization", "display_name")
                 for word in fold(row[field]).split()}
        if typed and typed <= _JUNK:
            return "looks like a test entry"
        return ""

    if clean.empty:
        return pd.Series([], dtype=object, index=clean.index)
    return clean.apply(reason, axis=1)


def effective_responses(clean: pd.DataFrame) -> pd.DataFrame:
    """The kept responses with `group`: the row of the answer that counts for its email.

    The latest answer of each email wins; rows without an email stand alone.
    """
    frame = clean.rename_axis(None).copy()
    frame["row"] = frame.index
    order = frame.sort_values(["submitted_at", "row"], na_position="first")
    latest = order.groupby(order["email"].where(order["email"] != "", order["row"].astype(str)),
                           sort=False)["row"].last()
    key = frame["email"].where(frame["email"] != "", frame["row"].astype(str))
    frame["group"] = key.map(latest)
    return frame


def build_signers(
    clean: pd.DataFrame, published: dt.date | None, *, us_only: bool = True
) -> tuple[pd.DataFrame, list[Skipped]]:
    """Signers (contract columns, no Signer ID yet, plus `_keys`, `_sort`, `_default` and
    `_rows`: the sheet rows behind each signer) and skips."""
    reasons = skip_reasons(clean)
    skipped = [Skipped(int(row), why) for row, why in reasons.items() if why]
    kept = effective_responses(clean[reasons == ""])
    winners = kept[kept["row"] == kept["group"]]
    behind = kept.groupby("group")["row"].apply(list).to_dict()

    # an answer naming an organization but signing "as an individual" with no name to list
    # signs for the organization (flagged: authorization not confirmed) rather than vanish
    orgs = winners[(winners["organization"] != "") & ((winners["authorized"] != "individual")
                                                      | (winners["display_name"] == ""))]
    people = winners[
        (winners["display_name"] != "")
        & ((winners["organization"] == "") | (winners["affiliation"] != "")
           | (winners["authorized"] == "individual"))
    ]
    rows = [_org_signer(kept, group, behind, us_only) for _, group in orgs.groupby("org_key")]
    rows += [_person_signer(kept, winner, behind, us_only) for _, winner in people.iterrows()]
    signers = pd.DataFrame(rows,
                           columns=[*CURATED_COLUMNS, "_keys", "_sort", "_default", "_rows"])
    if not signers.empty:
        signers["Late Signer"] = signers["First Signed"].map(lambda t: _late(t, published))
        signers = signers.sort_values(["First Signed", "Type", "_sort"], kind="stable")
    return signers.reset_index(drop=True), skipped


def _rows_behind(
    kept: pd.DataFrame, groups: list[int], behind: dict[int, list[int]]
) -> pd.DataFrame:
    rows = [row for group in groups for row in behind[group]]
    return kept.loc[rows].sort_values(["submitted_at", "row"], na_position="first")


def _common(rows: pd.DataFrame) -> dict[str, object]:
    times = rows["submitted_at"].dropna()
    amplify = [a for a in reversed(rows["amplify"].tolist()) if a]
    partners = {p for found in rows["partners"] for p in found}
    return {
        "Email": "; ".join(dict.fromkeys(e for e in rows["email"] if e)),
        "First Signed": _iso(times.min()) if len(times) else "",
        "Last Updated": _iso(times.max()) if len(times) else "",
        "Can Amplify": amplify[0] if amplify else "",
        "Partner Orgs": "; ".join(p for p in PARTNER_ORGS if p in partners),
        "Responses": len(rows),
        "_rows": tuple(int(r) for r in rows["row"]),
    }


def _flags(rows: pd.DataFrame, us_only: bool, evidence: str) -> tuple[list[str], bool]:
    """Flags shared by both kinds of signer; `evidence` names the outside-U.S. column."""
    outside = any(e.outside for e in rows[evidence])
    reasons = list(dict.fromkeys(r for e in rows[evidence] for r in e.reasons))
    if outside:  # proven outside: the "confirm" flags of other answers add nothing
        reasons = [r for r in reasons if not r.startswith("outside U.S.?")]
    flags = reasons if us_only else []
    if rows["email"].eq("").any():
        flags = [*flags, "no email address"]
    if rows["submitted_at"].isna().any():
        flags = [*flags, "no timestamp"]
    return flags, outside


def _formula_flag(*texts: str) -> list[str]:
    """Text a spreadsheet would run as a formula is written as text, but is no name."""
    return ["looks like a spreadsheet formula"] if any(map(looks_like_formula, texts)) else []


def widest_scope(scopes: pd.Series) -> str:
    """The widest scope the responses give: a chapter member who names the national
    organization often answers with their chapter's scope ("Local")."""
    given = set(scopes)
    return next((s for s in ("International", "National", "Regional", "State", "Local")
                 if s in given), "Unknown")


def _org_signer(kept: pd.DataFrame, group: pd.DataFrame, behind: dict[int, list[int]],
                us_only: bool) -> dict[str, object]:
    rows = _rows_behind(kept, group["row"].tolist(), behind)
    mine = rows[rows["org_key"] == group["org_key"].iloc[0]]
    scope = widest_scope(mine["scope"])
    flags, outside = _flags(mine, us_only, "org_evidence")
    flags += _formula_flag(mine["org_name"].iloc[-1])
    if not mine["authorized"].eq("yes").any():
        flags.append("authorization not confirmed")
    if scope == "Unknown":
        flags.append("no scope given")
    elif scope == "International" and not outside and us_only:
        flags.append("international scope: confirm U.S. base")
    name = mine["org_name"].iloc[-1]
    return {
        "Type": ORGANIZATION, "Name": name, "Listed As": "", "Affiliation": "", "Scope": scope,
        "Outside U.S.": "Yes" if outside else "No", "Flags": "; ".join(flags),
        **_common(rows),
        # every spelling's key, so a new spelling joining this cluster keeps its Signer ID
        "_keys": tuple(sorted({f"org:{k}" for k in (*mine["org_spelling_key"],
                                                    *mine["org_key"])})),
        "_sort": fold(name).removeprefix("the "),
        "_default": "Needs review" if flags else "Approved",
    }


def _person_signer(kept: pd.DataFrame, winner: pd.Series, behind: dict[int, list[int]],
                   us_only: bool) -> dict[str, object]:
    rows = _rows_behind(kept, [int(winner["row"])], behind)
    flags, outside = _flags(rows.tail(1), us_only, "person_evidence")
    affiliation = winner["affiliation"]
    if not affiliation and winner["authorized"] == "individual":
        affiliation = winner["org_name"]
    flags += _formula_flag(winner["display_name"], affiliation)
    key = f"email:{winner['email']}" if winner["email"] else f"name:{fold(winner['display_name'])}"
    return {
        "Type": INDIVIDUAL, "Name": winner["display_name"], "Listed As": "",
        "Affiliation": affiliation, "Scope": "", "Outside U.S.": "Yes" if outside else "No",
        "Flags": "; ".join(flags), **_common(rows),
        "_keys": (key,),
        "_sort": winner["sort_name"],
        "_default": "Needs review" if flags else "Approved",
    }


def _iso(value: pd.Timestamp) -> str:
    return value.isoformat(timespec="seconds") if pd.notna(value) else ""


def _late(first_signed: str, published: dt.date | None) -> str:
    if not published or not first_signed:
        return "No"
    return "Yes" if dt.datetime.fromisoformat(first_signed).date() > published else "No"


def flag_possible_duplicates(signers: pd.DataFrame) -> pd.DataFrame:
    """Flag individuals with the same name and affiliation under another email.

    The first of them (the oldest signer) stays unflagged; each later one is flagged as a
    possible duplicate of it and starts as "Needs review". Needs `Signer ID`.
    """
    out = signers.copy()
    people = out[out["Type"] == INDIVIDUAL]
    if people.empty:
        return out
    # "Dr. Susan Lee" and "Susan Lee" are the same name
    same = people["Name"].map(lambda n: fold(split_title(n)[1] or n)) + "\x00" + \
        people["Affiliation"].map(fold)
    first_id = people.groupby(same, sort=False)["Signer ID"].transform("first")
    for index in people.index[people["Signer ID"] != first_id]:
        reason = f"possible duplicate of {first_id[index]}"
        out.at[index, "Flags"] = "; ".join(f for f in (out.at[index, "Flags"], reason) if f)
        out.at[index, "_default"] = "Needs review"
    return out
