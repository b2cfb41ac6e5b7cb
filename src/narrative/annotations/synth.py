"""Generated labelled notes: plausible life histories told as case notes, gold labels by construction.

For each synthetic child, :func:`generate` draws a Faker ``en_GB`` identity and family, a life
history from the realistic sequences of adverse events in ``synth_phrases.yaml`` (domestic abuse
leading to separation and a move, a parent's drinking to neglect and care, exclusion to going
missing and exploitation, ...), and a run of notes (home visits, police notifications, reviews,
chronologies) that tell those events with many phrasings per code, assertion and experiencer.
Every identifier, time expression and mention is recorded while the text is built, so offsets and
gold intervals are exact. For training volume and speed tests; never the only evaluation.
"""

from __future__ import annotations

import calendar
import hashlib
import random
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from faker import Faker

from narrative.annotations.corpus import LabelledNote
from narrative.io import dumps
from narrative.records import Case

SOURCE = "synthetic"
CORPUS_FILE, CASES_FILE, NOTES_FILE = "synth_corpus.jsonl", "synth_cases.jsonl", "notes.jsonl"

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six")
SEASON_START = {"spring": 3, "summer": 6, "autumn": 9, "winter": 12}
POSTCODE_UNIT = "ABDEFGHJLNPQRSTUWXYZ"
UPN_CHECK = "ABCDEFGHJKLMNPQRTUVWXYZ"

PRONOUNS = {"m": {"he": "he", "his": "his", "him": "him", "himself": "himself"},
            "f": {"he": "she", "his": "her", "him": "her", "himself": "herself"}}
NAME_ATTRS = {"first", "last", "LAST", "full", "CAPS", "nick", "first2"}
# In a referring form ("{his} uncle {first}") these are the referred person's; pronouns stay the child's.
SELF_ATTRS = NAME_ATTRS | {"title", "rel", "age"}
# Slots a template can only use when the child's story has the person or place in it.
CONDITIONAL = {"sibling", "carers", "home", "deceased"}
EXPERIENCER_WEIGHT = {"child": 5, "parent_carer": 4, "household_member": 1, "other": 1}
ASSESSMENTS = {"strategy_meeting", "yot_assessment", "cin_review", "cp_review", "lac_review"}


# --------------------------------------------------------------------------------------------
# Calendar arithmetic: the interval rules of annotations/README.md.

def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole calendar months, the day clamped to the month's length."""
    year, month = divmod(d.month - 1 + months, 12)
    year, month = d.year + year, month + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def birthday(dob: date, years: int) -> date:
    """The ``years``-th birthday (29 February birthdays fall on 1 March in common years)."""
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:
        return date(dob.year + years, 3, 1)


def age_on(dob: date, day: date) -> int:
    """Age in whole years on ``day``."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def age_interval(dob: date, years: int) -> tuple[date, date]:
    """"When he was 7": the 7th birthday to the day before the 8th."""
    return birthday(dob, years), birthday(dob, years + 1) - timedelta(days=1)


def reception_year(dob: date) -> int:
    """The calendar year whose September starts the child's Reception year."""
    return dob.year + 5 if dob.month >= 9 else dob.year + 4


def school_year_of(dob: date, day: date) -> int:
    """The year group (0 = Reception) the child is in on ``day``."""
    return (day.year if day.month >= 9 else day.year - 1) - reception_year(dob)


def school_year_interval(dob: date, year_group: int) -> tuple[date, date]:
    """"In Year 9": 1 September to 31 August of the school year the child is in Year 9."""
    start = reception_year(dob) + year_group
    return date(start, 9, 1), date(start + 1, 8, 31)


def season_interval(name: str, year: int) -> tuple[date, date]:
    """A meteorological season starting in ``year`` (winter runs December to February)."""
    first = SEASON_START[name]
    if name == "winter":
        return date(year, 12, 1), month_end(year + 1, 2)
    return date(year, first, 1), month_end(year, first + 2)


def season_of(day: date) -> tuple[str, date, date]:
    """The season ``day`` falls in, and its interval."""
    name = next(n for n, m in SEASON_START.items() if m <= day.month < m + 3 or (n == "winter" and day.month <= 2))
    return (name, *season_interval(name, day.year - 1 if day.month <= 2 else day.year))


def last_season(name: str, anchor: date) -> tuple[date, date]:
    """"Last summer": the latest season of that name completed before ``anchor``."""
    year = anchor.year
    while True:
        start, end = season_interval(name, year)
        if end < anchor:
            return start, end
        year -= 1


def easter_sunday(year: int) -> date:
    """Easter Sunday (Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_monday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7 + 7 * (n - 1))


def _last_monday(year: int, month: int) -> date:
    last = month_end(year, month)
    return last - timedelta(days=last.weekday())


def holidays(year: int) -> list[tuple[str, date, date]]:
    """School holidays that start in ``year``: Christmas 20 Dec-3 Jan, summer 20 Jul-31 Aug, Easter
    the fortnight around Easter Sunday (Monday before to Sunday after), and the Monday-Friday
    half-terms (third Monday of February, last Monday of May, last Monday of October)."""
    easter = easter_sunday(year)
    feb, may, october = _nth_monday(year, 2, 3), _last_monday(year, 5), _last_monday(year, 10)
    return [("christmas", date(year, 12, 20), date(year + 1, 1, 3)),
            ("summer", date(year, 7, 20), date(year, 8, 31)),
            ("easter", easter - timedelta(days=6), easter + timedelta(days=7)),
            ("February", feb, feb + timedelta(days=4)),
            ("May", may, may + timedelta(days=4)),
            ("October", october, october + timedelta(days=4))]


def latest_holidays(anchor: date) -> dict[str, tuple[date, date]]:
    """Each kind of holiday most recently over before ``anchor``; ``half-term`` is the latest of the three."""
    latest: dict[str, tuple[date, date]] = {}
    for year in (anchor.year - 2, anchor.year - 1, anchor.year):
        for kind, start, end in holidays(year):
            if end < anchor:
                latest[kind] = (start, end)
    latest["half-term"] = max((latest[k] for k in ("February", "May", "October")), key=lambda se: se[0])
    return latest


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _day_text(d: date, rng: random.Random) -> str:
    style = rng.randrange(7)
    if style == 0:
        return f"{d:%d/%m/%Y}"
    if style == 1:
        return f"{d.day}.{d.month}.{d:%y}"
    if style == 2:
        return f"{d:%d/%m/%y}"
    if style == 3:
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    if style == 4:
        return f"{_ordinal(d.day)} {MONTHS[d.month - 1]} {d.year}"
    if style == 5:
        return f"{d.day} {MONTH_ABBR[d.month - 1]} {d.year}"
    return f"{d:%d.%m.%Y}"


def _month_text(d: date, rng: random.Random) -> str:
    return f"{rng.choice((MONTHS, MONTH_ABBR))[d.month - 1]} {d.year}"


# A time form: (weight, words before the time expression, its text, start, end, precision).
TimeForm = tuple[int, str, str, date, date, str]


def explicit_forms(e: date, rng: random.Random, prose: bool = True) -> list[TimeForm]:
    """Calendar dates that need no anchor: a day, a month, a year, a season of a year
    ("the summer of 2019" only in ``prose``, not as a chronology line's leading date)."""
    month = (date(e.year, e.month, 1), month_end(e.year, e.month))
    forms: list[TimeForm] = [(3, "on ", _day_text(e, rng), e, e, "day"),
                             (3, "in ", _month_text(e, rng), *month, "month"),
                             (1, "in ", str(e.year), date(e.year, 1, 1), date(e.year, 12, 31), "year")]
    name, start, end = season_of(e)
    if name != "winter":
        text = f"the {name} of {e.year}" if prose and rng.random() < 0.5 else f"{name} {e.year}"
        forms.append((1, "in ", text, start, end, "season"))
    return forms


def point_forms(e: date, note_date: date, dob: date, he: str, rng: random.Random,
                recent_holidays: dict[str, tuple[date, date]], about_child: bool = True) -> list[TimeForm]:
    """Every way this note could date an event on ``e``, with the interval each one denotes.

    Ages and year groups are the child's, so they date only events told from the child's side
    (``about_child``), never a sibling's or a friend's.
    """
    n = note_date
    forms = explicit_forms(e, rng)
    ago = (n - e).days
    months_back = (n.year * 12 + n.month) - (e.year * 12 + e.month)
    if ago < 365 and not (e.month == 2 and e.day == 29):
        forms.append((1, "on ", f"{rng.choice((str(e.day), _ordinal(e.day)))} {MONTHS[e.month - 1]}", e, e, "day"))
    if 1 <= months_back <= 11:
        forms.append((2, "in ", MONTHS[e.month - 1], date(e.year, e.month, 1), month_end(e.year, e.month), "month"))
    if months_back == 1:
        forms.append((2, "", "last month", date(e.year, e.month, 1), month_end(e.year, e.month), "month"))
    name, start, end = season_of(e)
    if (start, end) == last_season(name, n):
        forms.append((3, "", f"last {name}", start, end, "season"))
    week = n - timedelta(days=n.weekday())
    for weeks, text in ((1, "last week"), (2, "two weeks ago"), (3, "three weeks ago")):
        start = week - timedelta(days=7 * weeks)
        if start <= e <= start + timedelta(days=6):
            forms.append((5 if weeks == 1 else 3, "", text, start, start + timedelta(days=6), "week"))
    if ago == 1:
        forms.append((5, "", "yesterday", e, e, "day"))
    elif 2 <= ago <= 4:
        forms.append((2, "", f"{NUMBER_WORDS[ago]} days ago", e, e, "day"))
    if 1 <= ago <= 6:
        forms.append((4, "on ", WEEKDAYS[e.weekday()], e, e, "day"))
    if e.year == n.year and n.month >= 3:
        forms.append((1, "", "earlier this year", date(n.year, 1, 1), n, "year"))
    if e.year == n.year - 1:
        forms.append((2, "", "last year", date(e.year, 1, 1), date(e.year, 12, 31), "year"))
    for months, word in ((3, "three"), (6, "six")):
        if e >= add_months(n, -months):
            forms.append((1, "", f"in the last {word} months", add_months(n, -months), n, "month"))
            break
    if ago > 365:
        years = age_on(dob, e)
        if years >= 2 and about_child:
            start, end = age_interval(dob, years)
            forms += [(3, "", f"when {he} was {years}", start, end, "age"),
                      (1, "", f"aged {years}", start, end, "age"),
                      (1, "at ", f"age {years}", start, end, "age")]
        if n.year - e.year >= 2:
            first = e.year - rng.randint(0, 2)
            last = min(e.year + rng.randint(1, 2), n.year - 1)
            if first >= dob.year:
                forms.append((1, "", f"between {first} and {last}", date(first, 1, 1), date(last, 12, 31), "year"))
    if ago > 120 and about_child:
        group = school_year_of(dob, e)
        if 0 <= group <= 13:
            forms.append((2, "in ", "Reception" if group == 0 else f"Year {group}",
                          *school_year_interval(dob, group), "school_year"))
    for kind, (start, end) in recent_holidays.items():
        if start <= e <= end:
            if kind == "christmas":
                forms.append((4, "over ", "the Christmas holidays", start, end, "school_term"))
            elif kind == "summer":
                forms.append((4, "over ", "the summer holidays", start, end, "school_term"))
            elif kind == "easter":
                forms.append((4, "during ", "the Easter holidays", start, end, "school_term"))
            elif kind == "half-term":
                forms.append((4, "at ", "half-term", start, end, "school_term"))
            else:
                forms.append((2, "during ", f"the {kind} half-term", start, end, "school_term"))
    return forms


def since_forms(e: date, note_date: date, dob: date, he: str, rng: random.Random,
                about_child: bool = True) -> list[TimeForm]:
    """"Since X" for a state that began on ``e``: from the start of X to the note date."""
    n = note_date
    month_start = date(e.year, e.month, 1)
    forms: list[TimeForm] = [(3, "", f"since {_month_text(e, rng)}", month_start, n, "month"),
                             (1, "", f"since {_day_text(e, rng)}", e, n, "day"),
                             (2, "", f"since {e.year}", date(e.year, 1, 1), n, "year")]
    if 1 <= (n.year * 12 + n.month) - (e.year * 12 + e.month) <= 11:
        forms.append((2, "", f"since {MONTHS[e.month - 1]}", month_start, n, "month"))
    name, start, end = season_of(e)
    if (start, end) == last_season(name, n):
        forms.append((2, "", f"since the {name}", start, n, "season"))
    if not about_child:
        return forms
    years = age_on(dob, e)
    if years >= 2:
        forms.append((1, "", f"since {he} was {years}", birthday(dob, years), n, "age"))
    group = school_year_of(dob, e)
    if 1 <= group <= 13:
        forms.append((1, "", f"since Year {group}", school_year_interval(dob, group)[0], n, "school_year"))
    return forms


# --------------------------------------------------------------------------------------------
# The phrase book: synth_phrases.yaml, loaded once and compiled.

_TOKEN = re.compile(r"\{([A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_0-9]+)?)\}|(\[)|(\])")
LIT, SLOT, OPEN, CLOSE = range(4)


@dataclass(frozen=True)
class Template:
    """A compiled phrase: literal text, slots, and the evidence span markers.

    ``needs`` are the conditional people and places it uses, ``kind`` how it can be dated
    (``point``, ``since`` or not at all), ``ages`` the ages it suits (``school``: the child old
    enough to talk and go to school, ``school_who``: the same of whoever the mention is about,
    ``baby``: a baby, ``None``: any), ``also`` further labels on the same evidence span.
    """

    tokens: tuple[tuple[int, str], ...]
    needs: frozenset[str]
    kind: str | None
    ages: str | None = None
    also: tuple[tuple[str, str], ...] = ()

    @classmethod
    def compile(cls, source: str, *, mention: bool = False, gates: dict[str, re.Pattern] | None = None,
                also: tuple[tuple[str, str], ...] = ()) -> "Template":
        """Parse ``source``; a ``mention`` without ``[...]`` has the whole phrase as its evidence."""
        tokens: list[tuple[int, str]] = []
        pos = 0
        for match in _TOKEN.finditer(source):
            if match.start() > pos:
                tokens.append((LIT, source[pos:match.start()]))
            tokens.append((SLOT, match.group(1)) if match.group(1) else (OPEN if match.group(2) else CLOSE, ""))
            pos = match.end()
        if pos < len(source):
            tokens.append((LIT, source[pos:]))
        if mention and not any(kind == OPEN for kind, _ in tokens):
            tokens = [(OPEN, ""), *tokens, (CLOSE, "")]
        slots = {value for kind, value in tokens if kind == SLOT}
        kind = "point" if slots & {"when", "When"} else "since" if "since" in slots else None
        ages = None
        for name, pattern in (gates or {}).items():
            if match := pattern.search(source):
                ages = "school_who" if name == "school" and "{who" in match.group(0) else name
                break
        return cls(tuple(tokens), frozenset(s.split(".")[0] for s in slots) & CONDITIONAL, kind, ages, also)


@dataclass
class PhraseBook:
    """The generator's data: places, people, storylines, note frames and code phrasings."""

    raw: dict
    codes: dict[str, dict[str, dict[str, list[Template]]]]
    refer: dict[str, list[Template]]
    headers: dict[str, list[Template]]
    footers: dict[str, list[Template]]
    fillers: dict[str, list[Template]]
    chronology_fillers: list[Template]
    sections: dict[str, list[str]]

    def who_roles(self, code: str, experiencer: str) -> list[str]:
        """The roles whose experience a mention of ``code`` for ``experiencer`` can be about."""
        return self.raw["who"].get(code, {}).get(experiencer) or self.raw["who"]["default"].get(experiencer, ["child"])


def _phrase(item, gates: dict[str, re.Pattern]) -> Template:
    if isinstance(item, dict):
        also = tuple(tuple(label.split()) for label in item.get("also", ()))
        return Template.compile(item["t"], mention=True, gates=gates, also=also)
    return Template.compile(item, mention=True, gates=gates)


@lru_cache(maxsize=1)
def phrase_book() -> PhraseBook:
    """The packaged ``synth_phrases.yaml``, compiled (cached)."""
    text = resources.files("narrative.annotations").joinpath("synth_phrases.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    gates = {"baby": re.compile(raw["baby_pattern"]), "school": re.compile(raw["school_age_pattern"])}
    codes = {code: {assertion: {exp: [_phrase(t, gates) for t in items] for exp, items in by_exp.items()}
                    for assertion, by_exp in body.items()}
             for code, body in raw["codes"].items()}

    def compiled(group: dict, with_gates: bool = True) -> dict[str, list[Template]]:
        return {key: [Template.compile(t, gates=gates if with_gates else None) for t in items]
                for key, items in group.items()}

    return PhraseBook(raw, codes, compiled(raw["refer"], False), compiled(raw["headers"]), compiled(raw["footers"]),
                      compiled(raw["fillers"]), [Template.compile(t, gates=gates) for t in raw["chronology_fillers"]],
                      raw["sections"])


# --------------------------------------------------------------------------------------------
# People, the child, and the life history.

@dataclass
class Person:
    """Someone in the child's story."""

    role: str
    first: str
    last: str
    sex: str
    dob: date
    rel: str = ""
    nick: str = ""
    first2: str = ""
    title: str = ""
    prison: str = ""

    @property
    def full(self) -> str:
        """First name and surname."""
        return f"{self.first} {self.last}"


@dataclass
class Event:
    """One adverse experience in the child's life history."""

    code: str
    experiencer: str
    day: date
    who: Person
    bind: dict[str, Person]


@dataclass
class Child:
    """A synthetic child: identity, family, professionals, places, numbers and life history."""

    case_id: str
    split: str
    me: Person
    middle: str | None
    people: dict[str, Person]
    siblings: list[Person]
    pros: dict[str, Person]
    town: dict
    street: str
    house: int
    postcode: str
    places: dict[str, str]
    numbers: dict[str, str]
    placement: str
    window: tuple[date, date]
    extra_people: list[Person] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @property
    def address(self) -> str:
        """House number and street."""
        return f"{self.house} {self.street}"

    def case(self) -> Case:
        """What the case-management system would hold about this child (the cases file record)."""
        people = [*self.people.values(), *self.siblings, *self.extra_people]
        known = []
        for p in people:
            known.append(p.full)
            if p.first2:
                known.append(f"{p.first2} {p.last}")
        return Case(case_id=self.case_id, dob=self.me.dob,
                    given_names=[self.me.first, *([self.middle] if self.middle else [])],
                    family_name=self.me.last, address=f"{self.address}, {self.town['name']}, {self.postcode}",
                    known_people=list(dict.fromkeys(known)))


def split_of(case_id: str) -> str:
    """The fixed split of a case: 80/10/10 by a hash of its id, so no child is in two splits."""
    bucket = int(hashlib.sha256(case_id.encode()).hexdigest()[:8], 16) % 10
    return "train" if bucket < 8 else "dev" if bucket == 8 else "test"


def nhs_number(rng: random.Random) -> str:
    """A ten-digit NHS number valid by the mod-11 check digit, spaced 3-3-4."""
    while True:
        digits = [rng.randint(4, 7)] + [rng.randint(0, 9) for _ in range(8)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
        if check == 10:
            continue
        s = "".join(map(str, digits)) + str(0 if check == 11 else check)
        return f"{s[:3]} {s[3:6]} {s[6:]}"


def upn(rng: random.Random, admitted: int) -> str:
    """A Unique Pupil Number: check letter, LA code, school number, year of admission, serial."""
    body = f"{rng.randint(201, 938)}{rng.randint(2000, 7999)}{admitted % 100:02d}{rng.randint(0, 999):03d}"
    return UPN_CHECK[sum(int(c) * w for c, w in zip(body, range(2, 14))) % 23] + body


def _digits(pattern: str, rng: random.Random) -> str:
    return "".join(str(rng.randint(0, 9)) if c == "#" else c for c in pattern)


class _Family:
    """Draws the people and places of one child from Faker ``en_GB`` and the phrase book."""

    def __init__(self, fake: Faker, rng: random.Random, book: PhraseBook):
        self.fake, self.rng, self.book = fake, rng, book
        self.used: set[str] = set()

    def first(self, sex: str) -> str:
        """A first name nobody else in this child's story has."""
        draw = self.fake.first_name_male if sex == "m" else self.fake.first_name_female
        name = draw()
        for _ in range(20):
            if name not in self.used:
                break
            name = draw()
        self.used.add(name)
        return name

    def person(self, role: str, sex: str, dob: date, last: str | None = None, **kw) -> Person:
        return Person(role, self.first(sex), last or self.fake.last_name(), sex, dob, **kw)

    def adult(self, role: str, sex: str, around: date, last: str | None = None, **kw) -> Person:
        return self.person(role, sex, around - timedelta(days=self.rng.randint(18 * 365, 40 * 365)), last, **kw)

    def prison(self, person: Person, on: date) -> str:
        kind = "female" if person.sex == "f" else "young" if age_on(person.dob, on) < 21 else "male"
        return self.rng.choice(self.book.raw["prisons"][kind])

    def professional(self) -> Person:
        sex = self.rng.choice("mf")
        title = "Mr" if sex == "m" else self.rng.choice(("Mrs", "Ms", "Miss"))
        return self.person("professional", sex, date(1980, 1, 1), title=title)

    def place(self, pattern: str) -> str:
        word = self.rng.choice(self.book.raw["place_words"]) if self.rng.random() < 0.6 else self.fake.last_name()
        return pattern.format(word=word, saint=self.rng.choice(self.book.raw["saints"]))


def _new_child(index: int, seed: int, fake: Faker, book: PhraseBook, start_year: int,
               end_year: int) -> tuple[Child, random.Random]:
    """Child number ``index``: identity, family, places and life history, and its own random stream."""
    child_seed = int(hashlib.sha256(f"narrative-synth:{seed}:{index}".encode()).hexdigest()[:16], 16)
    rng = random.Random(child_seed)
    fake.seed_instance(child_seed)
    fam = _Family(fake, rng, book)
    raw = book.raw

    first_day, last_day = date(start_year, 1, 1), date(end_year, 12, 31)
    span = min(rng.randint(120, 1500), (last_day - first_day).days - 60)
    window_start = first_day + timedelta(days=rng.randint(0, (last_day - first_day).days - span))
    window = (window_start, window_start + timedelta(days=span))
    dob = window_start - timedelta(days=rng.randint(30, 18 * 365 - span - 30))
    if (dob.month, dob.day) == (2, 29):
        dob -= timedelta(days=1)
    sex = rng.choice("mf")
    family_name = fake.last_name()
    me = fam.person("child", sex, dob, family_name)
    middle = fam.first(sex) if rng.random() < 0.4 else None

    mum_last = family_name if rng.random() < 0.75 else fake.last_name()
    dad_last = family_name if mum_last != family_name or rng.random() < 0.6 else fake.last_name()
    mum = fam.adult("mum", "f", dob, mum_last, rel="mum")
    dad = fam.adult("dad", "m", dob, dad_last, rel="dad")
    people = {"mum": mum, "dad": dad}
    if rng.random() < 0.45:
        people["partner"] = fam.adult("partner", "m", window_start, rel="mum's partner")
    people["nan"] = fam.person("nan", "f", mum.dob - timedelta(days=rng.randint(17 * 365, 30 * 365)),
                               mum_last if rng.random() < 0.5 else None, rel="nan")
    people["uncle"] = fam.adult("uncle", "m", dob, mum_last, rel="uncle")
    friend_sex = sex if rng.random() < 0.8 else ("f" if sex == "m" else "m")
    people["friend"] = fam.person("friend", friend_sex, dob + timedelta(days=rng.randint(-400, 400)), rel="friend")
    people["exploiter"] = fam.person("exploiter", "m", window_start - timedelta(days=rng.randint(19 * 365, 30 * 365)),
                                     nick=rng.choice(raw["nicknames"]))
    siblings = []
    for _ in range(rng.choices((0, 1, 2, 3), (2, 4, 3, 1))[0]):
        sib_sex = rng.choice("mf")
        gap = rng.choice((-1, 1)) * rng.randint(300, 8 * 365)
        sib_dob = dob + timedelta(days=gap)
        if sib_dob > window_start or sib_dob < mum.dob + timedelta(days=16 * 365) \
                or any(abs((s.dob - sib_dob).days) < 300 for s in siblings):
            continue
        if (sib_dob.month, sib_dob.day) == (2, 29):
            sib_dob -= timedelta(days=1)
        half = "partner" in people and gap > 0 and rng.random() < 0.5
        older = gap < 0
        word = "brother" if sib_sex == "m" else "sister"
        rel = (rng.choice(("older", "big")) if older else rng.choice(("younger", "little"))) + f" {word}"
        last = people["partner"].last if half else family_name
        siblings.append(fam.person("sibling", sib_sex, sib_dob, last, rel=rel))
    siblings.sort(key=lambda s: s.dob)

    for person in (mum, dad, people.get("partner"), people["uncle"], *siblings):
        if person is not None:
            person.prison = fam.prison(person, window[1])

    placement = "residential" if age_on(dob, window[1]) >= 12 and rng.random() < 0.5 else "foster"
    if placement == "foster":
        carer_last = fake.last_name()
        people["carers"] = Person("carers", fam.first("f"), carer_last, "f", dob - timedelta(days=45 * 365),
                                  first2=fam.first("m"))
    pros = {key: fam.professional() for key in ("sw", "tm", "iro", "chair", "dsl", "pc", "ds", "yot", "rhi",
                                                  "hv", "nurse", "gpdoc")}
    pros["gpdoc"].title = "Dr"

    town = rng.choice(raw["towns"])
    street_word = rng.choice(raw["street_words"]) if rng.random() < 0.7 else fake.last_name()
    street = f"{street_word} {rng.choice(raw['street_types'])}"
    postcode = (f"{town['postcode']}{rng.randint(*town['districts'])} "
                f"{rng.randint(1, 9)}{rng.choice(POSTCODE_UNIT)}{rng.choice(POSTCODE_UNIT)}")
    places = {
        "nursery": fam.place(rng.choice(("{word} Day Nursery", "Little {word} Nursery",
                                         "{word} Children's Centre Nursery"))),
        "primary": fam.place(rng.choice(("{word} Primary School", "St {saint}'s C of E Primary School",
                                         "{word} Junior and Infant School", "St {saint}'s RC Primary School"))),
        "secondary": fam.place(rng.choice(("{word} Academy", "{word} High School", "{word} School",
                                           "{word} Community College", "St {saint}'s Catholic High School"))),
        "college": f"{town['name']} College",
        "gp": fam.place(rng.choice(("{word} Medical Centre", "{word} Surgery", "{word} Health Centre",
                                    "The {word} Practice"))),
        "home": fam.place(rng.choice(("{word} House", "{word} Lodge", "{word} View"))),
    }
    dsl = pros["dsl"]
    numbers = {
        "nhs": nhs_number(rng), "upn": upn(rng, reception_year(dob)),
        "phone": _digits(raw["mobile"], rng), "child_phone": _digits(raw["mobile"], rng),
        "sw_phone": _digits(raw["mobile"], rng), "rhi_phone": _digits(raw["mobile"], rng),
        "school_phone": _digits(town["phone"], rng),
        "dsl_email": re.sub(r"[^a-z.]", "", f"{dsl.first}.{dsl.last}".lower()) + "@example.org",
    }
    case_id = f"S{index:05d}"
    child = Child(case_id, split_of(case_id), me, middle, people, siblings, pros, town, street, rng.randint(1, 140),
                  postcode, places, numbers, placement, window)
    child.events = _life_history(child, fam, rng, book)
    return child, rng


def _eligible(person: Person, code: str, day: date, book: PhraseBook) -> bool:
    """Whether ``person`` is born and old enough on ``day`` to experience ``code``."""
    if person.dob > day:
        return False
    years = age_on(person.dob, day)
    return years >= book.raw["min_age"].get(code, 0) and years <= book.raw["max_age"].get(code, 200)


def _experiencer(role: str) -> str:
    """The experiencer of a storyline step's ``who`` role."""
    roles = {"child": "child", "sibling": "household_member", "friend": "other", "uncle": "other"}
    return roles.get(role, "parent_carer")


def _life_history(child: Child, fam: _Family, rng: random.Random, book: PhraseBook) -> list[Event]:
    """One to four storylines of dated events, each respecting the ages of the people in it."""
    dob, (window_start, window_end) = child.me.dob, child.window
    lines = book.raw["storylines"]
    spans = {}
    for name, line in lines.items():
        low = birthday(dob, line["age"][0]) + timedelta(days=1)
        high = min(birthday(dob, line["age"][1] + 1) - timedelta(days=1), window_end - timedelta(days=30))
        if low <= high:
            spans[name] = (low, high)
    chosen: list[str] = []
    for _ in range(min(len(spans), rng.choices((1, 2, 3, 4), (2, 4, 3, 1))[0])):
        left = [n for n in spans if n not in chosen]
        chosen.append(rng.choices(left, [lines[n]["weight"] for n in left])[0])
    events: list[Event] = []
    for name in chosen:
        line = lines[name]
        low, high = spans[name]
        if rng.random() < 0.6 and window_start - timedelta(days=400) <= high:
            low = max(low, window_start - timedelta(days=400))
        day = low + timedelta(days=rng.randint(0, (high - low).days))
        man = child.people["partner"] if "partner" in child.people and rng.random() < 0.5 else child.people["dad"]
        bind = {"man": man, "parent": child.people["mum"] if rng.random() < 0.7 else child.people["dad"]}
        first = True
        for step in line["steps"]:
            if rng.random() > step.get("p", 1):
                continue
            for _ in range(rng.randint(*step.get("repeat", (1, 1)))):
                if not first:
                    low_gap, high_gap = step.get("gap", (0, 0))
                    day += timedelta(days=rng.randint(low_gap * 30, high_gap * 30 + 14))
                first = False
                who = _step_person(step["who"], child, bind, step["code"], day, book)
                if who is None:
                    break
                if not _eligible(who, step["code"], day, book):
                    day = max(day, birthday(who.dob, book.raw["min_age"].get(step["code"], 0))
                              + timedelta(days=rng.randint(0, 120)))
                    if not _eligible(who, step["code"], day, book):
                        break
                if day >= window_end:
                    break
                extra = dict(bind)
                if "deceased" in step:
                    extra["deceased"] = _deceased(rng.choice(step["deceased"]), child, fam, day)
                events.append(Event(step["code"], _experiencer(step["who"]), day, who, extra))
            if day >= window_end:
                break
    events.sort(key=lambda e: e.day)
    return events


def _step_person(role: str, child: Child, bind: dict[str, Person], code: str, day: date,
                 book: PhraseBook) -> Person | None:
    if role == "child":
        return child.me
    if role in ("man", "parent"):
        return bind[role]
    if role == "sibling":
        if "sibling" in bind and _eligible(bind["sibling"], code, day, book):
            return bind["sibling"]
        ready = [s for s in child.siblings if _eligible(s, code, day, book)]
        if not ready:
            return None
        bind["sibling"] = ready[-1]
        return ready[-1]
    return child.people[role]


def _deceased(rel: str, child: Child, fam: _Family, day: date) -> Person:
    sex = {"grandad": "m", "great-nan": "f", "uncle": "m"}.get(rel) or fam.rng.choice("mf")
    if rel == "friend":
        born = child.me.dob + timedelta(days=fam.rng.randint(-300, 300))
    else:
        low, high = (15, 25) if rel == "cousin" else (30, 85)
        born = day - timedelta(days=fam.rng.randint(low * 365, high * 365))
    person = fam.person("deceased", sex, born, rel=rel)
    child.extra_people.append(person)
    return person


# --------------------------------------------------------------------------------------------
# Writing one note.

class _Para:
    """A paragraph under construction: its text and the spans labelled in it."""

    __slots__ = ("parts", "pos", "tail", "identifiers", "timexes", "mentions", "words")

    def __init__(self):
        self.parts: list[str] = []
        self.pos = 0
        self.tail = ""
        self.identifiers: list[dict] = []
        self.timexes: list[dict] = []
        self.mentions: list[dict] = []
        self.words = 0

    def emit(self, text: str, label: str | None = None) -> None:
        if not text:
            return
        if self.pos == 0 or self.tail.endswith("\n") or self.tail in (". ", ": "):
            text = text[0].upper() + text[1:]
        start = self.pos
        self.parts.append(text)
        self.pos += len(text)
        self.tail = (self.tail + text)[-2:]
        self.words += text.count(" ") + text.count("\n")
        if label:
            self.identifiers.append({"start": start, "end": self.pos, "label": label})

    def timex(self, text: str, start: date, end: date, precision: str) -> dict:
        begin = self.pos
        self.emit(text)
        span = {"start": begin, "end": self.pos, "value_start": start.isoformat(),
                "value_end": end.isoformat(), "precision": precision}
        self.timexes.append(span)
        return span

    @property
    def text(self) -> str:
        return "".join(self.parts)


class _Writer:
    """Renders the notes of one child: slots, referring expressions, time expressions, mentions."""

    def __init__(self, child: Child, rng: random.Random, book: PhraseBook):
        self.child, self.rng, self.book = child, rng, book
        self.note_date = child.window[0]
        self.bind: dict[str, Person] = {}
        self.form: TimeForm | None = None
        self.dated_by: dict | None = None
        self.event_day: date | None = None
        self.recent_holidays: dict[str, tuple[date, date]] = {}

    # ---- slots
    def render(self, para: _Para, tpl: Template, *, self_person: Person | None = None) -> tuple[int, int]:
        """Write ``tpl`` into ``para``; return the evidence span (start, end)."""
        span = [para.pos, para.pos]
        for kind, value in tpl.tokens:
            if kind == LIT:
                para.emit(value)
            elif kind == SLOT:
                if self_person is not None and value in SELF_ATTRS:
                    self._attr(para, self_person, value)
                else:
                    self._slot(para, value)
            else:
                span[kind == CLOSE] = para.pos
        return span[0], span[1]

    def person(self, key: str) -> Person | None:
        if key in self.bind:
            return self.bind[key]
        if key == "child":
            return self.child.me
        if key == "man":
            return self.child.people.get("partner", self.child.people["dad"])
        if key == "parent":
            return self.child.people["mum"]
        if key == "sibling":
            return self.rng.choice(self._siblings())
        return self.child.people.get(key) or self.child.pros.get(key)

    def _siblings(self) -> list[Person]:
        return [s for s in self.child.siblings if s.dob < self.note_date]

    def _attr(self, para: _Para, person: Person, attr: str) -> None:
        if attr in PRONOUNS["m"]:
            para.emit(PRONOUNS[person.sex][attr])
        elif attr == "rel":
            para.emit(person.rel)
        elif attr == "age":
            para.emit(str(age_on(person.dob, self.note_date)))
        elif attr == "title":
            para.emit(f"{person.title} ")
            para.emit(person.last, "PERSON")
        else:
            value = {"first": person.first, "last": person.last, "LAST": person.last.upper(), "full": person.full,
                     "CAPS": f"{person.first} {person.last.upper()}", "nick": person.nick,
                     "first2": person.first2}[attr]
            para.emit(value, "PERSON")

    def _refer(self, para: _Para, person: Person) -> None:
        if person.role == "child":
            para.emit(person.first, "PERSON")
            return
        self.render(para, self.rng.choice(self.book.refer[person.role]), self_person=person)

    def _slot(self, para: _Para, name: str) -> None:
        child, rng = self.child, self.rng
        if name in PRONOUNS["m"]:
            para.emit(PRONOUNS[child.me.sex][name])
        elif name in ("when", "When", "since"):
            self._time_slot(para, name)
        elif "." in name:
            key, attr = name.split(".", 1)
            self._attr(para, self.person(key), attr)
        elif name in child.numbers:
            para.emit(child.numbers[name], "EMAIL_ADDRESS" if name.endswith("email") else
                      "NHS_NUMBER" if name == "nhs" else "UPN" if name == "upn" else "PHONE_NUMBER")
        elif name == "school":
            self._school(para)
        elif name == "prison":
            para.emit("HMYOI " if self.person("who").prison in self.book.raw["prisons"]["young"] else "HMP ")
            para.emit(self.person("who").prison, "LOCATION")
        elif name == "town":
            para.emit(child.town["name"], "LOCATION")
        elif name == "elsewhere":
            others = [t["name"] for t in self.book.raw["towns"] if t is not child.town]
            para.emit(rng.choice(others), "LOCATION")
        elif name == "area":
            para.emit(rng.choice(child.town["areas"]), "LOCATION")
        elif name in ("address", "street", "postcode", "dob", "gp", "home", "nursery"):
            value, label = {"address": (child.address, "ADDRESS"), "street": (child.street, "ADDRESS"),
                            "postcode": (child.postcode, "POSTCODE"),
                            "dob": (f"{child.me.dob:%d/%m/%Y}", "DATE_OF_BIRTH"),
                            "gp": (child.places["gp"], "GP_SURGERY"), "home": (child.places["home"], "CHILDRENS_HOME"),
                            "nursery": (child.places["nursery"], "NURSERY")}[name]
            para.emit(value, label)
        elif name in ("police_log", "crime_ref"):
            para.emit(f"{rng.randint(1, 9999):04d}-{self.note_date - timedelta(days=1):%d%m%Y}" if name == "police_log"
                      else f"{rng.randint(10, 99)}/{rng.randint(10000, 99999)}/{self.note_date:%y}", "POLICE_REFERENCE")
        elif name == "collar":
            para.emit(str(rng.randint(1000, 9999)))
        elif name == "age":
            para.emit(str(age_on(child.me.dob, self.note_date)))
        elif name in ("note_day", "next_date", "fdate", "fday", "year_group"):
            self._note_time(para, name)
        else:
            self._refer(para, self.person(name))

    def _school(self, para: _Para) -> None:
        day = self.event_day or self.note_date
        group = school_year_of(self.child.me.dob, day)
        if group < 0:
            para.emit(self.child.places["nursery"], "NURSERY")
        else:
            stage = "primary" if group <= 6 else "secondary" if group <= 11 else "college"
            para.emit(self.child.places[stage], "SCHOOL")

    def _time_slot(self, para: _Para, name: str) -> None:
        if self.form is None:
            return
        _, prefix, text, start, end, precision = self.form
        if name == "When":
            para.emit(prefix)
            self.dated_by = para.timex(text, start, end, precision)
            para.emit(", ")
        else:
            para.emit(f" {prefix}")
            self.dated_by = para.timex(text, start, end, precision)

    def _note_time(self, para: _Para, name: str) -> None:
        n, rng = self.note_date, self.rng
        if name == "year_group":
            group = school_year_of(self.child.me.dob, n)
            para.timex("Reception" if group == 0 else f"Year {group}",
                       *school_year_interval(self.child.me.dob, group), "school_year")
        elif name == "fday":
            day = n - timedelta(days=rng.randint(1, 6))
            para.timex(WEEKDAYS[day.weekday()], day, day, "day")
        else:
            day = {"note_day": n, "next_date": n + timedelta(days=rng.randint(7, 42)),
                   "fdate": n - timedelta(days=rng.randint(2, 30))}[name]
            para.timex(f"{day:%d/%m/%Y}" if name != "fdate" or rng.random() < 0.5
                       else f"{day.day} {MONTHS[day.month - 1]}", day, day, "day")

    # ---- availability and people for a mention
    def available(self, tpl: Template) -> bool:
        """Whether this child's story has everything ``tpl`` needs, and the child is old enough for it."""
        if tpl.ages in ("school", "school_who"):
            person = self.bind.get("who", self.child.me) if tpl.ages == "school_who" else self.child.me
            if age_on(person.dob, self.note_date) < self.book.raw["school_age"]:
                return False
        elif tpl.ages == "baby" and age_on(self.child.me.dob, self.note_date) >= self.book.raw["baby_until"]:
            return False
        for need in tpl.needs:
            if need == "sibling" and "sibling" not in self.bind and not self._siblings():
                return False
            if need == "carers" and self.child.placement != "foster":
                return False
            if need == "home" and self.child.placement != "residential":
                return False
            if need == "deceased" and "deceased" not in self.bind:
                return False
        return True

    def who_for(self, code: str, experiencer: str) -> Person | None:
        """Someone the note could say has (or has not) experienced ``code``, old enough for it."""
        people: list[Person] = []
        for role in self.book.who_roles(code, experiencer):
            if role == "sibling":
                people += self._siblings()
            elif role == "man":
                people.append(self.person("man"))
            else:
                people.append(self.person(role))
        ready = [p for p in people if _eligible(p, code, self.note_date, self.book)]
        return self.rng.choice(ready) if ready else None

    def mention(self, para: _Para, code: str, assertion: str, experiencer: str, who: Person,
                bind: dict[str, Person], day: date | None = None) -> bool:
        """Write one sentence mentioning ``code``; dated when ``day`` is given and a phrasing allows it."""
        self.bind = {"who": who, **bind}
        if experiencer == "household_member":
            self.bind.setdefault("sibling", who)
        options = [t for t in self.book.codes[code][assertion].get(experiencer, ()) if self.available(t)]
        if not options:
            return False
        self.form = None
        if day is not None:
            dob, he = self.child.me.dob, PRONOUNS[self.child.me.sex]["he"]
            about_child = experiencer in ("child", "parent_carer")
            forms = {"point": point_forms(day, self.note_date, dob, he, self.rng, self.recent_holidays, about_child),
                     "since": since_forms(day, self.note_date, dob, he, self.rng, about_child)}
            dated = [t for t in options if t.kind]
            if dated:
                tpl = self.rng.choice(dated)
                choices = forms[tpl.kind]
                self.form = self.rng.choices(choices, [f[0] for f in choices])[0]
            else:
                tpl = self.rng.choice(options)
        else:
            tpl = self.rng.choice(options)
        self.dated_by, self.event_day = None, day
        start, end = self.render(para, tpl)
        for label_code, label_exp in ((code, experiencer), *tpl.also):
            para.mentions.append({"start": start, "end": end, "code": label_code, "experiencer": label_exp,
                                  "assertion": assertion, "date": self.dated_by})
        para.emit(". ")
        self.bind, self.form, self.event_day = {}, None, None
        return True

    def filler(self, para: _Para, tpl: Template) -> None:
        """Write one sentence of ordinary content (no code)."""
        self.render(para, tpl)
        para.emit(" ")


def _possible_rate(book: PhraseBook, code: str) -> float:
    rates = book.raw["possible_rate"]
    return rates.get(code, rates["default"])


class _NoteMaker:
    """Schedules and composes all the notes of one child."""

    def __init__(self, child: Child, rng: random.Random, book: PhraseBook, target_words: int | None):
        self.child, self.rng, self.book, self.target = child, rng, book, target_words
        self.writer = _Writer(child, rng, book)
        self.used: set[tuple[str, str]] = set()

    def schedule(self, count: int) -> list[tuple[date, str, Event | None]]:
        """Note dates and types: some prompted by events (a police notification the day after a
        DV call-out), the rest routine visits and reviews across the case window."""
        rng, child, types = self.rng, self.child, self.book.raw["note_types"]
        start, end = child.window
        prompts = [e for e in child.events if start <= e.day <= end - timedelta(days=45)]
        plan: list[tuple[date, str, Event | None]] = []
        for event in rng.sample(prompts, min(len(prompts), (count * 2 + 2) // 3)):
            options = [t for t, spec in types.items()
                       if event.code in spec.get("triggers", ()) and self._allowed(t, event.day)]
            kind = rng.choice(options) if options else rng.choice(("home_visit", "strategy_meeting"))
            plan.append((event.day + timedelta(days=rng.randint(*types[kind]["lag"])), kind, event))
        chronology_done = False
        while len(plan) < count:
            day = start + timedelta(days=rng.randint(0, (end - start).days))
            options = [t for t in types if self._allowed(t, day) and not (t == "chronology" and chronology_done)]
            kind = rng.choices(options, [types[t]["weight"] for t in options])[0]
            chronology_done |= kind == "chronology"
            plan.append((day, kind, None))
        plan.sort(key=lambda p: p[0])
        dated: list[tuple[date, str, Event | None]] = []
        for day, kind, event in plan:
            if dated and day <= dated[-1][0]:
                day = dated[-1][0] + timedelta(days=1)
            dated.append((day, kind, event))
        return dated

    def _allowed(self, kind: str, day: date) -> bool:
        spec, years = self.book.raw["note_types"][kind], age_on(self.child.me.dob, day)
        if not spec.get("min_age", 0) <= years <= spec.get("max_age", 17):
            return False
        if spec.get("needs_care") and not any(e.code == "care_placement" and e.experiencer == "child" and e.day < day
                                              for e in self.child.events):
            return False
        return not spec.get("history") or sum(e.day < day for e in self.child.events) >= 3

    def notes(self, count: int) -> list[LabelledNote]:
        """The child's notes in date order."""
        out, previous = [], None
        for k, (day, kind, prompt) in enumerate(self.schedule(count), start=1):
            since = previous or day - timedelta(days=90)
            new = [e for e in self.child.events if since < e.day < day]
            if prompt is not None and all(e is not prompt for e in new):
                new.append(prompt)
            old = [e for e in self.child.events if e.day <= since and e is not prompt]
            out.append(self.note(f"{self.child.case_id}-N{k:02d}", day, kind, new, old))
            previous = day
        return out

    # ---- composing one note
    def note(self, note_id: str, day: date, kind: str, new: list[Event], old: list[Event]) -> LabelledNote:
        """Compose one note of type ``kind`` on ``day`` telling ``new`` (and some of ``old``) events."""
        w, book = self.writer, self.book
        w.note_date, w.recent_holidays = day, latest_holidays(day)
        self.used = set()
        header, footer = _Para(), _Para()
        w.render(header, self._pick(book.headers[kind]))
        w.render(footer, self._pick(book.footers[kind]))
        if kind == "chronology":
            body = [self._chronology(new, old, header.words + footer.words)]
        else:
            body = self._body(kind, new, old, header.words + footer.words)
        paras = [header, *body, footer]
        return self._assemble(note_id, day, kind, [p for p in paras if p.parts])

    def _pick(self, templates: list[Template]) -> Template:
        return self.rng.choice([t for t in templates if self.writer.available(t)])

    def _body(self, kind: str, new: list[Event], old: list[Event], fixed_words: int) -> list[_Para]:
        """History, current events with fillers, and analysis (denials, risks, concerns); with a
        word target, about one mention per 35 words and fillers up to the target."""
        rng, w, target = self.rng, self.writer, self.target
        n_history = rng.randint(1, 3) if kind in ASSESSMENTS else rng.choice((0, 1, 1))
        analysis_n = rng.choice((0, 1, 1, 2))
        if target is None:
            current = new[-4:]
        else:
            want = max(1, target // 35)
            current = new[-want:]
            n_history = max(0, want - len(current) - analysis_n)
        history = sorted(rng.sample(old, min(len(old), n_history)), key=lambda e: e.day)
        if target is not None:
            analysis_n = max(0, want - len(current) - len(history))

        history_para, analysis_para, current_para = _Para(), _Para(), _Para()
        if history:
            self._section(history_para, "history")
            for event in history:
                self._tell(history_para, event, dated_p=0.8)
        if analysis_n:
            self._section(analysis_para, "analysis")
            self._analysis(analysis_para, analysis_n)
        fillers = self._fillers(kind)
        fixed = fixed_words + history_para.words + analysis_para.words
        if current:
            self._section(current_para, "current")
        for event in current:
            self._tell(current_para, event, dated_p=0.85)
            room = target is not None and fixed + current_para.words < target - 20
            if room or (target is None and rng.random() < 0.5):
                self._filler(current_para, fillers)
        if target is None:
            for _ in range(rng.randint(0 if current else 1, 3)):
                self._filler(current_para, fillers)
        else:
            while fixed + current_para.words + 5 < target:
                tpl = next(fillers, None)
                if tpl is not None:
                    w.filler(current_para, tpl)
                elif not self._analysis(current_para, 1):
                    fillers = self._fillers(kind)  # every filler and mention used: start the fillers again
        order = [history_para, current_para] if kind in ASSESSMENTS else [current_para, history_para]
        return [*order, analysis_para]

    def _section(self, para: _Para, name: str) -> None:
        if self.rng.random() < 0.5:
            para.emit(self.rng.choice(self.book.sections[name]))

    def _fillers(self, kind: str) -> Iterator[Template]:
        """This note type's filler sentences for the child's age, each once, in random order."""
        years = age_on(self.child.me.dob, self.writer.note_date)
        band = "baby" if years < 4 else "child" if years < 11 else "teen"
        pools = [key.format(band=band) for key in self.book.raw["note_types"][kind]["fillers"]]
        pool = [t for key in pools for t in self.book.fillers[key] if self.writer.available(t)]
        self.rng.shuffle(pool)
        return iter(pool)

    def _filler(self, para: _Para, fillers: Iterator[Template]) -> None:
        tpl = next(fillers, None)
        if tpl is not None:
            self.writer.filler(para, tpl)

    def _tell(self, para: _Para, event: Event, dated_p: float) -> None:
        """Mention an event that happened: present, or worded as a suspicion."""
        assertion = "present"
        if self.rng.random() < _possible_rate(self.book, event.code) \
                and event.experiencer in self.book.codes[event.code]["possible"]:
            assertion = "possible"
        day = event.day if self.rng.random() < dated_p else None
        self.writer.mention(para, event.code, assertion, event.experiencer, event.who, event.bind, day)

    def _analysis(self, para: _Para, count: int) -> int:
        """Denials, risks and unsubstantiated concerns about things not (yet) in the history;
        return how many were written (each (code, experiencer) at most once a note)."""
        rng, w, book = self.rng, self.writer, self.book
        happened = {(e.code, e.experiencer) for e in self.child.events if e.day < w.note_date}
        used, written = self.used, 0
        codes = list(book.codes)
        for _ in range(count):
            assertion = rng.choices(("negated", "hypothetical", "possible"), (5, 5, 2))[0]
            for _ in range(8):
                code = rng.choice(codes)
                exps = list(book.codes[code][assertion])
                exp = rng.choices(exps, [EXPERIENCER_WEIGHT[x] for x in exps])[0]
                if (code, exp) in used or (assertion != "hypothetical" and (code, exp) in happened):
                    continue
                who = w.who_for(code, exp)
                if who is None:
                    continue
                bind = {"man": w.person("man") if rng.random() < 0.5 else self.child.people["dad"],
                        "parent": self.child.people["mum"] if rng.random() < 0.7 else self.child.people["dad"]}
                day = None
                if rng.random() < 0.3:
                    day = max(self.child.me.dob + timedelta(days=1), w.note_date - timedelta(days=rng.randint(20, 500)))
                    if not _eligible(who, code, day, book):
                        day = None
                if w.mention(para, code, assertion, exp, who, bind, day):
                    used.add((code, exp))
                    written += 1
                    break
        return written

    def _chronology(self, new: list[Event], old: list[Event], fixed_words: int) -> _Para:
        """Dated lines, oldest first: "Mar 2019 - mum detained under the MHA."."""
        rng, w, book = self.rng, self.writer, self.book
        events = (old + new)[-(10 if self.target is None else max(1, self.target // 30)):]
        para = _Para()
        n = w.note_date
        lines: list[tuple[date, Event | None]] = [(e.day, e) for e in events]
        earliest = max(self.child.me.dob, n - timedelta(days=3 * 365))
        extra = rng.randint(1, 3)
        while extra > 0 or (self.target and fixed_words + para.words + len(lines) * 9 < self.target):
            lines.append((earliest + timedelta(days=rng.randint(0, (n - earliest).days - 1)), None))
            extra -= 1
        for day, event in sorted(lines, key=lambda item: item[0]):
            w.bind, w.event_day = ({"who": event.who, **event.bind}, event.day) if event else ({}, None)
            group = book.codes[event.code]["chronology"][event.experiencer] if event else book.chronology_fillers
            options = [t for t in group if w.available(t)]
            if options:
                forms = explicit_forms(day, rng, prose=False)
                form = rng.choices(forms, [f[0] for f in forms])[0]
                timex = para.timex(form[2], form[3], form[4], form[5])
                para.emit(" - ")
                start, end = w.render(para, rng.choice(options))
                if event:
                    para.mentions.append({"start": start, "end": end, "code": event.code,
                                          "experiencer": event.experiencer, "assertion": "present", "date": timex})
                para.emit(".\n")
            w.bind, w.event_day = {}, None
        return para

    def _assemble(self, note_id: str, day: date, kind: str, paras: list[_Para]) -> LabelledNote:
        """Join the paragraphs, shift their spans, number the time expressions, fill span texts."""
        identifiers, timexes, mentions, texts = [], [], [], []
        offset = 0
        for para in paras:
            text = para.text.rstrip()
            texts.append(text)
            for group, spans in ((identifiers, para.identifiers), (timexes, para.timexes), (mentions, para.mentions)):
                for span in spans:
                    span["start"] += offset
                    span["end"] += offset
                    group.append(span)
            offset += len(text) + 1
        text = "\n".join(texts)
        for number, timex in enumerate(timexes, start=1):
            timex["id"] = f"t{number}"
        out_timexes = [{"id": t["id"], "start": t["start"], "end": t["end"], "text": text[t["start"]:t["end"]],
                        "value_start": t["value_start"], "value_end": t["value_end"], "precision": t["precision"]}
                       for t in timexes]
        out_identifiers = [{"start": i["start"], "end": i["end"], "text": text[i["start"]:i["end"]],
                            "label": i["label"]} for i in identifiers]
        out_mentions = [{"start": m["start"], "end": m["end"], "text": text[m["start"]:m["end"]], "code": m["code"],
                         "experiencer": m["experiencer"], "assertion": m["assertion"],
                         "date": m["date"]["id"] if m["date"] else None} for m in mentions]
        spec = self.book.raw["note_types"][kind]
        return LabelledNote(note_id=note_id, case_id=self.child.case_id, note_date=day.isoformat(),
                            split=self.child.split, text=text, note_type=kind, author_role=spec["author"],
                            source=SOURCE, identifiers=out_identifiers, timexes=out_timexes, mentions=out_mentions)


# --------------------------------------------------------------------------------------------
# Public API.

def generate(n_children: int, seed: int = 0, notes_per_child: tuple[int, int] = (4, 8), start_year: int = 2012,
             end_year: int = 2025, target_words: int | None = None) -> Iterator[tuple[Case, list[LabelledNote]]]:
    """Yield (case, labelled notes) for ``n_children`` synthetic children, one child at a time.

    Children are ``S00001``, ``S00002``, ...; each has ``notes_per_child`` (min, max) notes dated
    between ``start_year`` and ``end_year``. The same arguments give byte-identical output (for a
    given Faker version). ``target_words`` composes every note to about that many words.
    """
    low, high = notes_per_child
    if n_children < 0 or not 1 <= low <= high or start_year > end_year \
            or (target_words is not None and target_words < 1):
        raise ValueError("need n_children >= 0, 1 <= notes_per_child[0] <= notes_per_child[1], "
                         "start_year <= end_year and target_words >= 1")
    return _children(n_children, seed, (low, high), start_year, end_year, target_words)


def _children(n_children: int, seed: int, notes_per_child: tuple[int, int], start_year: int, end_year: int,
              target_words: int | None) -> Iterator[tuple[Case, list[LabelledNote]]]:
    book = phrase_book()
    fake = Faker("en_GB")
    for index in range(1, n_children + 1):
        child, rng = _new_child(index, seed, fake, book, start_year, end_year)
        notes = _NoteMaker(child, rng, book, target_words).notes(rng.randint(*notes_per_child))
        yield child.case(), notes


def write_synth(out_dir: str | Path, n_children: int, seed: int = 0, *, notes_only: bool = False,
                **kw) -> tuple[int, int]:
    """Stream a generated corpus into ``out_dir``; return (cases, notes) written.

    Writes ``synth_corpus.jsonl`` (labelled notes) and ``synth_cases.jsonl`` (cases), one child at
    a time, and with ``notes_only`` also ``notes.jsonl``: the plain notes (note_id, case_id,
    note_date, text, note_type, author_role) the pipeline and batch runs read. ``kw`` goes to
    :func:`generate`.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_cases = n_notes = 0
    with ExitStack() as stack:
        corpus = stack.enter_context(open(out / CORPUS_FILE, "w", encoding="utf-8"))
        cases = stack.enter_context(open(out / CASES_FILE, "w", encoding="utf-8"))
        plain = stack.enter_context(open(out / NOTES_FILE, "w", encoding="utf-8")) if notes_only else None
        for case, notes in generate(n_children, seed, **kw):
            cases.write(dumps(case) + "\n")
            n_cases += 1
            for note in notes:
                corpus.write(dumps(note) + "\n")
                if plain is not None:
                    plain.write(dumps({"note_id": note.note_id, "case_id": note.case_id, "note_date": note.note_date,
                                       "text": note.text, "note_type": note.note_type,
                                       "author_role": note.author_role}) + "\n")
                n_notes += 1
    return n_cases, n_notes
