import base64
import dataclasses
import datetime as dt
import json
import socket
import ssl
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from googleapiclient.discovery import build
from googleapiclient.http import HttpMock

from sync.config import SMTP_PASSWORD_ENV, SMTP_USERNAME_ENV
from sync.delivery import deliver_pending
from sync.delivery.gmail import GmailTransport
from sync.pipeline import run_job
from sync.render.letter import FOOTNOTE
from sync.state import DigestRecord, State
from tests.jobs import Clock, load

NOON = dt.datetime(2021, 11, 8, 12, 0, tzinfo=ZoneInfo("UTC"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    """A local SMTP server that only accepts mail after STARTTLS and a login."""

    def __init__(self, port: int, context: ssl.SSLContext) -> None:
        self.port, self.received, self.logins = port, [], []
        self.controller = Controller(
            self, hostname="127.0.0.1", port=port, tls_context=context,
            require_starttls=True, auth_required=True, authenticator=self._login,
        )

    def _login(self, server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        # handled=False: the server itself answers a refusal with 535
        return AuthResult(success=auth_data.password == b"app-password", handled=False)

    async def handle_DATA(self, server, session, envelope):
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def __enter__(self) -> "MailServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


@pytest.fixture
def tls(tmp_path, monkeypatch):
    """A test CA the client trusts (through SSL_CERT_FILE) and the server's certificate."""
    authority = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server)
    return server


@pytest.fixture
def login(monkeypatch):
    monkeypatch.setenv(SMTP_USERNAME_ENV, "digest@coalition.example.org")
    monkeypatch.setenv(SMTP_PASSWORD_ENV, "app-password")


def _smtp_job(tmp_path, port):
    return load(tmp_path, extra=f"""
[email]
to = ["staff@coalition.example.org", "lead@coalition.example.org"]
from = "digest@coalition.example.org"
smtp_host = "127.0.0.1"
smtp_port = {port}
""")


def test_digest_email_goes_out_over_starttls_with_the_login_from_the_environment(
        tmp_path, tls, login):
    port = _free_port()
    job = _smtp_job(tmp_path, port)
    with MailServer(port, tls) as server:
        result = run_job(job, with_digest=True, clock=Clock(NOON))
    assert result.messages == []
    assert server.logins == [("digest@coalition.example.org", "app-password")]
    [mail] = server.received
    assert mail["To"] == "staff@coalition.example.org, lead@coalition.example.org"
    assert mail["Subject"].startswith("Signer digest: test, 2021-11-08: 3 new organizations")
    html = mail.get_body(("html",)).get_content()
    assert "Florida Palestine Network" in html and "data:image" not in html
    images = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 2
    for image in images:
        assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html
        assert image.get_content().startswith(b"\x89PNG")
    [letter] = list(mail.iter_attachments())
    assert letter.get_filename() == "test-letter-list.txt"
    assert letter.get_content().rstrip().endswith(FOOTNOTE)
    assert "@" not in letter.get_content()
    assert State(job.state_path).pending_mail() == []


def test_failed_email_keeps_the_digest_and_is_sent_on_the_next_run(tmp_path, tls, login):
    port = _free_port()  # nothing listens there yet
    job = _smtp_job(tmp_path, port)
    clock = Clock(NOON)
    first = run_job(job, with_digest=True, clock=clock)
    assert first.digest_file.exists() and first.html_file.exists()
    assert len(first.messages) == 1 and "not sent" in first.messages[0]
    assert "next run" in first.messages[0]
    [waiting] = State(job.state_path).pending_mail()
    assert waiting.attempts == 1 and f"127.0.0.1:{port}" in waiting.last_error
    assert State(job.state_path).runs(1)[0].message == first.messages[0]

    clock.advance(hours=1)
    with MailServer(port, tls) as server:
        later = run_job(job, clock=clock)
    assert later.messages == []
    [mail] = server.received
    assert "Florida Palestine Network" in mail.get_body(("html",)).get_content()
    assert State(job.state_path).pending_mail() == []


def test_refused_login_is_reported_and_the_email_kept(tmp_path, tls, monkeypatch):
    monkeypatch.setenv(SMTP_USERNAME_ENV, "digest@coalition.example.org")
    monkeypatch.setenv(SMTP_PASSWORD_ENV, "wrong")
    port = _free_port()
    job = _smtp_job(tmp_path, port)
    with MailServer(port, tls) as server:
        result = run_job(job, with_digest=True, clock=Clock(NOON))
    assert server.received == []
    assert SMTP_USERNAME_ENV in result.messages[0]
    assert "wrong" not in result.messages[0]
    assert len(State(job.state_path).pending_mail()) == 1


def test_only_one_of_the_two_smtp_variables_is_reported_before_connecting(
        tmp_path, monkeypatch):
    monkeypatch.setenv(SMTP_USERNAME_ENV, "digest@coalition.example.org")
    monkeypatch.delenv(SMTP_PASSWORD_ENV, raising=False)
    job = _smtp_job(tmp_path, _free_port())
    result = run_job(job, with_digest=True, clock=Clock(NOON))
    assert SMTP_PASSWORD_ENV in result.messages[0]
    assert len(State(job.state_path).pending_mail()) == 1


# Gmail API -------------------------------------------------------------------------------

def _gmail_job_with_waiting_mail(tmp_path):
    job = load(tmp_path, extra="""
[email]
via = "gmail"
to = ["staff@coalition.example.org"]
from = "digest@coalition.example.org"
""")
    state = State(job.state_path)
    mail = (b"From: digest@coalition.example.org\r\nTo: staff@coalition.example.org\r\n"
            b"Subject: Signer digest: test\r\n\r\nFlorida Palestine Network\r\n")
    state.commit_digest(DigestRecord(NOON, None, "", {}), pd.DataFrame(
        columns=["Signer ID", "Type", "Name", "Status", "Last Updated", "Responses"]), mail)
    return job, state


def _gmail(tmp_path, status: str, body: dict):
    reply = tmp_path / "reply.json"
    reply.write_text(json.dumps(body))
    http = HttpMock(str(reply), {"status": status})
    return build("gmail", "v1", http=http, static_discovery=True), http


def test_gmail_sends_the_waiting_digest_as_the_raw_message(tmp_path):
    job, state = _gmail_job_with_waiting_mail(tmp_path)
    service, http = _gmail(tmp_path, "200", {"id": "18c0ffee", "labelIds": ["SENT"]})
    problems = deliver_pending(job, state, NOON, GmailTransport(service))
    assert problems == []
    assert http.method == "POST" and "/gmail/v1/users/me/messages/send?" in http.uri
    sent = message_from_bytes(base64.urlsafe_b64decode(json.loads(http.body)["raw"]),
                              policy=policy.default)
    assert sent["To"] == "staff@coalition.example.org"
    assert "Florida Palestine Network" in sent.get_content()
    assert state.pending_mail() == []


def test_gmail_refusal_is_reported_and_the_email_kept_for_next_time(tmp_path):
    job, state = _gmail_job_with_waiting_mail(tmp_path)
    service, _ = _gmail(tmp_path, "403", {"error": {"code": 403, "message": "Delegation denied"}})
    problems = deliver_pending(job, state, NOON, GmailTransport(service))
    assert "HTTP 403" in problems[0] and "next run" in problems[0]
    [waiting] = state.pending_mail()
    assert waiting.attempts == 1


def test_gmail_acts_as_the_from_user_through_domain_wide_delegation(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from sync.delivery.gmail import SCOPES, _credentials

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    (tmp_path / "key.json").write_text(json.dumps({
        "type": "service_account", "project_id": "p", "private_key_id": "1",
        "private_key": pem, "client_email": "sync@p.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"}))
    job = load(tmp_path, extra="""
[email]
via = "gmail"
to = ["staff@coalition.example.org"]
from = "digest@coalition.example.org"
""")
    job = dataclasses.replace(job, target=dataclasses.replace(
        job.target, credentials=tmp_path / "key.json"))
    credentials = _credentials(job)
    assert credentials.service_account_email == "sync@p.iam.gserviceaccount.com"
    assert credentials._subject == "digest@coalition.example.org"
    assert credentials.scopes == SCOPES


class PlainRelay:
    """A local relay that takes mail without TLS or a login."""

    def __init__(self, port: int) -> None:
        self.received = []
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 OK"


def test_trusted_relay_without_starttls_or_login_gets_the_digest(tmp_path, monkeypatch):
    monkeypatch.delenv(SMTP_USERNAME_ENV, raising=False)
    monkeypatch.delenv(SMTP_PASSWORD_ENV, raising=False)
    port = _free_port()
    job = load(tmp_path, extra=f"""
[email]
to = ["staff@coalition.example.org"]
from = "digest@coalition.example.org"
smtp_host = "127.0.0.1"
smtp_port = {port}
starttls = false
""")
    relay = PlainRelay(port)
    relay.controller.start()
    try:
        result = run_job(job, with_digest=True, clock=Clock(NOON))
    finally:
        relay.controller.stop()
    assert result.messages == []
    [envelope] = relay.received
    assert envelope.rcpt_tos == ["staff@coalition.example.org"]


def test_dry_run_digest_sends_nothing_and_keeps_nothing(tmp_path):
    port = _free_port()
    job = _smtp_job(tmp_path, port)
    result = run_job(job, with_digest=True, dry_run=True, clock=Clock(NOON))
    assert result.digest_file is None and result.messages == []
    assert State(job.state_path).pending_mail() == []
    assert not job.digest_dir.exists()
