"""Reviewer decisions merged back into freshly curated signers.

Staff edit three columns of the curated tab: `Listed As`, `Status` and `Reviewer Note`.
They are read back from the tab by Signer ID before every write, and remembered in the
state store too, so a row a reviewer deleted, or a signer whose response disappears and
comes back, gets its decisions again.

Status: the tool writes a computed default ("Needs review" when flagged, else "Approved").
A status that differs from the default the tool last wrote is the reviewer's choice and is
kept; a status equal to it is still the tool's and follows the signer's flags.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from sync import frames
from sync.curate import CURATED_COLUMNS, REVIEWER_COLUMNS, STATUSES
from sync.errors import HeaderError


@dataclass(frozen=True)
class Decision:
    listed_as: str = ""
    status: str = ""
    note: str = ""
    computed: str = ""  # the default status the tool last wrote for this signer


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
    if tab is None or tab.empty:
        return {}
    found: dict[str, Decision] = {}
    for signer_id, listed, status, note in frames.rows(
        tab, "Signer ID", "Listed As", "Status", "Reviewer Note"
    ):
        signer_id = str(signer_id).strip()
        if signer_id and signer_id not in found:
            found[signer_id] = Decision(str(listed).strip(), _status(status), str(note).strip())
    return found


def _status(value: object) -> str:
    text = str(value).strip().casefold()
    return next((s for s in STATUSES if s.casefold() == text), "")


def merge_decisions(
    signers: pd.DataFrame,
    tab_order: list[str],
    from_tab: Mapping[str, Decision],
    remembered: Mapping[str, Decision],
    merged: Mapping[str, list[str]] | None = None,
    staged: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The curated table: reviewer columns filled, existing rows in the tab's order first,
    new signers after them in the order given.

    `staged` holds the defaults an earlier write was about to put in the tab (see
    `State.stage_defaults`): a status equal to one of those is the tool's too."""
    merged, staged = merged or {}, staged or {}
    rows = signers.copy()
    listed, statuses, notes = [], [], []
    for signer_id, default in frames.rows(rows, "Signer ID", "_default"):
        decision = _decision_for(signer_id, from_tab, remembered, merged)
        listed.append(decision.listed_as)
        notes.append(decision.note)
        # Without a remembered default (the state was lost, or the run that wrote the row
        # died before saving it) a status equal to today's default is taken as the tool's.
        computed = remembered[signer_id].computed if signer_id in remembered else default
        reviewer_chose = decision.status and decision.status not in {
            computed, staged.get(signer_id, computed)}
        statuses.append(decision.status if reviewer_chose else default)
    rows["Listed As"], rows["Status"], rows["Reviewer Note"] = listed, statuses, notes
    position = {signer_id: index for index, signer_id in enumerate(tab_order)}
    rows["_position"] = [
        position.get(signer_id, len(position) + n)
        for n, signer_id in enumerate(rows["Signer ID"].tolist())
    ]
    return rows.sort_values("_position", kind="stable").drop(columns="_position").reset_index(
        drop=True
    )


def _decision_for(signer_id: str, from_tab: Mapping[str, Decision],
                  remembered: Mapping[str, Decision], merged: Mapping[str, list[str]]) -> Decision:
    """The tab's decision for this signer, else the remembered one; absorbed signers fill
    whatever the survivor left blank."""
    own = from_tab.get(signer_id) or remembered.get(signer_id) or Decision()
    for absorbed in merged.get(signer_id, []):
        other = from_tab.get(absorbed) or remembered.get(absorbed) or Decision()
        own = Decision(
            own.listed_as or other.listed_as,
            own.status or other.status,
            own.note or other.note,
            own.computed,
        )
    return own


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
