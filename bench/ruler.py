"""Score a whole run on the ruler: labeled forms the code was not written for.

Each form in `tests/ruler/dev/` and `tests/ruler/heldout/` is one letter's response sheet
with label columns at the right (`tests/ruler/README.md`). A form goes through a real run
(csv source → workbook target, in a temporary folder), and what the run decided is compared,
signer by signer, with what a careful staff member wanted:

* what the letter gets wrong without a human look: organizations that would print twice
  (two Approved signers for one labeled organization), signers based abroad that would print
  (Approved);
* organization merges: pairwise precision and recall over responses, and recall counting a
  `possible duplicate of …` flag between the two signers as found;
* outside the U.S.: precision and recall of `Outside U.S. = Yes`, recall counting an
  outside-related review flag, U.S. signers marked Yes, U.S. signers sent to review for their
  location;
* exact-match rates for printed organization names (in the accepted list), person names,
  affiliations and scopes;
* the review burden: how many signers each kind of flag sends to review.

Tune on `dev`; only score `heldout`.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sync.config import load_job
from sync.fields import FIELDS
from sync.normalize import normalize_responses
from sync.pipeline import run_job

RULER = Path(__file__).resolve().parents[1] / "tests" / "ruler"
PARTS = ("dev", "heldout")
LABELS = ("Label Family", "Label Org", "Label Org Names", "Label Person", "Label Affiliation",
          "Label Scope", "Label Outside", "Label Note")
FAMILIES = ("national", "labor", "faith", "campus", "legal", "community", "abroad",
            "individual", "test")
_DUPLICATE = re.compile(r"possible duplicate of ((?:ORG|IND)-\d+)")
_CLOCK = dt.datetime(2030, 1, 1, 12, 0)


@dataclass
class Form:
    """One labeled form: its responses as the sheet has them, and its labels by row."""

    name: str
    part: str
    responses: list[dict[str, str]]
    labels: list[dict[str, str]]


def read_form(path: Path, part: str) -> Form:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    missing = [c for c in (*FIELDS.values(), *LABELS) if rows and c not in rows[0]]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    responses = [{title: row[title] for title in FIELDS.values()} for row in rows]
    labels = [{label: row[label].strip() for label in LABELS} for row in rows]
    return Form(path.stem, part, responses, labels)


def read_forms(root: Path = RULER) -> list[Form]:
    return [read_form(path, part) for part in PARTS
            for path in sorted((root / part).glob("*.csv"))]


def clean_form(form: Form) -> pd.DataFrame:
    """The form's responses as the normalize stage cleans them, one row per response."""
    return normalize_responses(pd.DataFrame(
        {name: [r[title] for r in form.responses] for name, title in FIELDS.items()}))


def run_form(form: Form) -> pd.DataFrame:
    """The curated signers a run makes of the form, with `_rows` (the rows behind each)."""
    with tempfile.TemporaryDirectory(prefix="signer-sync-ruler-") as folder:
        root = Path(folder)
        with (root / "responses.csv").open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(FIELDS.values()))
            writer.writeheader()
            writer.writerows(form.responses)
        (root / "job.toml").write_text(
            f'name = "ruler-{form.name}"\n'
            '[source]\nkind = "csv"\npath = "responses.csv"\n'
            '[target]\nkind = "workbook"\npath = "out/signers.xlsx"\n'
            '[state]\npath = "state/ruler.sqlite"\n'
            '[digest]\ndir = "out/digests"\n', encoding="utf-8")
        result = run_job(load_job(root / "job.toml"), clock=lambda: _CLOCK)
    return result.curated


@dataclass
class Miss:
    part: str
    kind: str
    family: str
    case: str
    expected: str
    got: str


@dataclass
class Tally:
    """Counts for one part (or one family of one part); rates are derived on report."""

    counts: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)

    def add(self, name: str, amount: int = 1) -> None:
        self.counts[name] += amount


def _indexes(rows: Iterable[object]) -> list[int]:
    """Sheet row numbers (the header is row 1) → indexes into the form's responses."""
    return [int(r) - 2 for r in rows]


def _majority(values: Iterable[str]) -> str:
    found = Counter(v for v in values if v)
    return found.most_common(1)[0][0] if found else ""


def _outside_flag(flags: str) -> bool:
    return any(f.startswith(("outside U.S", "international scope")) for f in _flags(flags))


def _flags(flags: str) -> list[str]:
    return [f.strip() for f in flags.split(";") if f.strip()]


def _flag_kind(flag: str) -> str:
    """A flag's kind, without the evidence ("outside U.S.: email domain .ie" → "outside
    U.S.")."""
    if flag.startswith("possible duplicate of"):
        return "possible duplicate"
    return flag.split(":", 1)[0].strip()


def score_form(form: Form, signers: pd.DataFrame, clean: pd.DataFrame,
               tallies: dict[str, Tally], misses: list[Miss]) -> None:
    """Add one form's figures to `tallies` ("all" and one per family)."""
    labels = form.labels
    orgs = signers[signers["Type"] == "Organization"]
    people = signers[signers["Type"] == "Individual"]
    org_of_row: dict[int, str] = {}
    for signer_id, rows in zip(orgs["Signer ID"], orgs["_rows"], strict=True):
        for row in _indexes(rows):
            org_of_row[row] = signer_id
    suggested: set[frozenset[str]] = set()
    for signer_id, flags in zip(signers["Signer ID"], signers["Flags"], strict=True):
        for other in _DUPLICATE.findall(flags):
            suggested.add(frozenset((signer_id, other)))
    by_id = signers.set_index("Signer ID")

    def tally(family: str, name: str, amount: int = 1) -> None:
        tallies["all"].add(name, amount)
        tallies[family].add(name, amount)

    _score_merges(form, org_of_row, suggested, by_id, tally, misses)
    _score_org_signers(form, orgs, tally, misses)
    _score_names(form, clean, tally, misses)
    _score_affiliations(form, people, tally, misses)
    _score_outside(form, signers, tally, misses)
    for kind, rows, status, flags in zip(signers["Type"], signers["_rows"], signers["Status"],
                                         signers["Flags"], strict=True):
        family = _majority(labels[r]["Label Family"] for r in _indexes(rows)) or "test"
        tally(family, f"signers {kind.lower()}")
        if status == "Needs review":
            tally(family, "signers sent to review")
        for kind_of_flag in {_flag_kind(f) for f in _flags(flags)}:
            tallies["all"].flags[kind_of_flag] += 1
            tallies[family].flags[kind_of_flag] += 1


def _score_merges(form: Form, org_of_row: dict[int, str], suggested: set[frozenset[str]],
                  by_id: pd.DataFrame, tally, misses: list[Miss]) -> None:
    labels = form.labels
    keyed = [i for i, label in enumerate(labels) if label["Label Org"]]
    for i in keyed:
        if i not in org_of_row:
            tally(labels[i]["Label Family"], "org responses without an organization signer")
            misses.append(Miss(form.part, "org missing", labels[i]["Label Family"],
                               f"{form.name} row {i + 2}: "
                               f"{form.responses[i]['Organization Name']!r}",
                               labels[i]["Label Org"], "no organization signer"))
    for i, j in itertools.combinations([i for i in keyed if i in org_of_row], 2):
        same = labels[i]["Label Org"] == labels[j]["Label Org"]
        joined = org_of_row[i] == org_of_row[j]
        found = joined or frozenset((org_of_row[i], org_of_row[j])) in suggested
        family = labels[i]["Label Family"] if same else "all"
        if same:
            tally(family, "pairs same")
            tally(family, "pairs joined right", joined)
            tally(family, "pairs found", found)
        if joined:
            tally(labels[i]["Label Family"], "pairs joined")
            tally(labels[i]["Label Family"], "pairs joined wrong", not same)
        if same != joined:
            got = "joined" if joined else "apart, suggested" if found else "apart"
            misses.append(Miss(
                form.part, "merge", labels[i]["Label Family"],
                f"{form.name}: {form.responses[i]['Organization Name']!r} + "
                f"{form.responses[j]['Organization Name']!r}",
                "same" if same else "different", got))
    printed: defaultdict[str, set[str]] = defaultdict(set)
    for i in keyed:
        signer = org_of_row.get(i)
        if signer is not None and by_id.at[signer, "Status"] == "Approved":
            printed[labels[i]["Label Org"]].add(signer)
    for key in {labels[i]["Label Org"] for i in keyed}:
        family = _majority(labels[i]["Label Family"] for i in keyed
                           if labels[i]["Label Org"] == key)
        tally(family, "labeled organizations")
        if len(printed[key]) > 1:
            tally(family, "organizations printed twice")
            names = sorted(by_id.at[s, "Name"] for s in printed[key])
            misses.append(Miss(form.part, "printed twice", family, f"{form.name}: {key}",
                               "one line", " / ".join(names)))


def _score_org_signers(form: Form, orgs: pd.DataFrame, tally, misses: list[Miss]) -> None:
    labels = form.labels
    for name, scope, rows in zip(orgs["Name"], orgs["Scope"], orgs["_rows"], strict=True):
        key = _majority(labels[r]["Label Org"] for r in _indexes(rows))
        if not key:
            continue
        own = [r for r in _indexes(rows) if labels[r]["Label Org"] == key]
        label = labels[own[-1]]
        family = label["Label Family"]
        accepted = [n.strip() for n in label["Label Org Names"].split("|") if n.strip()]
        tally(family, "org names")
        if name in accepted:
            tally(family, "org names right")
        else:
            misses.append(Miss(form.part, "org name", family, f"{form.name}: {key}",
                               " | ".join(accepted), name))
        if label["Label Scope"]:
            tally(family, "scopes")
            if scope == label["Label Scope"]:
                tally(family, "scopes right")
            else:
                misses.append(Miss(form.part, "scope", family,
                                   f"{form.name}: {key} "
                                   f"{form.responses[own[-1]]['Scope of your Organization']!r}",
                                   label["Label Scope"], scope))


def _score_names(form: Form, clean: pd.DataFrame, tally, misses: list[Miss]) -> None:
    """Every response that gives a name: the name as the letter would print it."""
    for label, typed, name in zip(form.labels, form.responses, clean["display_name"],
                                  strict=True):
        if not label["Label Person"]:
            continue
        family = label["Label Family"]
        tally(family, "person names")
        if name == label["Label Person"]:
            tally(family, "person names right")
        else:
            misses.append(Miss(form.part, "person name", family,
                               f"{form.name}: {typed['First Name']!r} | {typed['Last Name']!r}",
                               label["Label Person"], name))


def _score_affiliations(form: Form, people: pd.DataFrame, tally, misses: list[Miss]) -> None:
    """Every individual signer: the affiliation as the letter would print it."""
    for affiliation, rows in zip(people["Affiliation"], people["_rows"], strict=True):
        row = _indexes(rows)[-1]  # the latest answer, the one that counts
        label, typed = form.labels[row], form.responses[row]
        family = label["Label Family"]
        tally(family, "affiliations")
        if affiliation == label["Label Affiliation"]:
            tally(family, "affiliations right")
        else:
            misses.append(Miss(form.part, "affiliation", family,
                               f"{form.name}: {typed[FIELDS['affiliation']]!r}",
                               label["Label Affiliation"], affiliation))


def _score_outside(form: Form, signers: pd.DataFrame, tally, misses: list[Miss]) -> None:
    labels = form.labels
    for name, outside, flags, status, rows in zip(
            signers["Name"], signers["Outside U.S."], signers["Flags"], signers["Status"],
            signers["_rows"], strict=True):
        rows = _indexes(rows)
        wanted = [labels[r]["Label Outside"] for r in rows]
        expected = "yes" if "yes" in wanted else "review" if "review" in wanted else "no"
        family = _majority(labels[r]["Label Family"] for r in rows) or "test"
        said_yes = outside == "Yes"
        flagged = said_yes or _outside_flag(flags)
        approved = status == "Approved"
        tally(family, f"outside {expected}")
        tally(family, f"outside {expected} marked yes", said_yes)
        tally(family, f"outside {expected} flagged", flagged)
        tally(family, f"outside {expected} printed", approved)
        if (expected == "no") == flagged or (expected != "no" and approved):
            typed = form.responses[rows[-1]]
            misses.append(Miss(
                form.part, "outside", family,
                f"{form.name}: {name!r} <{typed['Email Address']}> "
                f"org {typed['Organization Name']!r} aff {typed[FIELDS['affiliation']]!r}",
                expected, f"{outside}, {status}: {flags or 'no flag'}"))


def _rate(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.2f}" if denominator else "  - "


def figures(tally: Tally) -> dict[str, str]:
    """The figures that decide what prints, then the rates, for one tally."""
    c = tally.counts
    return {
        "orgs printed twice": f"{c['organizations printed twice']}/{c['labeled organizations']}",
        "abroad printed": f"{c['outside yes printed'] + c['outside review printed']}"
                          f"/{c['outside yes'] + c['outside review']}",
        "merge P": _rate(c["pairs joined"] - c["pairs joined wrong"], c["pairs joined"]),
        "merge R": _rate(c["pairs joined right"], c["pairs same"]),
        "R+sugg": _rate(c["pairs found"], c["pairs same"]),
        "yes P": _rate(c["outside yes marked yes"],
                       c["outside yes marked yes"] + c["outside no marked yes"]),
        "yes R": _rate(c["outside yes marked yes"], c["outside yes"]),
        "flag R": _rate(c["outside yes flagged"], c["outside yes"]),
        "US yes": str(c["outside no marked yes"]),
        "US loc rev": _rate(c["outside no flagged"], c["outside no"]),
        "org name": _rate(c["org names right"], c["org names"]),
        "person": _rate(c["person names right"], c["person names"]),
        "affil": _rate(c["affiliations right"], c["affiliations"]),
        "scope": _rate(c["scopes right"], c["scopes"]),
    }


def score(forms: list[Form]) -> tuple[dict[str, dict[str, Tally]], list[Miss]]:
    """Tallies by part, then by "all" and family; every miss."""
    tallies: dict[str, dict[str, Tally]] = {p: defaultdict(Tally) for p in PARTS}
    misses: list[Miss] = []
    for form in forms:
        score_form(form, run_form(form), clean_form(form), tallies[form.part], misses)
    return tallies, misses


def report(tallies: dict[str, dict[str, Tally]], misses: list[Miss], forms: list[Form],
           *, show_misses: bool = True) -> list[str]:
    lines = []
    for part in PARTS:
        mine = [f for f in forms if f.part == part]
        if not mine:
            continue
        responses = sum(len(f.responses) for f in mine)
        lines += ["", f"ruler {part}: {len(mine)} forms, {responses} responses "
                      f"({', '.join(f.name for f in mine)})"]
        rows = [("all", tallies[part]["all"])] + [
            (family, tallies[part][family]) for family in FAMILIES if family in tallies[part]]
        header = list(figures(Tally()))
        widths = [max(len(h), 7) for h in header]
        lines.append(f"  {'family':11}" + " ".join(h.rjust(w) for h, w in
                                                    zip(header, widths, strict=True)))
        for family, tally in rows:
            values = figures(tally).values()
            lines.append(f"  {family:11}" + " ".join(v.rjust(w) for v, w in
                                                      zip(values, widths, strict=True)))
        total = tallies[part]["all"]
        signers = total.counts["signers organization"] + total.counts["signers individual"]
        lines.append(f"  review burden: {total.counts['signers sent to review']} of {signers} "
                     "signers sent to review; signers per flag: " + ", ".join(
                         f"{kind} {n}" for kind, n in total.flags.most_common()))
    if show_misses and misses:
        lines += ["", "ruler misses (dev part: tune on these; held-out: read, do not tune):"]
        for miss in sorted(misses, key=lambda m: (m.part, m.kind, m.family)):
            lines.append(f"  [{miss.part} {miss.kind} {miss.family}] {miss.case}")
            lines.append(f"      expected {miss.expected!r}, got {miss.got!r}")
    return lines
