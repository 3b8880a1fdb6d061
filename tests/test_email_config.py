import pytest

from sync.config import load_job
from sync.errors import ConfigError
from tests.jobs import load


def _email(tmp_path, body: str):
    return load(tmp_path, extra=f"[email]\n{body}")


def test_email_table_gives_recipients_sender_and_smtp_server(tmp_path):
    job = _email(tmp_path, 'to = ["a@example.org", "b@example.org"]\nfrom = "d@example.org"\n'
                           'smtp_host = "smtp.example.org"')
    assert job.email is not None
    assert job.email.to == ("a@example.org", "b@example.org")
    assert (job.email.via, job.email.smtp_port, job.email.starttls) == ("smtp", 587, True)


def test_job_without_email_table_sends_nothing_and_hides_emails(tmp_path):
    job = load(tmp_path)
    assert job.email is None
    assert job.include_emails is False


@pytest.mark.parametrize(("body", "message"), [
    ('to = []\nfrom = "d@example.org"\nsmtp_host = "h"', "`to` must be a list of email"),
    ('to = ["not an address"]\nfrom = "d@example.org"\nsmtp_host = "h"', "`to` must be"),
    ('to = ["a@example.org"]\nsmtp_host = "h"', "[email] needs `from`"),
    ('to = ["a@example.org"]\nfrom = "d@example.org"', "needs `smtp_host`"),
    ('to = ["a@example.org"]\nfrom = "d@example.org"\nvia = "fax"', "`via` must be one of"),
    ('to = ["a@example.org"]\nfrom = "d@example.org"\nsmtp_host = "h"\nsmtp_port = "587"',
     "`smtp_port` must be a port number"),
    ('to = ["a@example.org"]\nfrom = "d@example.org"\nsmtp_host = "h"\npassword = "x"',
     "unknown key `password` in [email]"),
])
def test_email_mistakes_name_the_file_and_key(tmp_path, body, message):
    with pytest.raises(ConfigError) as caught:
        _email(tmp_path, body)
    assert message in str(caught.value)
    assert "job.toml" in str(caught.value)


def test_gmail_needs_no_smtp_server(tmp_path):
    job = _email(tmp_path, 'via = "gmail"\nto = ["a@example.org"]\nfrom = "d@example.org"')
    assert job.email is not None and job.email.via == "gmail"


def test_digest_may_ask_for_emails(tmp_path):
    job = load(tmp_path, extra="")
    text = job.file.read_text().replace('dir = "out/digests"',
                                        'dir = "out/digests"\ninclude_emails = true')
    job.file.write_text(text)
    assert load_job(job.file).include_emails is True


def test_letter_tab_must_differ_from_the_other_tabs(tmp_path):
    job = load(tmp_path)
    job.file.write_text(job.file.read_text().replace(
        'path = "out/signers.xlsx"', 'path = "out/signers.xlsx"\nletter_tab = "Signer Digest"'))
    with pytest.raises(ConfigError, match="must be different tabs"):
        load_job(job.file)


def test_tabs_that_differ_only_in_case_or_spacing_are_the_same_tab(tmp_path):
    job = load(tmp_path)
    job.file.write_text(job.file.read_text().replace(
        'path = "out/signers.xlsx"', 'path = "out/signers.xlsx"\ncurated_tab = "letter list"'))
    with pytest.raises(ConfigError, match="must be different tabs"):
        load_job(job.file)
