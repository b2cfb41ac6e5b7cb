"""Dates in UK notation (entity ``DATE``), redacted only by the ``strict`` profile.

Catches: numeric day-first dates ("02/03/2023", "2.3.23", "02-03-2023"), ISO dates
("2023-03-02"), written dates with or without a year ("12 March 2023", "2nd of Mar '09",
"March 2nd, 2023", "Saturday 12th March"), month and year ("March 2015", "Sept 2019"), a
season or holiday with a year ("summer 2019", "Christmas 2020"), year ranges ("between 2014
and 2016", "2014-2016", "from 2014 to 2016"), a year after a preposition of time ("in 2014",
"since 2019", "during 2020"), and a day and month without a year after "on", "from", "since",
"until", "by", "dated" or "w/c" ("on 12/03"). A numeric date is a date in either order, so a
month-first date ("7/17/97") is found as well as a day-first one.

Without a cue, and at lower scores (the profile that redacts ``DATE`` is the strict one, which
prefers a redacted number to a leaked date): a day and month in either order ("seen 12/03",
"7/22"), a month and a two-digit year that cannot be a day ("8/87"), a two-digit year after an
apostrophe ("'92", "summer '19"), and a bare year from 1960 to 1999, which cannot be a 24-hour
time ("S/P MI 1992", "Mum (born 1987)").

Deliberately does not: catch a bare year 2000-2059 or 1900-1959 without a cue ("2000 mls", a
24-hour time such as "at 1900" or "2130"), a month name alone ("in May", "March" could be a verb
or a name), times ("23:40", "10am"), durations ("3 days", "6 weeks", clinical "2/7", "3/52", "6/12
ago") or relative expressions ("last summer", "two weeks ago"), which identify nobody; nor a
number pair that reads as a score, fraction or setting ("5/10 pain", "1/2 tablet", "24/7",
"4/5 power", "12/10/40%", "12.5 mg").

The date fragments here (``ANY_DATE`` and its parts) are shared with the date-of-birth
recogniser.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex
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
E = r"(?![\w/%]|[.\-][0-9])"              # end: likewise (and not a percentage)

NUMERIC = "|".join(rf"(?:{DAY}{sep}{MONTH}|{MONTH}{sep}{DAY}){sep}(?:{YEAR4}|[0-9]{{2}})" for sep in ("/", r"\.", "-"))
ISO = rf"{YEAR4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
DAY_MONTH = rf"{DAY}{ORDINAL}?(?:\s+of)?\s+{MONTH_NAME}(?:,?\s+{YEAR})?"
MONTH_DAY = rf"{MONTH_NAME}\s+{DAY}{ORDINAL}?(?:,?\s+{YEAR})?"
MONTH_YEAR = rf"{MONTH_NAME},?\s+{YEAR4}"
# Any single date, day-level or month-level, for use after a cue.
ANY_DATE = rf"(?:{NUMERIC}|{ISO}|{DAY_MONTH}|{MONTH_DAY}|{MONTH_YEAR})"

SEASON = r"(?i:spring|summer|autumn|winter|christmas|easter|half[\s-]?term|new\s+year)"
TIME_PREPOSITION = r"(?i:in|since|during|of|before|after|until|till|early|mid|late|around|circa|c\.)"
YEAR_UNITS = r"(?i:\s*(?:%|mls?|mg|ml|units?|hrs?|hours|kgs?|g\b|cc|people|calories|steps|pounds))"
# Around an uncued number pair: what makes it a score, a dose, a duration or a setting.
PAIR_BEFORE = (r"(?<!(?i:\b(?:for|over|within|past|last|next|in|x|pain|score|scored|rated|rating|scale|power|"
               r"strength|gcs|apgar|bp|ratio|dose|grade|stage|level|class|size|page|p\.|pp\.|para|step|room|"
               r"ward|bed|flat|unit|no\.?|number|ref|#))\s{1,3})")
PAIR_AFTER = (r"(?!\s*(?i:ago\b|later\b|old\b|pain\b|score|rating|mg\b|mcg|ml\b|mls\b|tabs?\b|tablets?\b|"
              r"times\b|x\b|hrs?\b|hours?\b|days?\b|weeks?\b|wks?\b|months?\b|years?\b|yrs?\b|%|power|"
              r"strength|split|ratio|of\s+(?:the|a|his|her|their)\b|[/:])|[.,][0-9]|[ \t,]+[0-9]{2,3}[ \t]*%)")
# halves, thirds, quarters, "24/7", scores out of 10 and of 5 ("7/10", "power 4/5")
FRACTION = r"(?!(?:1/[234]|[23]/[34]|24/7|[0-9]{1,2}/10|[0-5]/5)(?!\d))"
DAY_MONTH_PAIR = rf"(?:{DAY}/{MONTH}|{MONTH}/{DAY})(?![0-9])"
MONTH_YY = rf"{MONTH}/(?:3[2-9]|4[0-9]|5[013-9]|[6-9][0-9])(?![0-9])"   # 8/87; never 3/52 (weeks)


WORD_BEFORE = regex.compile(r"([\p{L}][\p{L}\d/-]*)[^\p{L}\d]{1,3}$")

# Inside a longer span (spaCy's DATE): a month name, a year, or a day/month pair. A year that
# could be a 24-hour time ("2000", "1930") after a time word ("at 2000", "from 1900-0700") is not.
CALENDAR = regex.compile(rf"\b{MONTH_NAME}\b|(?<![0-9])['’][0-9]{{2}}(?![0-9])"
                         rf"|(?<![0-9/.])(?:{DAY_MONTH_PAIR}|{MONTH_YY})"
                         rf"|(?<![0-9])(?:19[6-9][0-9]|20[6-9][0-9])(?![0-9])"
                         rf"|(?<!(?i:\b(?:at|@|from|until|till|by|to|around|approx|since|between))\s{{0,2}})"
                         rf"(?<![0-9])(?<![0-9]{{4}}[-–]){YEAR4}(?![0-9])(?!\s*(?:[-–]|(?i:to|hrs?|h\b))\s*[0-9]{{0,4}})")


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
                rf"\b(?i:on|from|since|until|till|by|dated|w/c|wc|w/e|we)\s+"
                rf"(?P<value>{DAY}/{MONTH}|{DAY}\.{MONTH}(?!\s*(?:-|(?i:to))\s*[0-9]|{YEAR_UNITS})){E}", 0.6),
        Pattern("Day and month", rf"{B}{PAIR_BEFORE}{FRACTION}(?P<value>{DAY_MONTH_PAIR}|{MONTH_YY}){E}{PAIR_AFTER}",
                0.5),
        Pattern("Apostrophe year", r"(?<![\w'’])(?P<value>['’][0-9]{2})(?![\w'’%]|[.,][0-9])", 0.5),
        Pattern("Year 1960-1999", rf"{B}(?<![£$€#])(?P<value>19[6-9][0-9]){E}(?!{YEAR_UNITS})", 0.5),
    ]
    CONTEXT: list[str] = []

    UNCUED = frozenset({"Day and month"})

    def __init__(self, patterns: list[Pattern] | None = None, context: list[str] | None = None,
                 reading_words: Iterable[str] = (), supported_language: str = "en",
                 supported_entity: str = "DATE", name: str | None = None):
        """``reading_words``: words (besides the built-in "pain", "score", "BP" ...) after which
        an uncued number pair is a reading, not a date (e.g. a ventilator mode, "PSV 10/5")."""
        self.reading_words = frozenset(w.casefold() for w in reading_words)
        super().__init__(supported_entity, patterns or self.PATTERNS, context or self.CONTEXT,
                         supported_language, name)

    def refine(self, text: str, start: int, end: int, pattern: Pattern,
               match: regex.Match) -> tuple[int, int, float] | None:
        if self.reading_words and pattern.name in self.UNCUED:
            before = WORD_BEFORE.search(text, max(0, start - 30), start)
            if before and before.group(1).casefold() in self.reading_words:
                return None
        return super().refine(text, start, end, pattern, match)
