"""Addresses, places and the organisations that give away where a child lives."""

import pytest

from narrative.redact.recognizers import (
    AddressRecognizer,
    ChildrensHomeRecognizer,
    GpSurgeryRecognizer,
    HospitalRecognizer,
    LocationRecognizer,
    NurseryRecognizer,
    SchoolRecognizer,
)


@pytest.fixture(scope="module")
def location():
    return LocationRecognizer()


@pytest.fixture(scope="module")
def organisations():
    return [SchoolRecognizer(), GpSurgeryRecognizer(), NurseryRecognizer(), ChildrensHomeRecognizer(),
            HospitalRecognizer()]


@pytest.mark.parametrize("text, expected", [
    ("Home visit to 14 Elm Road.", ["14 Elm Road"]),
    ("Flat 3, 41 Beech Avenue, Leeds", ["Flat 3, 41 Beech Avenue"]),
    ("42a Station Street and 12-14 High St.", ["42a Station Street", "12-14 High St"]),
    ("Flat 2B Rose Court", ["Flat 2B Rose Court"]),
    ("Address: Flat 12, Ravensbourne House, Brockley Rise, SE23", ["Flat 12, Ravensbourne House, Brockley Rise"]),
    ("12 Church Lane, Leeds; 14 ELM ROAD; 12 St Mary's Road", ["12 Church Lane", "14 ELM ROAD", "12 St Mary's Road"]),
    ("a flat on Falsgrave Road, evicted from Brackenfield Walk", ["Falsgrave Road", "Brackenfield Walk"]),
    ("Harehills Lane was closed", []),
    ("on a 9 month Referral Order", []),
    ("at Leeds Youth Court, in Roundhay Park", []),
    ("at Hollyfield Lane Primary School", []),
    ("Hope (6), Year 2, Marwood Park Primary School; Year 9 Church Lane trip; 14 Park Road Academy", []),
    ("14 wraps of crack; Tyler (10) was upstairs; £200 Cash", []),
])
def test_address(found, text, expected):
    assert found(AddressRecognizer(), text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Oakwood Primary School", [("SCHOOL", "Oakwood Primary School")]),
    ("She attends St Mary's C of E Primary.", [("SCHOOL", "St Mary's C of E Primary")]),
    ("At Beechfield Academy and Hillside High", [("SCHOOL", "Beechfield Academy"), ("SCHOOL", "Hillside High")]),
    ("now attends Bowling Park PRU", [("SCHOOL", "Bowling Park PRU")]),
    ("Parkside Medical Centre, Elm Tree Surgery", [("GP_SURGERY", "Parkside Medical Centre"),
                                                   ("GP_SURGERY", "Elm Tree Surgery")]),
    ("Riverside Health Centre", [("GP_SURGERY", "Riverside Health Centre")]),
    ("Little Stars Nursery and Sunshine Day Nursery", [("NURSERY", "Little Stars Nursery"),
                                                       ("NURSERY", "Sunshine Day Nursery")]),
    ("Ashdown House children's home", [("CHILDRENS_HOME", "Ashdown House")]),
    ("The Willows residential unit", [("CHILDRENS_HOME", "The Willows")]),
    ("placed at Oakfield House, Wakefield", [("CHILDRENS_HOME", "Oakfield House")]),
    ("the school rang; his primary school; Primary School; High School", []),
    ("the GP; GP Surgery; Health Centre; CAMHS; YOT; NHS", []),
    ("Risk: DASH HIGH. Hillside High Street", []),
    ("taken to Pinderfields hospital, then St James's Hospital", [("HOSPITAL", "Pinderfields hospital"),
                                                                 ("HOSPITAL", "St James's Hospital")]),
    ("ADMITTED IN TRANSFER FROM CALVERT HOSPITAL FOR TESTS", [("HOSPITAL", "CALVERT HOSPITAL")]),
    ("went to Harbor Hosp on Monday", [("HOSPITAL", "Harbor Hosp")]),
    ("ADMITTED TO HOSPITAL; the Hospital; in hospital; Royal Infirmary; OUTSIDE HOSPITAL", []),
])
def test_organisations(found, organisations, text, expected):
    got = [(r.supported_entities[0], span) for r in organisations for span in found(r, text)]
    assert sorted(got, key=lambda item: text.index(item[1])) == expected


@pytest.mark.parametrize("text, expected", [
    ("remanded to HMP Leeds by Bradford Magistrates", ["Leeds", "Bradford"]),
    ("on remand at HMP Preston since December", ["Preston"]),
    ("Referral to Wigan CAMHS; to the East Sussex SPoA; to the Cumbria Safeguarding Hub",
     ["Wigan", "East Sussex", "Cumbria"]),
    ("found by Lancashire police; West Midlands Police attended", ["Lancashire", "West Midlands"]),
    ("Address 52 Greenbrow Crescent, Wythenshawe, M22 4RT.", ["Wythenshawe"]),
    ("88 Wordsworth Crescent, Parson Cross, Sheffield S5 6LF.", ["Parson Cross", "Sheffield"]),
    ("arrested in Torquay with class A; a line to Blackpool.", ["Torquay", "Blackpool"]),
    ("between Wisbech, King's Lynn and Spalding to meet", ["Wisbech", "King's Lynn", "Spalding"]),
    ("linked to a Leeds county line", ["Leeds"]),
    ("in Care, to School, at Christmas, in English.", []),
    ("spoke to Tyler and Mum.", []),
    ("On Saturday police attended. Called MASH at 11:20.", []),
])
def test_location(found, location, text, expected):
    assert found(location, text) == expected
