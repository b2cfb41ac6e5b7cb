"""Organisations that place a child: schools, GP surgeries, nurseries, children's homes, hospitals.

One recogniser per entity, each finding a name by its ending. A name is one to five capitalised
words (with "St", "C of E", "of", "and", "&" inside) before a type word: "Oakwood Primary
School", "St Mary's C of E Primary", "Beechfield Academy", "Hillside High", "Bowling Park PRU"
(SCHOOL); "Parkside Medical Centre", "Elm Tree Surgery", "Riverside Health Centre"
(GP_SURGERY); "Little Stars Nursery", "Sunshine Day Nursery", "Acorns Pre-School" (NURSERY);
and for CHILDRENS_HOME the name before a description ("Ashdown House children's home", "The
Willows residential unit": the name only), a home-like name after a placement word ("placed at
Oakfield House", "has lived at Oakfield House"), or a bare "... House"/"... Lodge" (lower score).

HOSPITAL: a name before "Hospital", "Hosp", "Infirmary" or "Hospice", the type word in any case
("St James's Hospital", "Pinderfields hospital", "CALVERT HOSPITAL", "Harbor Hosp"); in ALL-CAPS
text the name starts after the last linking word or verb ("ADMITTED IN TRANSFER FROM CALVERT
HOSPITAL" gives "CALVERT"). A hospital names a locality.

Deliberately does not: fire on generic mentions ("the school", "his primary school", "Primary
School", "the GP", "GP Surgery", "Health Centre", "CAMHS", "YOT", "NHS"): a name needs at least
one word that is neither a type or generic word nor allow-listed ("DASH HIGH"); nor report a
sentence's first word ("At", "Attends") as part of the name. Type words, generic words and placement words are data.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex
from presidio_analyzer import Pattern

from narrative.redact.recognizers._base import SpanPatternRecognizer, alternation
from narrative.redact.recognizers.allow_list import AllowList

NAME_WORD = r"(?:St\.?|C\s+of\s+E|\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]+)*|\p{Lu}{2,}(?:['’-]\p{Lu}+)*)"
CONNECTOR = r"(?:of|and|&|upon|under|le|la|de)"
TOKEN = regex.compile(r"[\p{L}'’&.-]+")

GENERIC_WORDS = frozenset(w.lower() for w in (
    "The", "St", "St.", "Saint", "C", "of", "E", "CE", "CofE", "RC", "and", "&", "Primary", "Secondary", "Junior",
    "Juniors", "Infant", "Infants", "Nursery", "High", "Grammar", "Community", "Catholic", "Church", "England",
    "Methodist", "Free", "Special", "Girls", "Boys", "Girls'", "Boys'", "Day", "Medical", "Health", "Family",
    "Children's", "Childrens", "Children", "Learning", "Pupil", "Referral", "Unit", "Centre", "Center", "Sixth",
    "Form", "Further", "Education", "Academy", "School", "College", "Local", "New", "GP", "GPs", "NHS",
    "Doctors", "Doctor's", "Dental", "Main", "City", "County", "Council", "Independent", "Private", "State",
    "Mainstream", "Alternative", "Provision", "Residential", "Secure", "Care", "Home", "Young", "People",
    "Hospital", "PRU", "UTC", "Pre-School", "Preschool", "Surgery", "Practice", "Group", "House", "Lodge",
    "Virtual", "Assessment", "Team", "Service", "Services", "Social", "Police", "Youth", "Early", "Years", "Help",
    "Hub",
))
LEADING_STOP_WORDS = frozenset(w.lower() for w in (
    "A", "An", "At", "In", "On", "From", "To", "Into", "His", "Her", "Their", "Our", "My", "Your", "Its", "And",
    "But", "Or", "With", "For", "By", "Of", "As", "If", "When", "While", "Whilst", "After", "Before", "Since",
    "Until", "Today", "Yesterday", "Attends", "Attended", "Attending", "Left", "Joined", "Started", "Visited",
    "Contacted", "Called", "Rang", "Emailed", "Spoke", "Meeting", "Referral", "Re", "Via", "Per", "Both", "All",
    "This", "That", "These", "Those", "Then", "Now", "Also", "Excluded", "Moved", "Placed", "Mum", "Dad",
))


class OrganisationRecognizer(SpanPatternRecognizer):
    """Names ending in one of ``type_words`` (``value`` group); generic-only names are dropped."""

    TYPE_WORDS: tuple[str, ...] = ()
    SCORE = 0.8

    def __init__(self, supported_entity: str, context: list[str] | None = None, type_words: Iterable[str] | None = None,
                 generic_words: Iterable[str] | None = None, allow_list: AllowList | None = None,
                 supported_language: str = "en", name: str | None = None):
        self.allow_list = allow_list or AllowList.from_config(None)
        words = list(type_words if type_words is not None else self.TYPE_WORDS)
        self.generic_words = frozenset(w.lower() for w in generic_words) if generic_words is not None else GENERIC_WORDS
        self.name_regex = self._name(words)
        type_word = alternation(words)
        built = [Pattern("Name and type word",
                         rf"(?<![\w'’-])(?P<value>{self.name_regex}\s+{type_word})"
                         rf"(?![\w'’-]|\s+(?i:street|st|road|rd|lane|avenue)\b)", self.SCORE)]
        super().__init__(supported_entity, [*built, *self.extra_patterns()], context or [],
                         supported_language, name)

    @staticmethod
    def _name(type_words: list[str]) -> str:
        """One to five name words; "and"/"of" may join them, but not right after a type word,
        so "Little Stars Nursery and Sunshine Day Nursery" stays two names."""
        last = "(?i:" + alternation(w.split()[-1] for w in type_words) + ")" if type_words else "(?!)"
        return rf"(?:{NAME_WORD}\s+(?:(?<!\b{last}\s+){CONNECTOR}\s+)?){{0,4}}{NAME_WORD}"

    def extra_patterns(self) -> list[Pattern]:
        """Patterns beyond "name + type word" (children's homes have some)."""
        return []

    def refine(self, text: str, start: int, end: int, pattern: Pattern,
               match: regex.Match) -> tuple[int, int, float] | None:
        """Trim leading sentence words; drop a name made only of generic words."""
        tokens = list(TOKEN.finditer(text, start, end))
        while tokens and tokens[0].group().lower() in LEADING_STOP_WORDS:
            tokens.pop(0)
        if all(t.group().lower() in self.generic_words or self.allow_list.allows(t.group()) for t in tokens):
            return None
        return tokens[0].start(), end, self.score_value(text, tokens[0].start(), end, pattern, match)


class SchoolRecognizer(OrganisationRecognizer):
    """Schools, academies, colleges and PRUs by name (entity ``SCHOOL``)."""

    TYPE_WORDS = ("School", "Academy", "College", "Primary", "High", "Grammar", "PRU", "Pupil Referral Unit",
                  "Learning Centre", "Sixth Form", "UTC", "Infants", "Juniors", "Free School")

    def __init__(self, supported_entity: str = "SCHOOL", **kwargs):
        super().__init__(supported_entity, **kwargs)


class GpSurgeryRecognizer(OrganisationRecognizer):
    """GP surgeries, medical and health centres by name (entity ``GP_SURGERY``)."""

    TYPE_WORDS = ("Surgery", "Clinic", "Medical Centre", "Medical Practice", "Health Centre", "Medical Group",
                  "Family Practice", "Group Practice", "Health Practice", "Medical Center", "Health Center")

    def __init__(self, supported_entity: str = "GP_SURGERY", **kwargs):
        super().__init__(supported_entity, **kwargs)


class NurseryRecognizer(OrganisationRecognizer):
    """Nurseries, pre-schools, playgroups and children's centres by name (entity ``NURSERY``)."""

    TYPE_WORDS = ("Nursery", "Day Nursery", "Nursery School", "Pre-School", "Preschool", "Pre School",
                  "Playgroup", "Kindergarten", "Creche", "Children's Centre", "Childrens Centre")

    def __init__(self, supported_entity: str = "NURSERY", **kwargs):
        super().__init__(supported_entity, **kwargs)


class ChildrensHomeRecognizer(OrganisationRecognizer):
    """Children's homes and residential units (entity ``CHILDRENS_HOME``); the name only."""

    TYPE_WORDS = ("Children's Home", "Childrens Home", "Residential Unit", "Residential Home", "Secure Unit")
    DESCRIPTIONS = ("children's home", "childrens home", "children’s home", "residential unit",
                    "residential home", "residential children's home", "secure unit", "secure children's home",
                    "care home", "children's unit")
    PLACEMENT_WORDS = ("placed", "placement", "moved", "accommodated", "lives", "lived", "living", "staying",
                       "stays", "stayed", "resides", "resided", "returned", "return", "transferred", "placed back")
    HOME_WORDS = ("House", "Lodge", "Grange", "Hall", "Manor", "View", "Cottage", "Farm", "Place", "Court")
    BARE_HOME_WORDS = ("House", "Lodge")
    SCORES = {"Name before a description": 0.8, "Home after a placement word": 0.7, "Bare home name": 0.45}

    def __init__(self, supported_entity: str = "CHILDRENS_HOME", descriptions: Iterable[str] | None = None,
                 placement_words: Iterable[str] | None = None, home_words: Iterable[str] | None = None,
                 bare_home_words: Iterable[str] | None = None, **kwargs):
        self.descriptions = list(descriptions if descriptions is not None else self.DESCRIPTIONS)
        self.placement_words = list(placement_words if placement_words is not None else self.PLACEMENT_WORDS)
        self.home_words = list(home_words if home_words is not None else self.HOME_WORDS)
        self.bare_home_words = list(bare_home_words if bare_home_words is not None else self.BARE_HOME_WORDS)
        super().__init__(supported_entity, **kwargs)

    def extra_patterns(self) -> list[Pattern]:
        """The name before a lower-case description, after a placement word, or bare."""
        end = r"(?![\w'’-])"
        name = self.name_regex
        return [
            Pattern("Name before a description",
                    rf"(?<![\w'’-])(?P<value>{name}){end}\s+(?i:{alternation(self.descriptions)}){end}",
                    self.SCORES["Name before a description"]),
            Pattern("Home after a placement word",
                    rf"\b(?i:{alternation(self.placement_words)})(?:\s+(?i:back|permanently|temporarily|there))?"
                    rf"\s+(?:(?i:at|to|in|into)\s+)?(?P<value>{name}\s+{alternation(self.home_words)}){end}",
                    self.SCORES["Home after a placement word"]),
            Pattern("Bare home name", rf"(?<![\w'’-])(?P<value>{name}\s+{alternation(self.bare_home_words)}){end}",
                    self.SCORES["Bare home name"]),
        ]


class HospitalRecognizer(OrganisationRecognizer):
    """Hospitals and hospices by name (entity ``HOSPITAL``): the name, without the type word's
    generic neighbours ("General", "Royal", "Children's"); the type word in any case."""

    TYPE_WORDS = ("Hospital", "Hospitals", "Hosp", "Hosp.", "Infirmary", "Hospice")
    GENERIC = ("General", "Royal", "District", "Community", "Psychiatric", "Mental", "Maternity", "University",
               "Teaching", "Regional", "Memorial", "Specialist", "Rehabilitation", "Rehab", "Outside", "Other",
               "Another", "Same", "Nearest", "Local", "Prior", "Previous", "Referring", "Transferring",
               "Receiving", "Admitting", "Home", "Private", "Field", "Cottage", "Day", "ER", "A&E", "ED", "ICU",
               "Emergency", "Accident", "Acute", "Adult", "Paediatric", "Pediatric", "Womens", "Women's", "St",
               "Saint", "Hosp", "Hosp.", "Hospital", "Hospitals", "Infirmary", "Hospice", "This", "That", "Your",
               "Our", "Whose", "Which", "What", "Same", "Military", "Veterans", "Va", "State", "Civic")
    # In ALL-CAPS text every word looks like a name word: the name starts after the last of these.
    CUT_WORDS = ("admitted", "admission", "transferred", "transfered", "transfer", "trans", "taken", "sent", "went",
                 "go", "going", "gone", "brought", "presented", "seen", "discharged", "attended", "referred",
                 "returned", "back", "arrived", "came", "left", "leave", "visited", "called", "rang", "contacted",
                 "per", "via", "at", "in", "to", "from", "into", "by", "for", "with", "the", "a", "an", "his", "her",
                 "their", "pt", "patient", "was", "is", "were", "had", "has", "and", "or", "then", "now", "also")
    CONNECTORS = frozenset({"of", "and", "&", "upon", "under", "le", "la", "de"})

    def __init__(self, supported_entity: str = "HOSPITAL", cut_words: Iterable[str] | None = None, **kwargs):
        self.cut_words = frozenset(w.lower() for w in (cut_words if cut_words is not None else self.CUT_WORDS))
        kwargs.setdefault("generic_words", [*GENERIC_WORDS, *self.GENERIC])
        super().__init__(supported_entity, **kwargs)
        type_words = kwargs.get("type_words")
        words = list(type_words if type_words is not None else self.TYPE_WORDS)
        type_word = "(?i:" + alternation(words) + ")"
        self.patterns[0] = Pattern("Name and type word", rf"(?<![\w'’-])(?P<value>{self.name_regex}\s+{type_word})"
                                   rf"(?![\w'’-]|\s+(?i:street|st|road|rd|lane|avenue)\b)", self.SCORE)

    def refine(self, text: str, start: int, end: int, pattern: Pattern,
               match: regex.Match) -> tuple[int, int, float] | None:
        """The name after the last linking word or verb (a connector inside a title-case name,
        "Princess of Wales", stays); then the organisation checks."""
        tokens = list(TOKEN.finditer(text, start, end))
        cut = 0
        for i, token in enumerate(tokens[:-1]):
            word = token.group().lower().rstrip(".")
            if word in self.cut_words and not (word in self.CONNECTORS and token.group().islower()):
                cut = i + 1
        if cut >= len(tokens) - 1:
            return None
        return super().refine(text, tokens[cut].start(), end, pattern, match)
