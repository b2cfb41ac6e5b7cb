"""Resolvers: what each kind of expression means, as a calendar interval.

Each resolver takes the regular-expression match of its rule (``rules.py``) and a
:class:`Context` (note date, date of birth, the expressions before it) and returns a
:class:`Dated` interval, or None when the words do not resolve. Explicit dates and the
note-relative phrases dateparser handles well ("12 March 2023", "02/03/23", "two weeks ago",
"last month") go through dateparser; seasons, holidays, ages, school years, decades and
references to a previous date are our own rules over ``calendar.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from dateparser.date import DateDataParser
from dateutil.easter import easter

from . import calendar as cal
from . import lexicon as lx
from .calendar import ONE_DAY, Interval

FLAGS = re.IGNORECASE


class Dated(NamedTuple):
    """What a rule resolved: the interval, its precision and anchor, and any guessed year."""

    interval: Interval
    precision: str
    anchor: str
    yearless: tuple[int, int | None] | None = None  # (month, day) whose year came from the note date


@dataclass
class Atom:
    """One resolved expression before ranges and prefixes are combined (offsets into the text)."""

    start: int
    end: int
    interval: Interval
    precision: str
    anchor: str
    yearless: tuple[int, int | None] | None = None


@dataclass(frozen=True)
class Context:
    """What a resolver may use besides its match."""

    text: str
    anchor: date
    dob: date | None
    day_first: bool
    earlier: Sequence[Atom] = ()  # the expressions resolved before this one, in order

    @property
    def previous(self) -> Atom | None:
        """The last expression resolved before this one."""
        return self.earlier[-1] if self.earlier else None

    def reference(self, unit: str) -> Atom | None:
        """The last earlier expression no coarser than ``unit`` ("the same year" skips an age)."""
        return next((a for a in reversed(self.earlier) if cal.rank(a.precision) <= cal.rank(unit)), None)


Resolver = Callable[[re.Match, Context], "Dated | None"]


# --- dateparser, for what it does well ---------------------------------------------------------

FIXED_BASE = date(2000, 1, 1)  # relative base for strings that carry their own year


@lru_cache(maxsize=64)
def _parser(base: date, day_first: bool) -> DateDataParser:
    return DateDataParser(languages=["en"], settings={
        "DATE_ORDER": "DMY" if day_first else "MDY", "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first", "RELATIVE_BASE": datetime(base.year, base.month, base.day)})


@lru_cache(maxsize=50_000)
def dateparser_interval(text: str, base: date, day_first: bool) -> tuple[Interval, str] | None:
    """The calendar unit dateparser gives for ``text`` (day, ISO week, month or year), or None."""
    data = _parser(base, day_first).get_date_data(text)
    if data.date_obj is None:
        return None
    unit = {"time": "day"}.get(data.period, data.period)
    return cal.unit_containing(data.date_obj.date(), unit), unit


# --- small helpers -------------------------------------------------------------------------------

def _number(word: str) -> int:
    word = " ".join(word.lower().split())
    return int(word) if word.isdigit() else lx.NUMBER_WORDS[word]


def _is_vague(word: str) -> bool:
    return re.fullmatch(lx.VAGUE_NUMBER, word, FLAGS) is not None


def _full_year(text: str, anchor: date) -> int:
    """A four-digit year; a two-digit one ('19) is the latest year with those digits up to anchor + 10."""
    digits = int(text.strip("'\u2019"))
    if len(text.strip("'\u2019")) == 4:
        return digits
    year = anchor.year // 100 * 100 + digits
    return year - 100 if year > anchor.year + 10 else year


def _unit(word: str) -> tuple[str, int]:
    """The calendar unit of a unit word and how many of it one stands for (a fortnight is 2 weeks)."""
    word = word.lower()
    return lx.UNITS[word], lx.UNIT_SIZE.get(word, 1)


def _shift_interval(interval: Interval, precision: str, amount: int, unit: str) -> Dated:
    """A previous interval moved by ``amount`` units, at the coarser of its precision and the unit."""
    start = cal.shift(interval[0], amount, unit)
    if cal.rank(unit) >= cal.rank(precision):
        return Dated(cal.unit_containing(start, unit), unit, "previous")
    return Dated((start, cal.shift(interval[1], amount, unit)), precision, "previous")


# --- resolvers: explicit dates ----------------------------------------------------------------

AMBIGUOUS_MONTH_WORDS = {"may", "march", "mar"}  # verbs when lower-case and yearless
FUTURE_CUES = re.compile(lx.FUTURE_CUES, FLAGS)
PAST_VERB = re.compile(lx.PAST_VERB, FLAGS)


def _looks_ahead(m: re.Match, ctx: Context) -> bool:
    """Whether the clause before a yearless date speaks of the future ("will start in September")."""
    clause = re.split(r"[.;!?\n]", ctx.text[max(0, m.start() - 80):m.start()])[-1]
    cues = list(FUTURE_CUES.finditer(clause))
    return bool(cues) and PAST_VERB.search(clause, cues[-1].end()) is None


def _a_year_later(day: date) -> date:
    return cal.shift(day, 1, "year")


def explicit_date(m: re.Match, ctx: Context) -> Dated | None:
    """Numeric and written dates, normalised by dateparser (day first unless told otherwise)."""
    text = m.group("t")
    year = m.groupdict().get("y")
    month_word = m.groupdict().get("mo") or ""
    if not year and month_word in AMBIGUOUS_MONTH_WORDS:
        return None
    if year and len(year.strip("'\u2019")) == 2:  # dateparser would read "2.3.23" against its own base
        text = text[:m.start("y") - m.start("t")] + str(_full_year(year, ctx.anchor))
    parsed = dateparser_interval(" ".join(text.split()), FIXED_BASE if year else ctx.anchor, ctx.day_first)
    if parsed is None:
        return None
    interval, unit = parsed
    if year:
        return Dated(interval, unit, "explicit")
    if unit == "day" and interval[0] < ctx.anchor and _looks_ahead(m, ctx):
        interval = (_a_year_later(interval[0]),) * 2
    day = interval[0].day if unit == "day" else None
    return Dated(interval, unit, "note_date", (interval[0].month, day))


def day_range(m: re.Match, ctx: Context) -> Dated | None:
    """"13-15 May 2022", "19-21/11/2020": the first day to the last, in the last day's month."""
    year = m.group("y") or m.group("yn")
    rest = m.group("rest")
    if year and len(year.strip("'\u2019")) == 2:
        rest = rest[:len(rest) - len(year)] + str(_full_year(year, ctx.anchor))
    parsed = dateparser_interval(" ".join(rest.split()), FIXED_BASE if year else ctx.anchor, ctx.day_first)
    if parsed is None or parsed[1] != "day" or int(m.group("d")) >= parsed[0][0].day:
        return None
    last = parsed[0][0]
    return Dated((last.replace(day=int(m.group("d"))), last), "day", "explicit" if year else "note_date")


def bare_month(m: re.Match, ctx: Context) -> Dated | None:
    """"In March": the latest March up to the note date (dateparser, preferring the past), or the
    next one where the clause speaks of the future ("she will start school in September")."""
    parsed = dateparser_interval(m.group("mo").rstrip("."), ctx.anchor, ctx.day_first)
    if parsed is None or parsed[1] != "month":
        return None
    interval = parsed[0]
    if interval[1] < ctx.anchor and _looks_ahead(m, ctx):
        interval = cal.month_interval(interval[0].year + 1, interval[0].month)
    return Dated(interval, "month", "note_date", (interval[0].month, None))


def named_month(m: re.Match, ctx: Context) -> Dated | None:
    """"Last July" (the latest July before the note's month), "this July", "next July", "that July"."""
    if m.group("mo") in AMBIGUOUS_MONTH_WORDS:
        return None
    month = lx.MONTHS[m.group("mo").lower().rstrip(".")]
    which = m.group("w").lower()
    if which == "that":
        if ctx.previous is None:
            return None
        return Dated(cal.month_interval(ctx.previous.interval[0].year, month), "month", "previous")
    year = ctx.anchor.year + {"last": -1 if month >= ctx.anchor.month else 0, "this": 0,
                              "next": 1 if month <= ctx.anchor.month else 0}[which]
    return Dated(cal.month_interval(year, month), "month", "note_date")


def relative_year_part(m: re.Match, ctx: Context) -> Dated | None:
    """"March last year", "the summer of this year": a month or season of the year named."""
    year = ctx.anchor.year + {"last": -1, "this": 0, "next": 1}[m.group("w").lower()]
    if m.group("mo"):
        if m.group("mo") in AMBIGUOUS_MONTH_WORDS:
            return None
        return Dated(cal.month_interval(year, lx.MONTHS[m.group("mo").lower().rstrip(".")]), "month", "note_date")
    return Dated(cal.season_interval(m.group("s").lower(), year), "season", "note_date")


def ordinal_day(m: re.Match, ctx: Context) -> Dated | None:
    """"On the 14th": the latest 14th on or before the note date (the next one, in the future tense)."""
    day = cal.most_recent_day_of_month(ctx.anchor, int(m.group("d")))
    if day and day < ctx.anchor and _looks_ahead(m, ctx):
        day = cal.next_day_of_month(ctx.anchor, int(m.group("d")))
    return Dated((day, day), "day", "note_date") if day else None


def year(m: re.Match, ctx: Context) -> Dated:
    """"2014": the calendar year."""
    return Dated(cal.year_interval(int(m.group("y"))), "year", "explicit")


def year_range(m: re.Match, ctx: Context) -> Dated | None:
    """"2014-2016", "2014-16", "2019/20": from the first year's start to the last year's end."""
    first = int(m.group("y"))
    last_text = m.group("y2")
    last = int(last_text) if len(last_text) == 4 else first // 100 * 100 + int(last_text)
    if last <= first or last - first > 50:
        return None
    return Dated((date(first, 1, 1), date(last, 12, 31)), "year", "explicit")


def decade(m: re.Match, ctx: Context) -> Dated:
    """"The 2010s", "the '90s", "the nineties" (the latest such decade), "the early 2000s" (its first third)."""
    if m.group("c"):
        first = int(m.group("c") + m.group("d") + "0")
    else:
        digit = m.group("d2") or m.group("d3")
        tens = int(digit) * 10 if digit else lx.DECADE_WORDS[m.group("w").lower()]
        first = 2000 + tens if 2000 + tens <= ctx.anchor.year else 1900 + tens
    interval = cal.decade_interval(first)
    modifier = m.group("mod") or m.group("mod2")
    if modifier:
        interval = cal.narrow(interval, "decade", modifier.lower())
    return Dated(interval, "decade", "explicit")


# --- resolvers: relative to the note date -------------------------------------------------------

def ago(m: re.Match, ctx: Context) -> Dated | None:
    """"Two weeks ago" (dateparser); "a few months ago" is two to five months before the note."""
    unit, size = _unit(m.group("u"))
    if _is_vague(m.group("n")):
        low, high = lx.VAGUE_RANGE
        return Dated((cal.unit_containing(cal.shift(ctx.anchor, -high * size, unit), unit)[0],
                      cal.unit_containing(cal.shift(ctx.anchor, -low * size, unit), unit)[1]), unit, "note_date")
    count = _number(m.group("n")) * size
    parsed = dateparser_interval(f"{count} {unit}s ago", ctx.anchor, ctx.day_first)
    return Dated(parsed[0], parsed[1], "note_date") if parsed else None


def dateparser_relative(m: re.Match, ctx: Context) -> Dated | None:
    """"Yesterday", "last night", "last week", "next year": dateparser's own; "this week/month/year"
    runs from its start to the note date."""
    phrase = " ".join(m.group("t").lower().split())
    phrase = re.sub(r"^earlier\s+", "", re.sub(r"^the current\b", "this", phrase))
    parsed = dateparser_interval(phrase, ctx.anchor, ctx.day_first)
    if parsed is None:
        return None
    (start, end), unit = parsed
    if phrase.startswith("this ") and start <= ctx.anchor < end:
        end = ctx.anchor  # "this month" in a note: what has happened of it by the note date
    return Dated((start, end), unit, "note_date")


def past_units(m: re.Match, ctx: Context) -> Dated | None:
    """"The last six months": from six months before the note date up to it."""
    unit, size = _unit(m.group("u"))
    word = m.group("n")
    count = (lx.VAGUE_RANGE[1] if _is_vague(word) else _number(word)) if word else 1
    return Dated((cal.shift(ctx.anchor, -count * size, unit), ctx.anchor), unit, "note_date")


def previous_or_past_units(m: re.Match, ctx: Context) -> Dated | None:
    """"The previous two weeks": the two weeks before the last date mentioned, else before the note."""
    if ctx.previous is None:
        return past_units(m, ctx)
    unit, size = _unit(m.group("u"))
    word = m.group("n")
    count = lx.VAGUE_RANGE[1] if _is_vague(word) else _number(word)
    start = ctx.previous.interval[0]
    return Dated((cal.shift(start, -count * size, unit), start - ONE_DAY), unit, "previous")


def weekday(m: re.Match, ctx: Context) -> Dated | None:
    """"On Saturday": the latest Saturday on or before the note date; "last Saturday" strictly before;
    "the previous Friday" the Friday before the last date mentioned."""
    target = lx.WEEKDAYS[m.group("wd").lower()]
    which = " ".join((m.group("w") or "").lower().split())
    if which in ("the previous", "the following"):
        if ctx.previous is None:
            return None
        reference = ctx.previous.interval[0]
        day = cal.most_recent_weekday(reference, target, strictly_before=True) if which == "the previous" else \
            cal.most_recent_weekday(reference + timedelta(days=7), target, strictly_before=True)
        return Dated((day, day), "day", "previous")
    if which == "this":
        day = cal.week_interval(ctx.anchor)[0] + timedelta(days=target)
    elif which == "next":
        day = cal.most_recent_weekday(ctx.anchor, target) + timedelta(days=7)
    else:
        day = cal.most_recent_weekday(ctx.anchor, target, strictly_before=which in ("last", "this past"))
    return Dated((day, day), "day", "note_date")


def _weekend_of(day: date) -> Interval:
    saturday = cal.week_interval(day)[0] + timedelta(days=5)
    return saturday, saturday + ONE_DAY


def weekend(m: re.Match, ctx: Context) -> Dated | None:
    """"At the weekend": the latest Saturday-Sunday begun by the note date; "last weekend" the latest ended."""
    which = m.group("w").lower()
    if which == "that":
        return Dated(_weekend_of(ctx.previous.interval[0]), "week", "previous") if ctx.previous else None
    if which == "this":
        return Dated(_weekend_of(ctx.anchor), "week", "note_date")
    if which == "next":
        return Dated(_weekend_of(ctx.anchor + timedelta(days=7)), "week", "note_date")
    saturday = cal.most_recent_weekday(ctx.anchor, 5)
    if which == "last" and ctx.anchor <= saturday + ONE_DAY:
        saturday -= timedelta(days=7)
    return Dated((saturday, saturday + ONE_DAY), "week", "note_date")


def earlier_later(m: re.Match, ctx: Context) -> Dated | None:
    """"Earlier this year" (1 January to the note date), "later that month" (after the previous date)."""
    unit = {"morning": "day"}.get(m.group("u").lower(), m.group("u").lower())
    if m.group("ref").lower() == "this":
        whole, reference, anchor = cal.unit_containing(ctx.anchor, unit), ctx.anchor, "note_date"
    elif ctx.previous is not None:
        reference, anchor = ctx.previous.interval[0], "previous"
        whole = cal.unit_containing(reference, unit)
    else:
        return None
    interval = (whole[0], reference) if m.group("w").lower() == "earlier" else (reference, whole[1])
    return Dated(interval, unit, anchor)


# --- resolvers: seasons, holidays, school terms ---------------------------------------------------

def _holiday_day(name: str, year: int) -> date:
    kind = lx.HOLIDAY_DAYS[name]
    if isinstance(kind, tuple):
        return date(year, *kind)
    sunday = easter(year)
    return {"easter": sunday, "good_friday": sunday - timedelta(days=2),
            "easter_monday": sunday + ONE_DAY, "mothering_sunday": sunday - timedelta(days=21),
            "fathers_day": cal.most_recent_weekday(date(year, 6, 21), 6)}[kind]


def _recurring(occurrences: Callable[[int], list[Interval]], which: str, m: re.Match,
               ctx: Context, precision: str) -> Dated | None:
    """Pick an occurrence: its year if written, else by last/this/next/that, else the latest begun."""
    if m.groupdict().get("y"):
        found = occurrences(_full_year(m.group("y"), ctx.anchor))
        return Dated(found[0], precision, "explicit") if len(found) == 1 else None
    if which == "that":
        if ctx.previous is None:
            return None
        found = cal.current_occurrence(occurrences, ctx.previous.interval[0])
        return Dated(found, precision, "previous") if found else None
    pick = {"last": lambda: cal.latest_occurrence(occurrences, ctx.anchor, completed=True),
            "this": lambda: cal.current_occurrence(occurrences, ctx.anchor),
            "next": lambda: cal.next_occurrence(occurrences, ctx.anchor)}.get(
        which, lambda: cal.latest_occurrence(occurrences, ctx.anchor))
    found = pick()
    return Dated(found, precision, "note_date") if found else None


def _which(m: re.Match) -> str:
    which = " ".join((m.group("w") or "").lower().split())
    return "last" if which == "this past" else which


def season(m: re.Match, ctx: Context) -> Dated | None:
    """"Last summer" is the latest summer ended before the note; "the summer" the latest begun.

    A capitalised season with no year and no last/this/next is read as a name ("Summer told me").
    """
    name = m.group("s").lower()
    named = bool(m.group("y")) or _which(m) in ("last", "this", "next")
    if not named and (name == "fall" or m.group("s")[0].isupper()):
        return None  # "the fall" is an accident; "that Summer" mid-sentence is a girl's name
    return _recurring(lambda y: [cal.season_interval(name, y)], _which(m), m, ctx, "season")


def holiday_day(m: re.Match, ctx: Context) -> Dated | None:
    """Christmas Day, Bonfire Night, Easter Sunday (computed), Mothering Sunday and the like."""
    name = " ".join(m.group("h").lower().replace("hallowe'en", "halloween").split())
    return _recurring(lambda y: [(_holiday_day(name, y),) * 2], _which(m), m, ctx, "day")


HOLIDAY_PERIODS: dict[str, Callable[[int], list[Interval]]] = {
    "christmas": lambda y: [cal.christmas_holidays(y)],
    "xmas": lambda y: [cal.christmas_holidays(y)],
    "easter": lambda y: [cal.easter_holidays(y)],
    "summer": lambda y: [cal.summer_holidays(y)],
}
HALF_TERM_NAMES = {"october": "october", "oct": "october", "autumn": "october", "february": "february",
                   "feb": "february", "spring": "february", "may": "may", "summer": "may", "whitsun": "may"}


def holiday_period(m: re.Match, ctx: Context) -> Dated | None:
    """School holidays: Christmas (20 Dec-3 Jan), Easter (two weeks round Easter), summer, half-terms."""
    if m.group("half"):
        which_half = HALF_TERM_NAMES.get((m.group("hn") or "").lower())
        return _recurring(lambda y: cal.half_terms(y, which_half), _which(m), m, ctx, "school_term")
    name = m.group("h").lower()
    if name == "summer" and not m.group("suffix"):
        return None
    return _recurring(HOLIDAY_PERIODS[name], _which(m), m, ctx, "school_term")


def named_term(m: re.Match, ctx: Context) -> Dated | None:
    """"The autumn term", "spring term 2020", "last term", "this term"."""
    term = (m.groupdict().get("term") or "").lower()
    if term:
        return _recurring(lambda y: [cal.school_term(term, y)], _which(m), m, ctx, "school_term")
    which = _which(m)
    current = cal.latest_occurrence(cal.terms_of_year, ctx.anchor)
    if which == "this":
        return Dated(current, "school_term", "note_date") if current else None
    if which == "last":
        found = cal.latest_occurrence(cal.terms_of_year, current[0] - ONE_DAY) if current else None
        return Dated(found, "school_term", "note_date") if found else None
    found = cal.next_occurrence(cal.terms_of_year, ctx.anchor)
    return Dated(found, "school_term", "note_date") if found else None


# --- resolvers: school years and ages (need the date of birth) ----------------------------------

def _year_group(word: str) -> int:
    word = word.lower()
    return lx.SCHOOL_YEAR_WORDS[word] if word in lx.SCHOOL_YEAR_WORDS else _number(word)


def year_group(m: re.Match, ctx: Context) -> Dated | None:
    """"Year 9", "Y9", "year nine", "Years 7 to 9", "Reception": from the date of birth."""
    if ctx.dob is None:
        return None
    first = _year_group(m.groupdict().get("n") or "reception")
    last = _year_group(m.group("n2")) if m.groupdict().get("n2") else first
    if last < first:
        return None
    return Dated((cal.year_group_interval(ctx.dob, first)[0], cal.year_group_interval(ctx.dob, last)[1]),
                 "school_year", "dob")


STARTING_VERB = re.compile(r"start|began|begun|moved|transition|transferred", FLAGS)


def school_phase(m: re.Match, ctx: Context) -> Dated | None:
    """"In primary school" (Reception to Year 6); "started secondary school" (Year 7)."""
    if ctx.dob is None:
        return None
    phase = (m.group("phase") or "sixth form").lower()
    first, last = lx.SCHOOL_PHASES.get(phase, (12, 13))
    if m.group("verb") and STARTING_VERB.search(m.group("verb")):
        last = first
    return Dated((cal.year_group_interval(ctx.dob, first)[0], cal.year_group_interval(ctx.dob, last)[1]),
                 "school_year", "dob")


def academic_year(m: re.Match, ctx: Context) -> Dated | None:
    """"This academic year" (the one containing the note date), "the 2019/20 school year"."""
    if m.group("y"):
        first = int(m.group("y"))
        last_text = m.group("y2")
        last = int(last_text) if len(last_text) == 4 else first // 100 * 100 + int(last_text)
        return Dated(cal.school_year_interval(first), "school_year", "explicit") if last == first + 1 else None
    which = " ".join(m.group("w").lower().split())
    current = cal.school_year_start(ctx.anchor)
    if which == "that":
        if ctx.previous is None:
            return None
        first_year = cal.school_year_start(ctx.previous.interval[0])
        return Dated(cal.school_year_interval(first_year), "school_year", "previous")
    offset = {"last": -1, "the last": -1, "the previous": -1, "next": 1}.get(which, 0)
    return Dated(cal.school_year_interval(current + offset), "school_year", "note_date")


AGE_PREFIX_KINDS = {"when": "at", "at": "at", "aged": "at", "age": "at", "between": "at", "by the time": "until",
                    "since": "since", "from": "since", "after": "since", "until": "until", "till": "until",
                    "by": "until", "before": "before", "under": "before",
                    "over": "since"}


def _age(ctx: Context, youngest: int, oldest: int, unit: str, prefix: str) -> Dated | None:
    if ctx.dob is None:
        return None
    start, end = cal.age_interval(ctx.dob, youngest, oldest, unit)
    kind = AGE_PREFIX_KINDS.get(" ".join(prefix.lower().split()), "at")
    if start > ctx.anchor and kind != "until":
        return None  # an age the child has not reached: someone else's ("a man aged 24"), or a plan
    interval = {"at": (start, end), "since": (start, ctx.anchor), "until": (ctx.dob, end),
                "before": (ctx.dob, start - ONE_DAY)}[kind]
    if interval[1] < interval[0]:
        return None
    return Dated(interval, "age", "dob")


def _stage_ages(m: re.Match) -> tuple[int, int] | None:
    if m.groupdict().get("stage"):
        return lx.LIFE_STAGES[" ".join(m.group("stage").lower().split())]
    if m.groupdict().get("teens"):
        mod = (m.group("teenmod") or "").strip(" -").lower()
        return lx.LIFE_STAGES[f"{mod} teens" if mod else "teens"]
    return None


def age(m: re.Match, ctx: Context) -> Dated | None:
    """"When he was 7", "aged 9", "at the age of 5", "since he was 5", "until he was 9", "as a baby"."""
    stage = _stage_ages(m)
    if stage:
        youngest, oldest, unit = *stage, "year"
    else:
        youngest = _number(m.group("n"))
        oldest = _number(m.group("n2")) if m.groupdict().get("n2") else youngest
        unit = "month" if (m.groupdict().get("unit") or "").lower().startswith("month") else "year"
    prefix = (m.groupdict().get("pre") or "at").strip()
    return _age(ctx, youngest, oldest, unit, prefix)


CLOCK_CONTEXT = re.compile(lx.CLOCK_CONTEXT, FLAGS)


def age_at(m: re.Match, ctx: Context) -> Dated | None:
    """"At 13" as an age: 13-19 always; 1-12 only with no clock-time words just before."""
    years = int(m.group("n"))
    if years <= 12:
        clause = re.split(r"[.;!?\n]", ctx.text[max(0, m.start() - 60):m.start()])[-1]
        if CLOCK_CONTEXT.search(clause):
            return None
    return _age(ctx, years, years, "year", "at")


# --- resolvers: relative to a previous date -----------------------------------------------------

def since_then(m: re.Match, ctx: Context) -> Dated | None:
    """"Since then": from the start of the last date mentioned to the note date."""
    if ctx.previous is None or ctx.previous.interval[0] > ctx.anchor:
        return None
    return Dated((ctx.previous.interval[0], ctx.anchor), ctx.previous.precision, "previous")


def units_later(m: re.Match, ctx: Context) -> Dated | None:
    """"Two weeks later", "a year on", "a month earlier": the previous date moved."""
    if ctx.previous is None:
        return None
    unit, size = _unit(m.group("u"))
    if re.match(r"earlier|previously|before", m.group("dir"), FLAGS):
        size = -size
    word = m.group("n")
    if _is_vague(word):
        shifted = [_shift_interval(ctx.previous.interval, ctx.previous.precision, count * size, unit)
                   for count in lx.VAGUE_RANGE]
        return Dated((min(d.interval[0] for d in shifted), max(d.interval[1] for d in shifted)),
                     shifted[0].precision, "previous")
    return _shift_interval(ctx.previous.interval, ctx.previous.precision, _number(word) * size, unit)


DAY_PART_UNITS = {"morning": "day", "afternoon": "day", "evening": "day", "night": "day"}


def next_previous(m: re.Match, ctx: Context) -> Dated | None:
    """"The next day", "the following year", "the previous night", "the week before": from the last
    date mentioned. With none, "the previous week" is the week before the note; "the next day" is unresolved."""
    word = (m.group("u") or m.group("u2")).lower()
    step = 1 if (m.group("w") or m.group("w2")).lower() in ("next", "following", "after") else -1
    unit = "week" if word == "weekend" else DAY_PART_UNITS.get(word, word)
    reference = ctx.reference(unit)
    if reference is None:
        if step == 1 or word == "weekend" or ctx.previous is not None:
            return None
        return Dated(cal.unit_containing(cal.shift(ctx.anchor, -1, unit), unit), unit, "note_date")
    if word == "weekend":
        return Dated(_weekend_of(reference.interval[0] + timedelta(days=7 * step)), "week", "previous")
    return Dated(cal.unit_containing(cal.shift(reference.interval[0], step, unit), unit), unit, "previous")


def same_unit(m: re.Match, ctx: Context) -> Dated | None:
    """"That day", "the same year", "that night": the unit that contains the last date no coarser than it."""
    word = m.group("u").lower()
    unit = "week" if word == "weekend" else DAY_PART_UNITS.get(word, word)
    reference = ctx.reference(unit)
    if reference is None:
        return None
    if word == "weekend":
        return Dated(_weekend_of(reference.interval[0]), "week", "previous")
    return Dated(cal.unit_containing(reference.interval[0], unit), unit, "previous")
