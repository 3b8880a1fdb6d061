"""Stable Signer IDs.

A signer's keys (its organization's name fingerprints, or an individual's email) are kept
in a registry key → Signer ID. A signer whose keys are already registered keeps its ID,
however its best spelling changes; a signer with no registered key gets the next free
number of its type ("ORG-0042", "IND-0107"). When two registered signers turn out to be one
(a new alias joins them), the lower number survives and the other is reported as merged.

The registry lives in the state store; the curated tab itself is a second source (its IDs
with their emails and names), so losing the state file does not renumber anyone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from sync import frames
from sync.curate import INDIVIDUAL, ORGANIZATION
from sync.normalize.orgs import fingerprint
from sync.normalize.text import fold

PREFIX = {ORGANIZATION: "ORG", INDIVIDUAL: "IND"}
_ID = re.compile(r"^(ORG|IND)-(\d+)$")


@dataclass
class Assignment:
    ids: list[str]
    registry: dict[str, str]
    merged: dict[str, list[str]] = field(default_factory=dict)  # survivor → absorbed IDs


def registry_from_tab(tab: pd.DataFrame | None) -> dict[str, str]:
    """Keys recovered from an existing curated tab (used under the state's registry)."""
    if tab is None or tab.empty or "Signer ID" not in tab.columns:
        return {}
    found: dict[str, str] = {}
    seen: dict[str, int] = {}
    # oldest first, as assign_ids meets them, so repeated name keys number the same way
    rows = tab.sort_values("First Signed", kind="stable") if "First Signed" in tab else tab
    blank = [""] * len(rows)
    for signer_id, emails, name in zip(
        rows["Signer ID"].tolist(),
        rows["Email"].tolist() if "Email" in rows.columns else blank,
        rows["Name"].tolist() if "Name" in rows.columns else blank,
        strict=True,
    ):
        signer_id, name = str(signer_id).strip(), str(name)
        if not _ID.match(signer_id):
            continue
        if signer_id.startswith("IND"):
            addresses = [e.strip() for e in str(emails).split(";") if e.strip()]
            for email in addresses:
                found.setdefault(f"email:{email.casefold()}", signer_id)
            if not addresses and name.strip():
                found.setdefault(_nth(f"name:{fold(name)}", seen), signer_id)
        elif name.strip():
            found.setdefault(f"org:{fingerprint(name)}", signer_id)
    return found


def _number(signer_id: str) -> int:
    match = _ID.match(signer_id)
    return int(match.group(2)) if match else 0


def _nth(key: str, seen: dict[str, int]) -> str:
    """The key itself the first time a run meets it, `key#2`, `key#3`... after that.

    Only name keys repeat (two signers without an email and with the same name): numbering
    them in the signers' order (oldest first) keeps each one's Signer ID from run to run
    instead of the two trading IDs."""
    seen[key] = seen.get(key, 0) + 1
    return key if seen[key] == 1 else f"{key}#{seen[key]}"


def assign_ids(signers: pd.DataFrame, registry: Mapping[str, str],
               known_ids: set[str] | frozenset[str] = frozenset()) -> Assignment:
    """One Signer ID per signer row, in the rows' order (oldest signers first)."""
    updated = dict(registry)
    used = set(known_ids) | set(registry.values())
    next_number = {
        kind: max((_number(i) for i in used if i.startswith(prefix)), default=0) + 1
        for kind, prefix in PREFIX.items()
    }
    claimed: set[str] = set()
    ids: list[str] = []
    merged: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for kind, shared_keys in frames.rows(signers, "Type", "_keys"):
        keys = [_nth(key, seen) for key in shared_keys]
        candidates = sorted({updated[k] for k in keys if k in updated} - claimed, key=_number)
        if candidates:
            signer_id = candidates[0]
            if len(candidates) > 1:
                merged[signer_id] = candidates[1:]
        else:
            signer_id = f"{PREFIX[kind]}-{next_number[kind]:04d}"
            next_number[kind] += 1
        claimed.add(signer_id)
        ids.append(signer_id)
        for key in keys:
            updated[key] = signer_id
    return Assignment(ids, updated, merged)
