"""Partner organizations named in free text, scope answers."""

from __future__ import annotations

import pytest

from sync.normalize.answers import partner_orgs

DCIP, HAQ, ADDAMEER = ("Defense for Children International - Palestine", "Al-Haq",
                       "Addameer")
BISAN = "Bisan Center for Research and Development"
UAWC, UPWC = "Union of Agricultural Work Committees", "Union of Palestinian Women's Committees"


@pytest.mark.parametrize(("answer", "expected"), [
    ("We have partnered with Al-Haq, Addameer and DCI-P", [DCIP, HAQ, ADDAMEER]),
    ("Defence for Children International Palestine", [DCIP]),
    ("dcip\naddameer", [DCIP, ADDAMEER]),
    ("Al Haq (co-counsel on several cases)", [HAQ]),
    ("alhaq; Adameer", [HAQ, ADDAMEER]),
    ("Visited UAWC and the Bisan Center in 2019", [BISAN, UAWC]),
    ("Union of Agricultural Work Committees (UAWC)", [UAWC]),
    ("Union of Palestinian Women’s Committees", [UPWC]),
    ("UPWC", [UPWC]),
])
def test_the_six_named_organizations_are_recognized_by_their_usual_names(answer, expected):
    assert partner_orgs(answer) == expected


@pytest.mark.parametrize("answer", [
    "", "None", "Not yet, but hoping to go on a delegation next year", "Sabeel",
    "Palestinian General Federation of Trade Unions", "Bethlehem Bible College",
])
def test_other_organizations_and_no_answers_are_ignored(answer):
    assert partner_orgs(answer) == []
