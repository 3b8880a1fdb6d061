"""A digest as Markdown: the file saved next to the HTML and what `signer-sync digest` prints."""

from __future__ import annotations

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
    return f"- {item.text}" + (f" ({item.detail})" if item.detail else "")
