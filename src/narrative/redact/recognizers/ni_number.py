"""National Insurance numbers: two letters, six digits, a final letter A to D.

Catches: "AB 12 34 56 C", "AB123456C", "ab-12-34-56-c" whose prefix HMRC could issue (the
first letter is not D, F, I, Q, U or V, the second not D, F, I, O, Q, U or V, and the pair is
not BG, GB, KN, NK, NT, TN or ZZ); and, after an NI cue ("NI", "NINO", "national insurance"),
any two capital letters in that shape, such as HMRC's example prefix "QQ 12 34 56 C".

Deliberately does not: report an unissuable prefix without a cue, nor the shape without its
final letter ("AB 12 34 56"), which is too close to ordinary codes.
"""

from __future__ import annotations

from presidio_analyzer import Pattern

from narrative.redact.recognizers._base import SpanPatternRecognizer

DIGITS = r"[0-9]{2}[ -]?[0-9]{2}[ -]?[0-9]{2}"
ISSUABLE = r"(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
CUE = r"(?i:\bNI\b|\bNINO\b|national\s+insurance)(?:\s*(?i:no\b\.?|number|num|#))?"


class NiNumberRecognizer(SpanPatternRecognizer):
    """UK National Insurance numbers (entity ``NI_NUMBER``)."""

    PATTERNS = [
        Pattern("NINO", rf"(?<![\w-])(?P<value>(?i:{ISSUABLE}[ -]?{DIGITS}[ -]?[A-D]))(?![\w-])", 0.85),
        Pattern("NINO (after NI cue)",
                rf"{CUE}\s*[:.\-]?\s*(?P<value>[A-Z]{{2}}[ -]?{DIGITS}[ -]?[A-D])(?![\w-])", 0.85),
    ]
    CONTEXT: list[str] = []

    def __init__(self, patterns: list[Pattern] | None = None, context: list[str] | None = None,
                 supported_language: str = "en", supported_entity: str = "NI_NUMBER",
                 name: str | None = None):
        super().__init__(supported_entity, patterns or self.PATTERNS, context or self.CONTEXT,
                         supported_language, name)
