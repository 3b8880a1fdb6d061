"""The digest email: the HTML digest (charts as related inline images), a plain-text
alternative, and the letter list attached."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


def chart_ids(names: Sequence[str]) -> dict[str, str]:
    """A Content-ID per chart (without angle brackets), to put in the HTML as `cid:...`.

    Inside an email the charts are attached parts rather than data: URIs, because several
    mail clients (Gmail among them) do not show data: images.
    """
    return {name: make_msgid(idstring=name, domain="signer-sync")[1:-1] for name in names}


def digest_message(*, sender: str, to: Sequence[str], subject: str, text: str, html: str,
                   images: Mapping[str, bytes], image_ids: Mapping[str, str],
                   attachments: Mapping[str, str]) -> EmailMessage:
    """`html` refers to each image in `images` as `cid:` + its id in `image_ids`;
    `attachments` maps a file name to its text."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="signer-sync")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    html_part = message.get_payload()[1]
    for name, png in images.items():
        html_part.add_related(png, "image", "png", cid=f"<{image_ids[name]}>",
                              filename=f"{name}.png")
    for filename, body in attachments.items():
        message.add_attachment(body, filename=filename)
    return message
