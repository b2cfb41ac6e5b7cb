"""Dates in UK notation (entity ``DATE``), redacted only by the ``strict`` profile.

Catches: numeric day-first dates ("02/03/2023", "2.3.23", "02-03-2023"), ISO dates
("2023-03-02"), written dates with or without a year ("12 March 2023", "2nd of Mar '09",
"March 2nd, 2023", "Saturday 12th March"), month and year ("March 2015", "Sept 2019"), a
season or holiday with a year ("summer 2019", "Christmas 2020"), year ranges ("between 2014
and 2016", "2014-2016", "from 2014 to 2016"), a year after a preposition of time ("in 2014",
"since 2019", "during 2020"), and a day and month without a year after "on", "from", "since",
"until", "by", "dated" or "w/c" ("on 12/03").

Deliberately does not: catch a bare year without a cue ("1992", "2000 mls", a 24-hour time
such as "at 1900"), a month name alone ("in May", "March" could be a verb or a name), times
("23:40", "10am"), durations ("3 days", "6 weeks") or relative expressions ("last summer",
"two weeks ago"), which identify nobody; nor a day and month without a cue ("5/10 pain",
"1/2 tablet", "24/7").

The date fragments here (``ANY_DATE`` and its parts) are shared with the date-of-birth
recogniser.
"""

from __future__ import annotations

from presidio_analyzer import Pattern

from narrative.redact.recognizers._base import SpanPatternRecognizer

MONTH_NAME = (r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
              r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?:\.(?!\d))?")
DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
MONTH = r"(?:0?[1-9]|1[0-2])"
ORDINAL = r"(?i:st|nd|rd|th)"
YEAR4 = r"(?:19|20)[0-9]{2}"
YEAR = rf"(?:{YEAR4}|['’][0-9]{{2}}|[0-9]{{2}}(?![0-9]))"
B = r"(?<![\w/.\-])"                       # start: not inside a longer number or word
E = r"(?![\w/]|[.\-][0-9])"                # end: likewise

NUMERIC = "|".join(rf"{DAY}{sep}{MONTH}{sep}(?:{YEAR4}|[0-9]{{2}})" for sep in ("/", r"\.", "-"))
ISO = rf"{YEAR4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
DAY_MONTH = rf"{DAY}{ORDINAL}?(?:\s+of)?\s+{MONTH_NAME}(?:,?\s+{YEAR})?"
MONTH_DAY = rf"{MONTH_NAME}\s+{DAY}{ORDINAL}?(?:,?\s+{YEAR})?"
MONTH_YEAR = rf"{MONTH_NAME},?\s+{YEAR4}"
# Any single date, day-level or month-level, for use after a cue.
ANY_DATE = rf"(?:{NUMERIC}|{ISO}|{DAY_MONTH}|{MONTH_DAY}|{MONTH_YEAR})"

SEASON = r"(?i:spring|summer|autumn|winter|christmas|easter|half[\s-]?term|new\s+year)"
TIME_PREPOSITION = r"(?i:in|since|during|of|before|after|until|till|early|mid|late|around|circa|c\.)"
YEAR_UNITS = r"(?i:\s*(?:%|mls?|mg|ml|units?|hrs?|hours|kgs?|g\b|cc|people|calories|steps|pounds))"


class UkDateRecognizer(SpanPatternRecognizer):
    """Calendar dates written the UK way (entity ``DATE``)."""

    PATTERNS = [
        Pattern("Day, month and year", rf"{B}(?P<value>{NUMERIC}|{ISO}){E}", 0.85),
        Pattern("Written date", rf"{B}(?P<value>{DAY_MONTH}|{MONTH_DAY}){E}", 0.8),
        Pattern("Month and year", rf"{B}(?P<value>{MONTH_YEAR}){E}", 0.75),
        Pattern("Season and year", rf"{B}(?P<value>{SEASON}\s+{YEAR4}){E}", 0.7),
        Pattern("Year range",
                rf"{B}(?P<value>{YEAR4}\s*(?:[-–/]|\s(?i:to|and|until)\s)\s*(?:{YEAR4}|[0-9]{{2}})){E}", 0.7),
        Pattern("Year after a preposition",
                rf"\b{TIME_PREPOSITION}\s+(?P<value>{YEAR4}){E}(?!{YEAR_UNITS})", 0.6),
        Pattern("Day and month after a cue",
                rf"\b(?i:on|from|since|until|till|by|dated|w/c|wc|w/e|we)\s+(?P<value>{DAY}[/.]{MONTH}){E}", 0.6),
    ]
    CONTEXT: list[str] = []

    def __init__(self, patterns: list[Pattern] | None = None, context: list[str] | None = None,
                 supported_language: str = "en", supported_entity: str = "DATE", name: str | None = None):
        super().__init__(supported_entity, patterns or self.PATTERNS, context or self.CONTEXT,
                         supported_language, name)
