"""Towns, districts and areas that spaCy's small model misses, found by what stands around them.

Catches (the place alone): the place of a prison or court ("HMP Leeds", "HMYOI Hindley",
"Leeds Crown Court", "Bradford Magistrates"), a police force or council ("Lancashire police",
"West Midlands Police", "Derbyshire Constabulary", "Lewisham MASH", "Bradford Council", "Wigan CAMHS"), the
town before a postcode ("Sheffield S5 9HW", "Wythenshawe, M22 4RT"), the places after a
street ("88 Wordsworth Crescent, Parson Cross, Sheffield"), and one or two capitalised words
after "in", "to", "from", "near", "at" ... when followed by punctuation or a linking word
("arrested in Torquay with", "a line to Blackpool.", "in Norris Green last summer"), and the
place before a group word ("a Leeds county line", "the Blackpool males").

Deliberately does not: report allow-listed words ("in Care", "to School", "at Christmas",
"in English"), a lone known given name after a preposition ("to Tyler and"), countries beyond what
spaCy finds, or a place with no cue. The cue lists are data (constructor arguments, YAML).
"""

from __future__ import annotations

from collections.abc import Iterable

import regex
from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import UkPostcodeRecognizer

from narrative.redact.recognizers._base import SpanPatternRecognizer, alternation
from narrative.redact.recognizers.address import AddressRecognizer
from narrative.redact.recognizers.allow_list import AllowList
from narrative.redact.recognizers.names import DEFAULT_LOCALES, SENTENCE_END, UkNameRecognizer, name_lexicon, zipf

PLACE_WORD = r"(?:\p{Lu}[\p{Ll}'’]+(?:-(?:\p{Lu}[\p{Ll}'’]+|upon|on|under|le|super|in))*)"
PLACE = rf"{PLACE_WORD}(?:[ \t]+(?:upon[ \t]+|under[ \t]+)?{PLACE_WORD}){{0,2}}"
WORDS = regex.compile(r"\S+")
POSTCODE = UkPostcodeRecognizer.PATTERNS[0].regex.replace(r"\b(", "(?:", 1)


class LocationRecognizer(SpanPatternRecognizer):
    """Places (entity ``LOCATION``) found through an institution, a postcode, an address or a
    preposition; each candidate must contain a word that is neither allow-listed nor a name."""

    INSTITUTIONS_BEFORE = ("HMP", "HMYOI", "HMP/YOI", "HMP & YOI", "HMP and YOI", "YOI", "STC", "SCH", "Prison")
    INSTITUTIONS_AFTER = (
        "Crown Court", "Magistrates", "Magistrates'", "Magistrates Court", "Magistrates' Court", "Youth Court",
        "Family Court", "County Court", "Police", "Constabulary", "CSC", "MASH", "Children's Services",
        "Childrens Services", "Social Services", "City Council", "Borough Council", "Council", "Young Carers",
        "General Infirmary", "Royal Infirmary", "General Hospital", "YOT", "Youth Offending Team", "Probation",
        "CAMHS", "Safeguarding Hub", "Safeguarding Partnership", "SPoA", "Single Point of Access", "Early Help",
    )
    PREPOSITIONS = ("in", "to", "from", "near", "at", "around", "outside", "towards", "into", "via", "between")
    FOLLOWERS = ("and", "or", "on", "in", "at", "for", "last", "this", "next", "since", "until", "by", "with", "to",
                 "where", "when", "during", "before", "after", "from", "which", "who", "area", "town", "city",
                 "centre", "estate", "line", "lines", "county", "group", "as", "but", "so", "then", "he", "she",
                 "they", "we", "bus", "train", "station", "park", "shopping", "a&e", "hospital")
    GROUP_WORDS = ("line", "lines", "county line", "group", "gang", "OCG", "males", "lads", "boys", "girls", "area",
                   "estate")
    SCORES = {"Place of an institution": 0.75, "Place before an institution": 0.75, "Town before a postcode": 0.75,
              "Places after a street": 0.7, "Place after a preposition": 0.55, "Place before a group word": 0.6}
    OPENING_MAX_ZIPF = 4.5   # a one-word place opening a sentence must be rarer than this ("Called MASH")
    CONTEXT: list[str] = []

    def __init__(self, context: list[str] | None = None, institutions_before: Iterable[str] | None = None,
                 institutions_after: Iterable[str] | None = None, prepositions: Iterable[str] | None = None,
                 followers: Iterable[str] | None = None, group_words: Iterable[str] | None = None,
                 allow_list: AllowList | None = None,
                 supported_language: str = "en", supported_entity: str = "LOCATION", name: str | None = None):
        self.allow_list = allow_list or AllowList.from_config(None)
        extra_given = {n.casefold() for n in UkNameRecognizer.EXTRA_GIVEN_NAMES}
        self.given_names = name_lexicon(DEFAULT_LOCALES)[0] | extra_given
        self.not_names = frozenset(w.casefold() for w in UkNameRecognizer.NOT_NAMES)
        before = alternation(institutions_before if institutions_before is not None else self.INSTITUTIONS_BEFORE)
        after = alternation(institutions_after if institutions_after is not None else self.INSTITUTIONS_AFTER)
        preposition = "(?i:" + alternation(prepositions if prepositions is not None else self.PREPOSITIONS) + ")"
        follower = "(?i:" + alternation(followers if followers is not None else self.FOLLOWERS) + r")\b"
        street = "(?i:" + alternation(AddressRecognizer.SUFFIXES) + ")"
        group = "(?i:" + alternation(group_words if group_words is not None else self.GROUP_WORDS) + r")\b"
        s = self.SCORES
        built = [
            Pattern("Place of an institution", rf"(?<![\w-]){before}[ \t]+(?P<value>{PLACE})(?![\w'’-])",
                    s["Place of an institution"]),
            Pattern("Place before an institution", rf"(?<![\w'’-])(?P<value>{PLACE})[ \t]+(?i:{after})(?![\w'’-])",
                    s["Place before an institution"]),
            Pattern("Town before a postcode", rf"(?<![\w'’-])(?P<value>{PLACE})[ \t]*,?[ \t]+(?i:{POSTCODE})",
                    s["Town before a postcode"]),
            Pattern("Places after a street",
                    rf"\b{street}(?:[ \t]*,[ \t]*(?P<value>{PLACE})(?![\w'’-]))+", s["Places after a street"]),
            Pattern("Place after a preposition",
                    rf"(?<![\w-]){preposition}[ \t]+(?P<value>{PLACE})"
                    rf"(?:(?:[ \t]*,|[ \t]+(?:and|or))[ \t]+(?P<value>{PLACE}))*"
                    rf"(?=[ \t]*(?:[,.;:!?)\"”'’]|$)|[ \t]+{follower})",
                    s["Place after a preposition"]),
            Pattern("Place before a group word",
                    rf"\b(?i:a|an|the)[ \t]+(?P<value>{PLACE})[ \t]+{group}", s["Place before a group word"]),
        ]
        super().__init__(supported_entity, built, context or self.CONTEXT, supported_language, name)

    def refine(self, text: str, start: int, end: int, pattern: Pattern,
               match: regex.Match) -> tuple[int, int, float] | None:
        """Trim leading function words ("On Saturday police"); drop a candidate whose words are
        all allow-listed, a lone known given name ("to Tyler and"; not after "HMP") or a lone
        common word opening a sentence ("Called MASH")."""
        words = list(WORDS.finditer(text, start, end))
        while words and words[0].group().casefold() in self.not_names:
            words.pop(0)
        if not words:
            return None
        start = words[0].start()
        if self.allow_list.allows(text[start:end], text[max(0, start - 30):start], text[end:end + 30]):
            return None
        if len(words) == 1:
            word = words[0].group()
            opening = SENTENCE_END.search(text[max(0, start - 3):start])
            named = word.casefold() in self.given_names and pattern.name != "Place of an institution"  # HMP Preston
            if named or opening and zipf(word) >= self.OPENING_MAX_ZIPF:
                return None
        return start, end, pattern.score
