"""Small-number suppression with complementary suppression, checked by an attacker.

Every count that leaves the store is a *quantity* with a key. Counts from 1 to ``threshold - 1``
are withheld and shown as ``"<5"`` (primary suppression). Published figures are related (a row
of parts adds up to its total, a union is at least its largest part and at most their sum, a
pair of codes is no commoner than either code), so a withheld count could be worked out from
the others. :func:`suppress` therefore attacks its own output: for every withheld small count it
asks an integer program for the smallest and largest value consistent with everything published
and every relation, and while one is pinned to a single value it withholds one more related
count (the smallest), shown as ``"*"``. Zero is published as 0.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

PRIMARY = "<{threshold}"
SECONDARY = "*"


@dataclass(frozen=True)
class Relation:
    """``sum(coef * value[key]) >= 0`` (or ``== 0`` when ``equal``) over quantity keys."""

    terms: tuple[tuple[Hashable, int], ...]
    equal: bool = False

    @property
    def keys(self) -> list[Hashable]:
        return [k for k, _ in self.terms]


def sums_to(total: Hashable, parts: Iterable[Hashable]) -> Relation:
    """``total`` is exactly the sum of ``parts`` (each child counted in one part)."""
    return Relation(((total, 1), *((p, -1) for p in parts)), equal=True)


def at_most(small: Hashable, big: Hashable) -> Relation:
    """``small <= big`` (a subset of children)."""
    return Relation(((big, 1), (small, -1)))


def union_of(total: Hashable, parts: Iterable[Hashable]) -> list[Relation]:
    """``total`` counts the children in any of ``parts``: at least each part, at most their sum."""
    parts = list(parts)
    return [*(at_most(p, total) for p in parts), Relation(((total, -1), *((p, 1) for p in parts)))]


def pair_bounds(both: Hashable, a: Hashable, b: Hashable, everyone: Hashable) -> list[Relation]:
    """Children in both ``a`` and ``b``: at most either, at least ``a + b - everyone``."""
    return [at_most(both, a), at_most(both, b), Relation(((both, 1), (a, -1), (b, -1), (everyone, 1)))]


@dataclass
class Disclosure:
    """The counts to publish and how they relate; :meth:`publish` decides what is withheld."""

    threshold: int = 5
    values: dict[Hashable, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    keep: set = field(default_factory=set)

    def count(self, key: Hashable, value: int, *, keep: bool = False) -> Hashable:
        """Register a count (the same key twice must have the same value); returns the key.
        ``keep`` marks a denominator: withheld only when nothing else protects a small count."""
        if keep:
            self.keep.add(key)
        if self.values.setdefault(key, value) != value:
            raise ValueError(f"quantity {key!r} registered with two values")
        return key

    def relate(self, *relations: Relation | Iterable[Relation]) -> None:
        """Add relations an attacker knows (every key must be registered)."""
        for item in relations:
            for relation in ([item] if isinstance(item, Relation) else item):
                missing = [k for k in relation.keys if k not in self.values]
                if missing:
                    raise ValueError(f"relation over unregistered quantity {missing[0]!r}")
                self.relations.append(relation)

    def publish(self) -> "Published":
        """Withhold small counts and enough others that none of them can be worked out."""
        return suppress(self.values, self.relations, self.threshold, keep=self.keep)


@dataclass(frozen=True)
class Published:
    """The outcome: ``primary`` counts are shown as ``<5``; ``secondary`` ones as ``*`` (withheld to
    protect a small count, or a small count that even ``<5`` would give away)."""

    values: Mapping[Hashable, int]
    primary: frozenset
    secondary: frozenset
    threshold: int

    def shown(self, key: Hashable) -> int | str:
        """The count as published: the number, ``"<5"`` or ``"*"``."""
        if key in self.primary:
            return PRIMARY.format(threshold=self.threshold)
        if key in self.secondary:
            return SECONDARY
        return self.values[key]

    def number(self, key: Hashable) -> int | None:
        """The published number, or None when withheld."""
        return None if self.withheld(key) else self.values[key]

    def withheld(self, key: Hashable) -> bool:
        return key in self.primary or key in self.secondary

    def percent(self, key: Hashable, of: Hashable, digits: int = 1) -> float | str:
        """``key`` as a percentage of ``of``; withheld (``"*"``) when either count is withheld."""
        if self.withheld(key) or self.withheld(of):
            return self.shown(key) if self.withheld(key) else SECONDARY
        return round(100 * self.values[key] / self.values[of], digits) if self.values[of] else 0.0


def suppress(values: Mapping[Hashable, int], relations: list[Relation], threshold: int = 5, *,
             keep: Iterable[Hashable] = ()) -> Published:
    """Primary then complementary suppression until no small count is pinned to one value.

    For a pinned small count, the published related counts are tried smallest first and the first
    whose withholding frees it is withheld (``*``); when none does (four ``<5`` parts of a ``<5``
    total are each 1), the small count itself is shown as ``*`` (any value) instead of ``<5``.
    Withholding more only widens what an attacker must consider, so a count once found safe stays
    safe: each round re-attacks only the counts still pinned.
    """
    if threshold < 2:
        raise ValueError("the suppression threshold must be at least 2")
    small = frozenset(k for k, v in values.items() if 0 < v < threshold)
    starred: set[Hashable] = set()           # shown as "*": any value
    keep = set(keep)
    involved: dict[Hashable, list[Relation]] = {}
    neighbours: dict[Hashable, set] = {}
    for relation in relations:
        for key in relation.keys:
            involved.setdefault(key, []).append(relation)
            neighbours.setdefault(key, set()).update(relation.keys)
    unchecked = {k for k in small if k in involved}
    while unchecked:
        hidden = small | starred
        component = _component(min(unchecked, key=str), hidden, neighbours)
        shown_small = small - starred
        pinned = _pinned(component, unchecked & set(component), values, shown_small, involved, threshold)
        unchecked -= set(component) - set(pinned)
        if not pinned:
            continue
        key = pinned[0]
        candidates = sorted(neighbours[key] - hidden, key=lambda k: (k in keep, values[k] == 0, values[k], str(k)))
        for candidate in candidates:
            wider = _component(key, hidden | {candidate}, neighbours)
            if not _pinned(wider, {key}, values, shown_small, involved, threshold):
                starred.add(candidate)
                break
        else:
            starred.add(key)
    return Published(dict(values), small - starred, frozenset(starred), threshold)


def _component(start: Hashable, hidden: frozenset, neighbours: dict) -> list[Hashable]:
    """The withheld counts linked to ``start`` through relations."""
    group, stack = set(), [start]
    while stack:
        key = stack.pop()
        if key not in group:
            group.add(key)
            stack.extend(k for k in neighbours.get(key, ()) if k in hidden and k not in group)
    return sorted(group, key=str)


def _pinned(keys: list[Hashable], targets: set, values, shown_small, involved, threshold) -> list[Hashable]:
    """The ``targets`` that everything published and every relation pin to a single value.

    A ``<5`` count lies in 1..threshold-1, a ``*`` count anywhere from 0 to the cohort size. One
    integer program per round moves as many targets off their true value as it can; those are
    safe. When it can move none, no single one can move either: the rest are pinned.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    ceiling = max(values.values())          # every count is of children: none exceeds the cohort
    index = {k: i for i, k in enumerate(keys)}
    order = sorted(targets, key=str)
    n_x = len(keys)
    n = n_x + 2 * len(order)                # counts; up/down flags per target
    rows, lower, upper = [], [], []

    def add(entries: dict[int, float], lo: float, hi: float) -> None:
        row = np.zeros(n)
        for col, coef in entries.items():
            row[col] += coef
        rows.append(row)
        lower.append(lo)
        upper.append(hi)

    for relation in {id(r): r for k in keys for r in involved[k]}.values():
        entries, constant = {}, 0
        for key, coef in relation.terms:
            if key in index:
                entries[index[key]] = entries.get(index[key], 0) + coef
            else:
                constant += coef * values[key]
        add(entries, -constant, -constant if relation.equal else np.inf)
    for j, key in enumerate(order):          # up: x >= v + 1; down: x <= v - 1; not both
        x, up, down, v = index[key], n_x + 2 * j, n_x + 2 * j + 1, values[key]
        add({x: 1, up: -(v + 1)}, 0, np.inf)
        add({x: 1, down: ceiling}, -np.inf, v - 1 + ceiling)
        add({up: 1, down: 1}, -np.inf, 1)
    low = [1 if k in shown_small else 0 for k in keys] + [0] * (n - n_x)
    high = [threshold - 1 if k in shown_small else ceiling for k in keys] + [1] * (n - n_x)
    constraints = LinearConstraint(np.array(rows), lower, upper)
    open_ = set(range(len(order)))
    while open_:
        objective = np.zeros(n)
        for j in open_:
            objective[n_x + 2 * j] = objective[n_x + 2 * j + 1] = -1
        result = milp(objective, constraints=constraints, integrality=np.ones(n), bounds=Bounds(low, high))
        if result.x is None:
            raise RuntimeError(f"suppression: the published counts are inconsistent ({result.message})")
        moved = {j for j in open_ if round(result.x[n_x + 2 * j] + result.x[n_x + 2 * j + 1]) >= 1}
        if not moved:
            break
        open_ -= moved
    return [order[j] for j in sorted(open_)]
