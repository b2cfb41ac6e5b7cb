"""Number-shaped identifiers: NHS, NI, postcode, phone, e-mail, UPN, police references."""

import pytest

from narrative.redact.recognizers import (
    EmailRecognizer,
    NhsNumberRecognizer,
    NiNumberRecognizer,
    PoliceReferenceRecognizer,
    PostcodeRecognizer,
    UkPhoneRecognizer,
    UpnRecognizer,
)
from narrative.redact.recognizers.nhs_number import nhs_checksum_ok
from narrative.redact.recognizers.upn import upn_check_letter


@pytest.mark.parametrize("text, expected", [
    ("Seen with NHS 943 476 5919 today", ["943 476 5919"]),
    ("ref 4857773457 on file", ["4857773457"]),
    ("number 485-777-3457.", ["485-777-3457"]),
    ("NHS no. 485 777 3456 (as written)", ["485 777 3456"]),      # bad checksum, but after "NHS"
    ("code 485 777 3456 in the log", []),                         # bad checksum, no cue
    ("NHS: 000 000 0000", []),                                    # placeholder
    ("call 0113 496 0412", []),
    ("crime ref 13210481120", []),
])
def test_nhs_number(found, text, expected):
    assert found(NhsNumberRecognizer(), text) == expected


def test_nhs_checksum():
    assert nhs_checksum_ok("943 476 5919") and nhs_checksum_ok("6012345674")
    assert not nhs_checksum_ok("943 476 5918") and not nhs_checksum_ok("1111111111")


@pytest.mark.parametrize("text, expected", [
    ("NI number AB 12 34 56 C.", ["AB 12 34 56 C"]),
    ("nino: ab123456c", ["ab123456c"]),
    ("Mum (NI QQ 48 21 93 B) has", ["QQ 48 21 93 B"]),              # HMRC example prefix, cued
    ("QQ 48 21 93 B", []),                                        # unissuable prefix, no cue
    ("BG 12 34 56 A", []),
    ("AB 12 34 56", []),                                          # no final letter
    ("Year 12 34 56 A levels", []),
])
def test_ni_number(found, text, expected):
    assert found(NiNumberRecognizer(), text) == expected


@pytest.mark.parametrize("text, expected", [
    ("38 Brackenfield Walk, Leeds LS9 7TD.", ["LS9 7TD"]),
    ("BD10 8UJ and EC1A 1BB and m14 6rt", ["BD10 8UJ", "EC1A 1BB", "m14 6rt"]),
    ("lives in the LS9 area", []),
    ("takes B12 tablets", []),
])
def test_postcode_is_rescored_above_the_threshold(found, text, expected):
    assert found(PostcodeRecognizer(), text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Tyler's phone 07700 900417.", ["07700 900417"]),
    ("mob 07700900417 / +44 7700 900417 / +44 (0)7700 900 417", ["07700900417", "+44 7700 900417",
                                                                 "+44 (0)7700 900 417"]),
    ("tel 0113 496 0412, (0121) 4960123 or 020 7946 0123", ["0113 496 0412", "(0121) 4960123", "020 7946 0123"]),
    ("01632 960123 and 0161-496-0732", ["01632 960123", "0161-496-0732"]),
    ("a real-looking mobile 07812 345678", ["07812 345678"]),
    ("landline 01423 567890; office 0300 123 4567", ["01423 567890", "0300 123 4567"]),
    ("aunt in Poland +48 512 345 678", ["+48 512 345 678"]),
    ("crime ref 13210481120", []),                               # 11 digits, not starting 0
    ("Log 0412-07022020", []),
    ("NSPCC helpline 0808 800 5000", []),                        # service number
    ("too short 07700 90041", []),
    ("at 23:40 on 12/03/2023", []),
    ("cell# 410-322-1419, Office 410-164-4517, (201) 223-4567", ["410-322-1419", "410-164-4517", "(201) 223-4567"]),
    ("Pager: #54321; tel: 12345 678; home# 23456", ["54321", "12345 678", "23456"]),
    ("home 3 days, work 10 12 hours, phone 12/03/2023", []),
])
def test_phone(found, text, expected):
    assert found(UkPhoneRecognizer(), text) == expected


def test_drama_ranges_can_be_turned_off():
    text = "freephone drama number 0808 157 0123"
    assert [r.score for r in UkPhoneRecognizer().analyze(text, ["PHONE_NUMBER"])] == [1.0]
    assert UkPhoneRecognizer(drama_ranges=False).analyze(text, ["PHONE_NUMBER"]) == []


@pytest.mark.parametrize("text, expected", [
    ("SW (rachel.abiodun@coventry.example.gov.uk).", ["rachel.abiodun@coventry.example.gov.uk"]),
    ("g.pike@ortonfields.example.org, first_last+tag@mail.co.uk", ["g.pike@ortonfields.example.org",
                                                                   "first_last+tag@mail.co.uk"]),
    ("name at domain dot com", []),
    ("messaged @tyler on Snapchat", []),
    ("x@y", []),
])
def test_email(found, text, expected):
    assert found(EmailRecognizer(), text) == expected


def test_upn_check_letter_follows_the_dfe_algorithm():
    assert upn_check_letter("801200005001") == "B"          # python-stdnum's documented example
    assert upn_check_letter("38320071442A") == "V"          # temporary UPN: final letter counts as 0


@pytest.mark.parametrize("text, expected", [
    ("UPN L383200714422, Year 9", ["L383200714422"]),           # cued: check letter not required
    ("DOB 19/02/2007, UPN S881402700315, Year 7", ["S881402700315"]),   # cued: any letter, S included
    ("unique pupil number: T873265019004", ["T873265019004"]),
    ("pupil record B801200005001 held", ["B801200005001"]),     # valid check letter, no cue
    ("temporary V38320071442A issued", ["V38320071442A"]),
    ("pupil record A801200005001 held", []),                    # wrong check letter, no cue
    ("in Year 9", []),
    ("Ref CF0188420320", []),
])
def test_upn(found, text, expected):
    assert found(UpnRecognizer(), text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Crime ref 13/20456/21. Doyle arrested", ["13/20456/21"]),
    ("crime ref: 13190123456", ["13190123456"]),
    ("CRN 12/34567/19", ["12/34567/19"]),
    ("Log 0412-07022020.", ["0412-07022020"]),
    ("log 0456 of 12/03/2023 refers", ["0456 of 12/03/2023"]),
    ("Occurrence 13210418-0093, incident no. LPL-230211-0387", ["13210418-0093", "LPL-230211-0387"]),
    ("Athena ref 42190123456; STORM log 1234; NICHE occurrence 20WM/445190R",
     ["42190123456", "1234", "20WM/445190R"]),
    ("Ref KP-21-0826-4471.", ["KP-21-0826-4471"]),
    ("13/40771/20 (PWITS, adult)", ["13/40771/20"]),              # the common crime-number shape, bare
    ("Section 47 enquiry, s47 agreed", []),
    ("ref: CP plan", []),
    ("ref 12/03/2023", []),
    ("Police 2019 referral", []),
    ("Police attended on 12/03/2021", []),
    ("ref 12 of 12/03/2023", []),
    ("referral 123456", []),
    ("call 0113 496 0412", []),
])
def test_police_reference(found, text, expected):
    assert found(PoliceReferenceRecognizer(), text) == expected


def test_police_reference_cues_extend_from_config(found):
    text = "Connect 77A1234 opened"
    assert found(PoliceReferenceRecognizer(), text) == []
    assert found(PoliceReferenceRecognizer(extra_cues=["connect"]), text) == ["77A1234"]
