"""Make the README's pictures from the demo: `.venv/bin/python docs/pictures.py`
(the environment's python, with signer-sync installed; needs `chromium`).

The demo's responses arrive in two batches, a week apart, so the second digest shows what a
weekly digest looks like: a few new signers, late signers ready to add, the change from
last week. Everything runs in a temporary folder; only docs/*.png are written here.
"""

from __future__ import annotations

import datetime as dt
import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from sync.config import load_job
from sync.pipeline import run_job

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "examples" / "form-responses.csv"
ZONE = ZoneInfo("America/New_York")
FIRST, SECOND = dt.datetime(2021, 12, 6, 9, tzinfo=ZONE), dt.datetime(2021, 12, 13, 9, tzinfo=ZONE)
JOB = """name = "demo"
[source]
kind = "csv"
path = "responses.csv"
[target]
kind = "workbook"
path = "out/demo-signers.xlsx"
[state]
path = "state/demo.sqlite"
[letter]
published = "2021-10-29"
[digest]
dir = "out/digests"
[schedule]
timezone = "America/New_York"
"""
LETTER_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body {{ margin: 0; background: #f4f4f1; font: 15px/1.55 Georgia, serif; color: #222; }}
.page {{ max-width: 640px; margin: 0 auto; padding: 24px 32px; background: #fff; }}
h2 {{ font: 600 13px Helvetica, Arial, sans-serif; text-transform: uppercase;
      letter-spacing: .05em; color: #1f5f8b; margin: 22px 0 6px; }}
p {{ margin: 0; }} .foot {{ margin-top: 14px; font-style: italic; }}
.head {{ font: 13px Helvetica, Arial, sans-serif; color: #666; }}
</style></head><body><div class="page">{body}</div></body></html>"""


def main() -> None:
    chromium = shutil.which("chromium") or sys.exit("install chromium first")
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        responses = pd.read_csv(DEMO, dtype=str, keep_default_na=False)
        when = pd.to_datetime(responses["Timestamp"], format="mixed").dt.tz_localize(ZONE)
        responses[when < FIRST].to_csv(folder / "responses.csv", index=False)
        (folder / "demo.toml").write_text(JOB, encoding="utf-8")
        job = load_job(folder / "demo.toml")
        run_job(job, with_digest=True, clock=lambda: FIRST)
        responses.to_csv(folder / "responses.csv", index=False)
        result = run_job(job, with_digest=True, clock=lambda: SECOND)
        assert result.html_file and result.letter_file
        _shoot(chromium, result.html_file, HERE / "digest.png", 1720)
        letter = folder / "letter.html"
        letter.write_text(_letter_page(result.letter_file.read_text(encoding="utf-8")),
                          encoding="utf-8")
        _shoot(chromium, letter, HERE / "letter-list.png", 880)


def _letter_page(text: str, shown: int = 14) -> str:
    """The start of each part of the letter list file, laid out as the letter prints it."""
    head, _, rest = text.partition("\n\nOrganizations\n\n")
    orgs, _, people = rest.partition("\n\nIndividuals\n\n")
    people, _, footnote = people.rstrip("\n").partition("\n\n")
    body = (f'<p class="head">{"<br>".join(map(html.escape, head.splitlines()))}</p>'
            f"<h2>Organizations</h2>{_lines(orgs, shown)}"
            f"<h2>Individuals</h2>{_lines(people, shown)}"
            f'<p class="foot">{html.escape(footnote)}</p>')
    return LETTER_PAGE.format(body=body)


def _lines(block: str, shown: int) -> str:
    lines = block.splitlines()
    more = f'<p class="head">… and {len(lines) - shown} more</p>' if len(lines) > shown else ""
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines[:shown]) + more


def _shoot(chromium: str, page: Path, out: Path, height: int) -> None:
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--hide-scrollbars",
                    f"--screenshot={out}", f"--window-size=820,{height}", page.as_uri()],
                   check=True, capture_output=True)


if __name__ == "__main__":
    main()
