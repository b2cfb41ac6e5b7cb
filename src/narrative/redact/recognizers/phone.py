"""UK phone numbers: mobiles, landlines and Ofcom's drama ranges, in national or +44 form.

Catches: mobiles ("07700 900123", "07700900123", "+44 7700 900123", "+44 (0)7700 900 123"),
geographic and 03 landlines ("0113 496 0412", "(0113) 4960412", "020 7946 0123",
"01632 960123", "0300 123 4567"), numbers abroad written with a country code ("+48 512 345
678"), North American numbers in their 3-3-4 shape ("410-322-1419", "(201) 223-4567"), any
number of 5 to 15 digits after a phone cue ("cell# 450 928 6612", "pager #54321", "tel:
12345 678"; "home", "work", "office" count as cues only with "#", "no" or "number"), and with
``drama_ranges`` on, every Ofcom drama range at full confidence, including the 0808 and 0909
ones the general patterns leave out.

Deliberately does not: report freephone, premium or other 08/09 service numbers (helplines such
as 0808 800 5000 identify nobody), numbers without the leading 0 or +44, an 11-digit number that
does not start with 0 (crime references such as 13210481120), or a digit string whose length
cannot be a UK number. It replaces Presidio's ``PhoneRecognizer``, whose libphonenumber search
is the slowest of the stock recognisers and rejects the drama ranges.
"""

from __future__ import annotations

from presidio_analyzer import Pattern

from narrative.redact.recognizers._base import SpanPatternRecognizer

SEP = r"[ .\-]?"
UK = rf"(?:(?:\+|00)44{SEP}(?:\(0\){SEP})?|\(?0)"     # the trunk prefix, national or international
START = r"(?<![\w+/-])"
END = r"(?![\w/]|-\d)"
STRONG_CUE = (r"(?i:phone|ph|tel|telephone|mobile|mob|cell|cellphone|pager|bleep|beeper|fax|landline|ext|"
              r"extension)\.?")
WEAK_CUE = r"(?i:home|work|office|contact|number)"
CUE_LINK = r"(?:[ \t]*(?:#|:|(?i:no\.?|number|num)(?![\w])|-)){1,3}"
CUED_NUMBER = r"(?P<value>\+?\(?\d[\d \t().-]{3,18}\d)(?![\w/]|[.-]\d)"
CUED_PATTERNS = frozenset({"Number after a phone cue"})

DRAMA = (
    "7700 900 ddd", "113 496 0ddd", "114 496 0ddd", "115 496 0ddd", "116 496 0ddd", "117 496 0ddd",
    "118 496 0ddd", "121 496 0ddd", "131 496 0ddd", "141 496 0ddd", "151 496 0ddd", "161 496 0ddd",
    "191 498 0ddd", "20 7946 0ddd", "28 9649 6ddd", "29 2018 0ddd", "1632 960 ddd", "306 999 0ddd",
    "808 157 0ddd", "909 879 0ddd",
)


def _drama_regex(ranges: tuple[str, ...]) -> str:
    numbers = []
    for spaced in ranges:
        area, *rest = spaced.replace("d", r"\d").split()
        numbers.append(area + r"\)?" + SEP + SEP.join(rest))
    return START + UK + "(?:" + "|".join(numbers) + ")" + END


class UkPhoneRecognizer(SpanPatternRecognizer):
    """UK mobile and landline numbers (entity ``PHONE_NUMBER``)."""

    PATTERNS = [
        Pattern("UK mobile", rf"{START}{UK}7\d{{3}}\)?{SEP}\d{{3}}{SEP}\d{{3}}{END}", 0.8),
        Pattern("UK landline", START + UK + r"(?:1\d{2}\)?" + SEP + r"\d{3}" + SEP + r"\d{4}"
                + r"|1\d{3}\)?" + SEP + r"(?:\d{5,6}|\d{3}" + SEP + r"\d{3})"
                + r"|2\d\)?" + SEP + r"\d{4}" + SEP + r"\d{4}"
                + r"|3\d{2}\)?" + SEP + r"\d{3}" + SEP + r"\d{4})" + END, 0.7),
        Pattern("International", rf"{START}(?:\+|00)(?!44)[1-9]\d{{0,2}}(?:{SEP}\(?\d{{2,4}}\)?){{2,4}}{END}", 0.6),
        Pattern("North American", rf"{START}(?:\+?1{SEP})?(?:\([2-9]\d{{2}}\)[ .\-]?|[2-9]\d{{2}}[ .\-])"
                rf"\d{{3}}[ .\-]\d{{4}}{END}", 0.6),
        Pattern("Number after a phone cue",
                rf"(?<![\w-])(?:{STRONG_CUE}(?:{CUE_LINK}|[ \t]+)|{WEAK_CUE}{CUE_LINK})[ \t]*{CUED_NUMBER}", 0.7),
    ]
    CONTEXT = ["phone", "tel", "telephone", "mobile", "mob", "landline", "contact", "call", "ring", "text"]

    def __init__(self, patterns: list[Pattern] | None = None, context: list[str] | None = None,
                 drama_ranges: bool = True, supported_language: str = "en",
                 supported_entity: str = "PHONE_NUMBER", name: str | None = None):
        patterns = list(patterns or self.PATTERNS)
        if drama_ranges:
            patterns.append(Pattern("Ofcom drama range", _drama_regex(DRAMA), 1.0))
        super().__init__(supported_entity, patterns, context or self.CONTEXT, supported_language, name)

    def score_value(self, text, start, end, pattern, match) -> float:
        """A cued number needs 5 to 15 digits; every other pattern the UK length check."""
        if pattern.name in CUED_PATTERNS:
            return pattern.score if 5 <= sum(c.isdigit() for c in text[start:end]) <= 15 else 0.0
        if pattern.name == "North American":
            return pattern.score
        return super().score_value(text, start, end, pattern, match)

    def invalidate_result(self, pattern_text: str) -> bool:
        """True when the digits cannot make a UK number (10 or 11 with the 0) or one abroad."""
        digits = "".join(c for c in pattern_text if c.isdigit())
        if pattern_text.startswith(("+44", "0044")):
            digits = "0" + digits[4 if pattern_text.startswith("00") else 2:].removeprefix("0")
        elif pattern_text.startswith(("+", "00")):
            return not 8 <= len(digits) <= 15
        return len(digits) not in (10, 11)
