"""Training examples from practitioners' reviews: confirmed codes become sentence windows.

Each review row (:class:`narrative.records.ConfirmedCode`) names a code in the evidence of a note:
the evidence text (already redacted) is the window. Accepted, corrected and added codes are
positives with their (corrected) assertion and experiencer; a rejected code is a negative for
that code in that window. When one window and code were reviewed more than once, the latest
review wins. Reviewed children are split by child: a child of the seed corpus keeps its split,
any other child gets one from a hash of its case_id, so no child is ever in two splits.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from narrative.records import ASSERTION_STRENGTH, ConfirmedCode, RecordError
from narrative.taxonomy import Taxonomy
from narrative.train.dataset import WindowExample

#: Share of new (not seed-corpus) children per split, by hash bucket out of 100.
NEW_CHILD_SPLITS = (("train", 70), ("dev", 85), ("test", 100))


@dataclass
class ReviewData:
    """Windows built from review rows, and the rows left out with their reason."""

    windows: list[WindowExample] = field(default_factory=list)
    rows: int = 0
    skipped: list[dict] = field(default_factory=list)

    def split(self, name: str) -> list[WindowExample]:
        return [w for w in self.windows if w.split == name]

    def summary(self) -> dict:
        """Counts for the model manifest (ids and reasons only, never text)."""
        return {"rows": self.rows, "used": self.rows - len(self.skipped),
                "windows": {s: len(self.split(s)) for s, _ in NEW_CHILD_SPLITS}, "skipped": self.skipped}


def child_split(case_id: str, seed_splits: dict[str, str]) -> str:
    """The split of a child: its seed-corpus split, else one fixed by a hash of the case_id."""
    if case_id in seed_splits:
        return seed_splits[case_id]
    bucket = int(hashlib.sha256(case_id.encode("utf-8")).hexdigest()[:8], 16) % 100
    return next(name for name, upper in NEW_CHILD_SPLITS if bucket < upper)


def read_export(path: str | Path) -> tuple[list[ConfirmedCode], list[dict]]:
    """The rows of a ``narrative export confirmed`` CSV, and the unusable rows with their reason."""
    path = Path(path)
    rows, bad = [], []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [n for n in ("note_id", "case_id", "code", "decision", "evidence") if n not in (reader.fieldnames or [])]
        if missing:
            raise RecordError(f"not a confirmed-codes export (no column {', '.join(missing)})", record=str(path))
        for number, raw in enumerate(reader, start=2):
            try:
                rows.append(ConfirmedCode.from_dict(raw))
            except RecordError as err:
                bad.append({"row": number, "note_id": raw.get("note_id"), "field": err.field, "reason": err.reason})
    return rows, bad


def read_store(url: str) -> list[ConfirmedCode]:
    """Every confirmed row (rejections included) of the store at ``url``."""
    from narrative.store import Store

    return Store(url).confirmed()


def review_windows(rows: list[ConfirmedCode], taxonomy: Taxonomy, seed_splits: dict[str, str],
                   skipped: list[dict] | None = None) -> ReviewData:
    """One window per (note, evidence) with the latest decision for each code reviewed there."""
    data = ReviewData(rows=len(rows) + len(skipped or []), skipped=list(skipped or []))
    latest: dict[tuple[str, str, str], ConfirmedCode] = {}
    for row in rows:
        reason = ("code not in this taxonomy" if row.code not in taxonomy.codes
                  else "assertion not in this taxonomy" if row.assertion not in taxonomy.assertions
                  else "experiencer not in this taxonomy" if row.experiencer not in taxonomy.experiencers
                  else "no evidence text" if not row.evidence.strip() else None)
        if reason:
            data.skipped.append({"review_key": row.review_key, "note_id": row.note_id, "code": row.code,
                                 "reason": reason})
            continue
        key = (row.note_id, row.evidence.strip(), row.code)
        rank = (row.reviewed_at, row.decision != "rejected", -ASSERTION_STRENGTH.index(row.assertion))
        current = latest.get(key)
        if current is None or rank > (current.reviewed_at, current.decision != "rejected",
                                      -ASSERTION_STRENGTH.index(current.assertion)):
            latest[key] = row
    windows: dict[tuple[str, str], WindowExample] = {}
    for (note_id, evidence, code), row in sorted(latest.items(), key=lambda item: item[0]):
        window = windows.get((note_id, evidence))
        if window is None:
            start = row.evidence_start if row.evidence_start is not None else 0
            end = row.evidence_end if row.evidence_end is not None else start + len(evidence)
            window = windows[(note_id, evidence)] = WindowExample(
                note_id, row.case_id, child_split(row.case_id, seed_splits), start, end, evidence)
        if row.decision != "rejected":
            window.labels[code] = (row.assertion, row.experiencer)
    data.windows = list(windows.values())
    return data


def load_reviews(from_db: str | None, from_export: str | Path | None, taxonomy: Taxonomy,
                 seed_splits: dict[str, str]) -> ReviewData:
    """The review windows of a store and/or an export file (none when neither is given)."""
    rows, bad = [], []
    if from_db:
        rows += read_store(from_db)
    if from_export:
        exported, bad = read_export(from_export)
        rows += exported
    return review_windows(rows, taxonomy, seed_splits, bad)
