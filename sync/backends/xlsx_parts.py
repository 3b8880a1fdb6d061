"""Direct work on a workbook's worksheet XML, so that openpyxl never parses a big tab.

openpyxl builds a Python object for every cell it loads or writes, which dominates a big
sync: loading a 70,000-row tab only to drop it took 40 s, appending and saving its
replacement 20 s, and loading an unchanged 70,000-row tab to append one digest row 27 s.
A worksheet keeps its cells in a single `<sheetData>` element, so:

* `without_rows` empties that element, before openpyxl loads the workbook, in the tabs
  about to be replaced and in the tabs a write leaves alone whose cells stand on their own
  (see `_carriable`), which it hands back to be carried over as they are; formatting,
  panes, column widths and validations stay, since they live outside `<sheetData>`;
* `fill_rows` writes the new rows into the empty `<sheetData>` openpyxl saved for them, as
  inline strings (text by construction: never a formula) and numbers, streamed, and puts
  the carried cells back byte for byte.

Everything else in the file is copied byte for byte.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from sync.backends.base import Cell

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
_SHEET_DATA_OPEN = re.compile(rb"<((?:\w+:)?sheetData)(?:\s[^>]*)?>")
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
_EMPTY = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")
# What points outside a tab's cells: a shared string (t="s"), a style (s="3"), cell or value
# metadata (cm=, vm=), a formula (<f>). Plain substrings, searched at memchr speed over a
# big tab; one that only appears in typed text (…?ids=5) costs speed, never correctness.
_POINTERS = (b'"s"', b"'s'", b"s=", b"cm=", b"vm=", b"<f")
# zlib level 3: a third of the default level's time on a big tab, for a file ~8% larger
_LEVEL = 3
_MAX_TEXT = 32767  # Excel's limit for one cell
_ROWS_PER_CHUNK = 2000
_ENTITIES = {"\r": "&#13;"}
_READ_BYTES = 1 << 20


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


@dataclass(frozen=True)
class Carried:
    """A tab whose cells are taken out before openpyxl loads the workbook, and streamed
    back from the original file after it saves (never held whole: 700 MB at 1M
    responses)."""

    source: Path  # the workbook as it was before this write
    part: str  # the worksheet's path inside it
    dimension: bytes  # its `<dimension ref="…"/>` element, b"" when it had none


def without_rows(path: Path, replaced: Sequence[str], kept: Collection[str] = ()
                 ) -> tuple[io.BytesIO, dict[str, Carried]]:
    """The workbook at `path` in memory, with the cells of the `replaced` tabs removed and
    those of every other tab not in `kept` that can be carried over (returned by tab).

    Worksheets are read in pieces and their cells skipped: a big tab's XML (some 700 MB
    for 700,000 signers) is never held whole."""
    out = io.BytesIO()
    carried: dict[str, Carried] = {}
    with zipfile.ZipFile(path) as archive, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as copy:
        parts = worksheet_parts(archive, None)
        for item in archive.infolist():
            tab = parts.get(item.filename)
            if tab is not None and tab not in replaced and tab not in kept:
                with archive.open(item) as stream:
                    dimension = _carriable(stream)
                if dimension is not None:
                    carried[tab] = Carried(path, item.filename, dimension)
            if tab in replaced or tab in carried:
                with archive.open(item) as stream:
                    copy.writestr(item, b"".join(
                        piece for kind, piece in _pieces(stream) if kind != "cells"))
            else:
                copy.writestr(item, archive.read(item))
    out.seek(0)
    return out, carried


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


def _carriable(stream: IO[bytes]) -> bytes | None:
    """The worksheet's `<dimension>` element (b"" when it has none) if its cells mean the
    same in any workbook, else None: no shared strings, styles, formulas or cell metadata
    (which point into parts openpyxl renumbers when it saves), no namespace prefix, and
    cells to carry at all. Tabs signer-sync wrote qualify; a tab saved by Excel does not,
    and goes through openpyxl."""
    dimension, previous, cells = b"", b"", False
    overlap = max(map(len, _POINTERS)) - 1
    for kind, piece in _pieces(stream):
        if kind == "head":
            found = _DIMENSION.search(piece)
            dimension = found.group(0) if found else dimension
        elif kind == "empty" and piece != b"<sheetData/>":
            return None
        elif kind == "cells":
            cells = True
            window = previous + piece
            if any(pointer in window for pointer in _POINTERS):
                return None
            previous = window[-overlap:]
    return dimension if cells else None


def fill_rows(source: Path, target: Path, rows: Mapping[str, Sequence[Sequence[Cell]]],
              carried: Mapping[str, Carried] | None = None) -> None:
    """Copy the workbook `source` to `target`, writing `rows[tab]` (header first) into each
    named tab, and the `carried` cells back into theirs; openpyxl saved all of them
    empty."""
    carried = carried or {}
    with zipfile.ZipFile(source) as archive, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True,
                            compresslevel=_LEVEL) as copy:
        parts = worksheet_parts(archive, [*rows, *carried])
        for item in archive.infolist():
            data = archive.read(item)
            tab = parts.get(item.filename)
            if tab is None:
                copy.writestr(item, data)
                continue
            pieces = _EMPTY.split(data, maxsplit=1)
            if len(pieces) != 2:
                raise ValueError(f"worksheet {item.filename} of tab {tab!r} is not empty")
            head, tail = pieces
            entry = zipfile.ZipInfo(item.filename, date_time=item.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with copy.open(entry, "w", force_zip64=True) as stream:
                if tab in carried:
                    kept = carried[tab]
                    stream.write(_DIMENSION.sub(kept.dimension, head, count=1))
                    with zipfile.ZipFile(kept.source) as original, \
                            original.open(kept.part) as cells:
                        for kind, piece in _pieces(cells):
                            if kind == "cells":
                                stream.write(piece)
                else:
                    table = rows[tab]
                    width = max((len(r) for r in table), default=1)
                    extent = f"A1:{get_column_letter(max(width, 1))}{max(len(table), 1)}"
                    stream.write(_DIMENSION.sub(f'<dimension ref="{extent}"/>'.encode(), head,
                                                count=1))
                    for chunk in _sheet_data(table, width):
                        stream.write(chunk)
                stream.write(tail)


def _sheet_data(table: Sequence[Sequence[Cell]], width: int) -> Iterator[bytes]:
    letters = [get_column_letter(c) for c in range(1, width + 1)]
    yield b"<sheetData>"
    for start in range(0, len(table), _ROWS_PER_CHUNK):
        parts = []
        texts: dict[str, str] = {}  # each text's cell ending, once per chunk: "Approved",
        # "No", a scope repeat on every row; per chunk so a million names never pile up
        for number, values in enumerate(table[start:start + _ROWS_PER_CHUNK], start + 1):
            parts.append(f'<row r="{number}">')
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
    yield b"</sheetData>"


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
