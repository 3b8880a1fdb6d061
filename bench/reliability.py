"""Run the reliability suites with many generated examples and write RELIABILITY.md.

    .venv/bin/python bench/reliability.py            # ~2 to 5 minutes
    .venv/bin/python bench/reliability.py --examples 2000

The figures come from the tests themselves: each counts what it tried (tests/harness.py
`count`), the counts are summed into a JSON file, and pytest's JUnit report gives what
passed and failed. Every "lost" figure is a count of failed checks: the goal is 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITES = {
    "tests/test_hostile_input.py": "hostile and malformed input",
    "tests/test_pipeline_properties.py": "generated response sheets (hypothesis)",
    "tests/test_faults.py": "faults at every step boundary and Sheets API faults",
    "tests/test_staff_edits.py": "staff edits to the curated tab",
    "tests/test_secrets.py": "secrets in failing runs",
    "tests/test_reviewer_decisions.py": "red team: statuses typed by hand, stale copies, "
    "lost state",
    "tests/test_workbook_safety.py": "red team: the workbook saved mid-run, leftovers, modes, "
    "Excel extensions",
    "tests/test_setup_mistakes.py": "red team: a newcomer's setup mistakes (tabs, headers, "
    "copied jobs)",
    "tests/test_file_safety.py": "red team: symlinks, unsafe names, damaged state, unusable "
    "folders",
    "tests/test_error_paths.py": "red team: unsendable email, leaked credentials, huge "
    "answers, markup",
    "tests/test_real_exports.py": "real exports: Forms' download, Excel saves, wrong kinds "
    "of file",
}
BACKENDS = ("workbook", "google")
# what each suite proves is never lost when all its checks pass
LOSSES = {
    "tests/test_hostile_input.py": "responses crashing a run or reaching the sheet as formulas",
    "tests/test_pipeline_properties.py": "responses unaccounted for, formulas, second runs "
    "that changed something, reviewer values lost",
    "tests/test_faults.py": "signers reported twice or never, curated tabs that did not "
    "converge, reviewer decisions lost",
    "tests/test_staff_edits.py": "reviewer decisions or staff data lost or scrambled",
    "tests/test_secrets.py": "key or token text in output, logs, the state file or digest "
    "files",
    "tests/test_reviewer_decisions.py": "reviewer statuses reset, computed defaults passing "
    "for decisions, outside-U.S. signers approved after state loss",
    "tests/test_workbook_safety.py": "edits saved during a run, staff tabs' features, file "
    "modes or leftover files with names and emails",
    "tests/test_setup_mistakes.py": "second tabs, shared state between copied jobs, "
    "unmapped questions without a word",
    "tests/test_file_safety.py": "files written through symlinks or outside the project, "
    "tracebacks instead of messages",
    "tests/test_error_paths.py": "runs blocked by an email, credentials in output or state, "
    "state or digests grown by one answer, markup rendered",
    "tests/test_real_exports.py": "signers silently flagged `no timestamp`, binary bytes "
    "shown as headers, responses lost to an encoding",
}

# what these suites caught when they were written (each now has a test that fails without
# its fix)
FOUND = [
    "A run that died after writing the curated tab but before saving its state made the "
    "tool's own statuses look like a reviewer's: a flagged signer stayed \"Needs review\" "
    "after its flag cleared. A Status is now the tool's when it is the one the row's own "
    "Flags imply, whatever the state holds.",
    "An individual without an email got a new Signer ID (and lost its reviewer decisions) "
    "when the state missed its row: IDs are now recovered from the tab by name too.",
    "A digest whose row reached the tab but whose commit was lost was reported again, with a "
    "second row; its unpublished Markdown file stayed behind when the write failed; a second "
    "digest in the same minute overwrote the first file. Digests are now recorded as "
    "pending and settled by the next run; file names never collide.",
    "An organization answer signing \"as an individual\" with no name vanished: no signer, "
    "no skip. It now signs for the organization, flagged for review.",
    "Two signers without an email and with the same name traded Signer IDs on every run.",
    "Answers over 32,767 characters were cut silently by the workbook (and rewritten on every "
    "run); they are now cut visibly, with a warning naming the column.",
    "Writing 65,000 rows to a workbook took hours (a full rescan of the sheet per row).",
    "Columns staff added to the curated tab, and rows they typed there, were dropped on the "
    "next write; they are now kept.",
    "Google: a status the tool itself had set never changed on the sheet once the row was "
    "there (a flagged signer stayed \"Needs review\" after its flag cleared): writes to rows "
    "that had not moved skipped the reviewer columns entirely. They now write a reviewer "
    "cell when the run changed it from what it read, and only then.",
    "Google: a job whose responses and curated tabs share a spreadsheet, given only a "
    "target book (as tools and tests do), read through a second book and wrote through the "
    "first one, which then knew nothing of the tab (no diff, old rows not blanked). The "
    "pipeline now uses one book for both ends.",
    "Google: after staff inserted a column in the curated tab, the strict Status dropdown "
    "stayed where Sheets had shifted it, on the Reviewer Note column once the run moved the "
    "staff column to the end: reviewers could no longer type notes in Sheets. It now "
    "follows the Status column whenever a write moves columns.",
    "Red team (issue 13): a workbook saved by staff while a run was going lost every edit "
    "made in between (15 of 15); the write now builds on the newer file.",
    "A configured tab name differing from an existing tab only in case made every run add "
    "a new empty tab while a reviewer's Excluded signer printed on the letter; tab names "
    "now match the way headers do, everywhere.",
    "A renamed curated tab started a fresh tab and reported every signer as new; the run "
    "now stops naming both tabs.",
    "A stale copy saved over the file, or a lost state file, let the tool's old computed "
    "Status pass for a reviewer's: 7 newly flagged outside-U.S. signers stayed Approved. "
    "The tool's Status is now told by the row's own flags.",
    "\"Rejected\" and \"Exclude\" typed as a Status became Approved and printed; near "
    "misses now read as meant and other text keeps the signer off the letter, flagged.",
    "A symlink at the state file's lock truncated the file it pointed to (the source csv); "
    "lock, state and output files are opened without following links.",
    "A job named \"../../x\" wrote state and digests outside the project; killed runs left "
    "hidden temporary workbooks of names and emails; writing changed the workbook's mode "
    "0664 to 0600; a sparkline in a staff tab was dropped.",
    "A non-ASCII SMTP password failed every later run with a traceback quoting it; a proxy "
    "quoting the token request put the signed JWT in stderr, logs and state.",
    "A corrupt state file said \"run again\" forever; one 100 MB answer made 100 MB digests "
    "and a 420 MB state file; the Markdown digest rendered <script> and links typed by "
    "respondents.",
    "Google Forms' own csv download (12-hour clock, EDT/EST) read no timestamp at all: every "
    "signer Needs review, an empty Letter List, Signer IDs handed out A to Z.",
]


def backend_of(case: ET.Element) -> str:
    """Which target a test case ran against: Google (its parameters or its name say so)
    or the workbook."""
    return "google" if re.search(r"google|sheets_server", case.get("name", "")) else (
        "workbook")


def run_suites(examples: int) -> tuple[dict[str, Counter[str]], Counter[str], float]:
    with tempfile.TemporaryDirectory() as folder:
        tally, junit = Path(folder) / "tally.json", Path(folder) / "junit.xml"
        env = {**os.environ, "SIGNER_SYNC_TALLY": str(tally), "HYPOTHESIS_PROFILE":
               "reliability", "SIGNER_SYNC_EXAMPLES": str(examples)}
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        f"--junitxml={junit}", *SUITES], cwd=ROOT, env=env, check=False)
        elapsed = time.monotonic() - started
        results: dict[str, Counter[str]] = {suite: Counter() for suite in SUITES}
        for case in ET.parse(junit).getroot().iter("testcase"):
            suite = "tests/" + case.get("classname", "").split(".")[-1] + ".py"
            outcome = "failed" if case.find("failure") is not None or case.find(
                "error") is not None else "skipped" if case.find("skipped") is not None else (
                "passed")
            results.setdefault(suite, Counter())[outcome] += 1
            results[suite][f"{backend_of(case)} {outcome}"] += 1
        counts = Counter(json.loads(tally.read_text())) if tally.exists() else Counter()
    return results, counts, elapsed


def render(results: dict[str, Counter[str]], counts: Counter[str], elapsed: float,
           examples: int) -> str:
    failed = sum(r["failed"] for r in results.values())
    lines = [
        "# Reliability", "",
        "What signer-sync was put through, and what it lost. Generated by "
        "`bench/reliability.py`; do not edit by hand.", "",
        f"Last run: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, Python "
        f"{platform.python_version()} on {platform.system()}, {elapsed:.0f} s, "
        f"hypothesis at {examples} examples per property.", "",
        "## Figures", "",
        "| what | count |", "| --- | ---: |",
    ]
    labels = {
        "hostile inputs": "hostile or malformed inputs tried (values × fields, files, sheets)",
        "hypothesis examples": "generated response sheets (hypothesis examples)",
        "generated responses": "responses in those sheets",
        "faults injected": "faults injected (crash, lost answer, failed save or commit, "
        "Sheets API 5xx, 429, HTML 502)",
        "staff edits": "staff-edit scenarios on the curated tab",
        "failing runs checked for secrets": "failing runs checked for secrets",
        "pipeline runs": "pipeline runs in all",
    }
    lines += [f"| {label} | {counts.get(key, 0):,} |" for key, label in labels.items()]
    lines += ["", "## Results", "",
              "Each test runs against a workbook file, against a spreadsheet on the fake "
              "Google Sheets server (`sync/testing/fake_sheets.py`), or both (the `backend` "
              "fixture in `tests/conftest.py`).", "",
              "| suite | tests passed (workbook + Google) | failed | lost |",
              "| --- | ---: | ---: | --- |"]
    for suite, title in SUITES.items():
        result = results.get(suite, Counter())
        lost = "nothing" if not result["failed"] else f"see the {result['failed']} failure(s)"
        split = " + ".join(str(result[f"{b} passed"]) for b in BACKENDS)
        lines.append(f"| {title} (`{suite}`) | {result['passed']} ({split}) | "
                     f"{result['failed']} | {lost} |")
    lines += ["", "## What \"nothing lost\" means here", ""]
    lines += [f"- `{suite}`: no {what}." for suite, what in LOSSES.items()]
    lines += ["", f"**Lost: {'nothing' if not failed else f'{failed} failed check(s)'}.**", "",
              "## Found and fixed while writing these tests", ""]
    lines += [f"- {found}" for found in FOUND]
    lines += ["",
              "## Reproduce", "", "```sh",
              ".venv/bin/python bench/reliability.py            # rewrites RELIABILITY.md",
              ".venv/bin/python bench/reliability.py --examples 2000", "```", "",
              "The everyday test run (`.venv/bin/python -m pytest`) runs the same suites with "
              "30 examples per property.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=400,
                        help="hypothesis examples per property (default 400)")
    parser.add_argument("--out", type=Path, default=ROOT / "RELIABILITY.md")
    args = parser.parse_args()
    results, counts, elapsed = run_suites(args.examples)
    args.out.write_text(render(results, counts, elapsed, args.examples), encoding="utf-8")
    print(f"wrote {args.out}")
    return 1 if any(r["failed"] for r in results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
