"""Score normalization against the hand-labeled cases in tests/labeled/, and whole runs
against the ruler in tests/ruler/ (see bench/ruler.py).

    .venv/bin/python bench/score_normalization.py            # both, with every miss
    .venv/bin/python bench/score_normalization.py --part heldout --no-misses

The labeled cases go through `normalize_responses`, the same stage a run uses. Prints:

* outside U.S.: precision of `Outside U.S.` = Yes, recall counting Yes or an outside-related
  "confirm" flag, and how many U.S. traps were marked Yes (must be none);
* merges: pairwise precision and recall of organization clusters, and how often the
  canonical name is the one a careful staff member would print;
* exact-match rates for display names, affiliations and scopes.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

if __package__ in (None, ""):  # run as a script: bench/ is not a package on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import ruler
from sync.fields import FIELDS
from sync.normalize import normalize_responses

LABELED = Path(__file__).resolve().parents[1] / "tests" / "labeled"
TARGETS = {
    "outside_recall": 0.95, "outside_precision": 1.0, "merge_precision": 1.0,
    "merge_recall": 0.95, "names_exact": 0.97, "affiliations_exact": 0.97,
}


def read_cases(name: str) -> list[dict[str, str]]:
    with (LABELED / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def responses(rows: list[dict[str, str]]) -> pd.DataFrame:
    """Form responses with only the given fields filled in."""
    frame = pd.DataFrame({field: [""] * len(rows) for field in FIELDS})
    for index, row in enumerate(rows):
        for field, value in row.items():
            frame.at[index, field] = value
    return frame


@dataclass
class Miss:
    kind: str
    case: str
    expected: str
    got: str


def score_exact(kind: str, cases: list[dict[str, str]], field: str, column: str,
                misses: list[Miss]) -> float:
    clean = normalize_responses(responses([{field: c["raw"]} for c in cases]))
    for case, got in zip(cases, clean[column], strict=True):
        if got != case["expected"]:
            misses.append(Miss(kind, case["raw"], case["expected"], got))
    return sum(g == c["expected"] for c, g in zip(cases, clean[column], strict=True)) / len(cases)


def score_names(misses: list[Miss]) -> float:
    cases = read_cases("names.csv")
    clean = normalize_responses(responses(
        [{"first_name": c["first_name"], "last_name": c["last_name"]} for c in cases]))
    hits = 0
    for case, got in zip(cases, clean["display_name"], strict=True):
        hits += got == case["expected"]
        if got != case["expected"]:
            misses.append(Miss("name", f"{case['first_name']!r} | {case['last_name']!r}",
                               case["expected"], got))
    return hits / len(cases)


def score_outside(misses: list[Miss]) -> dict[str, float]:
    cases = read_cases("outside.csv")
    rows = [{"email": c["email"], ("organization" if c["kind"] == "org" else "affiliation"):
             c["text"]} for c in cases]
    clean = normalize_responses(responses(rows))
    said_yes = flagged = true_yes = found = traps_yes = 0
    for case, (_, row) in zip(cases, clean.iterrows(), strict=True):
        evidence = row["org_evidence"] if case["kind"] == "org" else row["person_evidence"]
        is_flagged = evidence.outside or any(r.startswith("outside U.S.") for r in evidence.reasons)
        expected = case["expected"] == "yes"
        said_yes += evidence.outside
        true_yes += evidence.outside and expected
        flagged += is_flagged
        found += is_flagged and expected
        traps_yes += evidence.outside and case["trap"] == "1"
        if is_flagged != expected or (evidence.outside and not expected):
            misses.append(Miss("outside", f"{case['email']} | {case['text']}",
                               case["expected"], "; ".join(evidence.reasons) or "no flag"))
    positives = sum(c["expected"] == "yes" for c in cases)
    return {
        "outside_precision": true_yes / said_yes if said_yes else 1.0,
        "outside_recall": found / positives,
        "outside_traps_marked_yes": float(traps_yes),
        "outside_cases": float(len(cases)),
    }


def score_merges(misses: list[Miss]) -> dict[str, float]:
    cases = read_cases("orgs.csv")
    clean = normalize_responses(responses([{"organization": c["name"]} for c in cases]))
    keys = clean["org_key"].tolist()
    true_pairs = predicted = agreed = 0
    for (i, a), (j, b) in itertools.combinations(enumerate(cases), 2):
        same, joined = a["group"] == b["group"], keys[i] == keys[j]
        true_pairs += same
        predicted += joined
        agreed += same and joined
        if same != joined:
            misses.append(Miss("merge", f"{a['name']!r} + {b['name']!r}",
                               "same" if same else "different", "joined" if joined else "apart"))
    canonical_hits = 0
    for case, got in zip(cases, clean["org_name"], strict=True):
        canonical_hits += got == case["canonical"]
        if got != case["canonical"]:
            misses.append(Miss("canonical", case["name"], case["canonical"], got))
    return {
        "merge_precision": agreed / predicted if predicted else 1.0,
        "merge_recall": agreed / true_pairs if true_pairs else 1.0,
        "canonical_exact": canonical_hits / len(cases),
        "merge_cases": float(len(cases)),
    }


def score() -> tuple[dict[str, float], list[Miss]]:
    misses: list[Miss] = []
    scores = {
        **score_outside(misses),
        **score_merges(misses),
        "names_exact": score_names(misses),
        "affiliations_exact": score_exact("affiliation", read_cases("affiliations.csv"),
                                          "affiliation", "affiliation", misses),
        "scope_exact": score_exact("scope", read_cases("scope.csv"), "scope", "scope", misses),
    }
    return scores, misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=(*ruler.PARTS, "both"), default="both",
                        help="which part of the ruler to score (default both)")
    parser.add_argument("--no-misses", action="store_true", help="figures only")
    parser.add_argument("--report", action="store_true",
                        help="always exit 0 (CI prints the figures without gating on them)")
    args = parser.parse_args(argv)
    scores, misses = score()
    total = sum(len(read_cases(f.name)) for f in sorted(LABELED.glob("*.csv")))
    print(f"{total} labeled cases in {LABELED}")
    for name, value in scores.items():
        target = TARGETS.get(name)
        mark = "" if target is None else ("  ok" if value >= target else f"  BELOW {target}")
        print(f"{name:28} {value:.3f}{mark}" if value <= 1 else f"{name:28} {value:.0f}")
    if misses and not args.no_misses:
        print("\nmisses:")
        for miss in misses:
            print(f"  [{miss.kind}] {miss.case}")
            print(f"      expected {miss.expected!r}, got {miss.got!r}")
    forms = [f for f in ruler.read_forms() if args.part in ("both", f.part)]
    tallies, ruler_misses = ruler.score(forms)
    print("\n".join(ruler.report(tallies, ruler_misses, forms,
                                 show_misses=not args.no_misses)))
    failed = any(scores[n] < t for n, t in TARGETS.items()) or scores["outside_traps_marked_yes"]
    return 1 if failed and not args.report else 0


if __name__ == "__main__":
    sys.exit(main())
