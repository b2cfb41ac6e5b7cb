"""One child's timeline: every confirmed experience in date order, with its interval and precision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from narrative.records import ConfirmedCode
from narrative.store import NoteMeta

COLUMNS = ("case_id", "code", "experiencer", "assertion", "decision", "date_start", "date_end", "date_precision",
           "dated", "age_start", "age_end", "note_id", "note_date", "note_age", "evidence")


@dataclass(frozen=True)
class TimelineEvent:
    """One confirmed experience of a child. An undated event is known only to have happened by its
    note: ``dated`` is False and the interval is empty. Ages are years (one decimal) from the DOB;
    the DOB itself never leaves the store."""

    case_id: str
    code: str
    experiencer: str
    assertion: str
    decision: str
    date_start: date | None
    date_end: date | None
    date_precision: str | None
    age_start: float | None
    age_end: float | None
    note_id: str
    note_date: date | None
    note_age: float | None
    evidence: str

    @property
    def dated(self) -> bool:
        return self.date_start is not None

    def to_dict(self) -> dict:
        row = {name: getattr(self, name) for name in COLUMNS}
        for name in ("date_start", "date_end", "note_date"):
            row[name] = row[name].isoformat() if row[name] else None
        return row


def age(dob: date | None, day: date | None) -> float | None:
    """Years from ``dob`` to ``day``, one decimal (None when either is unknown)."""
    if dob is None or day is None:
        return None
    return round((day - dob).days / 365.25, 1)


def build_timeline(case_id: str, codes: Sequence[ConfirmedCode], notes: Sequence[NoteMeta],
                   dob: date | None) -> list[TimelineEvent]:
    """The child's experiences (rows that count as experiences) by start date; undated ones by their
    note's date after the dated ones that start before it."""
    note_dates = {n.note_id: n.note_date for n in notes}
    events = []
    for code in codes:
        if code.case_id != case_id or not code.counts_as_experience:
            continue
        events.append(TimelineEvent(
            case_id, code.code, code.experiencer, code.assertion, code.decision, code.date_start, code.date_end,
            code.date_precision, age(dob, code.date_start), age(dob, code.date_end), code.note_id,
            note_dates.get(code.note_id), age(dob, note_dates.get(code.note_id)), code.evidence))

    def order(event: TimelineEvent):
        when = event.date_start or event.note_date or date.max
        return (when, not event.dated, event.code, event.note_id)

    return sorted(events, key=order)
