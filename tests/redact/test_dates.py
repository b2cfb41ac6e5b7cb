"""Dates of birth (always redacted) and other dates (only in the strict profile)."""

import pytest

from narrative.redact.recognizers import DateOfBirthRecognizer, UkDateRecognizer


@pytest.mark.parametrize("text, expected", [
    ("Amelia (DOB 27/01/2013, NHS 943 476 5919)", ["27/01/2013"]),
    ("D.O.B.: 2.3.09", ["2.3.09"]),
    ("DoB - 02-03-2009 ", ["02-03-2009"]),
    ("date of birth is 2nd March 2009", ["2nd March 2009"]),
    ("born on the 2nd of March 2009", ["2nd of March 2009"]),
    ("Born 03/11/2009. Police attended on 12/03/2021.", ["03/11/2009"]),
    ("DOB 2 Mar 09, DOB March 2nd 2009, b. 2009-03-02", ["2 Mar 09", "March 2nd 2009", "2009-03-02"]),
    ("born March 2009 and born in 2010", ["March 2009", "2010"]),
    ("DOBs 02/03/2009 and 05/06/2011", ["02/03/2009", "05/06/2011"]),
    ("Kacper NOWAK DOB 19/02/2007, Zofia NOWAK DOB 04/09/2012.", ["19/02/2007", "04/09/2012"]),
    ("born in Leeds", []),
    ("aged 14 (15), seen 12/03/2021", []),
    ("born prematurely at 32 weeks in 2009", []),
    ("Aug 2021 - evicted, then B&B.\n11/11/2021 - alleges he was punched", []),
])
def test_date_of_birth_is_the_date_after_a_cue(found, text, expected):
    assert found(DateOfBirthRecognizer(), text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Police attended on 12/03/2021 and again in March 2021.", ["12/03/2021", "March 2021"]),
    ("ISO 2023-03-02, dots 2.3.23, dashes 02-03-2023", ["2023-03-02", "2.3.23", "02-03-2023"]),
    ("Saturday 12th March; the 4th of July; March 2nd, 2023", ["12th March", "4th of July", "March 2nd, 2023"]),
    ("Sept 2019 and summer 2019 and Christmas 2020", ["Sept 2019", "summer 2019", "Christmas 2020"]),
    ("between 2014 and 2016; 2014-2016; since 2019", ["2014 and 2016", "2014-2016", "2019"]),
    ("seen on 12/03 and w/c 12/03/2023", ["12/03", "12/03/2023"]),
    ("at 23:40 for 45 mins, 3 days, 6 weeks, two weeks ago", []),
    ("in Year 9, in May, last summer", []),
    ("5/10 pain, 1/2 tablet, support 24/7", []),
    ("gave 2000 mls at 1900 and 2130; weight 1975 g", []),             # times and amounts, not years
    ("S/P MI 1992; Mum (born 1987)", ["1992", "1987"]),                 # 1960-1999 cannot be a time
    ("7/22 found on floor; readmitted 9/29; echo 8/87", ["7/22", "9/29", "8/87"]),   # uncued, either order
    ("cabg '95, summer '19", ["'95", "'19"]),
    ("lines from 7/17/97 and 12/31/2019", ["7/17/97", "12/31/2019"]),   # month-first with a year
    ("for 3/7, 2/52 ago, 6/12 old, power 4/5, PSV 12/10/40%, 12.5 mg, from 12.5 to 25", []),
    ("Crime ref 13/40771/20, Log 0412-07022020, 12.5 mg", []),
])
def test_uk_dates(found, text, expected):
    assert found(UkDateRecognizer(), text) == expected
