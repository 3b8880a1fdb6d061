import datetime as dt
import re
import sqlite3
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from sync.pipeline import run_job
from sync.render.letter import FOOTNOTE
from sync.state import State
from tests.jobs import RESPONSES, Clock, load, write_job

NOON = dt.datetime(2021, 11, 8, 12, 0, tzinfo=ZoneInfo("UTC"))
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _tab(path, name):
    book = load_workbook(path, read_only=True)
    try:
        return [list(row) for row in book[name].iter_rows(values_only=True)]
    finally:
        book.close()


def test_digest_run_writes_markdown_html_letter_file_and_letter_tab(tmp_path):
    job = load(tmp_path)
    result = run_job(job, with_digest=True, clock=Clock(NOON))
    assert result.digest_file and result.html_file and result.letter_file
    assert "Florida Palestine Network" in result.digest_file.read_text()
    html = result.html_file.read_text()
    assert html.count('src="data:image/png;base64,') == 2
    letter = _tab(job.target.path, "Letter List")
    assert letter[0] == ["Section", "As Printed"]
    assert letter[1:] == [
        ["Organization", "Bay Area Legal Support Collective"],
        ["Organization", "Florida Palestine Network"],
        ["Organization", "Jewish Voice for Peace"],
        ["Individual", "Noura Erakat, Rutgers University*"],
        ["Individual", "Rabbi Miriam Feldstein, Rabbinical Council*"],
        ["Footnote", FOOTNOTE],
    ]
    text = result.letter_file.read_text()
    assert "Jewish Voice for Peace" in text and text.rstrip().endswith(FOOTNOTE)
    assert not EMAIL.search(text)
    assert not EMAIL.search(html)


def test_letter_tab_follows_reviewer_statuses_on_a_plain_run(tmp_path):
    job = load(tmp_path)
    run_job(job, clock=Clock(NOON))
    book = load_workbook(job.target.path)
    sheet = book["Curated Signers"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("Name")].value == "Jewish Voice for Peace":
            row[header.index("Status")].value = "Excluded"
    book.save(job.target.path)
    result = run_job(job, clock=Clock(NOON))
    printed = [row[1] for row in _tab(job.target.path, "Letter List")]
    assert "Jewish Voice for Peace" not in printed
    assert "Bay Area Legal Support Collective" in printed
    assert "Jewish Voice for Peace" not in result.letter_file.read_text()


def test_running_again_without_changes_rewrites_neither_letter_tab_nor_file(tmp_path):
    job = load(tmp_path)
    run_job(job, clock=Clock(NOON))
    again = run_job(job, clock=Clock(NOON))
    assert not again.wrote
    assert again.letter_file is None


def test_second_digest_reports_change_from_the_first(tmp_path):
    clock = Clock(NOON)
    job = load(tmp_path, responses=RESPONSES[:3])
    run_job(job, with_digest=True, clock=clock)
    write_job(tmp_path, responses=RESPONSES)
    clock.advance(days=7)
    result = run_job(job, with_digest=True, clock=clock)
    markdown = result.digest_file.read_text()
    assert "Organizations: 3 (+1 since the last digest)" in markdown
    assert "## Late signers approved and ready to add (1)" in markdown
    assert "- Florida Palestine Network" in markdown
    rows = _tab(job.target.path, "Signer Digest")
    assert [r[2] for r in rows[1:]] == [2, 1]  # New Organizations per digest


def test_state_file_from_before_the_outbox_opens_and_gains_it(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE digests (id INTEGER PRIMARY KEY, digest_at TEXT NOT NULL,"
                   " since TEXT, summary TEXT, counts TEXT)")
        db.execute("INSERT INTO digests (digest_at, summary, counts) VALUES"
                   " ('2021-11-01T09:00:00', 'old', '{\"organizations\": 4}')")
    state = State(path)
    assert state.pending_mail() == []
    assert state.last_digest().counts == {"organizations": 4}


def test_every_time_a_digest_shows_carries_its_time_zone(tmp_path):
    """Markdown, HTML and the digest tab's Digest At and Since say which zone they are in,
    the job's (America/New_York here), also for a `since` read back from the state file."""
    job = load(tmp_path, extra='[schedule]\ntimezone = "America/New_York"\n')
    zone = ZoneInfo(job.schedule.timezone)
    clock = Clock(dt.datetime(2021, 11, 8, 9, 0, tzinfo=zone))
    run_job(job, with_digest=True, clock=clock)
    clock.advance(days=7)
    result = run_job(job, with_digest=True, clock=clock)
    period = "2021-11-15 09:00 EST, since 2021-11-08 09:00 EST"
    assert period in result.digest_file.read_text()
    assert period in result.html_file.read_text()
    header, *rows = _tab(job.target.path, "Signer Digest")
    assert header[:2] == ["Digest At", "Since"]
    assert [row[:2] for row in rows] == [["2021-11-08 09:00 EST", None],
                                         ["2021-11-15 09:00 EST", "2021-11-08 09:00 EST"]]
