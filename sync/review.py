"""Reviewer decisions merged back into freshly curated signers.

Staff edit three columns of the curated tab: `Listed As`, `Status` and `Reviewer Note`.
They are read back from the tab by Signer ID before every write, and remembered in the
state store too, so a row a reviewer deleted, or a signer whose response disappears and
comes back, gets its decisions again.

Status: the tool writes a computed default, the one the row's own flags imply ("Needs
review" when flagged, else "Approved"). So the tab itself tells the tool's Status from a
reviewer's, whichever copy of the file it comes from and with or without the state: a
Status that is what the tool would have written next to the row's Flags is the tool's and
follows the signer's flags from now on; any other Status is a reviewer's and is kept. The
state adds what the row cannot show: a reviewer chose that very Status (and a default
would look the same), or the row was deleted. Without the state, a reviewer's Approved is
kept only if the signer's flags are still those the reviewer saw; otherwise it goes back to
"Needs review" (nobody approved the new flags).

Status text that is not one of the three values is read with `status_text.read_status`:
a near miss becomes the value meant; anything else stays as typed, and the signer counts
as "Needs review", is flagged, and is not printed on the letter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from sync import frames
from sync.curate import CURATED_COLUMNS, REVIEWER_COLUMNS
from sync.errors import HeaderError
from sync.status_text import read_status

APPROVED, NEEDS_REVIEW = "Approved", "Needs review"
NOT_UNDERSTOOD = "Status not understood: "
_SHOWN_IDS = 10  # Signer IDs a message names before saying how many more


class Decision(NamedTuple):
    """One signer's reviewer columns (a tuple: a big tab makes one per row, fast)."""

    listed_as: str = ""
    status: str = ""  # as typed: a near miss, or text not understood, included
    note: str = ""
    computed: str = ""  # the default status the tool last wrote for this signer (state)
    flags: str | None = None  # the row's Flags as read (None: not read from the tab)


@dataclass
class Reading:
    """What reading the reviewers' Status cells found that staff should hear about."""

    near_misses: list[tuple[str, str, str]] = field(default_factory=list)  # id, typed, meant
    not_understood: list[tuple[str, str]] = field(default_factory=list)  # id, typed
    reopened: list[str] = field(default_factory=list)  # ids

    def messages(self, tab: str) -> list[str]:
        lines = [f'tab {tab!r}, {signer_id}: Status "{typed}" read as "{meant}"'
                 for signer_id, typed, meant in self.near_misses]
        lines += [f'tab {tab!r}, {signer_id}: Status "{typed}" not understood; counted as '
                  "Needs review and left off the letter until it says Approved, Needs review"
                  " or Excluded" for signer_id, typed in self.not_understood]
        if self.reopened:
            ids = ", ".join(self.reopened[:_SHOWN_IDS])
            more = len(self.reopened) - _SHOWN_IDS
            ids += f" and {more} more" if more > 0 else ""
            lines.append(
                f"tab {tab!r}: {len(self.reopened)} approval(s) re-opened as Needs review "
                f"({ids}): the state file has no record of them and the signer's flags "
                "changed since the approval; approve them again if the new flags are fine")
        return lines


def check_curated_tab(tab: pd.DataFrame | None, name: str) -> None:
    """Stop, rather than scramble decisions, when staff renamed or removed key columns."""
    if tab is None or (tab.empty and not len(tab.columns)):
        return
    missing = [c for c in ("Signer ID", *REVIEWER_COLUMNS) if c not in tab.columns]
    if missing:
        raise HeaderError(
            f"tab {name!r} has no column {missing[0]!r} (headers found: "
            f"{', '.join(repr(c) for c in tab.columns)}); rename it back so reviewer "
            "decisions can be kept"
        )


def decisions_from_tab(tab: pd.DataFrame | None) -> dict[str, Decision]:
    """Signer ID → the row's decisions, Status as typed, and the row's Flags (when the tab
    still has that column: a tab whose Flags column was renamed shows no flags)."""
    if tab is None or tab.empty:
        return {}
    flags = tab["Flags"].tolist() if "Flags" in tab.columns else [None] * len(tab)
    found: dict[str, Decision] = {}
    for signer_id, listed, status, note, shown in zip(
            *frames.columns(tab, "Signer ID", "Listed As", "Status", "Reviewer Note"), flags,
            strict=True):
        signer_id = str(signer_id).strip()
        if signer_id and signer_id not in found:
            found[signer_id] = Decision(str(listed).strip(), str(status).strip(),
                                        str(note).strip(),
                                        flags=None if shown is None else str(shown))
    return found


def merge_decisions(
    signers: pd.DataFrame,
    tab_order: list[str],
    from_tab: Mapping[str, Decision],
    remembered: Mapping[str, Decision],
    merged: Mapping[str, list[str]] | None = None,
) -> tuple[pd.DataFrame, Reading]:
    """The curated table: reviewer columns filled, existing rows in the tab's order first,
    new signers after them in the order given; and what reading the Status cells found."""
    merged = merged or {}
    rows = signers.copy()
    reading = Reading()
    listed, statuses, notes, all_flags = [], [], [], []
    for signer_id, default, flags in frames.rows(rows, "Signer ID", "_default", "Flags"):
        decision = from_tab.get(signer_id) or remembered.get(signer_id) or _NONE
        memory = remembered.get(signer_id)
        if signer_id in merged:
            decision, memory = _with_absorbed(signer_id, merged[signer_id], from_tab,
                                              remembered)
        listed.append(decision.listed_as)
        notes.append(decision.note)
        status, why = _settle(decision, memory, default, flags) if decision.status else (
            default, "")
        if why:
            typed = decision.status
            if why == "not understood":
                reading.not_understood.append((signer_id, typed))
                flags = "; ".join(f for f in (flags, f'{NOT_UNDERSTOOD}"{typed}"') if f)
            elif why == "reopened":
                reading.reopened.append(signer_id)
            else:
                reading.near_misses.append((signer_id, typed, why))
        statuses.append(status)
        all_flags.append(flags)
    rows["Listed As"], rows["Status"], rows["Reviewer Note"] = listed, statuses, notes
    rows["Flags"] = all_flags
    position = {signer_id: index for index, signer_id in enumerate(tab_order)}
    rows["_position"] = [
        position.get(signer_id, len(position) + n)
        for n, signer_id in enumerate(rows["Signer ID"].tolist())
    ]
    return rows.sort_values("_position", kind="stable").drop(columns="_position").reset_index(
        drop=True), reading


_NONE = Decision()


def _with_absorbed(signer_id: str, absorbed: list[str], from_tab: Mapping[str, Decision],
                   remembered: Mapping[str, Decision]) -> tuple[Decision, Decision | None]:
    """A signer that absorbed others (their spellings now cluster with it): each reviewer
    column it left blank comes from the first of them that has one, and the Status with
    what the state knows of that signer."""
    ids = [signer_id, *absorbed]
    decisions = [from_tab.get(i) or remembered.get(i) or _NONE for i in ids]
    chosen = next((n for n, d in enumerate(decisions) if d.status), 0)
    decision = decisions[chosen]._replace(
        listed_as=next((d.listed_as for d in decisions if d.listed_as), ""),
        note=next((d.note for d in decisions if d.note), ""))
    return decision, remembered.get(ids[chosen])


def _settle(decision: Decision, memory: Decision | None, default: str,
            flags: str) -> tuple[str, str]:
    """The Status to write for a signer whose cell is not blank, and what staff should
    hear of it: "not understood" (the text is kept as typed), "reopened" (an approval
    nobody can vouch for), the value a near miss was read as, or ""."""
    typed = decision.status
    meant = read_status(typed)
    if meant is None:
        return typed, "not understood"
    said = meant if meant != typed else ""
    if not _by_reviewer(meant, decision, memory, default):
        return default, said
    if (meant == APPROVED and memory is None and flags
            and (decision.flags is None or _own_flags(decision.flags) != flags)):
        return NEEDS_REVIEW, "reopened"
    return meant, said


def _by_reviewer(meant: str, decision: Decision, memory: Decision | None,
                 default: str) -> bool:
    """Whether a reviewer chose the Status `meant` rather than the tool writing it."""
    if memory is not None and memory.status == meant and meant != memory.computed:
        return True  # the state saw a reviewer choose it, though it may look like a default
    if decision.flags is not None:
        return meant != _implied_status(_own_flags(decision.flags))
    if memory is not None:
        return meant != memory.computed
    return meant != default


def _implied_status(flags: str) -> str:
    """The Status the tool writes next to these flags."""
    return NEEDS_REVIEW if flags.strip() else APPROVED


def _own_flags(flags: str) -> str:
    """A row's Flags without the one reading its Status adds: that flag is no reason to
    review the signer, only its Status text is."""
    if NOT_UNDERSTOOD not in flags:
        return flags.strip()
    return "; ".join(f for f in flags.split("; ") if not f.startswith(NOT_UNDERSTOOD)).strip()


def public_columns(curated: pd.DataFrame) -> pd.DataFrame:
    """Only the contract's columns, in the contract's order."""
    return curated.loc[:, list(CURATED_COLUMNS)]


_UNNAMED = re.compile(r"^Column \d+$")  # what backends call a column with a blank header


def staff_columns(tab: pd.DataFrame | None) -> list[str]:
    """Columns staff added to the curated tab: kept, after the contract's columns.

    A column with a blank header is kept only if something is typed in it."""
    if tab is None or not len(tab.columns):
        return []
    return [c for c in tab.columns if c not in CURATED_COLUMNS and not (
        _UNNAMED.match(c) and not tab[c].astype(str).str.strip().ne("").any())]


def staff_values(tab: pd.DataFrame | None, columns: list[str]) -> dict[str, list[str]]:
    """Signer ID → that row's values in `columns`."""
    if tab is None or not columns:
        return {}
    found: dict[str, list[str]] = {}
    for signer_id, values in zip(tab["Signer ID"].tolist(),
                                 tab[columns].astype(str).values.tolist(), strict=True):
        found.setdefault(str(signer_id).strip(), values)
    return found


def staff_rows(tab: pd.DataFrame | None, header: list[str]) -> list[list[str]]:
    """Rows staff typed in without a Signer ID (notes, a signer added by hand): kept as they
    are, below the signers, in `header`'s order."""
    if tab is None or tab.empty:
        return []
    rows = tab[tab["Signer ID"].astype(str).str.strip() == ""].astype(str)
    typed = rows.apply(lambda r: r.str.strip().ne("").any(), axis=1) if len(rows) else []
    return [[row.get(c, "") for c in header] for _, row in rows[typed].iterrows()]
