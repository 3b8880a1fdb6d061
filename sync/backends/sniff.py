"""What a source file really is, told from its first bytes.

People bring the file they have: the zip Google Forms' download comes in, a workbook where
the job says csv, Excel's "Unicode Text" save, an empty download. Each gets one sentence
saying what it is and what to do (a `ConfigError`, exit 2) instead of its bytes read as
headers. The magic numbers are the formats' own; no library is needed to tell them apart.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from sync.errors import ConfigError

ZIP = b"PK\x03\x04"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Office formats (.xls)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF8_BOM = b"\xef\xbb\xbf"
_SNIFF = 4096  # bytes looked at for NULs: text has none, UTF-16 every other byte


def kind_of(path: Path, head: bytes) -> str:
    """`empty`, `xlsx`, `zip`, `xls`, `utf-16`, `binary` or `text`, from the file's start."""
    if not head.removeprefix(UTF8_BOM).strip():
        return "empty"
    if head.startswith(ZIP):
        names = _zip_names(path)
        if names is None:  # a broken zip (a half-downloaded workbook, say)
            return "binary"
        return "xlsx" if "xl/workbook.xml" in names else "zip"
    if head.startswith(OLE2):
        return "xls"
    sample = head[:_SNIFF]
    if sample.startswith(UTF16_BOMS) or sample.count(0) > len(sample) // 4:
        return "utf-16"  # without its mark, ASCII in UTF-16 is every other byte a NUL
    if sample.startswith(b"%PDF") or sample.count(0) > len(sample) // 20:
        return "binary"  # a stray NUL typed into an answer is no reason to refuse a csv
    return "text"


def _zip_names(path: Path) -> list[str] | None:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return None


_AGAIN = "download the responses again (in the form: Responses → Download responses (.csv))"


def csv_problem(path: Path, where: str, head: bytes) -> ConfigError | None:
    """Why the file a `kind = "csv"` source names is no csv, or None when it is text."""
    kind = kind_of(path, head)
    if kind == "text":
        return None
    if kind == "zip":
        inside = [n for n in _zip_names(path) or [] if n.lower().endswith(".csv")]
        named = ", ".join(repr(n) for n in inside[:3])
        todo = (f"unzip it and set [source] path to the .csv inside ({named})" if inside
                else "it has no .csv inside; " + _AGAIN)
        return ConfigError(f"{where} is a zip archive, not a csv file (Google Forms' "
                           f"download comes zipped): {todo}")
    return ConfigError({
        "empty": f"{where} is empty: {_AGAIN} and save it over this file",
        "xlsx": f"{where} is an Excel workbook (.xlsx), not a csv file: set [source] kind = "
                '"workbook" in the job file (and `tab` to the responses\' tab), or save it as '
                '"CSV UTF-8 (Comma delimited)"',
        "xls": f"{where} is an old Excel workbook (.xls), not a csv file: open it and save it "
               'as "CSV UTF-8 (Comma delimited)" or as an .xlsx workbook',
        "utf-16": f"{where} is saved as Unicode Text (UTF-16), not as a csv file: in Excel, "
                  'save it as "CSV UTF-8 (Comma delimited)" instead, or ' + _AGAIN,
        "binary": f"{where} is not a text file, so not a csv: {_AGAIN}",
    }[kind])


def xlsx_problem(path: Path, where: str) -> ConfigError | None:
    """Why a file that is no readable .xlsx workbook is not one, when its start tells."""
    try:
        with path.open("rb") as file:
            head = file.read(_SNIFF)
    except OSError:
        return None
    kind = kind_of(path, head)
    if kind == "text":
        return ConfigError(
            f"{where} is a csv file (text), not an .xlsx workbook: if it is the form's "
            'responses, set [source] kind = "csv" in the job file (a csv source also needs a '
            "[target]); otherwise point the job at the .xlsx file")
    return {
        "empty": ConfigError(f"{where} is empty, not an .xlsx workbook: download the "
                             "spreadsheet again (File → Download → Microsoft Excel (.xlsx))"),
        "zip": ConfigError(f"{where} is a zip archive, not an .xlsx workbook: unzip it and "
                           "point the job at the file inside"),
        "xls": ConfigError(f"{where} is an old Excel workbook (.xls): open it and save it as "
                           "an .xlsx workbook"),
        "utf-16": ConfigError(f"{where} is saved as Unicode Text (UTF-16), not as an .xlsx "
                              'workbook: in Excel, save it as "Excel Workbook (.xlsx)"'),
    }.get(kind)
