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

from sync.curate import INDIVIDUAL, ORGANIZATION
from sync.normalize.orgs import fingerprint

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
    blank = [""] * len(tab)
    for signer_id, emails, name in zip(
        tab["Signer ID"].tolist(),
        tab["Email"].tolist() if "Email" in tab.columns else blank,
        tab["Name"].tolist() if "Name" in tab.columns else blank,
        strict=True,
    ):
        signer_id = str(signer_id).strip()
        if not _ID.match(signer_id):
            continue
        if signer_id.startswith("IND"):
            for email in str(emails).split(";"):
                if email.strip():
                    found.setdefault(f"email:{email.strip().casefold()}", signer_id)
        elif str(name).strip():
            found.setdefault(f"org:{fingerprint(str(name))}", signer_id)
    return found


def _number(signer_id: str) -> int:
    match = _ID.match(signer_id)
    return int(match.group(2)) if match else 0


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
    for kind, keys in zip(signers["Type"], signers["_keys"], strict=True):
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
