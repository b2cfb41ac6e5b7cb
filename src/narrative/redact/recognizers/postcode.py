"""UK postcodes, re-scored so that a full postcode passes the engine's threshold.

Catches: full postcodes in every format ("LS9 7TD", "BD10 8UJ", "M14 6RT", "EC1A 1BB",
"ls97td"), using Presidio's position-specific letter rules; Presidio ships the same pattern at
score 0.1 (below any useful threshold), here it scores 0.7.

Deliberately does not: report an outward code on its own ("LS9", "BD3"): it collides with
roads (M6, A1), vitamins (B12) and rooms, and names a district, not a household.
"""

from __future__ import annotations

from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import UkPostcodeRecognizer

from narrative.redact.recognizers._base import copy_patterns


class PostcodeRecognizer(UkPostcodeRecognizer):
    """Presidio's UK postcode pattern as entity ``POSTCODE``, scored 0.7."""

    PATTERNS = [Pattern("UK postcode", UkPostcodeRecognizer.PATTERNS[0].regex, 0.7)]
    CONTEXT = ["postcode", "address"]

    def __init__(self, patterns: list[Pattern] | None = None, context: list[str] | None = None,
                 supported_language: str = "en", supported_entity: str = "POSTCODE",
                 name: str | None = None):
        super().__init__(patterns=copy_patterns(patterns or self.PATTERNS), context=context or self.CONTEXT,
                         supported_language=supported_language, supported_entity=supported_entity,
                         name=name or type(self).__name__)
