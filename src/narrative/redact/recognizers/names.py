"""People's names that spaCy's NER misses or mistypes in UK case notes (entity ``PERSON``).

Catches, always reporting the name alone (never the title, role or cue word):

- after a title or rank: "Mr Smith", "Mrs O'Neill", "Dr Okafor", "DS Patel", "PC 4471 Hughes",
  "Mr J. Smith", "SW Kerry", "IRO Prakash Menon";
- after a family or professional role: "nan Pat", "Uncle Dave", "Aunty Shaz", "support worker
  Jade", "mum Kelly MARSH", and lower-case names there ("mum leanne", "dr okafor") when the
  word is a known given name or surname, or too rare to be an English word;
- after a field label: "Pupil: Tyler HARGREAVES", "Victim: Kacper NOWAK";
- ALL-CAPS surnames beside a given name: "Jayden SMITH", "SMITH, Jayden";
- hyphenated names: "Lily-Mae", "Smith-Jones";
- nicknames: after "known as", "calls himself", "aka" ... in any case, and a quoted
  capitalised word that is not a common English word ('"Rico"', "'Ghost'");
- possessives: "Leanne's" gives "Leanne";
- known given names (Faker's name lists for the ``name_locales``): "Tyler", "Leanne", "Kacper"
  wherever capitalised, which spaCy's small model often tags as a place or an organisation;
- a known given name, a middle initial and a surname in any case: "ROBERT V. DEGIORGIO",
  "Dan A. Forman-Lyons"; a lower-case known given name and known surname: "spoke to mary
  souza", "lorrie morales is";
- after a role, an ALL-CAPS word too rare to be English ("BROTHER VINNY", "DTR PHILOMENA");
- an initial and a known surname, or a word too rare to be English: "E. WELSH aware", "J. Smith".

Deliberately does not: report a role or allow-listed word ("mum", "nan", "Police", "MASH",
"Summer" in "last Summer"), a lower-case word after a role that is a common English word ("mum
said", "nan was there", "dad will"), a capitalised common word opening a sentence ("Will you",
"May I", "Said"), an ALL-CAPS acronym beside a name ("Tyler CSE"), hyphenated compounds of
ordinary words ("Non-Molestation", "Afro-Caribbean", "Stoke-On-Trent"), quoted speech ('"No"',
'"Sorry"', or anything right after "said"), or names written in lower case with no cue.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import lru_cache

import regex
from presidio_analyzer import Pattern
from wordfreq import zipf_frequency

from narrative.redact.recognizers._base import SpanPatternRecognizer, alternation
from narrative.redact.recognizers.allow_list import AllowList

CAP = r"\p{Lu}(?:\p{Ll}+|(?=['’]\p{Lu}))(?:['’]?\p{Lu}\p{Ll}+)*(?:-\p{Lu}\p{Ll}+)*"
UPPER = r"\p{Lu}(?:\p{Lu}+|(?=['’]\p{Lu}))(?:['’-]\p{Lu}+)*"
LOWER = r"\p{Ll}{2,}(?:-\p{Ll}+)*"
INITIAL = r"\p{Lu}\.?"
SP = r"[ \t]+"
AFTER = r"(?![\p{L}\d])"
TOKEN = regex.compile(r"\S+")
WORD = regex.compile(r"\p{L}[\p{L}'’-]*")
IS_INITIAL = regex.compile(INITIAL)
CONSONANT_RUN = regex.compile(r"[^AEIOUY'’-]{4}")
VOWEL = regex.compile(r"[AEIOUY]")
WORD_BEFORE = regex.compile(r"(\S+)[ \t]*$")
WORD_AFTER = regex.compile(r"[ \t,]*(\S+)")
SENTENCE_END = regex.compile(r"(?:^|[.!?:;•*\n\"“\-–>])\s*$")
NAME_EVIDENCE = regex.compile(   # what follows a name at the start of a sentence ("Will said", "May (3)")
    r"[ \t]*(?:\([ \t]*\d{1,2}(?!\d)|,|(?:is|was|has|had|said|says|told|tells|reported|disclosed|stated|attended|went|"
    r"came|lives|lived|sees|saw|would|wants|wanted|does|did|didn['’]t|doesn['’]t|can|could|felt|feels|became|"
    r"started|moved|ran|rang|returned|denied|denies|admitted|explained|shared|asked|appeared|presented|"
    r"received|continues|remains|seems|looks|got|gets|keeps|likes|loves|needs|spent|stays|stayed|refused|"
    r"agreed|arrested|charged|remanded|sentenced|convicted|cried|sobs|sobbed|starts|gives|gave|takes|took|"
    r"makes|made|knows|knew|thinks|thought|uses|used|sells|sold|drives|drove|will|and)\b)")
PERSON_VERB = regex.compile(    # what follows an unknown rare word for it to count as a name ("Stanciu is remanded")
    r"[ \t]+(?:(?:is|was|has|had|has\s+been|had\s+been|has\s+not|was\s+not)[ \t]+)?(?:said|says|told|tells|"
    r"disclosed|reported|stated|denied|denies|admitted|explained|asked|agreed|refused|shouted|cried|attended|"
    r"lives|lived|arrested|charged|remanded|sentenced|convicted|released|bailed|cautioned|interviewed)\b")
PERSONAL_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "drs", "prof", "professor"})
VERB_ENDING = regex.compile(r"(?:ED|ING|LY|TION|MENT)$")
HEADING_COLON = regex.compile(r"[ \t]*:")
HEADING_OR_READING = regex.compile(r"[ \t]*(?::|['’]?s?[ \t]*\d)")
FAMILY_NOUN = regex.compile(r"[ \t]+(?:children|family|household|siblings|brothers|sisters|twins)\b")
PLACE_BEFORE = regex.compile(r"(?:\b(?i:in|at|to|from|near|of)|,)[ \t]*$")
PRISON_BEFORE = regex.compile(r"\b(?:HMP|HMYOI|YOI|HMP/YOI)[ \t]*$")
PLACE_AFTER = regex.compile(r"[ \t]*,?[ \t]*(?:[A-Z]{1,2}[0-9][A-Z0-9]?[ \t]*[0-9][A-Z]{2}\b"
                            r"|(?i:crown|magistrates|police|constabulary|council|city|town|area))")
SPEECH = regex.compile(r"(?i:said|says|say|saying|told|tells|asked|asks|replied|shouted|screamed|stated|wrote|"
                       r"texted|answered|yelled|whispered|messaged)\s*[:,]?\s*$")

DEFAULT_LOCALES = (
    "en_GB", "en_US", "en_IE", "en_IN", "en_NG", "en_PK", "en_NZ", "pl_PL", "ro_RO", "cs_CZ", "sk_SK", "hu_HU",
    "lt_LT", "lv_LV", "it_IT", "es_ES", "pt_PT", "pt_BR", "fr_FR", "de_DE", "nl_NL", "tr_TR", "hr_HR", "sl_SI",
    "yo_NG", "ig_NG", "ha_NG", "tw_GH", "sw", "zu_ZA", "id_ID", "az_AZ", "et_EE", "fi_FI", "da_DK", "sv_SE",
    "no_NO",
)


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """English word frequency (Zipf scale) of ``word``, cached."""
    return zipf_frequency(word.casefold(), "en")


@lru_cache(maxsize=8)
def name_lexicon(locales: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """Given names and surnames (casefolded) of Faker's person providers for ``locales``."""
    given, family = set(), set()
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr, bucket in (("first_names", given), ("first_names_male", given), ("first_names_female", given),
                             ("last_names", family), ("last_names_male", family), ("last_names_female", family)):
            bucket.update(n.casefold() for n in getattr(provider, attr, None) or () if isinstance(n, str))
    return frozenset(given), frozenset(family)


class UkNameRecognizer(SpanPatternRecognizer):
    """Names by cue (title, role, label, nickname cue) and by shape (CAPS surname, hyphen, quotes,
    possessive, known given name); see the module docstring."""

    TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Sir", "Dame", "Lady", "Lord", "Rev",
              "Revd", "Reverend", "Sgt", "Sergeant", "Insp", "Inspector", "Supt", "Superintendent", "Constable",
              "Det", "Detective", "Cllr", "Councillor", "Judge", "HHJ", "Nurse", "Matron", "Officer")
    UPPER_TITLES = ("PC", "DC", "DS", "DI", "DCI", "DSI", "DSU", "PCSO", "SW", "HV", "IRO", "FSW", "SWM", "TM",
                    "PA", "DSL", "SENCO", "SENDCo", "CPN", "FC", "OIC", "YOT", "YJS", "RHI", "EHW", "ISW", "GP")
    ROLES = (
        "mum", "mummy", "mam", "mom", "mother", "dad", "daddy", "father", "nan", "nana", "nanna", "nanny", "gran",
        "granny", "grandma", "grandmother", "grandad", "granddad", "grandpa", "grandfather", "step-dad",
        "stepdad", "step-mum", "stepmum", "stepfather", "step-father", "stepmother", "step-mother", "uncle",
        "aunt", "auntie", "aunty", "cousin", "brother", "sister", "half-brother", "half-sister", "sibling",
        "son", "daughter", "baby", "partner", "ex-partner", "ex", "boyfriend", "girlfriend", "husband", "wife",
        "friend", "mate", "carer", "neighbour", "lodger", "worker", "keyworker", "teacher", "officer",
        "visitor", "nurse", "manager", "mentor", "coach", "adviser", "advisor", "coordinator", "practitioner",
        "consultant", "paediatrician", "psychologist", "psychiatrist", "therapist", "counsellor", "headteacher",
        "chair", "interpreter", "solicitor", "guardian", "landlord", "child", "pupil", "student", "victim",
        "suspect", "perpetrator", "nominal", "associate", "male", "female", "lad", "boy", "girl", "man", "woman",
        "dtr", "caseworker",
    )
    FIELD_LABELS = ("name", "child", "pupil", "pt", "patient", "subject", "referrer", "victim", "suspect",
                    "mother", "father", "carer", "parent", "sibling", "contact", "chair", "author", "worker",
                    "young person", "yp", "cyp", "alleged perpetrator", "perpetrator", "nominal", "person",
                    "informant", "caller", "witness", "officer", "oic", "attendees", "present", "seen",
                    "interpreter", "social worker", "allocated worker", "key worker", "keyworker", "gp")
    NICKNAME_CUES = ("known as", "also known as", "aka", "a.k.a.", "a.k.a", "nicknamed", "nickname",
                     "calls himself", "calls herself", "calls themselves", "call him", "call her", "call them",
                     "calls him", "calls her", "called him", "called her", "goes by", "street name",
                     "name of", "named", "called")
    NOT_NAMES = (
        "I", "A", "An", "The", "He", "She", "It", "They", "We", "You", "His", "Her", "Its", "Their", "Our", "My",
        "Your", "This", "That", "These", "Those", "There", "Here", "What", "Who", "Whom", "When", "Where", "Why",
        "How", "Which", "Let", "And", "But", "Or", "Nor", "So", "Yet", "If", "As", "At", "By", "For", "From",
        "In", "Into", "Of", "On", "To", "With", "Without", "About", "After", "Before", "Since", "Until", "Per",
        "Via", "Among", "Else", "Line", "Lot", "Made", "Man", "Said", "Us", "Job", "Love", "Peace", "Everyone",
        "Someone", "Anyone", "Nobody", "Everybody", "Somebody", "Anybody", "One", "All", "Both", "Each", "Some",
        "Any", "No", "Not", "Yes", "Ok", "Okay", "Also", "Then", "Now", "Still", "Just", "Only", "Very", "Mr",
        "Mrs", "Ms", "Miss", "Dr", "Lady", "Lord", "Sir", "Saint", "St", "God", "Allah", "Jesus", "Unknown",
        "Tbc", "Na", "Nil", "None", "Other", "Others", "New", "Old", "Older", "Younger", "Little", "Big", "Pt",
    )
    HYPHEN_PREFIXES = ("afro", "anglo", "indo", "euro", "sino", "franco", "black", "white", "mixed", "asian",
                       "british", "non", "self", "multi", "co", "anti", "pre", "post", "sub", "mid", "ex",
                       "step", "half", "great", "inter", "cross", "semi", "re", "de", "un", "x", "e", "t")
    EXTRA_GIVEN_NAMES = (   # short forms and popular UK names missing from Faker's lists
        "Will", "Alfie", "Archie", "Freddie", "Frankie", "Ollie", "Charlie", "Harry", "Tommy", "Bobby", "Jimmy",
        "Danny", "Billy", "Albie", "Reggie", "Teddy", "Ronnie", "Louie", "Jenson", "Jaxon", "Kacey", "Kayden",
        "Brandon", "Kieran", "Callum", "Reece", "Declan", "Kian", "Baz", "Gaz", "Daz", "Kez",
        "Shaz", "Tez", "Bex", "Becky", "Jess", "Lexi", "Lexie", "Macie", "Maisie", "Millie", "Tilly", "Evie",
        "Ellie", "Elsie", "Esme", "Poppy", "Lacey", "Kayleigh", "Chantelle", "Demi", "Keira", "Kayla", "Nevaeh",
        "Aaliyah", "Amira", "Paige", "Courtney", "Leah", "Skye", "Willow", "Harley", "Riley", "Finley", "Jayden",
        "Mason", "Tyler", "Mohammed", "Muhammad", "Ayaan", "Zain", "Yusuf", "Maryam", "Zainab", "Hafsa",
    )
    SCORES = {
        "Title and name": 0.85, "Role and name": 0.8, "Field label and name": 0.75,
        "Given name and SURNAME": 0.85, "SURNAME, given name": 0.85, "Hyphenated name": 0.6,
        "Nickname after a cue": 0.85, "Quoted nickname": 0.6, "Possessive name": 0.6,
        "Known given name and surname": 0.7, "Known name": 0.6, "CAPS surname": 0.7,
        "Given name, initial and surname": 0.8, "Lower-case given name and surname": 0.6,
        "Initial and surname": 0.7,
    }
    LOWER_CASE_MAX_ZIPF = 5.0      # a lower-case known name after a cue must be rarer than this
    RARE_WORD_ZIPF = 3.0           # a lower-case word this rare after a cue is taken as a name
    QUOTED_MAX_ZIPF = 5.0          # a quoted word must be rarer than this to be a nickname
    HYPHEN_PART_MAX_ZIPF = 4.0     # each unknown part of a hyphenated name must be rarer than this
    OPENING_MAX_ZIPF = 5.0         # a known name opening a sentence must be rarer than this, or be
                                   # followed by a verb or an age ("Will said", "May (3)")
    SURNAME_MAX_ZIPF = 4.0         # a known surname alone, mid-sentence, must be rarer than this
    PAIRED_SURNAME_MAX_ZIPF = 5.3  # a known surname after a known given name must be rarer than this
    LOWER_PAIR_MAX_ZIPF = (5.0, 4.0)   # lower-case given name and surname: each rarer than these
    LOWER_PAIR_RARE_ZIPF = 2.5     # a word rarer than this after an initial reads as a surname
    INITIAL_SURNAME_MAX_ZIPF = 5.0 # a known surname after an initial must be rarer than this
    HEADING_MIN_ZIPF = 4.0         # a known name this common opening a line before ":" is a heading
    CONTEXT: list[str] = []
    # "mum Leanne and nan Pat": the second cue starts inside the first match.
    overlapped_patterns = frozenset({"Title and name", "Role and name", "Lower-case given name and surname"})

    def __init__(self, context: list[str] | None = None, titles: Iterable[str] | None = None,
                 upper_titles: Iterable[str] | None = None, roles: Iterable[str] | None = None,
                 field_labels: Iterable[str] | None = None,
                 nickname_cues: Iterable[str] | None = None, not_names: Iterable[str] | None = None,
                 extra_not_names: Iterable[str] = (), hyphen_prefixes: Iterable[str] | None = None,
                 name_locales: Iterable[str] | None = None, extra_given_names: Iterable[str] = (),
                 allow_list: AllowList | None = None,
                 supported_language: str = "en", supported_entity: str = "PERSON", name: str | None = None):
        self.allow_list = allow_list or AllowList.from_config(None)
        self.not_names = frozenset(w.casefold() for w in [*(not_names if not_names is not None else self.NOT_NAMES),
                                                          *extra_not_names])
        self.hyphen_prefixes = frozenset(hyphen_prefixes if hyphen_prefixes is not None else self.HYPHEN_PREFIXES)
        given, self.surnames = name_lexicon(tuple(name_locales or DEFAULT_LOCALES))
        self.given_names = given | {n.casefold() for n in [*self.EXTRA_GIVEN_NAMES, *extra_given_names]}
        self.upper_titles = frozenset(upper_titles if upper_titles is not None else self.UPPER_TITLES)
        title = (r"(?:(?i:" + alternation(titles if titles is not None else self.TITLES) + r")\.?|"
                 + alternation(self.upper_titles) + ")")
        role = "(?i:" + alternation(roles if roles is not None else self.ROLES) + ")"
        self._role_after = regex.compile(rf"['’]s[ \t]+{role}\b")
        label = "(?i:" + alternation(field_labels if field_labels is not None else self.FIELD_LABELS) + ")"
        nick = "(?i:" + alternation(nickname_cues if nickname_cues is not None else self.NICKNAME_CUES) + ")"
        any_token = f"(?:{CAP}|{UPPER}|{LOWER})"
        cased = f"(?:{CAP}|{UPPER})"
        cued_name = rf"(?:{INITIAL}{SP})?{any_token}(?:{SP}{any_token}){{0,2}}{AFTER}"
        quoted = r"[\p{L}][\p{L}'’.-]*(?:[ \t][\p{L}][\p{L}'’.-]*){0,2}"
        s = self.SCORES
        built = [
            Pattern("Title and name",
                    rf"(?<![\w-])(?:{title}(?:{SP}|(?<=\.))(?:\d{{3,5}}{SP})?)+(?P<value>{cued_name})",
                    s["Title and name"]),
            Pattern("Role and name", rf"(?<![\w-]){role}{SP}(?P<value>{cued_name})", s["Role and name"]),
            Pattern("Field label and name",
                    rf"(?<![\w-]){label}[ \t]*:[ \t]*(?:{title}{SP})?(?P<value>{cased}(?:{SP}{cased}){{0,2}}){AFTER}",
                    s["Field label and name"]),
            Pattern("Given name and SURNAME", rf"(?<![\w'’-])(?P<value>{CAP}(?:{SP}{CAP})?{SP}{UPPER}){AFTER}",
                    s["Given name and SURNAME"]),
            Pattern("SURNAME, given name", rf"(?<![\w'’-])(?P<value>{UPPER},{SP}{CAP}(?:{SP}{CAP})?){AFTER}",
                    s["SURNAME, given name"]),
            Pattern("Hyphenated name", r"(?<![\w'’-])(?P<value>\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)+)(?![\w-])",
                    s["Hyphenated name"]),
            Pattern("Nickname after a cue",
                    rf"(?<![\w-]){nick}[ \t]*[:\-]?[ \t]*(?:[\"“'‘](?P<value>{quoted})[\"”'’]|(?P<value>{CAP}){AFTER})",
                    s["Nickname after a cue"]),
            Pattern("Quoted nickname",
                    rf"(?<![\w'’])(?:\"(?P<value>{CAP})\"|“(?P<value>{CAP})”|'(?P<value>{CAP})'|‘(?P<value>{CAP})’)(?![\w'’])",
                    s["Quoted nickname"]),
            Pattern("Possessive name",
                    rf"(?<![\w'’-])(?<!\bSt\.?[ \t])(?P<value>{CAP})(?:['’]s\b|(?<=s)['’](?!\w))(?![ \t]+\p{{Lu}})",
                    s["Possessive name"]),
            Pattern("Known given name and surname",
                    rf"(?<![\w'’-])(?P<value>\p{{Lu}}\p{{Ll}}+{SP}{CAP}){AFTER}", s["Known given name and surname"]),
            Pattern("Known name", r"(?<![\w'’-])(?<!\bSt\.?[ \t])(?P<value>\p{Lu}\p{Ll}+)(?![\w-])",
                    s["Known name"]),
            Pattern("CAPS surname", rf"(?<![\w'’-])(?P<value>{UPPER}){AFTER}", s["CAPS surname"]),
            Pattern("Given name, initial and surname",
                    rf"(?<![\w'’.-])(?P<value>{cased}{SP}\p{{Lu}}\.?{SP}{cased}){AFTER}",
                    s["Given name, initial and surname"]),
            Pattern("Initial and surname", rf"(?<![\w'’./-])\p{{Lu}}\.{SP}(?P<value>{cased}){AFTER}",
                    s["Initial and surname"]),
            Pattern("Lower-case given name and surname",
                    rf"(?<![\w'’.-])(?P<value>\p{{Ll}}{{2,}}{SP}\p{{Ll}}{{2,}}(?:-\p{{Ll}}+)?)(?![\w'’-])",
                    s["Lower-case given name and surname"]),
        ]
        self._checks = {
            "Title and name": self._titled, "Role and name": self._cued, "Field label and name": self._cued,
            "Given name and SURNAME": self._caps_surname, "SURNAME, given name": self._caps_surname,
            "Hyphenated name": self._hyphenated, "Nickname after a cue": self._nickname,
            "Quoted nickname": self._quoted, "Possessive name": self._possessive,
            "Known given name and surname": self._given_and_surname, "Known name": self._known_name,
            "CAPS surname": self._caps_alone, "Given name, initial and surname": self._initialled,
            "Lower-case given name and surname": self._lower_pair, "Initial and surname": self._initial_surname,
        }
        super().__init__(supported_entity, built, context or self.CONTEXT,
                         supported_language, name)

    def refine(self, text: str, start: int, end: int, pattern: Pattern,
               match: regex.Match) -> tuple[int, int, float] | None:
        """Run the pattern's own check; extra patterns from config take their value as it is."""
        check = self._checks.get(pattern.name)
        span = check(text, start, end) if check else (start, end)
        return (*span, pattern.score) if span else None

    # -- token tests -------------------------------------------------------------------------

    def _kept_word(self, text: str, start: int, end: int) -> bool:
        word = text[start:end]
        return (word.casefold() in self.not_names
                or self.allow_list.allows(word, text[max(0, start - 30):start], text[end:end + 30]))

    def _known(self, word: str) -> bool:
        key = word.casefold()
        return key in self.given_names or key in self.surnames

    def _name_like(self, word: str, rare: bool) -> bool:
        """A cased token, or a lower-case or ALL-CAPS one that is a known name (not too common a
        word) or, when ``rare`` (after a title), a word too rare to be English."""
        if word[0].isupper() and not word.isupper():
            return True
        if self._known(word) and (word.isupper() or zipf(word) < self.LOWER_CASE_MAX_ZIPF):
            return True
        return rare and len(word) >= 4 and word.replace("-", "").isalpha() and zipf(word) < self.RARE_WORD_ZIPF

    def _opens_sentence(self, text: str, start: int) -> bool:
        return bool(SENTENCE_END.search(text[max(0, start - 3):start]))

    # -- per-pattern checks: each returns the final (start, end) or None ----------------------

    def _titled(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """After an ALL-CAPS-only title (PC, DC, DS ...) in ALL-CAPS text the name must be a
        known one ("DC HEPARIN" is a discontinued drug); a lower-case rare word only after a
        personal title ("dr healey", "mrs ley")."""
        title = WORD_BEFORE.search(text[max(0, start - 12):start])
        word = title.group(1).rstrip(".") if title else ""
        if word in self.upper_titles and text[start:end].isupper():
            return self._cued(text, start, end, rare=False, caps_rare_ok=False)
        # a lower-case word too rare to be English is a name after "dr", "mr" ... ("dr healey"),
        # not after a rank or a role abbreviation ("insp wheezes", "PA cath")
        return self._cued(text, start, end, rare=word.casefold() in PERSONAL_TITLES)

    def _cued(self, text: str, start: int, end: int, rare: bool = False,
              caps_rare_ok: bool = True) -> tuple[int, int] | None:
        """Keep the leading run of name-like tokens; an initial needs a name after it. An
        ALL-CAPS token too rare to be English counts ("BROTHER VINNY"), unless it reads as a
        verb ("FEMALE READMITTED") or ``caps_rare_ok`` is off."""
        kept = []
        for token in TOKEN.finditer(text, start, end):
            word = token.group()
            if IS_INITIAL.fullmatch(word):
                kept.append(token)
                continue
            core_end = token.end() - (len(word) - len(word.rstrip("'’")))
            core = word.rstrip("'’")
            caps_rare = caps_rare_ok and core.isupper() and not VERB_ENDING.search(core)
            if self._kept_word(text, token.start(), core_end) or not self._name_like(core, rare or caps_rare):
                break
            kept.append(token)
        while kept and IS_INITIAL.fullmatch(kept[-1].group()):
            kept.pop()
        return (kept[0].start(), kept[-1].end()) if kept else None

    def _caps_surname(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """No token may be allow-listed; beside a known given name any CAPS word is a surname,
        otherwise it must be known, or rare and pronounceable (not an acronym such as "MDI")."""
        words = [(t.group(), start + t.start(), start + t.end())
                 for t in WORD.finditer(text[start:end])]
        if any(self._kept_word(text, s, e) for _, s, e in words):
            return None
        if any(not w.isupper() and w.casefold() in self.given_names for w, _, _ in words):
            return start, end
        caps = [w for w, _, _ in words if w.isupper()]
        return (start, end) if all(self._known(w) or self._unknown_surname(w) for w in caps) else None

    def _unknown_surname(self, word: str) -> bool:
        """An ALL-CAPS word that reads as a name, not an acronym or an English word."""
        pronounceable = len(word) >= 4 and not CONSONANT_RUN.search(word)
        return pronounceable and zipf(word) < self.RARE_WORD_ZIPF

    def _hyphenated(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        if self._kept_word(text, start, end):
            return None
        for part in text[start:end].split("-"):
            key = part.casefold()
            if key in self.hyphen_prefixes or key in self.not_names:
                return None
            if not self._known(part) and zipf(part) >= self.HYPHEN_PART_MAX_ZIPF:
                return None
        return start, end

    def _nickname(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        quoted = start > 0 and text[start - 1] in "\"“'‘"
        if self._kept_word(text, start, end):
            return None
        return (start, end) if quoted else self._cued(text, start, end)

    def _quoted(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        word = text[start:end]
        if SPEECH.search(text[max(0, start - 20):start - 1]) or self._kept_word(text, start, end):
            return None
        return (start, end) if self._known(word) or zipf(word) < self.QUOTED_MAX_ZIPF else None

    def _possessive(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """A capitalised word before 's; a common word opening a sentence only before a role
        ("Summer's father")."""
        word = text[start:end]
        if self._kept_word(text, start, end):
            return None
        if (self._opens_sentence(text, start) and zipf(word) >= self.OPENING_MAX_ZIPF
                and not self._role_after.match(text, end)):
            return None
        return start, end

    def _known_name(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """A known given name anywhere (a common word only mid-sentence or before a verb or an
        age); a known surname alone only mid-sentence and rare, or before a verb; any word too
        rare to be English before a verb ("Stanciu is remanded")."""
        word = text[start:end]
        key = word.casefold()
        frequency = zipf(word)
        evidence = bool(NAME_EVIDENCE.match(text, end))
        opening = self._opens_sentence(text, start)
        if PRISON_BEFORE.search(text[max(0, start - 8):start]) or PLACE_AFTER.match(text, end):
            keep = False              # "HMP Preston", "Bradford BD3 7QP": a place
        elif opening and frequency >= self.HEADING_MIN_ZIPF and HEADING_COLON.match(text, end):
            keep = False              # "Comfort: pain controlled": a heading
        elif key in self.given_names:
            keep = not opening or frequency < self.OPENING_MAX_ZIPF or evidence
        elif key in self.surnames:    # also many towns: not after a preposition or a comma
            placed = PLACE_BEFORE.search(text[max(0, start - 8):start])
            keep = not placed and ((not opening and frequency < self.SURNAME_MAX_ZIPF)
                                   or (evidence and frequency < self.OPENING_MAX_ZIPF))
        else:
            keep = frequency < self.RARE_WORD_ZIPF and bool(PERSON_VERB.match(text, end))
        return (start, end) if keep and not self._kept_word(text, start, end) else None

    def _given_and_surname(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """A known given name (even a common word: "Hope Clarke") before a surname-like word."""
        first, last = text[start:end].split()
        last_start = end - len(last)
        if first.casefold() not in self.given_names or self._kept_word(text, start, start + len(first)):
            return None
        if self._kept_word(text, last_start, end) or last.isupper() and len(last) < 3:
            return None
        known = last.casefold() in self.surnames and zipf(last) < self.PAIRED_SURNAME_MAX_ZIPF
        return (start, end) if known or zipf(last) < self.SURNAME_MAX_ZIPF - 0.5 else None

    def _initialled(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """A known given name, an initial and a surname-like word ("ROBERT V. DEGIORGIO")."""
        first, _, last = text[start:end].split()
        if first.casefold() not in self.given_names or self._kept_word(text, start, start + len(first)):
            return None
        if self._kept_word(text, end - len(last), end) or last.casefold() in self.not_names:
            return None
        return (start, end) if self._known(last) or zipf(last) < self.SURNAME_MAX_ZIPF else None

    def _initial_surname(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """After an initial with its full stop ("E. WELSH aware", "J. Smith"): a known surname that
        is not a common word, or a word too rare to be English that reads as a name and not as a
        verb; the initial is reported too. Not "c KAYEXALATE", "S/P PYRIDIUM", "K. REPLETED"."""
        initial = regex.search(r"\p{Lu}\.[ \t]+$", text[max(0, start - 4):start])
        word = text[start:end]
        if not initial or self._kept_word(text, start, end) or word.casefold() in self.not_names \
                or VERB_ENDING.search(word.upper()):
            return None
        surname = word.casefold() in self.surnames and zipf(word) < self.INITIAL_SURNAME_MAX_ZIPF
        if not surname and not (self._unknown_surname(word.upper()) and zipf(word) < self.LOWER_PAIR_RARE_ZIPF):
            return None
        return start - len(initial.group()), end

    def _lower_pair(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """A lower-case known given name before a known surname ("mary souza"; not "will smith",
        "grace period", "tan sputum")."""
        first, last = text[start:end].split()
        given_max, family_max = self.LOWER_PAIR_MAX_ZIPF
        if first not in self.given_names or zipf(first) >= given_max or first in self.not_names:
            return None
        if last in self.not_names or self._kept_word(text, start, start + len(first)) \
                or self._kept_word(text, end - len(last), end):
            return None
        return (start, end) if last in self.surnames and zipf(last) < family_max else None

    def _caps_alone(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """An ALL-CAPS surname among lower-case words, not beside another capitalised word
        (headings, acronym runs): a known one that is not a common word ("DUNN punched her"), or
        a rare pronounceable one before a person's verb or "children" ("LACATUS children")."""
        word = text[start:end]
        if len(word) < 3 or not VOWEL.search(word) or self._kept_word(text, start, end):
            return None
        if HEADING_OR_READING.match(text, end):      # "COMFORT: ...", "PAP 58/27": a heading, a reading
            return None
        before = WORD_BEFORE.search(text[max(0, start - 40):start])
        after = WORD_AFTER.match(text, end)
        if before and before.group(1)[:1].isupper() and not before.group(1).endswith((".", ":", ";", "!", "?", ")")):
            return None
        if after and after.group(1)[:1].isupper():
            return None
        if self._known(word):
            return (start, end) if zipf(word) < self.SURNAME_MAX_ZIPF + 0.5 else None
        cued = PERSON_VERB.match(text, end) or FAMILY_NOUN.match(text, end)
        return (start, end) if cued and self._unknown_surname(word) else None
