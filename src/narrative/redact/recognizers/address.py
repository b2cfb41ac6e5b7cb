"""Street addresses: a house or flat number with a street name and suffix, or a named street.

Catches: "14 Elm Road", "42a Station Street", "Flat 3, 41 Beech Avenue", "Flat 4, 118
Killinghall Road", "12-14 High St", "14 ELM ROAD", "12 Church Lane" (of "12 Church Lane,
Leeds"; the town is left to the location recognisers), a flat in a named building ("Flat 2B
Rose Court", "Flat 12, Ravensbourne House, Brockley Rise"), and a street without a number
after a place word ("on Falsgrave Road", "evicted from Brackenfield Walk", "near Cedar Walk",
"Address: Leeds Road").

Deliberately does not: report a street without a number and without a place word before it
("Harehills Lane was closed"), a capitalised phrase with a non-street ending ("Referral
Order"), a street name holding a function word ("8 TRACH IN PLACE"), courts and parks without
a number ("at Leeds Youth Court", "in Roundhay Park"), a number that is not a house number
("Year 2, Marwood Park Primary School", "aged 14 Church ..."), a street name that begins an
organisation's name ("Hollyfield Lane Primary School": the organisation recognisers take it),
towns, or house names without a number ("Rose Cottage").
Suffixes, building words and place words are data: constructor arguments and YAML keys.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex
from presidio_analyzer import Pattern

from narrative.redact.recognizers._base import SpanPatternRecognizer, alternation

NAME_WORD = r"(?:St\.?|\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]+)*|\p{Lu}{2,}(?:['’-]\p{Lu}+)*)"
HOUSE = r"[0-9]{1,4}[A-Za-z]?(?:\s*[-–]\s*[0-9]{1,4}[A-Za-z]?)?"
FLAT = r"(?i:flat|apartment|apt\.?|unit|room)\s*[0-9]{1,4}[A-Za-z]?"
START = r"(?<![\w/.£$€%:-])"
NOT_A_HOUSE = r"(?<!\b(?i:year|yr|y|age|aged|room|class|set|group|level|stage|tier|section|s|no|number|x)\.?\s)"
FUNCTION_WORDS = frozenset(("in", "by", "for", "of", "and", "to", "at", "on", "with", "from", "no", "not", "is",
                            "was", "per", "as", "or", "if", "it", "be", "the"))
WORD = regex.compile(r"[\p{L}'’]+")


class AddressRecognizer(SpanPatternRecognizer):
    """Street addresses (entity ``ADDRESS``): number + street, flat + building, place word + street."""

    SUFFIXES = (
        "Road", "Rd", "Street", "St", "Avenue", "Ave", "Lane", "Ln", "Close", "Cl", "Drive", "Dr", "Court", "Ct",
        "Crescent", "Cres", "Grove", "Gr", "Way", "Place", "Pl", "Gardens", "Gdns", "Terrace", "Terr", "Tce",
        "Walk", "Mews", "Rise", "View", "Hill", "Square", "Sq", "Parade", "Pde", "Row", "Green", "Park", "Vale",
        "Croft", "Fold", "Garth", "Gate", "Bank", "Brow", "Meadow", "Meadows", "Chase", "Approach", "Boulevard",
        "Circus", "End", "Fields", "Heights", "Lea", "Mount", "Nook", "Orchard", "Ride", "Villas", "Wharf", "Yard",
        "Wynd", "Glade", "Dale", "Quay", "Embankment", "Broadway", "Drove", "Causeway",
    )
    STREET_SUFFIXES = (
        "Road", "Rd", "Street", "St", "Avenue", "Ave", "Lane", "Close", "Drive", "Crescent", "Grove", "Terrace",
        "Gardens", "Mews", "Walk", "Way", "Place", "Row", "Parade", "Square", "Rise", "Croft", "Fold", "Garth", "Chase",
    )
    BUILDINGS = (
        "Court", "House", "Lodge", "Tower", "Towers", "Mansions", "Heights", "Point", "Buildings", "Block",
        "Apartments", "Place", "View", "Hall", "Gardens", "Quay", "Wharf", "Mill", "Works", "Yard", "Residences",
    )
    PLACE_WORDS = (
        "on", "at", "in", "from", "near", "off", "along", "down", "up", "to", "into", "onto", "towards", "round",
        "around", "opposite", "outside", "behind", "past", "address", "address:", "lives on", "living on",
    )
    ORGANISATION_WORDS = (
        "Primary", "School", "Academy", "Surgery", "Medical", "Health", "Nursery", "Children's", "Childrens",
        "Community", "Infant", "Infants", "Junior", "High", "College", "Centre", "Practice", "Day",
    )
    SCORES = {"Number and street": 0.85, "Flat in a building": 0.85, "Street after a place word": 0.6}
    CONTEXT: list[str] = []

    def __init__(self, context: list[str] | None = None, suffixes: Iterable[str] | None = None,
                 street_suffixes: Iterable[str] | None = None, buildings: Iterable[str] | None = None,
                 place_words: Iterable[str] | None = None,
                 organisation_words: Iterable[str] | None = None, supported_language: str = "en",
                 supported_entity: str = "ADDRESS", name: str | None = None):
        suffix = self._suffix(suffixes if suffixes is not None else self.SUFFIXES)
        street = self._suffix(street_suffixes if street_suffixes is not None else self.STREET_SUFFIXES)
        building = self._suffix(buildings if buildings is not None else self.BUILDINGS)
        place = alternation(place_words if place_words is not None else self.PLACE_WORDS)
        not_org = alternation(organisation_words if organisation_words is not None else self.ORGANISATION_WORDS)
        names = rf"(?:{NAME_WORD}\s+){{1,3}}"
        built = [
            Pattern("Number and street",
                    rf"{START}(?P<value>(?:{FLAT}\s*,?\s+)?{NOT_A_HOUSE}{HOUSE}\s+{names}{suffix})(?![\w'’-])"
                    rf"(?!\s+{not_org}\b)",
                    self.SCORES["Number and street"]),
            Pattern("Flat in a building",
                    rf"{START}(?P<value>{FLAT}\s*,?\s+{names}{building}(?:\s*,\s*{names}{suffix})?)(?![\w'’-])",
                    self.SCORES["Flat in a building"]),
            Pattern("Street after a place word",
                    rf"(?<![\w-])(?i:{place})\s+(?:the\s+)?(?P<value>{names}{street})(?![\w'’-])(?!\s+{not_org}\b)",
                    self.SCORES["Street after a place word"]),
        ]
        super().__init__(supported_entity, built, context or self.CONTEXT,
                         supported_language, name)

    def refine(self, text: str, start: int, end: int, pattern: Pattern,
               match: regex.Match) -> tuple[int, int, float] | None:
        """Drop a match whose street name holds a function word ("8 TRACH IN PLACE"); "The" may
        open it ("14 The Avenue")."""
        words = [w.group().casefold() for w in WORD.finditer(text, start, end)]
        if words and words[0] in ("flat", "apartment", "apt", "unit", "room"):
            words = words[1:]
        if words and words[0] == "the":
            words = words[1:]
        if any(w in FUNCTION_WORDS for w in words):
            return None
        return start, end, pattern.score

    @staticmethod
    def _suffix(words: Iterable[str]) -> str:
        """Suffixes in any case; "St" must not be followed by a capitalised word (St Mary's)."""
        return "(?i:" + alternation(words) + r")\b(?!(?<=\b(?i:st))\.?\s+\p{Lu})"
