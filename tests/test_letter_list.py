import re

from sync.render.letter import FOOTNOTE, letter_list, letter_rows, render_letter_text
from tests.signers import curated, org, person

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _state():
    return curated(
        org("ORG-0001", "The Zinn Education Project", sort="zinn education project"),
        org("ORG-0002", "Adalah Justice Project"),
        org("ORG-0003", "jvp", listed_as="Jewish Voice for Peace", sort="jvp"),
        org("ORG-0004", "The Borders Collective", status="Excluded"),
        org("ORG-0005", "Codepink", status="Needs review", flags="no scope given"),
        org("ORG-0006", "the Middle East Children's Alliance"),
        person("IND-0001", "Rabbi Alissa Wise", "Rabbinical Council", sort="wise alissa"),
        person("IND-0002", "Cornel West", "Union Theological Seminary", sort="west cornel"),
        person("IND-0003", "Noura Erakat", sort="erakat noura"),
        person("IND-0004", "Dr. Jane Quinn", "Tufts University", sort="quinn jane",
               listed_as="Prof. Jane Abbott"),
        person("IND-0005", "Jonas Weber", "Universität Wien", sort="weber jonas",
               status="Excluded", flags="outside U.S.: email domain .at (Austria)"),
        person("IND-0006", "Maya Brooks", "Friends Meeting", sort="brooks maya",
               status="Needs review", flags="possible duplicate of IND-0001"),
    )


def test_letter_prints_organizations_a_to_z_ignoring_the_then_people_by_last_name():
    letter = letter_list(_state())
    assert letter.organizations == [
        "Adalah Justice Project", "Jewish Voice for Peace",
        "the Middle East Children's Alliance", "The Zinn Education Project",
    ]
    assert letter.individuals == [
        "Prof. Jane Abbott, Tufts University*",
        "Noura Erakat",
        "Cornel West, Union Theological Seminary*",
        "Rabbi Alissa Wise, Rabbinical Council*",
    ]


def test_letter_leaves_out_excluded_and_needs_review_signers():
    text = render_letter_text(letter_list(_state()), "demo")
    for absent in ("Borders Collective", "Codepink", "Jonas Weber", "Maya Brooks"):
        assert absent not in text


def test_letter_tab_ends_with_the_footnote_and_has_no_email_address():
    rows = letter_rows(letter_list(_state()))
    assert rows[-1] == ["Footnote", FOOTNOTE]
    assert [r[0] for r in rows] == ["Organization"] * 4 + ["Individual"] * 4 + ["Footnote"]
    assert not any(EMAIL.search(str(cell)) for row in rows for cell in row)


def test_letter_file_has_headings_lines_and_footnote_but_no_email_address():
    text = render_letter_text(letter_list(_state()), "demo")
    lines = text.splitlines()
    assert lines.index("Organizations") < lines.index("Adalah Justice Project") < lines.index(
        "Individuals") < lines.index("Noura Erakat")
    assert lines[-1] == "*Affiliation listed for identification purposes only."
    assert not EMAIL.search(text)


def test_letter_without_any_affiliation_needs_no_footnote():
    letter = letter_list(curated(person("IND-0001", "Noura Erakat", sort="erakat noura")))
    assert letter.footnote == ""
    assert FOOTNOTE not in render_letter_text(letter, "demo")


def test_letter_sorts_names_typed_with_leading_punctuation_by_their_words():
    letter = letter_list(curated(org("ORG-0001", "Zeta Group"),
                                 org("ORG-0002", '"Alpha" Network')))
    assert letter.organizations == ['"Alpha" Network', "Zeta Group"]
