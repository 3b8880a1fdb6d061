"""The ruler (tests/ruler/): labeled forms well formed, and the scorer counting what the
letter would get wrong."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from bench import ruler
from sync.fields import FIELDS

SCOPES = {"National", "Regional", "State", "Local", "International", "Unknown"}


def test_the_ruler_is_big_enough_and_holds_out_at_least_30_percent():
    forms = ruler.read_forms()
    sizes = defaultdict(int)
    for form in forms:
        sizes[form.part] += len(form.responses)
    assert sum(sizes.values()) >= 1500
    assert sizes["heldout"] >= 0.3 * sum(sizes.values())


@pytest.mark.parametrize("form", ruler.read_forms(), ids=lambda f: f"{f.part}-{f.name}")
def test_every_form_has_the_form_columns_and_labels_in_their_vocabulary(form):
    path = ruler.RULER / form.part / f"{form.name}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == [*FIELDS.values(), *ruler.LABELS]
    names_of: dict[str, set[str]] = defaultdict(set)
    for row, label in enumerate(form.labels, start=2):
        assert label["Label Family"] in ruler.FAMILIES, row
        assert label["Label Outside"] in {"yes", "no", "review"}, row
        if label["Label Org"]:
            assert label["Label Org Names"], row
            assert label["Label Scope"] in SCOPES, row
            names_of[label["Label Org"]].add(label["Label Org Names"])
    assert all(len(names) == 1 for names in names_of.values()), names_of


def _form(*rows: tuple[str, str, str]) -> ruler.Form:
    """A form of (organization, Label Org, Label Outside) responses."""
    responses = [{**dict.fromkeys(FIELDS.values(), ""), "Organization Name": org}
                 for org, _, _ in rows]
    labels = [{**dict.fromkeys(ruler.LABELS, ""), "Label Family": "national", "Label Org": key,
               "Label Org Names": org, "Label Scope": "National", "Label Outside": outside}
              for org, key, outside in rows]
    return ruler.Form("f00", "dev", responses, labels)


def _signers(*signers: tuple[str, str, str, str, tuple[int, ...]]) -> pd.DataFrame:
    """Organization signers as a run gives them: (id, name, status, flags, sheet rows)."""
    return pd.DataFrame([
        {"Signer ID": sid, "Type": "Organization", "Name": name, "Affiliation": "",
         "Scope": "National", "Outside U.S.": "No", "Flags": flags, "Status": status,
         "_rows": rows} for sid, name, status, flags, rows in signers])


def _score(form: ruler.Form, signers: pd.DataFrame) -> dict[str, str]:
    tallies: dict[str, ruler.Tally] = defaultdict(ruler.Tally)
    clean = pd.DataFrame({"display_name": [""] * len(form.responses)})
    ruler.score_form(form, signers, clean, tallies, [])
    return ruler.figures(tallies["all"])


def test_two_approved_copies_of_one_organization_print_twice():
    form = _form(("Jewish Voice for Peace", "jvp", "no"), ("JVP", "jvp", "no"))
    apart = _signers(("ORG-0001", "Jewish Voice for Peace", "Approved", "", (2,)),
                     ("ORG-0002", "JVP", "Approved", "", (3,)))
    figures = _score(form, apart)
    assert figures["orgs printed twice"] == "1/1"
    assert figures["merge R"] == "0.00"


def test_a_possible_duplicate_flag_counts_as_found_and_stops_the_second_print():
    form = _form(("Jewish Voice for Peace", "jvp", "no"), ("JVP", "jvp", "no"))
    suggested = _signers(
        ("ORG-0001", "Jewish Voice for Peace", "Approved", "", (2,)),
        ("ORG-0002", "JVP", "Needs review", "possible duplicate of ORG-0001", (3,)))
    figures = _score(form, suggested)
    assert figures["orgs printed twice"] == "0/1"
    assert (figures["merge R"], figures["R+sugg"]) == ("0.00", "1.00")


def test_a_wrong_merge_lowers_precision():
    form = _form(("Sunrise Austin", "sunrise-austin", "no"),
                 ("Sunrise Tustin", "sunrise-tustin", "no"))
    joined = _signers(("ORG-0001", "Sunrise Austin", "Approved", "", (2, 3)))
    assert _score(form, joined)["merge P"] == "0.00"


def test_a_signer_abroad_approved_with_no_flag_is_counted_as_printed():
    form = _form(("Palestine Solidarity Campaign", "psc", "yes"),
                 ("BDS France", "bds-france", "yes"))
    signers = _signers(
        ("ORG-0001", "Palestine Solidarity Campaign", "Approved", "", (2,)),
        ("ORG-0002", "BDS France", "Needs review", "outside U.S.: France", (3,)))
    figures = _score(form, signers)
    assert figures["abroad printed"] == "1/2"
    assert (figures["yes R"], figures["flag R"]) == ("0.00", "0.50")


def test_a_real_run_of_a_small_form_is_scored(tmp_path: Path):
    (tmp_path / "heldout").mkdir()
    rows = [
        ("10/15/2021 9:14:37", "a@jvp.org", "Jewish Voice for Peace", "National", "Rabbi Miriam",
         "Feldstein", "", "Yes", "Yes", "", "national", "jvp", "Jewish Voice for Peace",
         "Rabbi Miriam Feldstein", "", "National", "no", ""),
        ("10/16/2021 9:14:37", "b@example.ie", "Ireland-Palestine Solidarity Campaign",
         "International", "ciaran", "murphy", "", "Yes", "Yes", "", "abroad", "ipsc",
         "Ireland-Palestine Solidarity Campaign", "Ciaran Murphy", "", "International", "yes",
         ""),
    ]
    with (tmp_path / "heldout" / "f01.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([*FIELDS.values(), *ruler.LABELS])
        writer.writerows(rows)
    forms = ruler.read_forms(tmp_path)
    tallies, _ = ruler.score(forms)
    figures = ruler.figures(tallies["heldout"]["all"])
    assert figures["person"] == "1.00"
    assert figures["yes R"] == "1.00"
    assert figures["abroad printed"] == "0/1"
    report = "\n".join(ruler.report(tallies, [], forms))
    assert "ruler heldout: 1 forms, 2 responses" in report
