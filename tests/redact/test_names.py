"""Names spaCy misses, and the allow-list of words that must stay."""

import pytest

from narrative.redact.recognizers import AllowList, UkNameRecognizer


@pytest.fixture(scope="module")
def names():
    return UkNameRecognizer()


@pytest.fixture(scope="module")
def allow():
    return AllowList.from_config(None)


@pytest.mark.parametrize("text, expected", [
    ("Mr Smith and Mrs O'Neill", ["Smith", "O'Neill"]),
    ("DS Patel (Exploitation), PC 4471 Hughes, Dr Okafor", ["Patel", "Hughes", "Okafor"]),
    ("Mr J. Smith; DSL Mr Connolly", ["J. Smith", "Connolly"]),
    ("nan Pat, Uncle Dave, Aunty Shaz", ["Pat", "Dave", "Shaz"]),
    ("SW Kerry and support worker Jade", ["Kerry", "Jade"]),
    ("with mum Leanne and nan Pat.", ["Leanne", "Pat"]),
    ("Mum Kelly MARSH rang", ["Kelly MARSH"]),
    ("mum leanne said; dr. healey", ["leanne", "healey"]),
    ("Pupil: Tyler HARGREAVES, DOB", ["Tyler HARGREAVES"]),
    ("SMITH, Jayden was seen", ["SMITH, Jayden"]),
    ("Lily-Mae and Smith-Jones", ["Lily-Mae", "Smith-Jones"]),
    ('a male known as "Tiny"; students call him \'Ghost\'', ["Tiny", "Ghost"]),
    ('he gave it to "Rico" later', ["Rico"]),
    ("at Leanne's house", ["Leanne"]),
    ("said DUNN punched her", ["DUNN"]),
    ("Strategy meeting - Hope Clarke (8)", ["Hope Clarke"]),
    ("Will (12) rang 999. Summer said no.", ["Will", "Summer"]),
    ("Dr.King aware; DR RETTERER-MOORE; DR. SPARKES AWARE", ["King", "RETTERER-MOORE", "SPARKES"]),
    ("QUIET NIGHT.\n ROBERT V. DEGIORGIO, RRT; signed Dan A. Forman-Lyons", ["ROBERT V. DEGIORGIO",
                                                                          "Dan A. Forman-Lyons"]),
    ("spoke to mary souza today", ["mary souza"]),
    ("DISCUSSION WITH DTR PHILOMENA AND A BROTHER VINNY", ["PHILOMENA", "VINNY"]),
])
def test_names_are_found_without_their_cue(found, names, text, expected):
    assert found(names, text) == expected


@pytest.mark.parametrize("text", [
    "Mum said she was scared and nan was there.",
    "mum works nights; dad will come; mum relapsed",
    'He said "Yes" and "Sorry". She said "Tiny" is fine.',
    "Non-Molestation order; Afro-Caribbean; Stoke-On-Trent",
    "Police MASH; concerns of CSE raised by the DSL",
    "last Summer, in May he went, May 2019, It's fine. Today's meeting",
    "Will you come? May I ask?",
    "St Mary's C of E Primary and Women's Aid",
    "MASH POLICE NOTIFICATION - MISSING PERSON FOUND",
    "back at Hawthorn Road, Bradford BD3 7QP; remanded to HMP Preston",   # towns that are also surnames
    "will smith the grace period; mark brown paper",                      # lower-case pairs of words
    "58 YO FEMALE READMITTED TO CCU. DC HEPARIN 7AM. COMFORT: C/O PAIN",  # verbs, drugs, headings
])
def test_words_that_are_not_names(found, names, text):
    assert found(names, text) == []


@pytest.mark.parametrize("text, before, after", [
    ("mum", "", ""), ("Mummy", "", ""), ("step-dad", "", ""), ("Foster Carer", "", ""), ("Nan's", "", ""),
    ("Tuesday", "", ""), ("March", "", ""), ("Christmas", "", ""), ("Easter", "", ""),
    ("MASH", "", ""), ("CAMHS", "", ""), ("A&E", "", ""), ("Social Care", "", ""), ("Referral Order", "", ""),
    ("Xbox", "", ""), ("Snapchat", "", ""), ("UK", "", ""), ("Polish", "", ""),
    ("Year 9", "", ""), ("Section 47", "", ""), ("s47", "", ""), ("CIN Review", "", ""), ("22/05/2022", "", ""),
    ("summer", "", ""), ("Summer", "last ", " was hard"), ("Summer", "", " holidays"), ("May", "in ", " he"),
    ("May", "", " 2019"), ("May", "on 4 ", ""), ("April", "between ", " and June"), ("Eve", "New Year's ", ""),
    ("May", "between December and ", ", before"), ("Jun-Aug", "", " 2016"), ("Sept/Oct", "", ""),
    ("Jan-May", "", " 2019 - two refuges"), ("April", "in hospital for most of ", ", Kezia ran"),
    ("the Easter holidays", "missing since ", "."),
])
def test_allow_list_keeps(allow, text, before, after):
    assert allow.allows(text, before, after)


@pytest.mark.parametrize("text, before, after", [
    ("Leanne", "", ""), ("Summer", "", " said last summer"), ("Summer", "Concerns that ", " may have"),
    ("May", "Tyler and ", " went"), ("May", "April and ", " went"), ("April-May", "", ""),
    ("Jan-May", "", " said"),
    ("Summer", "In her interview on 14/10/2021 ", " said"),
    ("Grace", "", ""), ("Hope", "", ""), ("Will", "", ""), ("Rose", "", ""), ("Jack", "", ""),
    ("Mum Kelly", "", ""), ("Romania", "", ""), ("LS9", "", ""),
])
def test_allow_list_does_not_keep_names(allow, text, before, after):
    assert not allow.allows(text, before, after)


@pytest.mark.parametrize("text, kept", [
    ("Mum Kelly MARSH", "Kelly MARSH"), ("Leanne's", "Leanne"), ("(Kelly)", "Kelly"),
    ("Dad Piotr.", "Piotr"), ("SW Hannah Brierley", "Hannah Brierley"), ("Mum", ""),
])
def test_allow_list_trims_role_words_from_a_span(allow, text, kept):
    start, end = allow.trim(text)
    assert text[start:end] == kept


def test_allow_list_config_extends_and_rejects_unknown_keys():
    extended = AllowList.from_config({"words": {"local": ["Fernbank Hub"]}, "extra_words": ["Kooth"],
                                      "extra_patterns": [r"op\s+\w+"]})
    assert extended.allows("Fernbank Hub") and extended.allows("Kooth") and extended.allows("Op Ark")
    assert not extended.allows("Mum")          # a config's words replace the packaged categories it names
    with pytest.raises(ValueError, match="unknown key"):
        AllowList.from_config({"word": ["x"]})


def test_name_recogniser_uses_the_allow_list_it_is_given(found):
    allow = AllowList.from_config({"extra_words": ["Jayden"], "words": {}})
    assert found(UkNameRecognizer(allow_list=allow), "Tyler said hi to Jayden") == ["Tyler"]
