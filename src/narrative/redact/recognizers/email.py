"""E-mail addresses, by a plain regex.

Catches: "rachel.abiodun@coventry.example.gov.uk", "g.pike@ortonfields.example.org",
"first_last+tag@mail.co.uk": a local part, "@", and a domain with at least one dot and a
final label of two or more letters.

Deliberately does not: check the top-level domain against the public suffix list (Presidio's
``EmailRecognizer`` does, through tldextract, which tries to download the list and is slower;
see docs/redaction-recognisers.md), nor catch spelled-out forms ("name at domain dot com").
"""

from __future__ import annotations

from presidio_analyzer import Pattern

from narrative.redact.recognizers._base import SpanPatternRecognizer


class EmailRecognizer(SpanPatternRecognizer):
    """E-mail addresses (entity ``EMAIL_ADDRESS``)."""

    PATTERNS = [
        Pattern("E-mail",
                r"(?<![\w.%+'-])[\w.%+'-]*\w@\w(?:[\w-]*\w)?(?:\.\w(?:[\w-]*\w)?)*\.[^\W\d_]{2,}(?![\w-])", 0.9),
    ]
    CONTEXT: list[str] = []

    def __init__(self, patterns: list[Pattern] | None = None, context: list[str] | None = None,
                 supported_language: str = "en", supported_entity: str = "EMAIL_ADDRESS",
                 name: str | None = None):
        super().__init__(supported_entity, patterns or self.PATTERNS, context or self.CONTEXT,
                         supported_language, name)
