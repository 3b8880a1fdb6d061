"""The files people really bring, each built the way the real tool writes it, run through
the CLI as staff would: Google Forms' own download, a Sheets download, an .xlsx with date
cells, Excel's ANSI and UTF-8 saves, and files of the wrong kind."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sync.cli import main
from tests.conftest import CSV_JOB, HEADERS, response, write_form_csv, write_job

FIELD_ORDER = list(response())


def forms_download(path: Path, rows: list[dict[str, str]]) -> Path:
    """Responses → Download responses (.csv): every field quoted, zoned 12-hour times."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(HEADERS)
        writer.writerows([row[f] for f in FIELD_ORDER] for row in rows)
    return path


def org(when: str, email: str, name: str) -> dict[str, str]:
    return response(submitted_at=when, email=email, organization=name, scope="National",
                    authorized="Yes")


def person(when: str, email: str, first: str, last: str) -> dict[str, str]:
    return response(submitted_at=when, email=email, first_name=first, last_name=last,
                    affiliation="Teacher")


# Either side of the 2021-11-07 change (EDT, then EST), plus offsets Forms writes for other
# zones. In first-signed order the people are Young, Xu, Vance, Tate, Reyes: the reverse of
# A to Z, so Signer IDs in name order would show.
FORMS_ROWS = [
    org("2021/10/15 9:14:37 AM EDT", "a@jvp.example.org", "Jewish Voice for Peace"),
    org("2021/10/20 12:05:00 PM GMT", "s@sunrise.example.org", "Sunrise Movement"),
    person("2021/10/28 3:00:00 PM EDT", "yan@example.org", "Yan", "Xu"),
    person("2021/10/28 11:30:00 PM GMT+5:30", "zoe@example.org", "Zoe", "Young"),
    person("2021/10/29 11:45:00 PM PDT", "wes@example.org", "Wes", "Vance"),
    person("2021/11/06 11:30:00 PM EDT", "uma@example.org", "Uma", "Tate"),
    person("2021/11/08 8:05:00 AM EST", "sam@example.org", "Sam", "Reyes"),
]


def csv_job(folder: Path, extra: str = "", name: str = "test") -> Path:
    return write_job(folder, CSV_JOB.format(name=name) + extra, name)


def curated(folder: Path) -> pd.DataFrame:
    book = folder / "out" / "signers.xlsx"
    return pd.read_excel(book, sheet_name="Curated Signers", dtype=str).fillna("")


def by_name(tab: pd.DataFrame, column: str) -> dict[str, str]:
    return dict(zip(tab["Name"], tab[column], strict=True))


def test_a_forms_download_is_dated_in_the_jobs_zone_and_signers_are_in_signing_order(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    forms_download(tmp_path / "responses.csv", FORMS_ROWS)
    job = csv_job(tmp_path)  # no [schedule] timezone: America/New_York

    assert main(["check", str(job)]) == 0
    report = capsys.readouterr().out
    assert "ready to run" in report
    assert "timestamps: 7 read, 2021-10-15 09:14 to 2021-11-08 08:05 (America/New_York)" \
        in report
    assert main(["run", str(job)]) == 0

    tab = curated(tmp_path)
    assert by_name(tab, "First Signed") == {
        "Jewish Voice for Peace": "2021-10-15T09:14:37",
        "Sunrise Movement": "2021-10-20T08:05:00",  # GMT
        "Yan Xu": "2021-10-28T15:00:00",
        "Zoe Young": "2021-10-28T14:00:00",  # GMT+5:30: before Xu, though 23:30 on the clock
        "Wes Vance": "2021-10-30T02:45:00",  # PDT: the 29th in California, the 30th here
        "Uma Tate": "2021-11-06T23:30:00",  # EDT
        "Sam Reyes": "2021-11-08T08:05:00",  # EST
    }
    assert by_name(tab, "Late Signer") == {
        "Jewish Voice for Peace": "No", "Sunrise Movement": "No", "Yan Xu": "No",
        "Zoe Young": "No", "Wes Vance": "Yes", "Uma Tate": "Yes", "Sam Reyes": "Yes"}
    assert not tab["Flags"].str.contains("no timestamp").any()
    assert set(tab["Status"]) == {"Approved"}
    people = tab[tab["Type"] == "Individual"].sort_values("Signer ID")
    assert people["Name"].tolist() == ["Zoe Young", "Yan Xu", "Wes Vance", "Uma Tate",
                                       "Sam Reyes"]
    letter = pd.read_excel(tmp_path / "out" / "signers.xlsx", sheet_name="Letter List",
                           dtype=str)
    assert "Jewish Voice for Peace" in letter["As Printed"].tolist()
    assert "Zoe Young, Teacher*" in letter["As Printed"].tolist()


def test_a_forms_download_reads_in_the_zone_the_job_names(tmp_path: Path) -> None:
    forms_download(tmp_path / "responses.csv", FORMS_ROWS)
    job = csv_job(tmp_path, '[schedule]\ntimezone = "America/Los_Angeles"\n')
    assert main(["run", str(job)]) == 0
    tab = curated(tmp_path)
    assert by_name(tab, "First Signed")["Wes Vance"] == "2021-10-29T23:45:00"
    assert by_name(tab, "Late Signer")["Wes Vance"] == "No"
    assert by_name(tab, "First Signed")["Jewish Voice for Peace"] == "2021-10-15T06:14:37"


def test_a_sheets_csv_download_keeps_the_sheets_own_times(tmp_path: Path) -> None:
    # File → Download → Comma-separated values: quoted only where needed, 24-hour, no zone
    write_form_csv(tmp_path / "responses.csv", [
        person("10/22/2021 16:30:12", "ana@example.org", "Ana", "Zimmer"),
        person("10/30/2021 9:05:00", "bo@example.org", "Bo", "Adams"),
    ])
    job = csv_job(tmp_path, '[schedule]\ntimezone = "America/Chicago"\n')
    assert main(["run", str(job)]) == 0
    tab = curated(tmp_path)
    assert by_name(tab, "First Signed") == {"Ana Zimmer": "2021-10-22T16:30:12",
                                            "Bo Adams": "2021-10-30T09:05:00"}
    assert by_name(tab, "Late Signer") == {"Ana Zimmer": "No", "Bo Adams": "Yes"}
    assert tab.sort_values("Signer ID")["Name"].tolist() == ["Ana Zimmer", "Bo Adams"]


def test_an_xlsx_with_real_date_cells_reads_its_dates(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Form Responses 1"
    sheet.append(HEADERS)
    rows = [person("", "ana@example.org", "Ana", "Zimmer"),
            person("", "bo@example.org", "Bo", "Adams"),
            person("", "cy@example.org", "Cy", "Baker")]
    for row, when in zip(rows, [dt.datetime(2021, 10, 22, 16, 30, 12),
                                44498.375,  # a serial number left in General format
                                dt.datetime(2021, 10, 15, 9, 0)], strict=True):
        sheet.append([when if f == "submitted_at" else row[f] for f in FIELD_ORDER])
    sheet["A2"].number_format = "m/d/yyyy h:mm:ss"
    book.save(tmp_path / "responses.xlsx")
    job = write_job(tmp_path, """
[source]
kind = "workbook"
path = "../responses.xlsx"
[letter]
published = "2021-10-29"
""")
    assert main(["run", str(job)]) == 0
    tab = pd.read_excel(tmp_path / "responses.xlsx", sheet_name="Curated Signers",
                        dtype=str).fillna("")
    assert by_name(tab, "First Signed") == {"Ana Zimmer": "2021-10-22T16:30:12",
                                            "Bo Adams": "2021-10-29T09:00:00",
                                            "Cy Baker": "2021-10-15T09:00:00"}
    assert tab.sort_values("Signer ID")["Name"].tolist() == ["Cy Baker", "Ana Zimmer",
                                                             "Bo Adams"]


@pytest.mark.parametrize(("value", "says"), [
    ("2021/10/15 9:14:37 AM CET", "the time zone 'CET' is not one signer-sync can place"),
    ("########", "a timestamp should look like 10/22/2021 16:30:12"),  # a too-narrow column
])
def test_a_timestamp_column_that_will_not_read_stops_the_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, says: str) -> None:
    rows = [person(value, f"p{i}@example.org", "Ana", f"Zimmer{i}") for i in range(3)]
    rows.append(person("10/22/2021 16:30:12", "ok@example.org", "Bo", "Adams"))
    forms_download(tmp_path / "responses.csv", rows)
    job = csv_job(tmp_path)

    assert main(["check", str(job)]) == 2
    report = capsys.readouterr().out
    assert "FAIL  timestamps:" in report and says in report
    assert f"column 'Timestamp': 3 of 4 timestamps cannot be read (for example {value!r})" \
        in report
    for command in ("run", "digest"):
        assert main([command, str(job)]) == 2
        error = capsys.readouterr().err.splitlines()[-1]
        assert error.startswith("signer-sync: test: ") and "responses.csv" in error
        assert "column 'Timestamp'" in error and value in error and says in error
    assert not (tmp_path / "out" / "signers.xlsx").exists()


def test_one_odd_timestamp_is_a_flag_on_its_signer(tmp_path: Path) -> None:
    forms_download(tmp_path / "responses.csv", [
        *FORMS_ROWS, person("sometime in October", "odd@example.org", "Odd", "One")])
    assert main(["run", str(csv_job(tmp_path))]) == 0
    flags = by_name(curated(tmp_path), "Flags")
    assert flags.pop("Odd One") == "no timestamp"
    assert set(flags.values()) == {""}


def _excel_save(path: Path, rows: list[dict[str, str]], encoding: str) -> Path:
    """Excel's "CSV (Comma delimited)" (the Windows ANSI code page: a letter it lacks is
    written as "?") or "CSV UTF-8" (with a byte-order mark)."""
    with path.open("w", newline="", encoding=encoding, errors="replace") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        writer.writerows([row[f] for f in FIELD_ORDER] for row in rows)
    return path


ACCENTED = [person("10/22/2021 16:30:12", "jose@example.org", "José", "Núñez"),
            org("10/23/2021 10:00:00", "c@example.org", "Comité de Solidarité")]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_excels_csv_saves_read_their_accents_and_timestamps(tmp_path: Path,
                                                            encoding: str) -> None:
    _excel_save(tmp_path / "responses.csv", ACCENTED, encoding)
    assert main(["run", str(csv_job(tmp_path))]) == 0
    tab = curated(tmp_path)
    assert set(tab["Name"]) == {"José Núñez", "Comité de Solidarité"}
    assert by_name(tab, "First Signed")["José Núñez"] == "2021-10-22T16:30:12"
    # read as typed: nothing lost ("Comité de Solidarité" may still ask for a look at its
    # base, for its French name: that is the outside-U.S. rule, not the encoding)
    assert not any("text lost" in flags for flags in tab["Flags"])


def test_text_an_ansi_save_destroyed_keeps_its_response_and_is_flagged(tmp_path: Path) -> None:
    _excel_save(tmp_path / "responses.csv", [
        *ACCENTED,
        person("10/24/2021 11:00:00", "m@example.org", "محمد", "علي"),
        org("10/25/2021 12:00:00", "k@example.org", "Ассоциация Кыргызстан"),
        person("10/26/2021 12:00:00", "n@example.org", "Thi", "Nguyễn"),
    ], "cp1252")
    assert (tmp_path / "responses.csv").read_bytes().count(b"????") >= 3
    assert main(["run", str(csv_job(tmp_path))]) == 0
    tab = curated(tmp_path)
    assert len(tab) == 5
    lost = "text lost in the export: save the CSV as UTF-8"
    flagged = {name for name, flags in by_name(tab, "Flags").items() if lost in flags}
    assert flagged == {"???? ???", "?????????? ??????????", "Thi Nguy?n"}
    assert set(tab[tab["Name"].isin(flagged)]["Status"]) == {"Needs review"}


def _xlsx_bytes(tmp_path: Path) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    book.save(tmp_path / "made.xlsx")
    return (tmp_path / "made.xlsx").read_bytes()


def _zip_bytes(tmp_path: Path) -> bytes:
    inner = write_form_csv(tmp_path / "Sign-on letter.csv", FORMS_ROWS[:1])
    with zipfile.ZipFile(tmp_path / "made.zip", "w") as archive:
        archive.write(inner, "Sign-on letter.csv")
    return (tmp_path / "made.zip").read_bytes()


def _utf16_bytes(tmp_path: Path) -> bytes:
    # Excel's "Unicode Text (*.txt)": UTF-16 with a byte-order mark, tab-separated
    lines = ["\t".join(HEADERS), "\t".join(FORMS_ROWS[0][f] for f in FIELD_ORDER)]
    return "\r\n".join(lines).encode("utf-16")


WRONG_FILES = {
    "zip": (_zip_bytes, "csv", "is a zip archive",
            "unzip it and set [source] path to the .csv inside ('Sign-on letter.csv')"),
    "xlsx as csv": (_xlsx_bytes, "csv", "is an Excel workbook (.xlsx), not a csv file",
                    'set [source] kind = "workbook"'),
    "utf-16": (_utf16_bytes, "csv", "is saved as Unicode Text (UTF-16)",
               'save it as "CSV UTF-8 (Comma delimited)"'),
    "empty": (lambda _: b"", "csv", "is empty", "download the responses again"),
    "csv as workbook": (lambda tmp: write_form_csv(tmp / "made.csv", FORMS_ROWS).read_bytes(),
                        "workbook", "is a csv file (text), not an .xlsx workbook",
                        'set [source] kind = "csv"'),
}


@pytest.mark.parametrize("case", list(WRONG_FILES))
def test_a_file_of_the_wrong_kind_says_what_it_is_and_what_to_do(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    make, kind, what, todo = WRONG_FILES[case]
    source = tmp_path / ("responses.xlsx" if kind == "workbook" else "responses.csv")
    source.write_bytes(make(tmp_path))
    job = write_job(tmp_path, f"""
[source]
kind = "{kind}"
path = "../{source.name}"
[target]
kind = "workbook"
path = "../out/signers.xlsx"
""")
    assert main(["check", str(job)]) == 2
    report = capsys.readouterr().out
    assert f"FAIL  source: {source.name} {what}" in report.replace(str(source), source.name)
    assert todo in report
    assert main(["run", str(job)]) == 2
    error = capsys.readouterr().err
    assert what in error and todo in error
    for shown in (report, error):
        assert "headers found" not in shown
        assert "\x00" not in shown and "PK\x03" not in shown and "\ufffd" not in shown
    assert not (tmp_path / "out" / "signers.xlsx").exists()


def test_a_csv_sources_header_problem_speaks_of_the_file_not_of_a_tab(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    headers = [h for h in HEADERS if h != "Email Address"]
    with (tmp_path / "responses.csv").open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerow(headers)
    job = csv_job(tmp_path)
    assert main(["check", str(job)]) == 2
    report = capsys.readouterr().out
    line = next(x for x in report.splitlines() if x.startswith("FAIL  header mapping"))
    assert "responses.csv: no column for `email`" in line
    assert "tab" not in line.split("no column")[0]
    assert main(["run", str(job)]) == 2
    error = capsys.readouterr().err
    assert "responses.csv: no column for `email`" in error and "tab 'Form" not in error


def test_curly_quotes_pasted_into_a_job_file_say_which_line_and_what_to_type(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_form_csv(tmp_path / "responses.csv", FORMS_ROWS)
    job = write_job(tmp_path, CSV_JOB.format(name="test").replace(
        'kind = "csv"', "kind = \u201ccsv\u201d"))
    assert main(["check", str(job)]) == 2
    report = capsys.readouterr().out
    assert "line 4" in report and "kind = \u201ccsv\u201d" in report
    assert "straight double quotes" in report
    assert main(["run", str(job)]) == 2
    assert "line 4" in capsys.readouterr().err
