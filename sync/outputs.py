"""The service's own files, next to the digests (`[digest] dir`), and the digest email.

* `NAME-YYYY-MM-DD-HHMM.md` and `.html`: one digest; the HTML stands alone (styles inside,
  charts as data: URIs) so it can be opened, forwarded or attached as it is;
* `NAME-letter-list.txt`: the approved signers as the letter prints them, rewritten on every
  run whose list changed, so it always matches the `Letter List` tab.

Each file is written to a temporary file in the same folder and then renamed over the
old one, so a reader never sees half a file. A symbolic link in a file's place is refused,
not followed, and a folder that cannot be written is a `PathError` naming it (see
`sync.own_files`).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from sync import own_files
from sync.config import JobConfig
from sync.delivery.message import chart_ids, digest_message
from sync.digest import Digest
from sync.render.charts import data_uri, digest_charts
from sync.render.html import render_html
from sync.render.letter import LetterList, render_letter_text
from sync.render.markdown import render_markdown

DIGEST_FILE = "a digest file"
LETTER_FILE = "the letter list file"


@dataclass(frozen=True)
class RenderedDigest:
    markdown: str
    html: str
    charts: dict[str, bytes]


def letter_file(job: JobConfig) -> Path:
    return job.digest_dir / f"{job.name}-letter-list.txt"


def render_digest(job: JobConfig, digest: Digest) -> RenderedDigest:
    charts = digest_charts(digest)
    html = render_html(digest, job.name, {n: data_uri(p) for n, p in charts.items()},
                       include_emails=job.include_emails, letter_file=letter_file(job).name)
    return RenderedDigest(render_markdown(digest, job.name, job.include_emails), html, charts)


def digest_file_pair(markdown: Path) -> tuple[Path, Path]:
    """A digest's Markdown file and the HTML file beside it."""
    return markdown, markdown.with_suffix(".html")


def taken(markdown: Path) -> bool:
    """Whether a digest already has this name; a link in the way of either file is refused
    here, before anything of the digest is recorded or written."""
    for path in digest_file_pair(markdown):
        own_files.refuse_link(path, DIGEST_FILE)
    return markdown.exists()


def write_digest_files(markdown: Path, rendered: RenderedDigest) -> tuple[Path, Path]:
    """The Markdown and HTML digest files, the Markdown one at `markdown`."""
    markdown, html = digest_file_pair(markdown)
    return (_write(markdown, rendered.markdown, DIGEST_FILE),
            _write(html, rendered.html, DIGEST_FILE))


def write_letter_file(job: JobConfig, letter: LetterList) -> Path | None:
    """The letter list file, when it is missing or says something else; else None."""
    path = letter_file(job)
    text = render_letter_text(letter, job.name)
    try:
        with os.fdopen(own_files.open_no_follow(path, os.O_RDONLY, LETTER_FILE),
                       encoding="utf-8") as old:
            if old.read() == text:
                return None
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    except OSError as exc:
        own_files.refuse_unusable(path, LETTER_FILE, exc)
        raise
    return _write(path, text, LETTER_FILE)


def digest_email(job: JobConfig, digest: Digest, rendered: RenderedDigest,
                 letter: LetterList) -> EmailMessage:
    """The digest as an email to `[email] to`, the letter list attached."""
    assert job.email is not None
    ids = chart_ids(list(rendered.charts))
    html = render_html(digest, job.name, {n: f"cid:{i}" for n, i in ids.items()},
                       include_emails=job.include_emails, letter_file=letter_file(job).name)
    return digest_message(
        sender=job.email.sender, to=job.email.to,
        subject=f"Signer digest: {job.name}, {digest.at:%Y-%m-%d}: {digest.summary}",
        text=rendered.markdown, html=html, images=rendered.charts, image_ids=ids,
        attachments={letter_file(job).name: render_letter_text(letter, job.name)},
    )


def _write(path: Path, text: str, what: str) -> Path:
    own_files.refuse_link(path, what)
    own_files.make_folder(path.parent, "the digest folder, [digest] dir")
    try:
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-",
                                        suffix=path.suffix)
    except OSError as exc:
        own_files.refuse_unusable(path, what, exc)
        raise
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            own_files.refuse_unusable(path, what, exc)
        raise
    return path
