"""Small-number suppression: an attacker who reads only the published tables (as embedded in the
report and written by `export cohort`) tries to work out every "<5" by subtraction, differences,
unions and pair bounds; it must fail for every random cohort, and succeed against primary-only
suppression (so the attack is real)."""

import random
from datetime import date, datetime, timezone

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from narrative.aggregate.cohort import AGE_BANDS, build_cohort, cin_factors
from narrative.aggregate.suppression import Disclosure, Published, at_most, sums_to, union_of
from narrative.records import ConfirmedCode
from narrative.store import NoteMeta
from narrative.taxonomy import load_taxonomy

TAX = load_taxonomy()
WHEN = datetime(2024, 1, 1, tzinfo=timezone.utc)


def random_cohort(seed: int, children: int):
    """Children with skewed code frequencies (many small counts), areas, DOBs and dates."""
    rng = random.Random(seed)
    codes = TAX.code_keys
    weights = {c: rng.choice([0.02, 0.05, 0.1, 0.3, 0.5]) for c in codes}
    rows, notes, dobs = [], [], {}
    for i in range(children):
        case = f"C{i:03d}"
        dob = date(2005 + rng.randrange(12), rng.randrange(1, 13), rng.randrange(1, 28))
        if rng.random() < 0.9:
            dobs[case] = dob
        area = rng.choice(["North", "South", "East", None])
        team = f"T{rng.randrange(8)}"
        for n in range(rng.randint(1, 3)):
            note_id = f"{case}-N{n}"
            note_date = date(2016 + rng.randrange(8), rng.randrange(1, 13), 1)
            notes.append(NoteMeta(note_id, case, note_date, dob=dobs.get(case), area=area, team=team))
            for code in codes:
                if rng.random() < weights[code] / 2:
                    start = date(note_date.year - rng.randrange(3), rng.randrange(1, 13), 1) \
                        if rng.random() < 0.7 else None
                    rows.append(ConfirmedCode(
                        note_id, case, code, rng.choice(TAX.experiencers), rng.choice(["present", "possible",
                                                                                         "negated"]),
                        start, start and date(start.year, start.month, 28), start and "month", "[PERSON] evidence",
                        "sw", WHEN, "m", rng.choice(["accepted", "corrected", "rejected"])))
    return rows, notes, dobs


def names(tables: dict) -> dict:
    """Map every published cell to the quantity it shows (the public meaning of each table)."""
    cells = {}
    prevalence = tables["prevalence"]
    experiencers = prevalence["columns"][1:-2]
    for row in prevalence["rows"]:
        if row[0] == "any code":
            cells[("ANY",)] = [row[-2]]
            continue
        for e, value in zip(experiencers, row[1:]):
            cells.setdefault(("P", row[0], e), []).append(value)
        cells.setdefault(("A", row[0]), []).append(row[-2])
    order = tables["cooccurrence"]["columns"][1:]
    for row in tables["cooccurrence"]["rows"]:
        for b, value in zip(order, row[1:]):
            key = ("A", row[0]) if row[0] == b else ("B", *sorted((row[0], b), key=order.index))
            cells.setdefault(key, []).append(value)
    for name, tag in (("distinct_codes", "D"), ("ace_score", "S"), ("first_age", "F")):
        for row in tables[name]["rows"]:
            cells.setdefault((tag, row[0]), []).append(row[1])
    factors = cin_factors(TAX)
    for label, value in ((r[0], r[1]) for r in tables["cin_factors"]["rows"]):
        pairs = factors[label]
        codes = {c for c, _ in pairs}
        if len(codes) == 1 and len(pairs) == len(TAX.experiencers):
            key = ("A", *codes)
        elif len(pairs) == 1:
            key = ("P", *next(iter(pairs)))
        else:
            key = ("CIN", label)
        if key[0] != "CIN" and key[1] not in {r[0] for r in prevalence["rows"]}:
            key = ("CIN", label)      # a code nobody has: published as 0 only here
        cells.setdefault(key, []).append(value)
    for row in tables["trends"]["rows"]:
        cells.setdefault(("EY", row[0]), []).append(row[1])
        cells.setdefault(("NY", row[0]), []).append(row[2])
    for name in [n for n in tables if n.startswith("by_")]:
        table = tables[name]
        for row in table["rows"]:
            cells.setdefault(("G", name, row[0]), []).append(row[1])
            cells.setdefault(("GA", name, row[0]), []).append(row[2])
            for code, value in zip(table["columns"][3:], row[3:]):
                cells.setdefault(("GC", name, row[0], code), []).append(value)
    return cells


def relations(tables: dict, n: str) -> list[tuple[dict, bool]]:
    """What anyone reading the report knows about how its figures relate: (coefs, equal) meaning
    sum(coef * x) == 0 (equal) or >= 0."""
    out = []

    def union(total, parts):
        out.extend(({total: 1, p: -1}, False) for p in parts)
        out.append(({total: -1, **{p: 1 for p in parts}}, False))

    codes = [r[0] for r in tables["prevalence"]["rows"] if r[0] != "any code"]
    experiencers = tables["prevalence"]["columns"][1:-2]
    for code in codes:
        union(("A", code), [("P", code, e) for e in experiencers])
    union(("ANY",), [("A", c) for c in codes])
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            both = ("B", a, b)
            out += [({("A", a): 1, both: -1}, False), ({("A", b): 1, both: -1}, False),
                    ({both: 1, ("A", a): -1, ("A", b): -1, n: 1}, False)]
    for tag, name in (("D", "distinct_codes"), ("S", "ace_score")):
        out.append(({n: 1, **{(tag, r[0]): -1 for r in tables[name]["rows"]}}, True))
    bands = [label for label, *_ in AGE_BANDS]
    total = ("F", tables["first_age"]["rows"][-1][0])
    out.append(({total: 1, **{("F", b): -1 for b in bands}}, True))
    out.append(({("ANY",): 1, total: -1}, False))
    union(("ANY",), [("NY", r[0]) for r in tables["trends"]["rows"]])
    for name in [t for t in tables if t.startswith("by_")]:
        groups = [r[0] for r in tables[name]["rows"]]
        out.append(({n: 1, **{("G", name, g): -1 for g in groups}}, True))
        out.append(({("ANY",): 1, **{("GA", name, g): -1 for g in groups}}, True))
        for code in codes:
            out.append(({("A", code): 1, **{("GC", name, g, code): -1 for g in groups}}, True))
        for g in groups:
            union(("GA", name, g), [("GC", name, g, c) for c in codes])
            out.append(({("G", name, g): 1, ("GA", name, g): -1}, False))
    return out


def recoverable(tables: dict, threshold: int = 5, small_values=None) -> list:
    """Every withheld quantity the attacker pins to one value (two integer programs per cell): all
    "<threshold" cells, and the "*" cells of ``small_values`` (quantity -> true value, from the
    test's own knowledge of the data) that hold a small count."""
    cells = names(tables)
    small = f"<{threshold}"
    known, unknown = {}, {}
    for key, shown in cells.items():
        numbers = [v for v in shown if isinstance(v, (int, float))]
        if numbers:
            known[key] = numbers[0]                  # published somewhere: the attacker has it
        else:
            unknown[key] = small if small in shown else "*"
    n = ("N",)
    known[n] = big = tables["children"]
    rels = relations(tables, n)
    keys = sorted(unknown, key=str)
    index = {k: i for i, k in enumerate(keys)}
    size = len(keys)
    rows, lo, hi = [], [], []
    for coefs, equal in rels:
        row, constant = np.zeros(size), 0.0
        for key, coef in coefs.items():
            if key in index:
                row[index[key]] += coef
            else:
                constant += coef * known[key]
        if row.any():
            rows.append(row)
            lo.append(-constant)
            hi.append(-constant if equal else np.inf)
    low = [1 if unknown[k] == small else 0 for k in keys]              # "<5": 1 to 4; "*": anything
    high = [threshold - 1 if unknown[k] == small else big for k in keys]
    constraints = [LinearConstraint(np.array(rows), lo, hi)] if rows else []
    pinned = []
    for key in keys:
        if unknown[key] != small and not (small_values and 0 < small_values.get(key, 0) < threshold):
            continue
        found = []
        for sign in (1, -1):
            objective = np.zeros(size)
            objective[index[key]] = sign
            result = milp(objective, constraints=constraints, integrality=np.ones(size), bounds=Bounds(low, high))
            assert result.status == 0, "the published tables contradict each other"
            found.append(round(result.x[index[key]]))
        if found[0] == found[1]:
            pinned.append((key, found[0]))
    return pinned


def published(cohort) -> dict:
    return {"children": cohort.children, **{t.name: {"columns": t.columns, "rows": t.rows} for t in cohort.tables}}


@pytest.mark.slow
@pytest.mark.parametrize("seed,children", [(1, 12), (2, 25), (3, 40), (4, 18), (5, 60), (6, 9), (7, 150)])
def test_no_small_count_can_be_worked_out_from_the_published_tables(seed, children, monkeypatch):
    rows, notes, dobs = random_cohort(seed, children)
    cohort = build_cohort(rows, notes, dobs, threshold=5)
    tables = published(cohort)
    assert cohort.withheld > 0
    monkeypatch.setattr(Disclosure, "publish", lambda self: Published(self.values, frozenset(), frozenset(), 5))
    truth = {key: shown[0] for key, shown in names(published(build_cohort(rows, notes, dobs))).items()}
    assert recoverable(tables, small_values=truth) == []
    for table in cohort.tables:              # a percentage never shows a withheld count
        if table.columns[-1].startswith("%"):
            for row in table.rows:
                if isinstance(row[-2], str) and row[-2]:
                    assert not isinstance(row[-1], float), (table.name, row)


def test_primary_suppression_alone_leaks_and_the_attacker_finds_it(monkeypatch):
    rows, notes, dobs = random_cohort(3, 40)
    cohort = build_cohort(rows, notes, dobs, threshold=5)
    assert cohort.complementary > 0

    def primary_only(self):
        return Published(self.values, frozenset(k for k, v in self.values.items() if 0 < v < 5), frozenset(), 5)

    monkeypatch.setattr(Disclosure, "publish", primary_only)
    leaky = published(build_cohort(rows, notes, dobs, threshold=5))
    assert recoverable(leaky), "primary-only suppression should leak through the totals"


def test_a_lone_small_part_of_a_total_gets_a_complementary_suppression():
    d = Disclosure(threshold=5)
    for key, value in {"all": 30, "north": 3, "south": 20, "east": 7}.items():
        d.count(key, value)
    d.relate(sums_to("all", ["north", "south", "east"]))
    out = d.publish()
    assert [out.shown(k) for k in ("all", "north", "south", "east")] == [30, "<5", 20, "*"]
    assert out.percent("north", "all") == "<5" and out.percent("south", "all") == 66.7
    assert out.percent("south", "east") == "*"


def test_small_parts_of_a_small_total_that_pin_each_other_are_starred():
    d = Disclosure(threshold=5)
    for key, value in {"all": 4, "a": 1, "b": 1, "c": 1, "d": 1, "any": 80}.items():
        d.count(key, value)
    d.relate(sums_to("all", "abcd"), *(at_most(k, "any") for k in "abcd"))   # 4 parts >= 1 of a total <= 4
    out = d.publish()
    assert sum(out.shown(k) == "*" for k in "abcd") >= 1 and out.shown("any") == 80


def test_two_small_parts_that_would_pin_each_other_are_protected():
    d = Disclosure(threshold=5)
    for key, value in {"any": 8, "child": 4, "parent": 4, "other": 0}.items():
        d.count(key, value)
    d.relate(union_of("any", ["child", "parent", "other"]))     # any=8 <= child+parent: both must be 4
    out = d.publish()
    assert out.withheld("any")


def test_threshold_is_configurable_and_zero_is_published():
    d = Disclosure(threshold=10)
    d.count("a", 7)
    d.count("b", 0)
    out = d.publish()
    assert out.shown("a") == "<10" and out.shown("b") == 0
    with pytest.raises(ValueError):
        Disclosure(threshold=1).publish()
