import base64
import datetime as dt
import re
from html.parser import HTMLParser

import pandas as pd

from sync.digest import build_digest
from sync.render.charts import data_uri, digest_charts
from sync.render.html import render_html
from sync.render.markdown import render_markdown
from sync.render.sections import MAX_LISTED
from tests.signers import curated, org, person, snapshot

AT = dt.datetime(2021, 11, 8, 9, 0)
SINCE = dt.datetime(2021, 11, 1, 9, 0)
PUBLISHED = dt.date(2021, 10, 29)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _last_week():
    return curated(
        org("ORG-0001", "Jewish Voice for Peace", first="2021-10-15T09:00:00"),
        org("ORG-0002", "Bay Area Legal Support Collective", scope="Regional",
            first="2021-10-16T09:00:00"),
        org("ORG-0003", "Tri-State Coalition", scope="Regional", late="Yes",
            status="Needs review", flags="authorization not confirmed",
            first="2021-10-31T09:00:00"),
        person("IND-0001", "Rabbi Alissa Wise", "Rabbinical Council", sort="wise alissa",
               first="2021-10-15T10:00:00"),
    )


def _this_week():
    """Last week's signers, one of them edited and one now approved, plus new ones."""
    return curated(
        org("ORG-0001", "Jewish Voice for Peace", first="2021-10-15T09:00:00",
            last="2021-11-03T12:30:00", responses=2),
        org("ORG-0002", "Bay Area Legal Support Collective", scope="Regional",
            first="2021-10-16T09:00:00"),
        org("ORG-0003", "Tri-State Coalition", scope="Regional", late="Yes",
            first="2021-10-31T09:00:00"),
        person("IND-0001", "Rabbi Alissa Wise", "Rabbinical Council", sort="wise alissa",
               first="2021-10-15T10:00:00"),
        org("ORG-0004", "Florida Palestine Network", scope="State", late="Yes",
            first="2021-11-02T09:00:00"),
        org("ORG-0005", "Codepink", scope="National", late="Yes", first="2021-11-03T09:00:00",
            status="Needs review", flags="international scope: confirm U.S. base"),
        person("IND-0002", "Noura Erakat", "Rutgers University", sort="erakat noura",
               late="Yes", first="2021-11-04T09:00:00"),
    )


def _digest(**kwargs):
    return build_digest(_this_week(), snapshot(_last_week()), AT, SINCE, 0,
                        previous_totals={"organizations": 3, "individuals": 1},
                        published=PUBLISHED, **kwargs)


def _section(markdown: str, title: str) -> str:
    """The text of one `## title` section."""
    match = re.search(rf"^## {re.escape(title)}.*?$(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"no section {title!r} in:\n{markdown}"
    return match.group(1)


def test_digest_reports_only_signers_new_since_the_last_digest_grouped_by_scope():
    markdown = render_markdown(_digest(), "demo")
    orgs = _section(markdown, "New organizations (2)")
    assert orgs.index("### National") < orgs.index("- Codepink") < orgs.index(
        "### State") < orgs.index("- Florida Palestine Network")
    assert "Jewish Voice for Peace" not in orgs
    assert "### Regional" not in orgs
    people = _section(markdown, "New individuals (1)")
    assert "- Noura Erakat, Rutgers University" in people
    assert "Alissa Wise" not in people


def test_digest_lists_late_signers_approved_since_the_last_digest_as_ready_to_add():
    late = _section(render_markdown(_digest(), "demo"), "Late signers approved and ready to add")
    assert "Tri-State Coalition" in late  # approved this week after needing review
    assert "Florida Palestine Network" in late
    assert "Noura Erakat, Rutgers University" in late
    assert "Codepink" not in late  # still needs review
    assert "Jewish Voice for Peace" not in late  # signed before publication


def test_digest_lists_signers_needing_review_with_their_reasons():
    review = _section(render_markdown(_digest(), "demo"), "Needs review (1)")
    assert "Codepink" in review and "international scope: confirm U.S. base" in review
    assert "Tri-State" not in review


def test_digest_lists_responses_edited_since_the_last_digest():
    edited = _section(render_markdown(_digest(), "demo"), "Responses edited since the last digest")
    assert "Jewish Voice for Peace" in edited and "2 responses" in edited
    assert "2021-11-03 12:30" in edited
    assert "Bay Area" not in edited


def test_digest_totals_show_the_change_from_the_last_digest():
    totals = _section(render_markdown(_digest(), "demo"), "Totals")
    assert "Organizations: 5 (+2 since the last digest)" in totals
    assert "Individuals: 2 (+1 since the last digest)" in totals


def test_first_digest_reports_everyone_as_new_without_a_change_figure():
    digest = build_digest(_last_week(), pd.DataFrame(), AT, None)
    markdown = render_markdown(digest, "demo")
    assert "since the form opened" in markdown
    assert "## New organizations (3)" in markdown
    assert "since the last digest)" not in _section(markdown, "Totals")
    assert "Responses edited" not in markdown


def test_a_first_digest_of_a_big_petition_lists_a_mailable_sample_and_counts_the_rest():
    people = [person(f"IND-{n:05d}", f"Signer {n}", sort=f"signer {n:05d}")
              for n in range(1, MAX_LISTED + 251)]
    digest = build_digest(curated(*people), pd.DataFrame(), AT, None)
    markdown = render_markdown(digest, "petition")
    listed = _section(markdown, "New individuals")
    assert f"## New individuals ({MAX_LISTED + 250})" in markdown
    assert listed.count("\n- ") == MAX_LISTED + 1
    assert "- … and 250 more (every signer is in the curated tab)" in listed
    html = render_html(digest, "petition", {})
    assert html.count("<li>") == MAX_LISTED + 1 and "… and 250 more" in html
    assert f"New individuals ({MAX_LISTED + 250})" in html


def test_digest_with_nobody_new_says_so():
    same = _last_week()
    digest = build_digest(same, snapshot(same), AT, SINCE,
                          previous_totals={"organizations": 3, "individuals": 1})
    markdown = render_markdown(digest, "demo")
    assert "Nobody new signed since the last digest." in markdown
    assert "Organizations: 3 (±0 since the last digest)" in markdown


def test_digest_shows_no_email_address_unless_the_job_asks():
    digest = _digest()
    charts = {n: data_uri(p) for n, p in digest_charts(digest).items()}
    for text in (render_markdown(digest, "demo"), render_html(digest, "demo", charts)):
        assert "@" not in text
    assert "contact@org-0005.example.org" in render_markdown(digest, "demo",
                                                            include_emails=True)
    assert "ind-0002@mail.example.com" in render_html(digest, "demo", charts,
                                                     include_emails=True)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.external: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img":
            self.images.append(attributes)
        if tag in ("link", "script", "iframe") or (
                tag != "img" and any(k in ("src", "href") for k in attributes)):
            self.external.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_digest_stands_alone_with_both_charts_inline():
    digest = _digest()
    charts = {n: data_uri(p) for n, p in digest_charts(digest).items()}
    page = _Page()
    page.feed(render_html(digest, "demo", charts))
    assert page.external == []
    assert len(page.images) == 2
    for image in page.images:
        src = image["src"] or ""
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_MAGIC)
        assert image["alt"]
    text = " ".join(" ".join(page.text).split())
    assert "Florida Palestine Network" in text
    assert "+2 since the last digest" in text


def test_html_digest_shows_what_respondents_typed_as_text_never_markup():
    digest = build_digest(curated(org("ORG-0001", "<script>alert(1)</script> Org")),
                          pd.DataFrame(), AT, None)
    html = render_html(digest, "demo", {})
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Org" in html


def test_charts_leave_out_what_has_nothing_to_draw():
    people_only = curated(person("IND-0001", "Noura Erakat", sort="erakat noura"))
    charts = digest_charts(build_digest(people_only, pd.DataFrame(), AT, None))
    assert list(charts) == ["cumulative"]
    undated = curated(org("ORG-0001", "Codepink", first=""))
    assert list(digest_charts(build_digest(undated, pd.DataFrame(), AT, None))) == ["scope"]
