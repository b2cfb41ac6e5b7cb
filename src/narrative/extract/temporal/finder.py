"""Find and resolve the time expressions of one text: rules, then modifiers, ranges and open intervals."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from narrative.records import DateInterval

from . import calendar as cal
from . import lexicon as lx
from .resolve import FLAGS, Atom, Context
from .rules import RULES

PLACEHOLDER = re.compile(lx.PLACEHOLDER)
WORD = re.compile(r"[a-z]+|(?P<digit>\d)")
DOB_LABEL = re.compile(lx.DOB_LABEL, FLAGS)

# "early 2011", "mid-2019", "late last July", "the end of March"
MODIFIER = re.compile(r"(?:\b(?:the\s+)?(?P<part>beginning|start|middle|end)\s+of\s+"
                      r"|\b(?P<mod>early|mid|late)(?:\s+|-))\Z", FLAGS)
# "between 2014 and 2016", "from March to June 2020", "2014 to 2016", "12/03/2019 - 20/04/2019", "Jun-Aug 2016"
RANGE_OPENERS = {"between": re.compile(r"\s+and\s+", FLAGS),
                 "from": re.compile(r"\s*(?:to|until|till|through|-|\u2013)\s*", FLAGS)}
RANGE_OPENER = re.compile(r"\b(?P<opener>between|from)\s+\Z", FLAGS)
CHRISTMAS = re.compile(r"(?:christmas|xmas)(?:\s+\d{4})?", FLAGS)   # named alone, not "the Christmas holidays"
BARE_RANGE_GAP = re.compile(r"\s*(?:to|until|till|-|\u2013|/)\s*", FLAGS)
# "two weeks after Easter", "the day before Christmas Day"
OFFSET = re.compile(rf"\b(?:(?P<n>{lx.NUMBER})|the)\s+(?P<u>{lx.UNIT})\s+(?P<dir>before|after)\s+\Z", FLAGS)
# "since 2019", "until Year 9", "before he was 5", "after Christmas"
OPEN_PREFIX = re.compile(r"\b(?P<p>ever\s+since|since|after|until|till|up\s+until|up\s+to|before|prior\s+to)\s+\Z",
                         FLAGS)
OPEN_KINDS = {"ever since": "since", "since": "since", "after": "after", "until": "until", "till": "until",
              "up until": "until", "up to": "until", "before": "before", "prior to": "before"}
POSSESSIVE = re.compile(r"['\u2019]s\b")
ANCHOR_WEAKNESS = {"explicit": 0, "note_date": 1, "dob": 2, "previous": 3}


@dataclass(frozen=True)
class Timex:
    """A time expression: its span in the text and the calendar interval it denotes."""

    start: int
    end: int
    text: str
    value_start: date
    value_end: date
    precision: str
    anchor: str

    def to_dict(self) -> dict:
        """The ``narrative timex`` JSON line: offsets, text, ISO interval, precision, anchor."""
        return {"start": self.start, "end": self.end, "text": self.text,
                "value_start": self.value_start.isoformat(), "value_end": self.value_end.isoformat(),
                "precision": self.precision, "anchor": self.anchor}

    def to_interval(self) -> DateInterval:
        """The ``date`` of a mention in the suggestions format."""
        return DateInterval(self.text, self.value_start, self.value_end, self.precision, self.anchor)


def find_timexes(text: str, anchor: date, dob: date | None = None, *, day_first: bool = True) -> list[Timex]:
    """Every time expression in ``text`` that resolves, in order, against the note date and DOB.

    ``anchor`` is the note date; ``dob`` the child's date of birth (ages and school years are
    left out without it). ``day_first=False`` reads 03/02/2023 as 2 March (US order).
    """
    atoms = _select(text, anchor, dob, day_first)
    atoms = [_modified(text, atom) for atom in atoms]
    atoms = _ranges(text, atoms)
    atoms = [done for atom in atoms if (done := _prefixed(text, atom, anchor, dob)) is not None]
    return [Timex(a.start, a.end, text[a.start:a.end], a.interval[0], a.interval[1], a.precision, a.anchor)
            for a in atoms]


def timex_command(file: Path, anchor: date, dob: date | None = None) -> Iterator[dict]:
    """The rows ``narrative timex FILE --anchor DATE [--dob DATE]`` prints; FILE ``-`` is stdin.

    Raises OSError for an unreadable file and ValueError for one that is not UTF-8 text.
    """
    if str(file) == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{file}: not UTF-8 text") from None
    for timex in find_timexes(text, anchor, dob):
        yield timex.to_dict()


def _select(text: str, anchor: date, dob: date | None, day_first: bool) -> list[Atom]:
    """Leftmost-longest candidates, resolved in text order (so "that summer" sees the date before it)."""
    placeholders = [m.span() for m in PLACEHOLDER.finditer(text)]
    words = {"#digit" if m.group("digit") else m.group() for m in WORD.finditer(text.lower())}
    candidates = []
    for order, rule in enumerate(RULES):
        if not rule.applies(words, dob is not None):
            continue
        for match in rule.pattern.finditer(text):
            start, end = match.span("t")
            if end > start and rule.accepts(match, text) and \
                    not any(start < p_end and p_start < end for p_start, p_end in placeholders):
                candidates.append((start, start - end, order, match, rule))
    candidates.sort(key=lambda candidate: candidate[:3])
    atoms: list[Atom] = []
    references: list[Atom] = []  # what "the next day" may count from: not a date of birth
    taken_until = 0
    for start, negative_length, _, match, rule in candidates:
        if start < taken_until:
            continue
        dated = rule.resolve(match, Context(text, anchor, dob, day_first, references))
        if dated is None:
            continue
        atom = Atom(start, start - negative_length, dated.interval, dated.precision, dated.anchor, dated.yearless)
        atoms.append(atom)
        if not DOB_LABEL.search(text, max(0, start - 20), start):
            references.append(atom)
        taken_until = atom.end
    return atoms


def _modified(text: str, atom: Atom) -> Atom:
    """Narrow an expression to the third an "early", "mid", "late" or "end of" before it names."""
    found = MODIFIER.search(text, max(0, atom.start - 20), atom.start)
    if not found:
        return atom
    narrowed = cal.narrow(atom.interval, atom.precision, (found.group("part") or found.group("mod")).lower())
    if narrowed is None:
        return atom
    return replace(atom, start=found.start(), interval=narrowed, yearless=None)


def _with_year_of(atom: Atom, later: Atom) -> Atom:
    """"March" in "from March to June 2020" takes June's year (or the year before, if it would end later)."""
    month, day = atom.yearless
    year = later.interval[0].year
    for candidate_year in (year, year - 1):
        interval = cal.month_interval(candidate_year, month) if day is None else \
            (date(candidate_year, month, day),) * 2
        if interval[0] <= later.interval[0]:
            return replace(atom, interval=interval, anchor=later.anchor, yearless=None)
    return atom


def _ranges(text: str, atoms: list[Atom]) -> list[Atom]:
    """Join "between X and Y", "from X to Y" and "X to Y" (same precision) into one interval."""
    combined: list[Atom] = []
    index = 0
    while index < len(atoms):
        first = atoms[index]
        second = atoms[index + 1] if index + 1 < len(atoms) else None
        joined = _range(text, first, second) if second else None
        if joined:
            combined.append(joined)
            index += 2
        else:
            combined.append(first)
            index += 1
    return combined


def _range(text: str, first: Atom, second: Atom) -> Atom | None:
    gap = text[first.end:second.start]
    opener = RANGE_OPENER.search(text, max(0, first.start - 12), first.start)
    if opener and RANGE_OPENERS[opener.group("opener").lower()].fullmatch(gap):
        start = opener.start()
    elif BARE_RANGE_GAP.fullmatch(gap) and first.precision == second.precision:
        start = first.start
    else:
        return None
    if first.yearless and second.yearless is None and second.anchor == "explicit":
        first = _with_year_of(first, second)
    if second.interval[1] < first.interval[0]:
        return None
    precision = max(first.precision, second.precision, key=cal.rank)
    anchor = max(first.anchor, second.anchor, key=ANCHOR_WEAKNESS.__getitem__)
    return Atom(start, second.end, (first.interval[0], second.interval[1]), precision, anchor)


def _prefixed(text: str, atom: Atom, anchor: date, dob: date | None) -> Atom | None:
    """Apply "two weeks after X", "since X", "after X", "until X", "before X".

    "Since X" and "after X" run to the note date. "Until X" and "before X" run from the date of
    birth when X is a year, decade, school year or age ("until Year 4", "before 2016"). Otherwise
    (no DOB, or X a day, week, month, season or holiday) there is no start: "until X" is X alone
    (the period reached X) and "before X" is dropped (the event is not in X). "Before Friday's
    meeting" is no prefix of "Friday".
    """
    window = max(0, atom.start - 40)
    offset = OFFSET.search(text, window, atom.start)
    if offset:
        unit, size = lx.UNITS[offset.group("u").lower()], lx.UNIT_SIZE.get(offset.group("u").lower(), 1)
        count = (1 if not offset.group("n") else
                 int(offset.group("n")) if offset.group("n").isdigit() else lx.NUMBER_WORDS[offset.group("n").lower()])
        amount = count * size * (1 if offset.group("dir").lower() == "after" else -1)
        start = cal.shift(atom.interval[0], amount, unit)
        if cal.rank(unit) >= cal.rank(atom.precision):
            return replace(atom, start=offset.start(), interval=cal.unit_containing(start, unit), precision=unit)
        return replace(atom, start=offset.start(),
                       interval=(start, cal.shift(atom.interval[1], amount, unit)))
    prefix = OPEN_PREFIX.search(text, window, atom.start)
    if not prefix or POSSESSIVE.match(text, atom.end):
        return atom
    kind = OPEN_KINDS[" ".join(prefix.group("p").lower().split())]
    if kind in ("since", "after"):
        first = atom.interval[0] if kind == "since" else atom.interval[1] + timedelta(days=1)
        if first > anchor:
            return atom
        if kind == "since" and CHRISTMAS.fullmatch(text, atom.start, atom.end):   # from Christmas Day itself
            christmas = date(atom.interval[0].year, 12, 25)
            return replace(atom, start=prefix.start(), interval=(christmas, anchor), precision="day")
        return replace(atom, start=prefix.start(), interval=(first, anchor))
    if dob is None or cal.rank(atom.precision) < cal.rank("school_year"):
        return atom if kind == "until" else None
    last = atom.interval[1] if kind == "until" else atom.interval[0] - timedelta(days=1)
    if last < dob:
        return None
    return replace(atom, start=prefix.start(), interval=(dob, last))
