"""Police crime, incident, log and case reference numbers (the number only, not its cue).

Catches: a reference-shaped token (letters, digits, "/" and "-", at least four digits) written
after a cue: "Crime ref 13/20456/21", "crime ref: 13190123456", "CRN 12/34567/19", "Log
0412-07022020", "log 0456 of 12/03/2023" and "Log 4417 27/01/18" (the number and its date
together, since a log number only identifies an incident with its day), "Occurrence 13210418-0093", "Incident no.
LPL-230211-0387", "Ref KP-21-0826-4471", "Athena ref 42190123456", "STORM log 1234",
"NICHE occurrence 20WM/445190R", "URN 13AA0123456", "PNC ID 19/123456A"; and, with no cue, the
common crime-number shape "13/40771/20" (two digits, five or six, two).

Deliberately does not: report "Section 47", "s47", "ref: CP plan" or any token with fewer than
four digits, a date or year on its own after a cue ("ref 12/03/2023", "police 2019"), phone
numbers (they have no cue), or "referral".
Forces write references differently: add cues and shapes in YAML (``extra_cues``,
``extra_patterns``) rather than loosening the defaults.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex
from presidio_analyzer import Pattern

from narrative.redact.recognizers._base import SpanPatternRecognizer, alternation
from narrative.redact.recognizers.dates import ANY_DATE, YEAR4

NUMBER_WORD = r"(?:ref(?:erence)?\b\.?|no\b\.?|nos\b\.?|number|num\b|id\b|#)"
CUES = (
    r"crime(?:\s+(?:ref(?:erence)?\b\.?|report|no\b\.?|number|num\b))?",
    r"CRN", r"URN", r"CAD", r"PND", r"CRIS", r"PNC(?:\s+id\b)?", r"custody(?:\s+record)?",
    r"log", r"storm(?:\s+log)?", r"incident(?:\s+log)?", r"occurrence", r"athena", r"niche(?:\s+occurrence)?",
    r"police(?:\s+(?:log|incident|crime|case))?", r"case", r"ref(?:erence)?\b\.?",
)
REFERENCE = r"(?=[A-Z/\-]*[0-9])[A-Z0-9]+(?:[/\-][A-Z0-9]+){0,5}"   # one token, with a digit
DATE_OR_YEAR = regex.compile(rf"{ANY_DATE}|{YEAR4}")


def _four_digits(reference: str) -> bool:
    return sum(c.isdigit() for c in reference) >= 4


class PoliceReferenceRecognizer(SpanPatternRecognizer):
    """Police references (entity ``POLICE_REFERENCE``) after their cue, plus the bare NN/NNNNN/NN form."""

    CUES = CUES
    PATTERNS = [Pattern("Crime number (bare)",
                        r"(?<![\w/.\-])(?P<value>[0-9]{2}/[0-9]{5,6}/[0-9]{2})(?![\w/]|[.\-][0-9])", 0.6)]
    CONTEXT: list[str] = []

    def __init__(self, patterns: list[Pattern] | None = None, context: list[str] | None = None,
                 cues: Iterable[str] | None = None, extra_cues: Iterable[str] = (), supported_language: str = "en",
                 supported_entity: str = "POLICE_REFERENCE", name: str | None = None):
        cue = alternation([*(cues if cues is not None else self.CUES), *extra_cues], escape=False)
        cued = Pattern("Reference after a cue",
                       rf"\b(?i:{cue})(?:\s+{NUMBER_WORD})?\s*(?:[:=\-–]\s*|\bis\s+)?"
                       rf"(?<![\w/\-])(?P<value>(?i:{REFERENCE})(?:\s+(?:(?i:of|on)\s+)?{ANY_DATE})?)(?![\w/\-])",
                       0.85)
        super().__init__(supported_entity, [cued, *(patterns or self.PATTERNS)], context or self.CONTEXT,
                         supported_language, name)

    def score_value(self, text: str, start: int, end: int, pattern: Pattern, match: regex.Match) -> float:
        """Drop candidates with fewer than four digits, and a bare date or year ("police 2019")."""
        value = text[start:end]
        if not _four_digits(value.split()[0]) or DATE_OR_YEAR.fullmatch(value):
            return 0.0
        return pattern.score
