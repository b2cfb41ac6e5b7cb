"""Views over the store: per-child timelines and suppressed cohort tables, and their exports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from narrative.aggregate.cohort import Cohort, Table, build_cohort
from narrative.aggregate.suppression import Disclosure, Published, suppress
from narrative.aggregate.timeline import COLUMNS as TIMELINE_COLUMNS, TimelineEvent, build_timeline
from narrative.errors import NarrativeError
from narrative.io import write_jsonl
from narrative.store import Store

__all__ = ["COHORT_COLUMNS", "TIMELINE_COLUMNS", "Cohort", "Disclosure", "Published", "Table", "TimelineEvent", "build_cohort", "build_timeline",
           "cohort_from_store", "suppress", "timeline_from_store", "write_rows"]

COHORT_COLUMNS = ("table", "row", "column", "value")


class ExportError(NarrativeError):
    """An export that cannot be written as asked."""


def cohort_from_store(store: Store, *, threshold: int = 5, by: Sequence[str] | None = None) -> Cohort:
    """The suppressed cohort tables of everything in ``store``."""
    try:
        return build_cohort(store.confirmed(experiences_only=True), store.notes(), store.dobs(),
                            threshold=threshold, by=by)
    except ValueError as err:
        raise ExportError(str(err)) from None


def timeline_from_store(store: Store, case_id: str | None = None) -> list[TimelineEvent]:
    """One child's timeline (or every child's, case by case) from ``store``."""
    notes, dobs = store.notes(case_id), store.dobs()
    codes = store.confirmed(case_id=case_id, experiences_only=True)
    if case_id is not None and not notes and not codes:
        raise ExportError(f"case {case_id!r} is not in the store")
    codes_by_case, notes_by_case = defaultdict(list), defaultdict(list)
    for code in codes:
        codes_by_case[code.case_id].append(code)
    for note in notes:
        notes_by_case[note.case_id].append(note)
    cases = [case_id] if case_id is not None else sorted(codes_by_case)
    return [event for case in cases
            for event in build_timeline(case, codes_by_case[case], notes_by_case[case], dobs.get(case))]


def write_rows(rows: Iterable[dict], columns: Sequence[str], path: str | Path) -> int:
    """Write rows as CSV, Parquet, JSON (an array) or JSON Lines, by the file's suffix; returns the count."""
    import csv
    import json

    path = Path(path)
    rows = list(rows)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    elif path.suffix.lower() == ".jsonl":
        write_jsonl(path, rows)
    elif path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns))
            writer.writeheader()
            writer.writerows(rows)
    elif path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows, schema=None) if rows else
                       pa.table({c: pa.array([], pa.string()) for c in columns}), path)
    else:
        raise ExportError(f"{path.name}: export to .csv or .parquet (or .json, .jsonl)")
    return len(rows)
