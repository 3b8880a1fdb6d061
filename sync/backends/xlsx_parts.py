"""Direct work on a workbook's XML, so that openpyxl never parses nor rewrites a tab.

openpyxl builds a Python object for every cell it loads or writes, which dominates a big
sync (loading a 70,000-row tab only to drop it took 40 s), and it drops what it does not
model when it saves a workbook again: sparklines and other Excel extensions, shapes, some
chart formatting. So a write is done on the file's parts directly (`write_package`):

* the written tabs' worksheets: the old cells skipped (replaced) or copied through
  (appended), the new rows streamed in as inline strings (text by construction: never a
  formula) and numbers; what surrounds the cells (panes, widths, validations, highlights,
  extensions) kept, with the review layout added where it is missing (xlsx_layout);
* a tab that is missing is added to the tab list, its relationships and content types;
* every other part, every other tab included, is copied byte for byte.

A worksheet keeps its cells in a single `<sheetData>` element; it is read in pieces, so a
big tab's XML (some 700 MB for 700,000 signers) is never held whole.
"""

from __future__ import annotations

import io
import itertools
import re
import time
import zipfile
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import IO
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import column_index_from_string, get_column_letter

from sync.backends import xlsx_layout as layout
from sync.backends.base import Cell, TabWrite

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
_WORKSHEET_REL = f"{_NS['r']}/worksheet"
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_STYLES = "xl/styles.xml"
_NEW_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<worksheet xmlns="{_NS["m"]}" xmlns:r="{_NS["r"]}"><dimension ref="A1"/>'
    '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15"/><sheetData/>'
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    "</worksheet>").encode()
_SHEET_DATA_OPEN = re.compile(rb"<((?:\w+:)?sheetData)(?:\s[^>]*)?>")
_DIMENSION = re.compile(r'<dimension ref="[A-Z]*\d*(?::([A-Z]+)\d+)?"\s*/>')
_EMPTY = re.compile(rb"<((?:\w+:)?sheetData)\s*/>")
_ROW = re.compile(rb'<(?:\w+:)?row\b(?:[^>]*?\sr="(\d+)")?')
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_HEADER_CELL = re.compile(r'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)1"[^>]*?\bs="(\d+)"'
                          r'|<(?:\w+:)?c\b[^>]*?\bs="(\d+)"[^>]*?\br="([A-Z]+)1"')
# zlib level 3: a third of the default level's time on a big tab, for a file ~8% larger
_LEVEL = 3
_MAX_TEXT = 32767  # Excel's limit for one cell
_ROWS_PER_CHUNK = 2000
_ENTITIES = {"\r": "&#13;"}
_READ_BYTES = 1 << 20
_OVERLAP = 64  # bytes kept between pieces so a tag split across two is still found


def worksheet_parts(archive: zipfile.ZipFile, tabs: Collection[str] | None
                    ) -> dict[str, str]:
    """Zip path → tab name for the worksheets named `tabs`, or all of them (from
    xl/workbook.xml and its relationships)."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.findall("p:Relationship", _NS)}
    parts = {}
    for sheet in book.iterfind("m:sheets/m:sheet", _NS):
        name = sheet.get("name")
        if tabs is None or name in tabs:
            target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
            parts[target.lstrip("/") if target.startswith("/") else f"xl/{target}"] = name
    return parts


@dataclass
class _Package:
    """The workbook-level parts a write edits: the tab list, its relationships and the
    content types (tabs added), and styles.xml (the layout's formats appended)."""

    workbook: str
    rels: str
    types: str
    styles: str | None
    parts: dict[str, str]  # tab → worksheet part
    created: set[str]
    styled: bool = False  # a tab uses the formats appended to styles.xml

    @classmethod
    def of(cls, archive: zipfile.ZipFile) -> _Package:
        names = set(archive.namelist())
        return cls(archive.read("xl/workbook.xml").decode("utf-8"),
                   archive.read("xl/_rels/workbook.xml.rels").decode("utf-8"),
                   archive.read("[Content_Types].xml").decode("utf-8"),
                   archive.read(_STYLES).decode("utf-8") if _STYLES in names else None,
                   {tab: part for part, tab in worksheet_parts(archive, None).items()},
                   set())

    def add_tab(self, tab: str) -> None:
        """A new, empty worksheet for `tab`, after the others."""
        taken = set(self.parts.values())
        number = next(n for n in itertools.count(len(taken) + 1)
                      if f"xl/worksheets/sheet{n}.xml" not in taken)
        part = f"xl/worksheets/sheet{number}.xml"
        ids = {int(i) for i in re.findall(r'\bsheetId="(\d+)"', self.workbook)}
        rel = next(f"rId{n}" for n in itertools.count(1) if f'Id="rId{n}"' not in self.rels)
        sheets_end = re.search(r"</(?:\w+:)?sheets>", self.workbook)
        if sheets_end is None:
            raise ValueError("xl/workbook.xml lists no tabs")
        self.workbook = _before(self.workbook, sheets_end.start(), (
            f'<sheet xmlns="{_NS["m"]}" xmlns:r="{_NS["r"]}" '
            f'name="{escape(tab, {chr(34): "&quot;"})}" sheetId="{max(ids, default=0) + 1}" '
            f'r:id="{rel}"/>'))
        self.rels = _before(self.rels, self.rels.rindex("</"), (
            f'<Relationship Id="{rel}" Type="{_WORKSHEET_REL}" '
            f'Target="/{part}"/>'))
        self.types = _before(self.types, self.types.rindex("</"), (
            f'<Override PartName="/{part}" ContentType="{_WORKSHEET_TYPE}"/>'))
        self.parts[tab] = part
        self.created.add(tab)

    def drop_calc_chain(self) -> None:
        """Forget Excel's list of formula cells (it may name cells a write replaced; Excel
        rebuilds it, and reports a damaged file when it is wrong)."""
        self.rels = re.sub(r"<Relationship\b[^>]*calcChain[^>]*/>", "", self.rels)
        self.types = re.sub(r'<Override\b[^>]*PartName="/xl/calcChain.xml"[^>]*/>', "",
                            self.types)


def _before(text: str, at: int, element: str) -> str:
    return text[:at] + element + text[at:]


def write_package(archive: zipfile.ZipFile, out: IO[bytes], writes: Sequence[TabWrite],
                  created: Collection[str] = ()) -> None:
    """The workbook `archive` with `writes` applied, saved to `out`: every part but the
    written tabs' worksheets and the workbook-level lists copied byte for byte (a tab the
    service does not own keeps its sparklines, charts, images and anything else Excel
    put there). `created` names tabs the archive has but this write is creating."""
    package = _Package.of(archive)
    package.created.update(created)
    for change in writes:
        if change.tab not in package.parts:
            package.add_tab(change.tab)
    if any(not w.append and w.tab not in package.created for w in writes):
        package.drop_calc_chain()
    styles_text, styles = (layout.add_styles(package.styles, True, True)
                           if package.styles is not None else ("", layout.Styles()))
    by_part = {package.parts[w.tab]: w.tab for w in writes}
    grouped = _grouped(writes)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True,
                         compresslevel=_LEVEL) as copy:
        copy.writestr("[Content_Types].xml", package.types)
        for item in archive.infolist():
            name = item.filename
            if name in ("[Content_Types].xml", _STYLES, "xl/calcChain.xml"):
                if name == "xl/calcChain.xml" and "calcChain" in package.rels:
                    copy.writestr(item, archive.read(item))
                continue
            if name == "xl/workbook.xml":
                copy.writestr(item, package.workbook)
            elif name == "xl/_rels/workbook.xml.rels":
                copy.writestr(item, package.rels)
            elif name in by_part:
                tab = by_part.pop(name)
                _write_sheet(lambda item=item: archive.open(item), copy, name, grouped[tab],
                             tab in package.created, styles, package)
            else:
                copy.writestr(item, archive.read(item))
        for part, tab in by_part.items():
            _write_sheet(lambda: io.BytesIO(_NEW_SHEET), copy, part, grouped[tab], True,
                         styles, package)
        if package.styles is not None:
            copy.writestr(_STYLES, styles_text if package.styled else package.styles)


def _grouped(writes: Sequence[TabWrite]) -> dict[str, TabWrite]:
    """One write per tab: rows appended after a tab's replacement join it."""
    grouped: dict[str, TabWrite] = {}
    for change in writes:
        before = grouped.get(change.tab)
        if before is not None and change.append:
            change = replace(before, rows=[*before.rows, *change.rows])
        grouped[change.tab] = change
    return grouped


def _write_sheet(open_stream: Callable[[], IO[bytes]], copy: zipfile.ZipFile, part: str,
                 change: TabWrite, created: bool, styles: layout.Styles,
                 package: _Package) -> None:
    """One written tab's worksheet: its rows replaced or appended, streamed; what surrounds
    them kept, with the review layout added where it is missing (see xlsx_layout).

    The old worksheet is read once to find what surrounds its cells (and, for an append,
    once more to copy its cells through)."""
    with open_stream() as stream:
        old = _scan(stream)
    appending = change.append and old.cells
    plan = layout.plan(old.head, old.tail, change.header, created, bool(change.keep_columns))
    table = change.rows if appending else [change.header, *change.rows]
    first = old.last_row + 1 if appending else 1
    last = first + len(table) - 1
    width = max((len(r) for r in table), default=1)
    header_styles = {} if appending else dict(old.header_styles)
    if plan.bold_header and styles.bold is not None and not appending:
        for column in range(1, len(change.header) + 1):
            header_styles.setdefault(get_column_letter(column), str(styles.bold))
    package.styled |= (bool(plan.highlights) and styles.needs_review is not None) or (
        str(styles.bold) in header_styles.values())
    head = layout.lay_out_head(old.head, change.header, plan)
    extent = f"A1:{get_column_letter(max(width, old.width, 1))}{max(last, 1)}"
    head = _DIMENSION.sub(f'<dimension ref="{extent}"/>', head, count=1)
    tail = layout.lay_out_tail(old.tail, change.header, last, plan, styles)
    row_open = f'<row xmlns="{_NS["m"]}" r="' if old.prefixed else '<row r="'
    entry = zipfile.ZipInfo(part, date_time=time.localtime()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    with copy.open(entry, "w", force_zip64=True) as out:
        out.write(head.encode("utf-8"))
        if appending:
            with open_stream() as stream:
                _copy_cells(stream, out, old.close)
        else:
            out.write(f'<sheetData xmlns="{_NS["m"]}">'.encode() if old.prefixed
                      else b"<sheetData>")
        for chunk in _rows(table, width, first, row_open, header_styles):
            out.write(chunk)
        out.write(old.close if appending else b"</sheetData>")
        out.write(tail.encode("utf-8"))


@dataclass(frozen=True)
class _Old:
    """What a worksheet holds around its cells."""

    head: str  # everything before <sheetData>
    tail: str  # everything after </sheetData>
    cells: bool  # it has at least one cell
    last_row: int
    width: int  # columns its <dimension> gives
    header_styles: dict[str, str]  # column letter → style index of the cells in row 1
    close: bytes  # the closing tag of its sheetData
    prefixed: bool  # its elements carry a namespace prefix


def _scan(stream: IO[bytes]) -> _Old:
    head, tail, first, close = b"", [], b"", b""
    cells, last_row, rows, previous = False, 0, 0, b""
    for kind, piece in _pieces(stream):
        if kind == "head":
            head = piece
        elif kind == "empty":
            close = b"</" + piece[1:-2] + b">"
        elif kind == "cells":
            if not close:
                opening = _SHEET_DATA_OPEN.match(piece)
                close = b"</" + (opening.group(1) if opening else b"sheetData") + b">"
            if len(first) < _READ_BYTES and b"</row>" not in first and b":row>" not in first:
                first += piece
            window = previous + piece
            for match in _ROW.finditer(window):
                if match.end() > len(previous):
                    rows += 1
                    last_row = max(last_row, int(match.group(1) or 0))
            cells = cells or _CELL.search(window) is not None
            previous = window[-_OVERLAP:]
        else:
            tail.append(piece)
    if not close:  # no cells: the whole worksheet came as its head
        empty = _EMPTY.search(head)
        if empty is None:
            raise ValueError("a worksheet has no <sheetData>")
        head, tail = head[:empty.start()], [head[empty.end():]]
        close = b"</" + empty.group(1) + b">"
    text = head.decode("utf-8")
    found = _DIMENSION.search(text)
    width = column_index_from_string(found.group(1)) if found and found.group(1) else 0
    styles: dict[str, str] = {}
    row = first.decode("utf-8", "replace")
    for match in _HEADER_CELL.finditer(row[:max(row.find("</row>"), row.find(":row>"), 0)]):
        column, style = (match.group(1), match.group(2)) if match.group(1) else (
            match.group(4), match.group(3))
        styles[column] = style
    return _Old(text, b"".join(tail).decode("utf-8"), cells, max(last_row, rows), width,
                styles, close, b":" in close)


def _copy_cells(stream: IO[bytes], out: IO[bytes], close: bytes) -> None:
    """The old worksheet's `<sheetData>` and cells, without its closing tag."""
    held = b""
    for kind, piece in _pieces(stream):
        if kind == "cells":
            out.write(held)
            held = piece
    out.write(held[:-len(close)])


def _pieces(stream: IO[bytes]) -> Iterator[tuple[str, bytes]]:
    """A worksheet's XML read from `stream` in pieces, each tagged "head" (before its
    `<sheetData>` element), "empty" (that element without cells, once), "cells" (the
    element itself, in pieces) or "tail" (the rest). Without cells, everything is "head"."""
    head = b""
    while (match := _SHEET_DATA_OPEN.search(head)) is None or match.group(0).endswith(b"/>"):
        chunk = stream.read(_READ_BYTES)
        if not chunk:
            yield "head", head
            return
        head += chunk
    name = match.group(1)
    close = b"</" + name + b">"
    yield "head", head[:match.start()]
    yield "empty", b"<" + name + b"/>"
    rest, keep = head[match.start():], len(close) - 1
    while (end := rest.find(close)) < 0:
        if len(rest) > keep:
            yield "cells", rest[:-keep]
            rest = rest[-keep:]
        chunk = stream.read(_READ_BYTES)
        if not chunk:
            raise ValueError(f"unterminated <{name.decode()}> in a worksheet")
        rest += chunk
    yield "cells", rest[:end + len(close)]
    yield "tail", rest[end + len(close):]
    while chunk := stream.read(_READ_BYTES):
        yield "tail", chunk


def _rows(table: Sequence[Sequence[Cell]], width: int, first: int = 1, row_open: str = '<row r="',
          header_styles: Mapping[str, str] | None = None) -> Iterator[bytes]:
    """The `<row>` elements of `table`, numbered from `first`; when `first` is 1 the header
    row's cells get `header_styles` (column letter → style index)."""
    letters = [get_column_letter(c) for c in range(1, width + 1)]
    start = 0
    if first == 1 and table:
        yield _header_row(table[0], letters, row_open, header_styles or {})
        start = 1
    for begin in range(start, len(table), _ROWS_PER_CHUNK):
        parts = []
        texts: dict[str, str] = {}  # each text's cell ending, once per chunk: "Approved",
        # "No", a scope repeat on every row; per chunk so a million names never pile up
        for number, values in enumerate(table[begin:begin + _ROWS_PER_CHUNK],
                                        first + begin):
            parts.append(f'{row_open}{number}">')
            for letter, value in zip(letters, values, strict=False):
                if type(value) is str:
                    ending = texts.get(value)
                    if ending is None:
                        ending = texts[value] = _text_ending(value)
                    if ending:
                        parts.append(f'<c r="{letter}{number}"{ending}')
                else:
                    parts.append(_cell(f"{letter}{number}", value))
            parts.append("</row>")
        yield "".join(parts).encode("utf-8", "replace")


def _header_row(values: Sequence[Cell], letters: Sequence[str], row_open: str,
                styles: Mapping[str, str]) -> bytes:
    cells = []
    for letter, value in zip(letters, values, strict=False):
        style = f' s="{styles[letter]}"' if letter in styles else ""
        cells.append(_cell(f"{letter}1", value).replace(f'r="{letter}1"',
                                                        f'r="{letter}1"{style}', 1)
                     or (f'<c r="{letter}1"{style}/>' if style else ""))
    return f'{row_open}1">{"".join(cells)}</row>'.encode("utf-8", "replace")


def _text_ending(text: str) -> str:
    """What follows `<c r="A1"` for a text cell: an inline string, never a formula ("" when
    nothing writable is left: no cell at all)."""
    if not text.isprintable():  # the check is cheap; the pattern only runs when it may match
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    text = text[:_MAX_TEXT]
    if not text:
        return ""
    return f' t="inlineStr"><is><t xml:space="preserve">{escape(text, _ENTITIES)}</t></is></c>'


def _cell(ref: str, value: Cell) -> str:
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    ending = _text_ending(str(value))
    return f'<c r="{ref}"{ending}' if ending else ""
