"""Red-team attacks on the error paths (issue 13): what fails keeps failing gracefully.

* A digest email that cannot be sent for a reason that will not fix itself (a password
  SMTP cannot carry, a refused login or recipient, an unknown host) is reported once per
  attempt, counted, given up after a bounded number of attempts with what to fix, and
  never stops a sync or a digest; a passing failure (nothing listening, a 4xx reply) is
  retried on every run, without limit.
* A token endpoint or proxy that quotes the request (the signed JWT assertion) in its error
  leaves no credential in what is printed, logged, recorded or shown by `status`.
* One enormous answer is cut to a cell where it is read, with one warning per column, so
  neither the state file nor the digests nor what a run prints grow with it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from aiosmtpd.controller import Controller

from sync import logs
from sync.cells import CELL_LIMITS, CUT_MARK
from sync.cli import main
from sync.config import SMTP_PASSWORD_ENV, SMTP_USERNAME_ENV, load_job
from sync.delivery import GIVE_UP_AFTER
from sync.errors import scrub
from sync.fields import FIELDS
from sync.pipeline import run_job
from sync.scheduler import Worker
from sync.state import State
from tests.conftest import response, write_job
from tests.google_support import GOOGLE_JOB, KEY, fake_google, responses, service_account_key
from tests.harness import count
from tests.jobs import Clock, load
from tests.test_delivery import MailServer, _free_port, _smtp_job, tls
from tests.test_scheduler import worker_logs

__all__ = ["fake_google", "service_account_key", "tls", "worker_logs"]

NOON = dt.datetime(2021, 11, 8, 12, 0, tzinfo=ZoneInfo("UTC"))
ACCENTED = "motdepassé-2021"  # a real password a person might choose


def _runs_until_given_up(job, clock) -> list[list[str]]:
    """The messages of GIVE_UP_AFTER + 1 hourly runs after a digest, the digest first."""
    messages = [run_job(job, with_digest=True, clock=clock).messages]
    for _ in range(GIVE_UP_AFTER):
        clock.advance(hours=1)
        messages.append(run_job(job, clock=clock).messages)
    return messages


def _assert_given_up(job, messages: list[list[str]], fix: str) -> None:
    for attempt, said in enumerate(messages[:GIVE_UP_AFTER], start=1):
        [line] = said  # reported once per attempt, never raised
        assert fix in line
        if attempt < GIVE_UP_AFTER:
            assert f"attempt {attempt} of {GIVE_UP_AFTER}" in line
    assert "gave up" in messages[GIVE_UP_AFTER - 1][0]
    assert str(job.digest_dir) in messages[GIVE_UP_AFTER - 1][0]  # where the digest is
    assert messages[GIVE_UP_AFTER] == []  # not tried again
    state = State(job.state_path)
    assert state.pending_mail() == []
    [given_up] = state.given_up_mail()
    assert given_up.attempts == GIVE_UP_AFTER and fix in given_up.last_error


def test_an_accented_smtp_password_is_reported_without_traceback_and_never_blocks_a_run(
        tmp_path, tls, monkeypatch, capsys):
    count("error paths")
    monkeypatch.setenv(SMTP_USERNAME_ENV, "digest@coalition.example.org")
    monkeypatch.setenv(SMTP_PASSWORD_ENV, ACCENTED)
    port = _free_port()
    job = _smtp_job(tmp_path, port)
    with MailServer(port, tls) as server:
        assert main(["digest", str(job.file)]) == 0
        first = capsys.readouterr()
        assert main(["run", str(job.file)]) == 0
        second = capsys.readouterr()
    assert server.received == []
    for printed in (first, second):
        assert "Traceback" not in printed.err
        [line] = [x for x in printed.err.splitlines() if "email" in x]
        assert SMTP_PASSWORD_ENV in line and "ASCII" in line
        for leak in ("é", "\\xe9", "motdepass", "position"):
            assert leak not in printed.out + printed.err
    state = State(job.state_path)
    [waiting] = state.pending_mail()
    assert waiting.attempts == 2
    assert "é" not in waiting.last_error
    assert [r.outcome for r in state.runs()] == ["ok", "ok"]
    assert not any("é" in (r.message or "") for r in state.runs())


def test_an_accented_password_is_given_up_after_a_bounded_number_of_attempts(
        tmp_path, tls, monkeypatch):
    count("error paths")
    monkeypatch.setenv(SMTP_USERNAME_ENV, "digest@coalition.example.org")
    monkeypatch.setenv(SMTP_PASSWORD_ENV, ACCENTED)
    port = _free_port()
    job = _smtp_job(tmp_path, port)
    with MailServer(port, tls) as server:
        messages = _runs_until_given_up(job, Clock(NOON))
    assert server.received == []
    _assert_given_up(job, messages, SMTP_PASSWORD_ENV)


def test_a_refused_login_is_given_up_after_a_bounded_number_of_attempts(
        tmp_path, tls, monkeypatch):
    count("error paths")
    monkeypatch.setenv(SMTP_USERNAME_ENV, "digest@coalition.example.org")
    monkeypatch.setenv(SMTP_PASSWORD_ENV, "not-the-app-password")
    port = _free_port()
    job = _smtp_job(tmp_path, port)
    with MailServer(port, tls) as server:
        messages = _runs_until_given_up(job, Clock(NOON))
    assert server.logins and server.received == []
    _assert_given_up(job, messages, SMTP_PASSWORD_ENV)
    assert not any("not-the-app-password" in m for said in messages for m in said)


class RefusingRelay:
    """A relay without TLS or login that answers every recipient (or the data) with `reply`."""

    def __init__(self, port: int, *, rcpt: str = "250 OK", data: str = "250 OK") -> None:
        self.rcpt, self.data, self.received = rcpt, data, []
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt.startswith("250"):
            envelope.rcpt_tos.append(address)
        return self.rcpt

    async def handle_DATA(self, server, session, envelope):
        if self.data.startswith("250"):
            self.received.append(envelope)
        return self.data

    def __enter__(self) -> RefusingRelay:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def _relay_job(tmp_path, host: str, port: int, monkeypatch):
    monkeypatch.delenv(SMTP_USERNAME_ENV, raising=False)
    monkeypatch.delenv(SMTP_PASSWORD_ENV, raising=False)
    return load(tmp_path, extra=f"""
[email]
to = ["staff@coalition.example.org"]
from = "digest@coalition.example.org"
smtp_host = "{host}"
smtp_port = {port}
starttls = false
""")


def test_refused_recipients_are_given_up_after_a_bounded_number_of_attempts(
        tmp_path, monkeypatch):
    count("error paths")
    port = _free_port()
    job = _relay_job(tmp_path, "127.0.0.1", port, monkeypatch)
    with RefusingRelay(port, rcpt="550 5.1.1 no such mailbox") as relay:
        messages = _runs_until_given_up(job, Clock(NOON))
    assert relay.received == []
    _assert_given_up(job, messages, "`to` in [email]")
    assert "staff@coalition.example.org" in messages[0][0]


def test_an_unknown_mail_server_is_given_up_after_a_bounded_number_of_attempts(
        tmp_path, monkeypatch):
    count("error paths")
    job = _relay_job(tmp_path, "mail.invalid", 25, monkeypatch)  # .invalid never resolves
    messages = _runs_until_given_up(job, Clock(NOON))
    _assert_given_up(job, messages, "`smtp_host` in [email]")


@pytest.mark.parametrize("server", ["nothing listening", "451 busy"])
def test_a_passing_failure_is_retried_on_every_run_without_limit(
        tmp_path, monkeypatch, server):
    count("error paths")
    port = _free_port()
    job = _relay_job(tmp_path, "127.0.0.1", port, monkeypatch)
    clock = Clock(NOON)
    relay = RefusingRelay(port, data="451 4.3.0 try again later")
    if server != "nothing listening":
        relay.controller.start()
    try:
        messages = _runs_until_given_up(job, clock)
        messages.append(run_job(job, clock=clock).messages)
    finally:
        if server != "nothing listening":
            relay.controller.stop()
    for said in messages:
        [line] = said
        assert "next run" in line and "gave up" not in line
    [waiting] = State(job.state_path).pending_mail()
    assert waiting.attempts == GIVE_UP_AFTER + 2

    clock.advance(hours=1)
    with RefusingRelay(port) as working:
        assert run_job(job, clock=clock).messages == []
    assert len(working.received) == 1
    assert State(job.state_path).pending_mail() == []


def test_the_worker_logs_an_unsent_digest_email_once_per_attempt(
        tmp_path, monkeypatch, worker_logs, capsys):
    count("error paths")
    job = _relay_job(tmp_path, "mail.invalid", 25, monkeypatch)
    run_job(job, with_digest=True, clock=Clock(NOON))
    logs.configure(worker=True)
    Worker([job]).fire(job.name)
    [line] = [x for x in capsys.readouterr().err.splitlines() if "2021-11-08 12:00" in x]
    assert " WARNING test: the digest email of 2021-11-08 12:00 was not sent" in line
    assert "`smtp_host` in [email]" in line and "attempt 2 of" in line


# --------------------------------------------------------------- credentials in error text

class EchoingTokenEndpoint:
    """A token endpoint (or the proxy before it) that quotes the request in its error, as
    some do: the body holds the service account's signed JWT assertion."""

    def __init__(self, as_json: bool) -> None:
        self.bodies: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                owner.bodies.append(body)
                if as_json:
                    reply = json.dumps({"error": "invalid_grant",
                                        "error_description": f"Bad request: {body}"})
                    kind = "application/json"
                else:
                    reply, kind = f"<html>proxy refused POST /token?{body}</html>", "text/html"
                self.send_response(400)
                self.send_header("Content-Type", kind)
                self.end_headers()
                self.wfile.write(reply.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/token"

    def __enter__(self) -> EchoingTokenEndpoint:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _assertion(body: str) -> str:
    [value] = parse_qs(body)["assertion"]
    assert value.startswith("eyJ") and value.count(".") == 2  # a real signed JWT
    return value


@pytest.mark.parametrize("as_json", [True, False], ids=["json error", "html proxy page"])
def test_a_token_endpoint_quoting_the_assertion_leaves_it_nowhere(
        fake_google, service_account_key, tmp_path, capsys, worker_logs, as_json):
    count("error paths")
    fake_google.add_form(responses(2))
    info = json.loads(service_account_key.read_text())
    with EchoingTokenEndpoint(as_json) as endpoint:
        info["token_uri"] = endpoint.url
        service_account_key.write_text(json.dumps(info))
        job = write_job(tmp_path, GOOGLE_JOB.format(
            name="g", key=KEY, extra=f'credentials = "{service_account_key}"'), "g")
        assert main(["--log-format", "json", "digest", str(job)]) == 1
        failed = capsys.readouterr()
        assert main(["status", str(job)]) == 0
        status = capsys.readouterr().out
        logs.configure(fmt="json", worker=True)
        Worker([load_job(job)]).fire("g")  # the worker's JSON log line of the failure
        [logged] = [json.loads(line) for line in capsys.readouterr().err.splitlines()
                    if '"ERROR"' in line]
    assertion = _assertion(endpoint.bodies[0])
    header, payload, signature = assertion.split(".")
    records = State(tmp_path / "state" / "g.sqlite").runs()
    assert len(records) == 2 and {r.outcome for r in records} == {"failed"}
    assert "Google refused the credentials" in failed.err and "[redacted]" in failed.err
    assert "FAILED: " in status and "[redacted]" in logged["message"]
    for text in (failed.out, failed.err, status, logged["message"],
                 *(r.message for r in records)):
        for part in (header, payload, signature, "assertion=eyJ"):
            assert part not in text
        assert info["private_key_id"] not in text


@pytest.mark.parametrize(("text", "secret"), [
    ("token request failed: grant_type=jwt-bearer&assertion=abc.def.ghi", "abc.def.ghi"),
    ("echo: eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl", "eyJhbGciOiJSUzI1NiJ9"),
    ("401 for header Authorization: Bearer s3cr3t-Token_value", "s3cr3t-Token_value"),
    ("token ya29.a0AfH6SMBfakeACCESStoken expired", "ya29.a0AfH6SMBfakeACCESStoken"),
    ('{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQ'
     'IBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n", "x": 1}', "MIIEvQIBADANB"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\nsecond line\n", "second line"),
    ("'private_key': 'abc\\ndef'", "abc"),
    ("cannot reach https://staff:hunter2@proxy.example.org:8080/", "hunter2"),
    ("login failed: user=digest password=hunter2&x=1", "hunter2"),
    ("SIGNER_SYNC_SMTP_PASSWORD=hunter2 was set", "hunter2"),
    ('{"access_token": "abc123", "refresh_token": "1//0gdef456"}', "abc123"),
])
def test_every_kind_of_credential_is_scrubbed_from_error_text(text, secret):
    count("error paths")
    scrubbed = scrub(text)
    assert secret not in scrubbed and "[redacted]" in scrubbed
    assert scrub(scrubbed) == scrubbed


@pytest.mark.parametrize("text", [
    "tab 'Form Responses 1', column 'Email Address': not found",
    "the mail server smtp.example.org:587 refused the login in SIGNER_SYNC_SMTP_USERNAME",
    "Jewish Voice for Peace - Los Angeles (JVP-LA), rabbi.miriam@jvp.example.org",
    "https://docs.google.com/spreadsheets/d/1AbC/edit#gid=0",
    "set `credentials = \"path/to/key.json\"` in the job's [source]",
])
def test_ordinary_messages_pass_through_the_scrubber_unchanged(text):
    assert scrub(text) == text


# ------------------------------------------------------------- one enormous answer

TWO_MB = "Solidarity forever! " * 100_000  # 2,000,000 characters


def test_a_2mb_answer_is_cut_once_where_it_is_read_so_nothing_downstream_grows(
        csv_job, tmp_path, capsys):
    count("error paths")
    rows = [response(submitted_at="10/20/2021 10:00:00", email="a@example.org",
                     organization="Tenants Union", scope="Local", authorized="Yes"),
            response(submitted_at="10/21/2021 10:00:00", email="b@example.org",
                     organization=TWO_MB, scope="Local", authorized="Yes"),
            response(submitted_at="10/22/2021 10:00:00", email="c@example.org",
                     first_name="Ana", last_name="Ruiz", affiliation=TWO_MB)]
    job = csv_job(rows)
    assert main(["digest", str(job)]) == 0
    printed = capsys.readouterr()
    limit = CELL_LIMITS["workbook"]

    warnings = [line for line in printed.err.splitlines() if "cut to fit" in line]
    assert len(warnings) == 2, warnings  # one per column, naming it and the row
    [organization] = [w for w in warnings if f"column {FIELDS['organization']!r}" in w]
    [affiliation] = [w for w in warnings if f"column {FIELDS['affiliation']!r}" in w]
    assert "row 3" in organization and "row 4" in affiliation
    assert f"{limit:,}" in organization

    # Each place the answer flows holds at most a few cells' worth of it, not 2 MB.
    bound = 4 * limit
    assert len(printed.out) < bound and len(printed.err) < bound
    for path in (tmp_path / "out" / "digests").iterdir():
        assert path.stat().st_size < bound + 200_000, path  # the HTML has two charts
    state = tmp_path / "state" / "test.sqlite"
    assert state.stat().st_size < 2 * bound
    [record] = State(state).runs()
    assert len(record.message) < 1_000

    names = pd.read_excel(tmp_path / "out" / "signers.xlsx", dtype=str).fillna("")
    cut = names[names["Email"] == "b@example.org"]["Name"].iloc[0]
    assert len(cut) == limit and cut.endswith(CUT_MARK) and cut.startswith("Solidarity forever!")
    assert len(names[names["Email"] == "c@example.org"]["Affiliation"].iloc[0]) <= limit

    capsys.readouterr()
    assert main(["run", str(job)]) == 0  # the cut answer is stable: nothing is rewritten
    again = capsys.readouterr()
    assert "curated tab unchanged" in again.out
    assert len([line for line in again.err.splitlines() if "cut to fit" in line]) == 2


# ------------------------------------------------------------ Markdown from respondents

TYPED = [  # what a respondent can type to make a Markdown viewer render something
    "<script>alert(1)</script> Org",
    "[Click to confirm](http://evil.example/login) Alliance",
    "![pixel](http://evil.example/p.png) Network",
    "<http://evil.example/> Collective",
    "# Approved by the steering committee",
    "`rm -rf` Coders",
    "Left | Right Union",
    "*Bold* and _loud_ **Tenants** ~~Union~~",
    "> quoted Group",
    "1. First Workers",
    "- Dash Union",
    "Back\\slash &amp; Co",
]


def _parsed(markdown: str):
    """The tokens a CommonMark viewer with GitHub's tables and strikethrough renders."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(markdown)
    flat = []
    for token in tokens:
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def test_what_respondents_type_renders_as_text_in_the_markdown_digest(
        csv_job, tmp_path, capsys):
    count("error paths", len(TYPED))
    rows = [response(submitted_at=f"10/{10 + i}/2021 10:00:00", email=f"o{i}@example.org",
                     organization=typed, scope="Local", authorized="Yes")
            for i, typed in enumerate(TYPED)]
    rows.append(response(submitted_at="10/30/2021 10:00:00", email="p@example.org",
                         first_name="Ana", last_name="[Ruiz](http://evil.example/)",
                         affiliation="<img src=x onerror=alert(1)>"))
    assert main(["digest", str(csv_job(rows))]) == 0
    printed = capsys.readouterr().out
    [saved] = (tmp_path / "out" / "digests").glob("*.md")
    curated = pd.read_excel(tmp_path / "out" / "signers.xlsx", dtype=str).fillna("")
    signers = [*curated["Name"], *filter(None, curated["Affiliation"])]
    assert len(signers) == len(TYPED) + 2 and "<img src=x onerror=alert(1)>" in (
        s.casefold() for s in signers)
    for markdown in (saved.read_text(encoding="utf-8"), printed):
        tokens = _parsed(markdown)
        kinds = {token.type for token in tokens}
        for rendered in ("link_open", "image", "html_inline", "html_block", "code_inline",
                         "blockquote_open", "ordered_list_open", "table_open", "em_open",
                         "s_open"):
            assert rendered not in kinds, rendered
        assert [t.type for t in tokens].count("strong_open") == 1  # the digest's summary
        headings = [tokens[i + 1].content for i, t in enumerate(tokens)
                    if t.type == "heading_open"]
        assert not any("steering" in h for h in headings)
        assert not [t for t in tokens if t.type == "bullet_list_open" and t.level > 0]
        text = " ".join(t.content for t in tokens if t.type == "text")
        for shown in signers:  # shown as the curated tab has it: escaping loses nothing
            assert shown in text, shown
