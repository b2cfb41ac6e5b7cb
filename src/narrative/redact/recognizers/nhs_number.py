"""NHS numbers: ten digits whose last digit is the modulus-11 check digit.

Catches: "485 777 3457", "485-777-3457", "4857773457" anywhere when the checksum holds; and a
ten-digit number written straight after "NHS" ("NHS no. 485 777 3456") even when the checksum
fails, since a mistyped NHS number still points at one person.

Deliberately does not: report a ten-digit number with a failing checksum and no NHS cue, nor a
run of one repeated digit ("000 000 0000"), which passes the checksum but is a placeholder.
"""

from __future__ import annotations

import regex
from presidio_analyzer import Pattern

from narrative.redact.recognizers._base import SpanPatternRecognizer, has_cue

NUMBER = r"[0-9]{3}[- ]?[0-9]{3}[- ]?[0-9]{4}"


def nhs_checksum_ok(number: str) -> bool:
    """True when the ten digits of ``number`` carry a valid modulus-11 check digit."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 10 or len(set(digits)) == 1:
        return False
    return sum(d * w for d, w in zip(digits, range(10, 0, -1), strict=True)) % 11 == 0


class NhsNumberRecognizer(SpanPatternRecognizer):
    """NHS numbers (entity ``NHS_NUMBER``): checksum-valid anywhere, any after an NHS cue.

    A pattern with a ``cue`` group skips the checksum; every other pattern needs it.
    """

    PATTERNS = [
        Pattern("NHS number (checksum)", rf"(?<![\w-])(?P<value>{NUMBER})(?![\w-])", 1.0),
        Pattern("NHS number (after NHS)",
                rf"(?P<cue>(?i:\bNHS)(?:\s*(?i:no\.?|number|num|#))?)\s*[:.\-]?\s*(?P<value>{NUMBER})(?![\w-])",
                0.9),
    ]
    CONTEXT: list[str] = []

    def __init__(self, patterns: list[Pattern] | None = None, context: list[str] | None = None,
                 supported_language: str = "en", supported_entity: str = "NHS_NUMBER",
                 name: str | None = None):
        super().__init__(supported_entity, patterns or self.PATTERNS, context or self.CONTEXT,
                         supported_language, name)

    def score_value(self, text: str, start: int, end: int, pattern: Pattern, match: regex.Match) -> float:
        """The pattern's score when the checksum holds; a cued number only needs ten mixed digits."""
        value = text[start:end]
        if nhs_checksum_ok(value):
            return pattern.score
        return pattern.score if has_cue(match) and len(set(c for c in value if c.isdigit())) > 1 else 0.0
