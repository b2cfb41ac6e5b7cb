"""Dates of birth: a date in any UK format after a birth cue; the result is the date alone.

Catches: "DOB 27/01/2013", "D.O.B.: 2.3.09", "DoB - 02-03-2009", "date of birth is 2nd March
2009", "born on the 2nd of March 2009", "Born 03/11/2009", "b. 2009-03-02", "born March 2009",
"born in 2009", "DOB 2 Mar 09", "March 2nd 2009"; and every date of a list after a plural cue
("DOBs 02/03/2009 and 05/06/2011").

Deliberately does not: treat any date as a date of birth without the cue (event dates stay in
the ``timeline`` profile), report the cue word itself, or fire on "born in Leeds", ages ("aged
14", "(15)") or dates more than two words away from the cue ("born prematurely at 32 weeks in
2009").
"""

from __future__ import annotations

from presidio_analyzer import Pattern

from narrative.redact.recognizers._base import SpanPatternRecognizer
from narrative.redact.recognizers.dates import ANY_DATE, YEAR4, B, E

SINGULAR_CUE = (r"\b(?i:d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on)?)"
                r"|(?<![^\s(\[])(?i:b\.)(?=[ \t]*\d)")   # "b. 2009": a token of its own, not "B&B."
PLURAL_CUE = r"\b(?i:d\.?\s?o\.?\s?b\.?s\b|dates\s+of\s+birth|birth\s*dates)"
GAP = r"\s*(?:[:=\-–]\s*)?(?:(?i:is|was|on|in|the|of|approx\.?|approximately|around)\s+){0,2}"
DATE_OR_YEAR = rf"(?:{ANY_DATE}|{YEAR4})"
LIST_SEP = r"\s*(?:,|&|\band\b|;)\s*"


class DateOfBirthRecognizer(SpanPatternRecognizer):
    """Dates of birth (entity ``DATE_OF_BIRTH``), found through their cue."""

    PATTERNS = [
        Pattern("Date after a birth cue", rf"(?:{SINGULAR_CUE}){GAP}{B}(?P<value>{DATE_OR_YEAR}){E}", 0.9),
        Pattern("Dates after a plural birth cue",
                rf"(?:{PLURAL_CUE}){GAP}{B}(?P<value>{DATE_OR_YEAR}){E}(?:{LIST_SEP}{B}(?P<value>{DATE_OR_YEAR}){E})*",
                0.9),
    ]
    CONTEXT: list[str] = []

    def __init__(self, patterns: list[Pattern] | None = None, context: list[str] | None = None,
                 supported_language: str = "en", supported_entity: str = "DATE_OF_BIRTH",
                 name: str | None = None):
        super().__init__(supported_entity, patterns or self.PATTERNS, context or self.CONTEXT,
                         supported_language, name)
