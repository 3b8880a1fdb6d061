"""A form without a linked sheet, read through the Forms API. The HTTP boundary is
google-api-python-client's own HttpMockSequence, answering with the API's JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from googleapiclient.http import HttpMockSequence

from sync.backends.forms import FormsBook, form_id
from sync.config import load_job
from sync.errors import BackendError, ConfigError
from sync.pipeline import run_job
from tests.conftest import write_job
from tests.google_support import KEY, FakeGoogle, fake_google, service_account_key

__all__ = ["fake_google", "service_account_key"]

FORM = "1FormIdForTheSignOnLetter_abc"
FORM_JSON = {
    "formId": FORM,
    "info": {"title": "Sign-on"},
    "items": [
        {"title": "Organization Name", "questionItem": {"question": {"questionId": "q1"}}},
        {"title": "First Name", "questionItem": {"question": {"questionId": "q2"}}},
        {"title": "Last Name", "questionItem": {"question": {"questionId": "q3"}}},
        {"title": "Have you worked with any of these named Palestinian organizations or "
                   "visited them on delegation? If so please list below. Thank you!",
         "questionItem": {"question": {"questionId": "q4"}}},
        {"title": "Please read", "textItem": {}},
    ],
}


def answer(email: str, submitted: str, **texts: list[str]) -> dict[str, object]:
    return {
        "responseId": email, "createTime": "2021-10-01T00:00:00Z",
        "lastSubmittedTime": submitted, "respondentEmail": email,
        "answers": {q: {"questionId": q, "textAnswers": {"answers": [{"value": v}
                                                                      for v in values]}}
                    for q, values in texts.items()},
    }


def pages(*responses_pages: list[dict[str, object]]) -> HttpMockSequence:
    sequence: list[tuple[dict[str, str], str]] = [({"status": "200"}, json.dumps(FORM_JSON))]
    for i, page in enumerate(responses_pages):
        body: dict[str, object] = {"responses": page}
        if i + 1 < len(responses_pages):
            body["nextPageToken"] = f"page{i + 2}"
        sequence.append(({"status": "200"}, json.dumps(body)))
    return HttpMockSequence(sequence)


def test_every_page_is_read_and_an_edited_response_carries_its_last_edit() -> None:
    book = FormsBook(FORM, http=pages(
        [answer("b@example.org", "2021-10-23T09:00:00.5Z", q2=["Bo"], q3=["Chen"])],
        [answer("a@example.org", "2021-10-25T12:30:00Z", q1=["Sunrise Movement"],
                q4=["Al-Haq", "Addameer"])],
    ))
    frame = book.read(["Form Responses 1"])["Form Responses 1"]
    assert frame is not None
    assert list(frame.columns[:3]) == ["Timestamp", "Email Address", "Organization Name"]
    assert "Please read" not in frame.columns
    assert frame["Email Address"].tolist() == ["b@example.org", "a@example.org"]
    assert frame["Timestamp"].tolist() == ["2021-10-23 09:00:00 UTC", "2021-10-25 12:30:00 UTC"]
    assert frame.iloc[1, -1] == "Al-Haq, Addameer"


def test_a_form_feeds_a_curated_tab_in_a_google_spreadsheet(
        fake_google: FakeGoogle, tmp_path: Path) -> None:
    fake_google.server.add_spreadsheet(KEY, tabs={"Sheet1": []})
    job = load_job(write_job(tmp_path, f"""
[source]
kind = "forms"
form = "https://docs.google.com/forms/d/{FORM}/edit"
[target]
kind = "google"
spreadsheet = "{KEY}"
[state]
path = "../state/f.sqlite"
[digest]
dir = "../out"
""", "f"))
    source = FormsBook(job.source.form or "", http=pages(
        [answer("a@example.org", "2021-10-25T12:30:00Z", q1=["Sunrise Movement"])]))
    result = run_job(job, source=source)
    assert result.wrote
    assert [r["Name"] for r in fake_google.tab("Curated Signers")] == ["Sunrise Movement"]
    # the API's UTC, shown in the job's zone (America/New_York by default: EDT, UTC-4)
    assert [r["First Signed"] for r in fake_google.tab("Curated Signers")] == [
        "2021-10-25T08:30:00"]


def test_a_form_not_shared_with_the_account_says_so(service_account_key: Path) -> None:
    error = json.dumps({"error": {"code": 403, "message": "The caller does not have permission",
                                  "status": "PERMISSION_DENIED"}})
    book = FormsBook(FORM, service_account_key,
                     http=HttpMockSequence([({"status": "403"}, error)]))
    with pytest.raises(BackendError, match=r"add signer-sync@coalition-sync\.iam\."
                                           r"gserviceaccount\.com as a collaborator"):
        book.read(["Form Responses 1"])


def test_form_addresses_and_forms_jobs_are_validated(tmp_path: Path) -> None:
    assert form_id(f"https://docs.google.com/forms/d/{FORM}/edit#responses") == FORM
    with pytest.raises(ConfigError, match="public link"):
        form_id("https://docs.google.com/forms/d/e/1FAIpQLSd_abcdefghijklmnop/viewform")
    with pytest.raises(ConfigError, match=r"forms source needs a \[target\]"):
        load_job(write_job(tmp_path, f'[source]\nkind = "forms"\nform = "{FORM}"\n', "x"))
    with pytest.raises(ConfigError, match=r"\[source\] needs `form`"):
        load_job(write_job(tmp_path, '[source]\nkind = "forms"\n', "y"))
