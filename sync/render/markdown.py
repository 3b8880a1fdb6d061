"""A digest as Markdown: the file saved next to the HTML and what `signer-sync digest` prints.

What respondents typed (names, affiliations, flags quoting them) is escaped, so a Markdown
viewer shows it as text: never as HTML, a link, an image, code or a heading.
"""

from __future__ import annotations

import re

from sync.digest import Digest
from sync.render.sections import Item, period, sections, totals


def render_markdown(digest: Digest, job_name: str, include_emails: bool = False) -> str:
    lines = [f"# Signer digest: {job_name}", "", f"{period(digest)}.", "",
             f"**{digest.summary}.**", ""]
    for section in sections(digest, include_emails):
        lines += [f"## {section.title}" + (f" ({section.count})" if section.count else ""), ""]
        if section.note:
            lines += [section.note, ""]
        for name, items in section.groups or []:
            lines += [f"### {name}", "", *map(_bullet, items), ""]
        if section.items:
            lines += [*map(_bullet, section.items), ""]
    lines += ["## Totals", ""]
    for label, total, change in totals(digest):
        lines.append(f"- {label}: {total}" + (f" ({change} since the last digest)"
                                              if change else ""))
    if digest.skipped:
        lines.append(f"- Responses skipped (blank or test entries): {digest.skipped}")
    for reason, rows in digest.skip_reasons.items():
        shown = ", ".join(str(r) for r in rows[:10]) + (", …" if len(rows) > 10 else "")
        lines.append(f"  - {reason}: {len(rows)} (sheet row{'s' if len(rows) > 1 else ''} "
                     f"{shown})")
    return "\n".join(lines) + "\n"


def _bullet(item: Item) -> str:
    return f"- {escape(item.text)}" + (f" ({escape(item.detail)})" if item.detail else "")


# Hand-written: neither the standard library nor markdown-it-py (a parser) escapes text for
# Markdown. CommonMark lets a backslash escape any ASCII punctuation; escaped are those that
# can start markup anywhere in a line: HTML and autolinks (<), links and images ([ ]), code
# (`), emphasis and strikethrough (* _ ~), entities (&), table cells (|), the backslash
# itself; and at the start of the text what opens a block: a heading (#), a quote (>), a
# list (- + or "1." "1)"). A bare web address stays as typed: it shows what it links to.
_INLINE = re.compile(r"([\\`*_~\[\]<>&|])")
_BLOCK_START = re.compile(r"^(?:([#>+=-])|(\d+)([.)]))")


def escape(text: str) -> str:
    """`text` as Markdown that a viewer shows exactly as `text`, on one line."""
    text = _INLINE.sub(r"\\\1", " ".join(text.split()))
    return _BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)
