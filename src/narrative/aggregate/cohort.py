"""Cohort views over confirmed codes: prevalence, co-occurrence, cumulative adversity, CIN factors,
trends, age at first recorded adversity and breakdowns by grouping fields.

Every figure is a count of children (never of notes or mentions), registered with its relations
in a :class:`~narrative.aggregate.suppression.Disclosure`; the tables hold only what
:func:`~narrative.aggregate.suppression.suppress` lets out, so nothing downstream (charts, CSV,
HTML) can show a withheld count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from narrative.aggregate.suppression import Disclosure, Published, at_most, pair_bounds, sums_to, union_of
from narrative.records import ConfirmedCode
from narrative.store import NoteMeta
from narrative.taxonomy import Taxonomy, load_taxonomy

EVERYONE = ("children",)
ANY_EXPERIENCE = ("with", "any")
HOUSEHOLD_ACES = {"household_substance_misuse", "household_mental_illness", "incarcerated_household_member"}
HOUSEHOLD = {"parent_carer", "household_member"}
CIN_SUFFIX = {"child": "A", "parent_carer": "B", "household_member": "C"}
PERPETRATOR_FACTORS = {"18", "19"}       # taxonomy: 18/19 B = by another child, C = by an adult
AGE_BANDS = (("before birth", None, 0), ("0-4", 0, 5), ("5-9", 5, 10), ("10-14", 10, 15),
             ("15-17", 15, 18), ("18+", 18, None))
UNKNOWN = "(not recorded)"
DEFAULT_BREAKDOWNS = ("area", "team")

Cell = int | float | str


@dataclass
class Table:
    """One published table: only suppressed figures (numbers, ``"<5"``, ``"*"``) and labels."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""

    def long(self) -> Iterable[dict]:
        """One record per figure: table, row label, column, value (as published)."""
        for row in self.rows:
            for column, value in zip(self.columns[1:], row[1:]):
                yield {"table": self.name, "row": str(row[0]), "column": column, "value": str(value)}


@dataclass
class Cohort:
    """The cohort views as published tables, in report order."""

    children: int | str
    tables: list[Table]
    threshold: int
    withheld: int
    complementary: int

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


@dataclass
class _Child:
    pairs: set = field(default_factory=set)
    event_years: set = field(default_factory=set)
    note_years: set = field(default_factory=set)
    first_dated: date | None = None
    groups: dict = field(default_factory=dict)


def ace_categories(pairs: Iterable[tuple[str, str]], taxonomy: Taxonomy) -> set[str]:
    """The CDC-Kaiser ACE categories of a child's (code, experiencer) pairs.

    Abuse, neglect, domestic violence and separation count when the child, a parent/carer or a
    household member experienced them; the household categories (substance misuse, mental
    illness, imprisonment) only when a parent/carer or household member did.
    """
    found = set()
    for code, experiencer in pairs:
        for ace in taxonomy.codes[code].ace if code in taxonomy.codes else ():
            if experiencer in HOUSEHOLD or (experiencer == "child" and ace not in HOUSEHOLD_ACES):
                found.add(ace)
    return found


def cin_factors(taxonomy: Taxonomy) -> dict[str, frozenset]:
    """Each DfE CIN factor label and the (code, experiencer) pairs that indicate it.

    The experiencer picks the suffix (A child, B parent/carer, C household member); factors the
    codes cannot tell apart are reported together (``1A/2A``: alcohol or drugs), and 18/19,
    whose suffix names the perpetrator (not coded), as ``18B/18C`` for any experiencer.
    """
    factors: dict[str, set] = defaultdict(set)
    for code in taxonomy.codes.values():
        by_label: dict[str, set] = defaultdict(set)
        for factor in code.cin:
            number, suffix = factor[:-1], factor[-1]
            if number in PERPETRATOR_FACTORS:
                by_label["*"].add(factor)
            else:
                by_label[suffix].add(factor)
        for suffix, group in by_label.items():
            label = "/".join(sorted(group, key=lambda f: (int(f[:-1]), f)))
            experiencers = taxonomy.experiencers if suffix == "*" else \
                [e for e, s in CIN_SUFFIX.items() if s == suffix]
            factors[label] |= {(code.key, e) for e in experiencers}
    return {label: frozenset(pairs) for label, pairs in sorted(factors.items(),
                                                               key=lambda kv: int(kv[0].split("/")[0][:-1]))}


def age_in_years(dob: date, day: date) -> int:
    """Completed years from ``dob`` to ``day`` (negative before birth)."""
    years = day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
    return years


def _band(age: int) -> str:
    return next(label for label, low, high in AGE_BANDS
                if (low is None or age >= low) and (high is None or age < high))


def build_cohort(codes: Sequence[ConfirmedCode], notes: Sequence[NoteMeta], dobs: dict[str, date], *,
                 threshold: int = 5, by: Sequence[str] | None = None,
                 taxonomy: Taxonomy | None = None) -> Cohort:
    """Suppressed cohort tables for the children of ``notes`` and ``codes``.

    Only rows that count as experiences are used; ``by`` names the grouping fields to break down
    by (default: area and team, where some note fills them). A child belongs to the
    group of their latest note.
    """
    taxonomy = taxonomy or load_taxonomy()
    experiences = [c for c in codes if c.counts_as_experience and c.code in taxonomy.codes
                   and c.experiencer in taxonomy.experiencers]
    fields_ = list(by) if by else [f for f in DEFAULT_BREAKDOWNS if any(getattr(n, f) for n in notes)]
    for name in fields_:
        if name not in NoteMeta.GROUPING_FIELDS:
            raise ValueError(f"cannot break down by {name!r}: use one of {', '.join(NoteMeta.GROUPING_FIELDS)}")
    children: dict[str, _Child] = defaultdict(_Child)
    note_dates = {}
    for note in sorted(notes, key=lambda n: (n.note_date, n.note_id)):
        note_dates[note.note_id] = note.note_date
        child = children[note.case_id]
        for name in fields_:
            child.groups[name] = getattr(note, name) or UNKNOWN
    for code in experiences:
        child = children[code.case_id]
        child.pairs.add((code.code, code.experiencer))
        if code.date_start:
            child.event_years.add(code.date_start.year)
            if child.first_dated is None or code.date_start < child.first_dated:
                child.first_dated = code.date_start
        if code.note_id in note_dates:
            child.note_years.add(note_dates[code.note_id].year)
    for child in children.values():
        for name in fields_:
            child.groups.setdefault(name, UNKNOWN)
    return _Builder(children, dobs, taxonomy, threshold, fields_).build()


class _Builder:
    def __init__(self, children: dict[str, _Child], dobs, taxonomy: Taxonomy, threshold: int, fields_):
        self.children, self.dobs, self.taxonomy, self.fields = children, dobs, taxonomy, fields_
        self.d = Disclosure(threshold)
        self.d.count(EVERYONE, len(children), keep=True)
        self.codes = [c for c in taxonomy.code_keys if any(c == p[0] for ch in children.values() for p in ch.pairs)]

    def with_pairs(self, pairs: Iterable[tuple[str, str]], members: Iterable[_Child] | None = None,
                   scope: tuple = ()) -> tuple:
        pairs = frozenset(pairs)
        members = self.children.values() if members is None else members
        return self.d.count(("with", pairs, *scope), sum(1 for ch in members if ch.pairs & pairs))

    def code_key(self, code: str, members=None, scope: tuple = ()) -> tuple:
        return self.with_pairs({(code, e) for e in self.taxonomy.experiencers}, members, scope)

    def build(self) -> Cohort:
        d, t = self.d, self.taxonomy
        any_key = self.d.count(ANY_EXPERIENCE, sum(1 for ch in self.children.values() if ch.pairs))
        prevalence = []
        for code in self.codes:
            parts = [self.with_pairs({(code, e)}) for e in t.experiencers]
            total = self.code_key(code)
            d.relate(union_of(total, parts))
            prevalence.append((code, parts, total))
        d.relate(union_of(any_key, [total for *_, total in prevalence]))
        pairs = []
        for i, a in enumerate(self.codes):
            for b in self.codes[i + 1:]:
                key = d.count(("both", a, b), sum(1 for ch in self.children.values()
                                                  if {p[0] for p in ch.pairs} >= {a, b}))
                d.relate(pair_bounds(key, self.code_key(a), self.code_key(b), EVERYONE))
                pairs.append(key)
        distinct = self._distribution("codes", lambda ch: len({p[0] for p in ch.pairs}), len(t.codes))
        aces = self._distribution("ace", lambda ch: len(ace_categories(ch.pairs, t)), 10)
        factors = [(label, self.with_pairs(p)) for label, p in cin_factors(t).items()]
        years = sorted({y for ch in self.children.values() for y in ch.event_years | ch.note_years})
        event_year = [d.count(("event_year", y), sum(y in ch.event_years for ch in self.children.values()))
                      for y in years]
        note_year = [d.count(("note_year", y), sum(y in ch.note_years for ch in self.children.values()))
                     for y in years]
        if all(ch.note_years for ch in self.children.values() if ch.pairs):
            d.relate(union_of(any_key, note_year))     # every experience's note is known
        first = self._first_ages(any_key)
        groups = {name: self._groups(name, prevalence, any_key) for name in self.fields}
        out = d.publish()
        return Cohort(out.shown(EVERYONE), [
            self._prevalence_table(out, prevalence, any_key),
            self._cooccurrence_table(out),
            self._distribution_table(out, "distinct_codes", "Distinct codes per child", "codes", distinct),
            self._distribution_table(out, "ace_score", "CDC ACE score per child (through the crosswalk)", "ace",
                                     aces),
            Table("cin_factors", "DfE CIN factors (through the crosswalk)", ["factor", "children", "% of children"],
                  [[label, out.shown(k), out.percent(k, EVERYONE)] for label, k in factors]),
            Table("trends", "Children with an experience, by year",
                  ["year", "by event year", "by note year"],
                  [[y, out.shown(e), out.shown(n)] for y, e, n in zip(years, event_year, note_year)],
                  note="Event year is the start of the event's date interval; undated events count "
                       "only by note year."),
            Table("first_age", "Age at first recorded adversity (dated events, children with a DOB)",
                  ["age", "children"], [[label, out.shown(k)] for label, k in first]),
            *(self._group_table(out, name, rows) for name, rows in groups.items()),
        ], out.threshold, len(out.primary), len(out.secondary))

    def _distribution(self, name: str, measure, top: int) -> list[tuple[int, tuple]]:
        counts = defaultdict(int)
        for child in self.children.values():
            counts[measure(child)] += 1
        rows = [(k, self.d.count((name, k), counts[k])) for k in range(0, max([top, *counts]) + 1)]
        self.d.relate(sums_to(EVERYONE, [k for _, k in rows]))
        return rows

    def _first_ages(self, any_key) -> list[tuple[str, tuple]]:
        bands = defaultdict(int)
        for case_id, child in self.children.items():
            if child.first_dated and case_id in self.dobs:
                bands[_band(age_in_years(self.dobs[case_id], child.first_dated))] += 1
        total = self.d.count(("first_age", "all"), sum(bands.values()))
        rows = [(label, self.d.count(("first_age", label), bands[label])) for label, *_ in AGE_BANDS]
        self.d.relate(sums_to(total, [k for _, k in rows]), at_most(total, any_key))
        return [*rows, ("all with a DOB and a dated event", total)]

    def _groups(self, name: str, prevalence, any_key) -> list[tuple[str, tuple, tuple, list]]:
        values = sorted({ch.groups[name] for ch in self.children.values()}, key=lambda v: (v == UNKNOWN, v))
        rows = []
        for value in values:
            members = [ch for ch in self.children.values() if ch.groups[name] == value]
            size = self.d.count(("group", name, value), len(members))
            scope = (name, value)
            anyone = self.d.count(("with", "any", *scope), sum(1 for ch in members if ch.pairs))
            codes = [self.code_key(code, members, scope) for code, *_ in prevalence]
            self.d.relate(union_of(anyone, codes), at_most(anyone, size))
            rows.append((value, size, anyone, codes))
        self.d.relate(sums_to(EVERYONE, [r[1] for r in rows]), sums_to(any_key, [r[2] for r in rows]))
        for i, (_, _, total) in enumerate(prevalence):
            self.d.relate(sums_to(total, [r[3][i] for r in rows]))
        return rows

    def _prevalence_table(self, out: Published, prevalence, any_key) -> Table:
        experiencers = self.taxonomy.experiencers
        columns = ["code", *(f"{e}" for e in experiencers), "any experiencer", "% of children"]
        rows = [[code, *(out.shown(k) for k in parts), out.shown(total), out.percent(total, EVERYONE)]
                for code, parts, total in prevalence]
        rows.append(["any code", *([""] * len(experiencers)), out.shown(any_key), out.percent(any_key, EVERYONE)])
        return Table("prevalence", "Children with each code, by experiencer", columns, rows,
                     note="Counts are children; a child with a code for two experiencers is in both columns "
                          "and once under 'any experiencer'.")

    def _cooccurrence_table(self, out: Published) -> Table:
        rows = []
        for a in self.codes:
            row = [a]
            for b in self.codes:
                key = self.code_key(a) if a == b else ("both", *sorted((a, b), key=self.codes.index))
                row.append(out.shown(key))
            rows.append(row)
        return Table("cooccurrence", "Children with both codes (diagonal: with the code)", ["code", *self.codes],
                     rows)

    @staticmethod
    def _distribution_table(out: Published, name: str, title: str, unit: str, rows) -> Table:
        return Table(name, title, [unit, "children", "% of children"],
                     [[k, out.shown(key), out.percent(key, EVERYONE)] for k, key in rows])

    def _group_table(self, out: Published, name: str, rows) -> Table:
        columns = [name, "children", "with any code", *self.codes]
        body = [[value, out.shown(size), out.shown(anyone), *(out.shown(k) for k in codes)]
                for value, size, anyone, codes in rows]
        return Table(f"by_{name}", f"Children with each code, by {name} (of their latest note)", columns, body)
