"""The review layout of a workbook tab, added to its worksheet XML around the cells.

What the Google tab gets (see `google_layout`), in Excel's terms: a frozen bold header, and
for a tab with reviewer columns (the curated tab) an auto-filter, the Status dropdown (a
list validation whose error style is "warning": other text is allowed after a warning, so a
note typed in the wrong column is never refused), conditional formats for `Needs review`
rows and `Outside U.S.` cells, and column widths.

Each piece is added when the tab is created, or when it is missing from a tab an earlier
version wrote: widths, bold header and dropdown only when the tab has neither column widths
nor validations at all (so what staff changed there is never overwritten), the frozen row,
the filter and each highlight when absent. The service's own dropdown and highlights are
moved back onto the Status and Outside U.S. columns by header name on every write (a column
staff inserted in Excel shifts them; the write puts the columns back in the contract's order).

The worksheet's parts before and after `<sheetData>` are small; they are edited as text,
each new element placed where the schema's element order wants it (Excel refuses a file
whose elements are out of order).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, unescape

from sync.backends.google_layout import (
    DEFAULT_WIDTH,
    NEEDS_REVIEW_COLOR,
    OUTSIDE_COLUMN,
    STATUS_CHOICES,
    STATUS_COLUMN,
    WIDTHS,
    column_letter,
)

LAST_ROW = 1_048_576  # Excel's last row: validations and highlights cover rows added later
STATUS_LIST = '"' + ",".join(STATUS_CHOICES) + '"'
STATUS_WARNING = ("Status is normally Approved, Needs review or Excluded; signer-sync keeps "
                  "other text as it is.")
OUTSIDE_COLOR = "FFFAD9D9"
NEEDS_REVIEW_FILL = "FF" + "".join(
    f"{round(NEEDS_REVIEW_COLOR[c] * 255):02X}" for c in ("red", "green", "blue"))
PIXELS_PER_CHARACTER = 7  # Calibri 11, Excel's default font: column width is in characters

# Children of <worksheet> after <sheetData>, in the order the schema requires.
_TAIL_ORDER = (
    "sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter",
    "sortState", "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr",
    "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
    "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches",
    "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF",
    "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst",
)
_ATTRIBUTES = r"""(?:[^>"']|"[^"]*"|'[^']*')*?"""
_TAG = re.compile(rf"<(/?)([\w.:-]+)({_ATTRIBUTES})(/?)>")
_FORMULA = re.compile(r"<formula>([^<]*)</formula>")


@dataclass(frozen=True)
class Styles:
    """Indices into styles.xml of the service's header style and highlight fills."""

    bold: int | None = None
    needs_review: int | None = None
    outside: int | None = None


@dataclass(frozen=True)
class Plan:
    """What a write adds to one tab's layout (decided from its XML before the write)."""

    bold_header: bool = False
    widths: bool = False
    dropdown: bool = False
    highlights: tuple[str, ...] = ()  # formulas of the highlights to add
    review: bool = False  # a tab with reviewer columns: filter, dropdown, highlights


def plan(head: str, tail: str, header: Sequence[str], created: bool, review: bool) -> Plan:
    """The layout pieces this tab lacks."""
    fresh = created or not (_has(head, "cols") or _has(tail, "dataValidations"))
    if not review:
        return Plan(bold_header=created, widths=created)
    present = {unescape(f) for f in _FORMULA.findall(tail)}
    wanted = [formula for formula, _ in _highlights(header) if formula not in present]
    return Plan(bold_header=fresh, widths=fresh, dropdown=fresh and STATUS_COLUMN in header,
                highlights=tuple(wanted), review=True)


def lay_out_head(head: str, header: Sequence[str], plan: Plan) -> str:
    """The part before `<sheetData>`: a frozen header row, and column widths if planned."""
    head = _frozen(head)
    if plan.widths and not _has(head, "cols"):
        cols = "".join(
            f'<col min="{n}" max="{n}" width="{_width(name)}" customWidth="1"/>'
            for n, name in enumerate(header, start=1))
        head += f"<cols>{cols}</cols>"
    return head


def lay_out_tail(tail: str, header: Sequence[str], rows: int, plan: Plan,
                 styles: Styles) -> str:
    """The part after `</sheetData>`: the filter over the written rows, then the planned
    highlights and dropdown; the service's own rules put back on their columns."""
    if not plan.review:
        return tail
    last = column_letter(len(header) - 1)
    if _has(tail, "autoFilter"):
        tail = re.sub(r'(<autoFilter\b[^>]*?\bref="[A-Z]+1:[A-Z]+)\d+"',
                      lambda m: f'{m.group(1)}{max(rows, 2)}"', tail, count=1)
    else:
        tail = _insert(tail, "autoFilter", f'<autoFilter ref="A1:{last}{max(rows, 2)}"/>')
    tail = _replace_own_rules(tail, header)
    priority = max((int(p) for p in re.findall(r'\bpriority="(\d+)"', tail)), default=0)
    fills = {"Needs review": styles.needs_review, "Yes": styles.outside}
    for formula, sqref in _highlights(header):
        if formula not in plan.highlights:
            continue
        fill = fills["Yes" if formula.endswith('"Yes"') else "Needs review"]
        dxf = f' dxfId="{fill}"' if fill is not None else ""
        priority += 1
        tail = _insert(tail, "conditionalFormatting", (
            f'<conditionalFormatting sqref="{sqref}"><cfRule type="expression"{dxf} '
            f'priority="{priority}"><formula>{escape(formula)}</formula></cfRule>'
            "</conditionalFormatting>"))
    if plan.dropdown:
        letter = column_letter(header.index(STATUS_COLUMN))
        tail = _insert(tail, "dataValidations", (
            '<dataValidations count="1"><dataValidation type="list" errorStyle="warning" '
            'allowBlank="1" showErrorMessage="1" errorTitle="Status" '
            f'error="{escape(STATUS_WARNING, {chr(34): "&quot;"})}" '
            f'sqref="{letter}2:{letter}{LAST_ROW}"><formula1>{escape(STATUS_LIST)}</formula1>'
            "</dataValidation></dataValidations>"))
    return tail


def _highlights(header: Sequence[str]) -> list[tuple[str, str]]:
    """(formula, range) of each highlight, by header name."""
    found = []
    if STATUS_COLUMN in header:
        letter = column_letter(header.index(STATUS_COLUMN))
        last = column_letter(len(header) - 1)
        found.append((f'${letter}2="Needs review"', f"A2:{last}{LAST_ROW}"))
    if OUTSIDE_COLUMN in header:
        letter = column_letter(header.index(OUTSIDE_COLUMN))
        found.append((f'${letter}2="Yes"', f"{letter}2:{letter}{LAST_ROW}"))
    return found


def _replace_own_rules(tail: str, header: Sequence[str]) -> str:
    """The service's dropdown and highlights (recognized by their exact list and formula
    shapes) moved to the columns their headers are in now."""
    wanted = dict((f.split("=")[1], (f, sqref)) for f, sqref in _highlights(header))

    def highlight(match: re.Match[str]) -> str:
        block, formula = match.group(0), unescape(match.group(2))
        value = formula.split("=", 1)[1] if re.fullmatch(r'\$[A-Z]+2=".*"', formula) else ""
        if value not in wanted:
            return block
        new_formula, sqref = wanted[value]
        if value == '"Yes"' and match.group(1) != _column_range(formula):
            return block  # a "Yes" rule of staff's own, not the one-column Outside rule
        block = block.replace(match.group(2), escape(new_formula))
        return re.sub(r'sqref="[^"]*"', f'sqref="{sqref}"', block, count=1)

    tail = re.sub(r'<conditionalFormatting sqref="([^"]*)"><cfRule type="expression"'
                  r'[^>]*><formula>([^<]*)</formula></cfRule></conditionalFormatting>',
                  highlight, tail)
    if STATUS_COLUMN in header:
        letter = column_letter(header.index(STATUS_COLUMN))
        own = re.escape(escape(STATUS_LIST))
        tail = re.sub(rf'(<dataValidation\b[^>]*?\bsqref=")[^"]*("[^>]*><formula1>{own}'
                      r"</formula1>)", rf"\g<1>{letter}2:{letter}{LAST_ROW}\g<2>", tail)
    return tail


def _column_range(formula: str) -> str:
    letter = formula[1:formula.index("2")]
    return f"{letter}2:{letter}{LAST_ROW}"


def _width(name: str) -> float:
    return round(WIDTHS.get(name, DEFAULT_WIDTH) / PIXELS_PER_CHARACTER, 1)


def _frozen(head: str) -> str:
    """The first sheet view with the header row frozen, unless it has a pane already."""
    if "<pane " in head or "<pane/" in head:
        return head
    pane = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    view = re.search(rf"<sheetView\b{_ATTRIBUTES}(/?)>", head)
    if view is None:
        return _before_first(head, ("sheetFormatPr", "cols"),
                             f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView>'
                             "</sheetViews>")
    opening = view.group(0)
    if view.group(1):
        return head.replace(opening, f"{opening[:-2]}>{pane}</sheetView>", 1)
    return head.replace(opening, opening + pane, 1)


def _before_first(head: str, names: Sequence[str], element: str) -> str:
    found = [start for name, start in _children(head) if name in names]
    at = min(found) if found else len(head)
    return head[:at] + element + head[at:]


def _insert(tail: str, name: str, element: str) -> str:
    """`element` (a `name` element) inserted into the tail where the schema puts it."""
    following = set(_TAIL_ORDER[_TAIL_ORDER.index(name) + 1:])
    found = [start for child, start in _children(tail) if child in following]
    at = min(found) if found else tail.rindex("</")
    return tail[:at] + element + tail[at:]


def _children(fragment: str) -> list[tuple[str, int]]:
    """(local name, start) of each element of `fragment` directly inside <worksheet>, the
    fragment starting inside it (the tail) or at the file's start (the head)."""
    depth = -1 if "<worksheet" in fragment or ":worksheet" in fragment else 0
    found = []
    for match in _TAG.finditer(fragment):
        closing, name, _, empty = match.groups()
        if closing:
            depth -= 1
            continue
        if depth == 0:
            found.append((name.rsplit(":", 1)[-1], match.start()))
        if not empty:
            depth += 1
    return found


def _has(fragment: str, name: str) -> bool:
    return any(child == name for child, _ in _children(fragment))


def add_styles(styles: str, want_bold: bool, want_fills: bool) -> tuple[str, Styles]:
    """styles.xml with a bold font cell format and the two highlight fills appended (the
    existing formats keep their indices, so every other tab's cells look as before)."""
    bold = needs = outside = None
    if want_bold and "<cellXfs" in styles and "<fonts" in styles:
        default = re.search(r"<font>(.*?)</font>", styles, re.S)  # the workbook's font, bold
        styles, font = _append(styles, "fonts", "<font><b/>" + (
            default.group(1).replace("<b/>", "") if default else '<sz val="11"/>') + "</font>")
        styles, bold = _append(styles, "cellXfs", (
            f'<xf numFmtId="0" fontId="{font}" fillId="0" borderId="0" xfId="0" '
            'applyFont="1"/>'))
    if want_fills:
        if not re.search(r"<dxfs\b", styles):
            anchor = "</cellStyles>" if "</cellStyles>" in styles else "</cellXfs>"
            if anchor not in styles:
                return styles, Styles(bold)
            styles = styles.replace(anchor, anchor + '<dxfs count="0"></dxfs>', 1)
        styles = re.sub(r'<dxfs count="0"\s*/>', '<dxfs count="0"></dxfs>', styles, count=1)
        styles, needs = _append(styles, "dxfs", _fill(NEEDS_REVIEW_FILL))
        styles, outside = _append(styles, "dxfs", _fill(OUTSIDE_COLOR))
    return styles, Styles(bold, needs, outside)


def _fill(color: str) -> str:
    return (f'<dxf><fill><patternFill patternType="solid"><fgColor rgb="{color}"/>'
            f'<bgColor rgb="{color}"/></patternFill></fill></dxf>')


def _append(styles: str, collection: str, element: str) -> tuple[str, int]:
    """`element` appended to `<collection>`, its count updated; returns its index."""
    opening = re.search(rf"<{collection}\b[^>]*>", styles)
    closing = styles.find(f"</{collection}>")
    if opening is None or closing < 0:
        raise ValueError(f"styles.xml has no <{collection}> list")
    child = {"fonts": "font", "cellXfs": "xf", "dxfs": "dxf"}[collection]
    index = len(re.findall(rf"<{child}\b", styles[opening.end():closing]))
    styles = styles[:closing] + element + styles[closing:]
    tag = re.sub(r'\bcount="\d+"', f'count="{index + 1}"', opening.group(0))
    return styles[:opening.start()] + tag + styles[opening.end():], index
