"""Direct work on a workbook's worksheet XML, for the tabs signer-sync replaces wholesale.

openpyxl builds a Python object for every cell it loads or writes, which dominates a big
sync: loading a 70,000-row tab only to drop it took 40 s, appending and saving its
replacement 20 s. A worksheet keeps its cells in a single `<sheetData>` element, so:

* `without_rows` empties that element in the tabs about to be replaced before openpyxl
  loads the workbook (their formatting, panes and column widths stay);
* `fill_rows` writes the new rows into the empty `<sheetData>` openpyxl saved for them, as
  inline strings (text by construction: never a formula) and numbers, streamed.

Everything else in the file is copied byte for byte.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
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
_MAX_TEXT = 32767  # Excel's limit for one cell
_ROWS_PER_CHUNK = 2000
_READ_BYTES = 1 << 20


def worksheet_parts(archive: zipfile.ZipFile, tabs: Sequence[str]) -> dict[str, str]:
    """Zip path → tab name for the worksheets named `tabs` (from xl/workbook.xml and its
    relationships)."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.findall("p:Relationship", _NS)}
    parts = {}
    for sheet in book.iterfind("m:sheets/m:sheet", _NS):
        name = sheet.get("name")
        if name in tabs:
            target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
            parts[target.lstrip("/") if target.startswith("/") else f"xl/{target}"] = name
    return parts


def without_rows(path: Path, tabs: Sequence[str]) -> io.BytesIO:
    """The workbook at `path` with the cells of `tabs` removed, in memory.

    Those worksheets are read in chunks and their cells skipped: a big tab's XML (some
    700 MB for 700,000 signers) is never held whole."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as archive, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        parts = worksheet_parts(archive, tabs)
        for item in archive.infolist():
            if item.filename not in parts:
                copy.writestr(item, archive.read(item))
                continue
            with archive.open(item) as stream:
                copy.writestr(item, b"".join(_skip_sheet_data(stream)))
    out.seek(0)
    return out


def _skip_sheet_data(stream: io.BufferedIOBase) -> Iterator[bytes]:
    """The worksheet XML read from `stream` with its first `<sheetData>` element emptied."""
    head = b""
    while (match := _SHEET_DATA_OPEN.search(head)) is None:
        chunk = stream.read(_READ_BYTES)
        if not chunk:
            yield head
            return
        head += chunk
    name = match.group(1)
    if match.group(0).endswith(b"/>"):  # `<sheetData />`: no cells to skip
        yield head
        yield from iter(lambda: stream.read(_READ_BYTES), b"")
        return
    yield head[:match.start()] + b"<" + name + b"/>"
    close = b"</" + name + b">"
    rest = head[match.end():]
    while (end := rest.find(close)) < 0:
        chunk = stream.read(_READ_BYTES)
        if not chunk:
            raise ValueError(f"unterminated <{name.decode()}> in a worksheet")
        rest = rest[-len(close):] + chunk
    yield rest[end + len(close):]
    while chunk := stream.read(_READ_BYTES):
        yield chunk


def fill_rows(source: Path, target: Path, rows: Mapping[str, Sequence[Sequence[Cell]]]) -> None:
    """Copy the workbook `source` to `target`, writing `rows[tab]` (header first) into each
    named tab, which openpyxl saved empty."""
    with zipfile.ZipFile(source) as archive, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as copy:
        parts = worksheet_parts(archive, list(rows))
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
            table = rows[tab]
            width = max((len(r) for r in table), default=1)
            extent = f"A1:{get_column_letter(max(width, 1))}{max(len(table), 1)}"
            head = _DIMENSION.sub(f'<dimension ref="{extent}"/>'.encode(), head, count=1)
            entry = zipfile.ZipInfo(item.filename, date_time=item.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with copy.open(entry, "w", force_zip64=True) as stream:
                stream.write(head)
                for chunk in _sheet_data(table, width):
                    stream.write(chunk)
                stream.write(tail)


def _sheet_data(table: Sequence[Sequence[Cell]], width: int) -> Iterator[bytes]:
    letters = [get_column_letter(c) for c in range(1, width + 1)]
    yield b"<sheetData>"
    for start in range(0, len(table), _ROWS_PER_CHUNK):
        parts = []
        for number, values in enumerate(table[start:start + _ROWS_PER_CHUNK], start + 1):
            parts.append(f'<row r="{number}">')
            for letter, value in zip(letters, values, strict=False):
                parts.append(_cell(f"{letter}{number}", value))
            parts.append("</row>")
        yield "".join(parts).encode("utf-8", "replace")
    yield b"</sheetData>"


def _cell(ref: str, value: Cell) -> str:
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:_MAX_TEXT]
    if not text:
        return ""
    return (f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">'
            f'{escape(text, {chr(13): "&#13;"})}</t></is></c>')
