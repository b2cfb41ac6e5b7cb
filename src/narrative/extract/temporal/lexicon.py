"""Words and regular-expression fragments shared by the temporal rules (data, no logic)."""

from __future__ import annotations

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
FULL_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
SHORT_MONTH = r"(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
# An abbreviation keeps its full stop only before a number ("Feb. 28"), never a sentence's.
MONTH = rf"(?:{FULL_MONTH}|{SHORT_MONTH}(?:\.(?=\s*\d))?)(?![a-z])"

WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
WEEKDAY_SHORT = r"(?:mon|tues?|wed|thurs?|fri|sat|sun)\.?"

YEAR = r"(?:19|20)\d\d"
SHORT_YEAR = r"['\u2019]\d\d"
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?!\d)"
ORDINAL = r"(?:st|nd|rd|th)"

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "a couple of": 2, "couple of": 2,
}
NUMBER = (r"(?:\d{1,3}|a\s+couple\s+of|couple\s+of|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
          r"|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty)")
# "A few weeks ago" and "several months later" are read as two to five units.
VAGUE_NUMBER = r"(?:a\s+few|few|several)"
VAGUE_RANGE = (2, 5)

UNITS = {"day": "day", "days": "day", "week": "week", "weeks": "week", "fortnight": "week",
         "fortnights": "week", "month": "month", "months": "month", "year": "year", "years": "year"}
UNIT = r"(?:days?|weeks?|fortnights?|months?|years?)"
UNIT_SIZE = {"fortnight": 2, "fortnights": 2}  # a fortnight is two weeks

# The subject of "when he was 7": the child, by pronoun or placeholder ("I" in the child's quoted
# words). "When mum was 17" is about someone else, whose date of birth we do not have.
AGE_SUBJECT = r"(?:he|she|they|I|the\s+child|the\s+young\s+person|\[PERSON_\d+\])"
AGE_NUMBER = (r"(?:1[0-9]|2[0-5]|[0-9]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
              r"|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty)")
LIFE_STAGES = {  # years of age, inclusive
    "a baby": (0, 0), "an infant": (0, 0), "a newborn": (0, 0), "a toddler": (1, 2),
    "a teenager": (13, 19), "teens": (13, 19), "early teens": (13, 15), "mid teens": (14, 16),
    "mid-teens": (14, 16), "late teens": (17, 19),
}

SCHOOL_YEAR_WORDS = {"reception": 0, "r": 0}  # Reception, "Year R"
SCHOOL_YEAR_NUMBER = (r"(?:1[0-3]|[1-9]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
                      r"|thirteen)(?!\d)")
# School phases as (first, last) year groups.
SCHOOL_PHASES = {"primary": (0, 6), "infant": (0, 2), "infants": (0, 2), "junior": (3, 6),
                 "secondary": (7, 11), "high": (7, 11)}

DECADE_WORDS = {"sixties": 60, "seventies": 70, "eighties": 80, "nineties": 90, "noughties": 0}

# Holidays on a fixed or computed day, as (month, day) or a name the calendar module computes.
HOLIDAY_DAYS = {
    "christmas day": (12, 25), "christmas eve": (12, 24), "boxing day": (12, 26),
    "new year's eve": (12, 31), "new years eve": (12, 31), "new year's day": (1, 1), "new years day": (1, 1),
    "bonfire night": (11, 5), "guy fawkes night": (11, 5), "halloween": (10, 31),
    "valentine's day": (2, 14), "valentines day": (2, 14),
    "easter sunday": "easter", "easter day": "easter", "good friday": "good_friday",
    "easter monday": "easter_monday", "mother's day": "mothering_sunday", "mothers day": "mothering_sunday",
    "mothering sunday": "mothering_sunday", "father's day": "fathers_day", "fathers day": "fathers_day",
}
HOLIDAY_DAY = (r"(?:christmas\s+(?:day|eve)|boxing\s+day|new\s+year'?s\s+(?:eve|day)|bonfire\s+night"
               r"|guy\s+fawkes\s+night|hallowe'?en|valentine'?s\s+day|easter\s+(?:sunday|day|monday)"
               r"|good\s+friday|mother'?s\s+day|mothering\s+sunday|father'?s\s+day)")

# Words that may stand right before a bare month, season or holiday ("in May", "over Christmas").
# Without one of them (or a year, day or modifier), "May", "March", "Summer" are not dates.
TIME_PREPOSITIONS = (r"(?:in|since|from|until|till|during|before|after|by|around|through|throughout|over"
                     r"|of|at|for|between|early|mid|late|mid-|the\s+end\s+of|the\s+start\s+of"
                     r"|the\s+beginning\s+of|the\s+middle\s+of|end\s+of|start\s+of)")

# Nouns that make the preceding words something other than a date ("the summer camp",
# "that day centre", "2000 people", "the 3rd floor").
NOT_TIME_NOUNS = (r"(?:camp|job|jobs|school|scheme|programme|program|club|fair|fete|clothes|uniform|reading"
                  r"|centre|center|care|trip|nursery|unit|service|services|room|staff|tea|lunch|dinner|party"
                  r"|parties|card|cards|present|presents|tree|decorations|jumper|shopping|dinner|fund)")
QUANTITY_NOUNS = (r"(?:people|persons|children|adults|pupils|students|families|households|homes|cases|referrals"
                  r"|calls|incidents|words|miles|metres|meters|km|kg|g|mg|ml|units|hours|hrs|hr|h|minutes|mins"
                  r"|seconds|secs|times|steps|staff|officers|visits|sessions|pounds|quid|pence|days|weeks"
                  r"|months|years|items|pages|beds|places|%|per\s*cent|percent)")
ORDINAL_NOUNS = (r"(?:floor|time|times|occasion|attempt|child|place|day|week|month|year|century|percentile"
                 r"|birthday|anniversary|street|grade|round|stage|session|visit|appointment|meeting|school|centile)")

# "Year 8 boys", "a Year 9 pupil": other children, not a time.
PEER_NOUNS = (r"(?:boys?|girls?|pupils?|students?|lads?|kids|children|class(?:es)?|classmates?|teachers?|tutors?"
              r"|groups?|peers?|friends?|form|cohort|assembly)")

# Words before a yearless date that put it ahead of the note ("the review is booked for 12 May",
# "she will start school in September"); without one, a yearless date is the latest in the past.
FUTURE_CUES = (r"\b(?:will|shall|going\s+to|(?:is|are)\s+(?:due|to|booked|scheduled|listed|planned|expected)"
               r"|plans?\s+to|intends?\s+to|hopes?\s+to|wants?\s+to)\b")

# A past-tense verb between a future cue and the date ("she will never forget what happened in
# March") hands the date back to the past.
PAST_VERB = r"\b(?:was|were|had|did|said|told|went|came|left|took|got|saw|made|ran|\w{3,}ed)\b"

# Words near "at 10" that make it a clock time, not an age.
CLOCK_CONTEXT = (r"\b(?:arriv\w*|return\w*|left|leav\w*|home|back|collect\w*|bed|woke|wake|night|morning"
                 r"|evening|afternoon|meeting|appointment|visit\w*|call\w*|rang|phoned|start\w*|finish\w*"
                 r"|met|open\w*|clos\w*|curfew|until|till|between|from|by|o'?clock|am|pm|hrs?)\b")

# A date written as someone's date of birth ("DOB 12/03/2010"): never an event's date, nor the
# date that "the next day" counts from.
DOB_LABEL = r"(?:\bDOB|\bD\.O\.B\.?|\bdate\s+of\s+birth|\bborn(?:\s+on)?)\s*[:\-]?\s*\(?\s*\Z"

# Placeholders left by redaction ("[PERSON_1]", "[DATE_OF_BIRTH]"): never part of a date.
PLACEHOLDER = r"\[[A-Z][A-Z_]*(?:_\d+)?\]"
