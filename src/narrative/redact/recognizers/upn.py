"""Unique Pupil Numbers (UPN): a check letter, eleven digits, and a digit or letter.

Catches: a 13-character UPN written after a cue ("UPN L383200714422", "unique pupil number:
T873265019004"), whatever its letters (even "S881402700315", S being outside the UPN alphabet);
and one with no cue when its check letter is right (the DfE algorithm: characters 2 to 13
weighted 2 to 13, digits at face value and a final letter at its place in
ABCDEFGHJKLMNPQRTUVWXYZ, sum modulo 23 indexes that alphabet).

Deliberately does not: report an uncued 13-character code whose check letter is wrong, the
"UN1" to "UN5" placeholders of school returns, "Year 9", or references with two leading letters
(police references such as "CF0188420320"). The local authority number (characters 2 to 4) is
not checked against the DfE list.
"""

from __future__ import annotations

import regex
from presidio_analyzer import Pattern

from narrative.redact.recognizers._base import SpanPatternRecognizer, has_cue

ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
SHAPE = r"[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]"
CUED_SHAPE = r"[A-Z][0-9]{11}[0-9A-Z]"   # after a cue, any letters: a mistyped UPN identifies too


def upn_check_letter(body: str) -> str:
    """The DfE check letter for the 12 characters after it (digits, the last may be a letter)."""
    total = sum(weight * (int(c) if c.isdigit() else ALPHABET.index(c)) for weight, c in enumerate(body, 2))
    return ALPHABET[total % 23]


class UpnRecognizer(SpanPatternRecognizer):
    """Unique Pupil Numbers (entity ``UPN``). A pattern with a ``cue`` group skips the check letter."""

    PATTERNS = [
        Pattern("UPN (check letter)", rf"(?<![\w-])(?P<value>{SHAPE})(?![\w-])", 0.85),
        Pattern("UPN (after cue)",
                r"(?P<cue>\b(?i:upn|unique\s+pupil\s+(?:number|no\b\.?)|pupil\s+(?:number|no\b\.?)))"
                rf"\s*[:.\-#]?\s*(?P<value>(?i:{CUED_SHAPE}))(?![\w-])", 0.9),
    ]
    CONTEXT: list[str] = []

    def __init__(self, patterns: list[Pattern] | None = None, context: list[str] | None = None,
                 supported_language: str = "en", supported_entity: str = "UPN", name: str | None = None):
        super().__init__(supported_entity, patterns or self.PATTERNS, context or self.CONTEXT,
                         supported_language, name)

    def score_value(self, text: str, start: int, end: int, pattern: Pattern, match: regex.Match) -> float:
        """The pattern's score after a cue; without one, only when the check letter is right."""
        value = text[start:end].upper()
        if has_cue(match) or upn_check_letter(value[1:]) == value[0]:
            return pattern.score
        return 0.0
