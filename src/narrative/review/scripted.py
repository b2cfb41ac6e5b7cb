"""A scripted review for demos and tests: every suggestion (or gold label) accepted as it stands.

It writes what a practitioner's review would: confirmed rows through
:meth:`Store.replace_review` (one review per note, keyed ``scripted:<note_id>``), the notes'
metadata (ids, dates, grouping fields; never text) and each case's DOB.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from narrative.io import Reject, check_input, read_cases, read_records
from narrative.records import ConfirmedCode, Suggestions, parse_iso_date
from narrative.store import NoteMeta, Store

KEY_PREFIX = "scripted:"


@dataclass
class ScriptedSummary:
    notes: int = 0
    rows: int = 0
    rejects: list[Reject] = field(default_factory=list)


def case_dobs(cases_path: str | Path | None) -> dict[str, date]:
    """Each case's DOB from a cases file (none without one)."""
    return {k: c.dob for k, c in read_cases(cases_path).items() if c.dob} if cases_path else {}


def areas_by_case(case_ids: Iterable[str], areas: Sequence[str]) -> dict[str, dict]:
    """A made-up ``area`` per case, stable by case id, to demo breakdowns (none without areas)."""
    if not areas:
        return {}
    return {case: {"area": areas[zlib.crc32(case.encode()) % len(areas)]} for case in case_ids}


def note_meta(note_id: str, case_id: str, note_date: date, extra: dict, dob: date | None) -> NoteMeta:
    """The metadata the store keeps about a note: the grouping fields that are strings, no text."""
    groups = {f: extra[f] for f in NoteMeta.GROUPING_FIELDS if isinstance(extra.get(f), str) and extra[f]}
    return NoteMeta(note_id, case_id, note_date, dob=dob, **groups)


def accept_suggestions(items: Iterable[Suggestions | Reject], store: Store, *, reviewer: str,
                       dobs: dict[str, date] | None = None, when: datetime | None = None) -> ScriptedSummary:
    """Accept every suggested mention of every note (negated and hypothetical ones are kept as
    accepted rows, which never count as experiences)."""
    when = when or datetime.now(timezone.utc)
    dobs = dobs or {}
    summary = ScriptedSummary()
    for item in items:
        if isinstance(item, Reject):
            summary.rejects.append(item)
            continue
        store.add_notes([note_meta(item.note_id, item.case_id, item.note_date, item.extra, dobs.get(item.case_id))])
        rows = [ConfirmedCode(
            note_id=item.note_id, case_id=item.case_id, code=m.code, experiencer=m.experiencer,
            assertion=m.assertion, date_start=m.date.start if m.date else None,
            date_end=m.date.end if m.date else None, date_precision=m.date.precision if m.date else None,
            evidence=m.text, reviewer=reviewer, reviewed_at=when, model_version=item.model_version or None,
            decision="accepted", evidence_start=m.start, evidence_end=m.end) for m in item.mentions]
        store.replace_review(KEY_PREFIX + item.note_id, rows, reviewer=reviewer, reviewed_at=when,
                             model_version=item.model_version or None, note_id=item.note_id, case_id=item.case_id)
        summary.notes += 1
        summary.rows += len(rows)
    return summary


def accept_suggestions_file(path: str | Path, store: Store, *, reviewer: str,
                            cases_path: str | Path | None = None) -> ScriptedSummary:
    """:func:`accept_suggestions` over a suggestions file from ``narrative extract``, dated by the
    file's modification time (so accepting the same file again changes nothing)."""
    check_input(path)
    return accept_suggestions(read_records(path, Suggestions.from_dict), store, reviewer=reviewer,
                              dobs=case_dobs(cases_path), when=file_time(path))


def file_time(path: str | Path) -> datetime:
    """A file's modification time, UTC, whole seconds."""
    return datetime.fromtimestamp(int(Path(path).stat().st_mtime), timezone.utc)


def gold_evidence(text: str, start: int, end: int, identifiers: list[dict]) -> str:
    """The span ``text[start:end]`` with every gold identifier in it replaced by ``[LABEL]``."""
    pieces, at = [], start
    for ident in sorted(identifiers, key=lambda i: i["start"]):
        if ident["end"] <= at or ident["start"] >= end:
            continue
        pieces += [text[at:max(ident["start"], at)], f"[{ident['label']}]"]
        at = min(ident["end"], end)
    return "".join(pieces) + text[at:end]


def accept_labelled(notes: Iterable, store: Store, *, reviewer: str, dobs: dict[str, date] | None = None,
                    groups: dict[str, dict] | None = None, when: datetime | None = None) -> ScriptedSummary:
    """Store the gold labels of labelled notes (seed corpus or ``narrative synth``) as accepted rows.

    Evidence is the gold span with the gold identifiers replaced by placeholders, so the store
    never holds an identifier; ``groups`` adds grouping fields per case (e.g. an area).
    """
    when = when or datetime.now(timezone.utc)
    dobs, groups = dobs or {}, groups or {}
    summary = ScriptedSummary()
    notes = list(notes)
    store.add_notes([note_meta(note.note_id, note.case_id, parse_iso_date(note.note_date, "note_date"),
                               {"note_type": note.note_type, "author_role": note.author_role,
                                "source": note.source, **groups.get(note.case_id, {})}, dobs.get(note.case_id))
                     for note in notes])
    for note in notes:
        timexes = {t["id"]: t for t in note.timexes}
        rows = []
        for m in note.mentions:
            timex = timexes.get(m.get("date"))
            rows.append(ConfirmedCode(
                note_id=note.note_id, case_id=note.case_id, code=m["code"], experiencer=m["experiencer"],
                assertion=m["assertion"],
                date_start=parse_iso_date(timex["value_start"], "date_start") if timex else None,
                date_end=parse_iso_date(timex["value_end"], "date_end") if timex else None,
                date_precision=timex["precision"] if timex else None,
                evidence=gold_evidence(note.text, m["start"], m["end"], note.identifiers), reviewer=reviewer,
                reviewed_at=when, model_version="gold", decision="accepted"))
        store.replace_review(KEY_PREFIX + note.note_id, rows, reviewer=reviewer, reviewed_at=when,
                             model_version="gold", note_id=note.note_id, case_id=note.case_id)
        summary.notes += 1
        summary.rows += len(rows)
    return summary
