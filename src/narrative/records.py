"""The records that pass between the stages (``../shared/spec/formats.md``).

Every record has ``from_dict`` (validating, raising :class:`RecordError` that names the field,
never the value) and ``to_dict`` (the exact JSON shape of the format).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from narrative.errors import NarrativeError

NOTE_FIELDS = ("note_id", "case_id", "note_date", "text")


class RecordError(NarrativeError):
    """A record that cannot be used. The message names the record and field, never the text."""

    def __init__(self, reason: str, *, record: str | None = None, field: str | None = None):
        self.reason = reason
        self.record = record
        self.field = field
        where = " ".join(p for p in (record, f"field {field!r}" if field else None) if p)
        super().__init__(f"{where}: {reason}" if where else reason)

    def located(self, record: str) -> "RecordError":
        """The same error, naming ``record`` when it does not name one yet."""
        return self if self.record else RecordError(self.reason, record=record, field=self.field)


def _require_str(data: dict, name: str, *, allow_empty: bool = False) -> str:
    value = data.get(name)
    if value is None:
        raise RecordError("missing required field", field=name)
    if not isinstance(value, str):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and name != "text":
            value = str(value)
        else:
            raise RecordError(f"expected a string, got {type(value).__name__}", field=name)
    if not allow_empty and not value.strip():
        raise RecordError("empty", field=name)
    return value


def parse_iso_date(value: Any, name: str) -> date:
    """An ISO ``YYYY-MM-DD`` date, or a RecordError naming ``name``."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise RecordError("missing required field" if value is None else "not an ISO date (YYYY-MM-DD)", field=name)
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise RecordError("not an ISO date (YYYY-MM-DD)", field=name) from None


def _optional_date(data: dict, name: str) -> date | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    return parse_iso_date(value, name)


def _name_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    raise RecordError("expected a list of names", field="given_names/known_people")


@dataclass
class Note:
    """One free-text case note (input)."""

    note_id: str
    case_id: str
    note_date: date
    text: str
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict) -> "Note":
        if not isinstance(data, dict):
            raise RecordError("not an object")
        note_id = _require_str(data, "note_id")
        try:
            note = cls(
                note_id=note_id,
                case_id=_require_str(data, "case_id"),
                note_date=parse_iso_date(data.get("note_date"), "note_date"),
                text=_require_str(data, "text"),
                extra={k: v for k, v in data.items() if k not in NOTE_FIELDS},
            )
        except RecordError as err:
            raise err.located(f"note {note_id!r}") from None
        return note

    def to_dict(self) -> dict:
        return {"note_id": self.note_id, "case_id": self.case_id,
                "note_date": self.note_date.isoformat(), "text": self.text, **self.extra}


@dataclass
class Case:
    """What the case-management system already holds about one child."""

    case_id: str
    dob: date | None = None
    given_names: list[str] = field(default_factory=list)
    family_name: str | None = None
    address: str | None = None
    known_people: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> "Case":
        if not isinstance(data, dict):
            raise RecordError("not an object")
        case_id = _require_str(data, "case_id")
        try:
            return cls(
                case_id=case_id,
                dob=_optional_date(data, "dob"),
                given_names=_name_list(data.get("given_names")),
                family_name=(data.get("family_name") or None),
                address=(data.get("address") or None),
                known_people=_name_list(data.get("known_people")),
            )
        except RecordError as err:
            raise err.located(f"case {case_id!r}") from None

    @property
    def full_names(self) -> list[str]:
        """The child's own full name(s) followed by every known person's."""
        child = " ".join([*self.given_names, self.family_name or ""]).strip()
        return [n for n in [child, *self.known_people] if n]

    def to_dict(self) -> dict:
        return {"case_id": self.case_id, "dob": self.dob.isoformat() if self.dob else None,
                "given_names": self.given_names, "family_name": self.family_name,
                "address": self.address, "known_people": self.known_people}


@dataclass
class Redaction:
    """One redacted span: offsets into the redacted text and into the source text."""

    start: int
    end: int
    source_start: int
    source_end: int
    entity_type: str
    placeholder: str

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class RedactedNote:
    """A note after de-identification; ``text`` holds placeholders, never the identifiers."""

    note_id: str
    case_id: str
    note_date: date
    text: str
    redactions: list[Redaction]
    redactor: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict) -> "RedactedNote":
        if not isinstance(data, dict):
            raise RecordError("not an object")
        note = Note.from_dict({k: v for k, v in data.items() if k not in ("redactions", "redactor")})
        if "redactor" not in data or "redactions" not in data:
            raise RecordError("not a redacted-note record (run `narrative redact` first)",
                              record=f"note {note.note_id!r}", field="redactor")
        try:
            redactions = [Redaction(**r) for r in data["redactions"]]
        except (TypeError, ValueError):
            raise RecordError("malformed redaction", record=f"note {note.note_id!r}", field="redactions") from None
        return cls(note.note_id, note.case_id, note.note_date, note.text, redactions,
                   dict(data["redactor"]), note.extra)

    def to_dict(self) -> dict:
        return {"note_id": self.note_id, "case_id": self.case_id,
                "note_date": self.note_date.isoformat(), "text": self.text,
                "redactions": [r.to_dict() for r in self.redactions],
                "redactor": self.redactor, **self.extra}


PRECISIONS = ("day", "week", "month", "season", "school_term", "school_year", "year", "age", "decade")
ANCHORS = ("explicit", "note_date", "dob", "previous")


@dataclass
class DateInterval:
    """The calendar interval a time expression denotes, with its precision and what anchored it."""

    text: str
    start: date
    end: date
    precision: str
    anchor: str

    def __post_init__(self):
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}")
        if self.anchor not in ANCHORS:
            raise ValueError(f"unknown anchor {self.anchor!r}")
        if self.end < self.start:
            raise ValueError("date interval ends before it starts")

    @classmethod
    def from_dict(cls, data: dict) -> "DateInterval":
        return cls(text=data["text"], start=parse_iso_date(data["start"], "date.start"),
                   end=parse_iso_date(data["end"], "date.end"),
                   precision=data["precision"], anchor=data["anchor"])

    def to_dict(self) -> dict:
        return {"text": self.text, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "precision": self.precision, "anchor": self.anchor}


ASSERTION_STRENGTH = ("present", "possible", "hypothetical", "negated")
# The identifier types the redactor replaces ("[PERSON_n]", "[ADDRESS]" ...). When findings
# overlap, the merged span takes the first of these types among them.
IDENTIFIER_TYPES = (
    "DATE_OF_BIRTH", "NHS_NUMBER", "NI_NUMBER", "UPN", "POLICE_REFERENCE", "PHONE_NUMBER",
    "EMAIL_ADDRESS", "ADDRESS", "POSTCODE", "SCHOOL", "GP_SURGERY", "NURSERY", "CHILDRENS_HOME",
    "HOSPITAL", "PERSON", "LOCATION", "DATE",
)


@dataclass
class Mention:
    """One suggested code with its evidence span (offsets into the redacted text) and date."""

    code: str
    experiencer: str
    assertion: str
    score: float
    start: int
    end: int
    text: str
    date: DateInterval | None = None

    def to_dict(self) -> dict:
        return {"code": self.code, "experiencer": self.experiencer, "assertion": self.assertion,
                "score": round(self.score, 4), "start": self.start, "end": self.end, "text": self.text,
                "date": self.date.to_dict() if self.date else None}

    @classmethod
    def from_dict(cls, data: dict) -> "Mention":
        date_data = data.get("date")
        return cls(data["code"], data["experiencer"], data["assertion"], float(data["score"]),
                   int(data["start"]), int(data["end"]), data["text"],
                   DateInterval.from_dict(date_data) if date_data else None)


@dataclass
class CodeSummary:
    """The note-level row of one (code, experiencer): strongest assertion, highest score."""

    code: str
    experiencer: str
    assertion: str
    score: float

    def to_dict(self) -> dict:
        return {"code": self.code, "experiencer": self.experiencer, "assertion": self.assertion,
                "score": round(self.score, 4)}


def summarise(mentions: list[Mention]) -> list[CodeSummary]:
    """One row per (code, experiencer), in order of first mention."""
    rows: dict[tuple[str, str], CodeSummary] = {}
    for m in mentions:
        row = rows.get((m.code, m.experiencer))
        if row is None:
            rows[(m.code, m.experiencer)] = CodeSummary(m.code, m.experiencer, m.assertion, m.score)
            continue
        if ASSERTION_STRENGTH.index(m.assertion) < ASSERTION_STRENGTH.index(row.assertion):
            row.assertion = m.assertion
        row.score = max(row.score, m.score)
    return list(rows.values())


@dataclass
class Suggestions:
    """What the extraction stage suggests for one redacted note."""

    note_id: str
    case_id: str
    note_date: date
    model_version: str
    text: str
    mentions: list[Mention]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def codes(self) -> list[CodeSummary]:
        return summarise(self.mentions)

    @classmethod
    def from_dict(cls, data: dict) -> "Suggestions":
        """Validate a suggestions record; mention offsets must lie inside the text."""
        if not isinstance(data, dict):
            raise RecordError("not an object")
        note = Note.from_dict({k: v for k, v in data.items() if k not in ("mentions", "codes", "model_version")})
        where = f"note {note.note_id!r}"
        model_version = data.get("model_version")
        if not isinstance(model_version, str) or not model_version:
            raise RecordError("missing required field", record=where, field="model_version")
        if not isinstance(data.get("mentions"), list):
            raise RecordError("expected a list", record=where, field="mentions")
        mentions = []
        for i, item in enumerate(data["mentions"]):
            try:
                mention = Mention.from_dict(item)
            except (KeyError, TypeError, ValueError, AttributeError, RecordError):
                raise RecordError("malformed mention", record=where, field=f"mentions[{i}]") from None
            if not 0 <= mention.start < mention.end <= len(note.text):
                raise RecordError("offsets outside the text", record=where, field=f"mentions[{i}]")
            mentions.append(mention)
        return cls(note.note_id, note.case_id, note.note_date, model_version, note.text, mentions, note.extra)

    def to_dict(self) -> dict:
        return {"note_id": self.note_id, "case_id": self.case_id, "note_date": self.note_date.isoformat(),
                "model_version": self.model_version, "text": self.text,
                "mentions": [m.to_dict() for m in self.mentions],
                "codes": [c.to_dict() for c in self.codes], **self.extra}


DECISIONS = ("accepted", "corrected", "added", "rejected")


def parse_timestamp(value: Any, name: str) -> datetime:
    """An ISO 8601 timestamp as an aware UTC datetime (naive values are taken as UTC)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise RecordError("not an ISO 8601 timestamp", field=name) from None
    else:
        raise RecordError("missing required field" if value is None else "not an ISO 8601 timestamp", field=name)
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


@dataclass(frozen=True)
class ConfirmedCode:
    """One reviewed mention: what a practitioner accepted, corrected, added or rejected.

    ``evidence`` is the redacted evidence text; ``evidence_start``/``evidence_end`` index into the
    redacted note. ``review_key`` names the review that produced the row (an edited review
    replaces its rows).
    """

    note_id: str
    case_id: str
    code: str
    experiencer: str
    assertion: str
    date_start: date | None
    date_end: date | None
    date_precision: str | None
    evidence: str
    reviewer: str
    reviewed_at: datetime
    model_version: str | None
    decision: str
    evidence_start: int | None = None
    evidence_end: int | None = None
    review_key: str = ""

    def __post_init__(self):
        if self.decision not in DECISIONS:
            raise RecordError(f"decision must be one of {', '.join(DECISIONS)}", field="decision")
        if self.date_precision is not None and self.date_precision not in PRECISIONS:
            raise RecordError("unknown date precision", field="date_precision")
        if self.date_start and self.date_end and self.date_end < self.date_start:
            raise RecordError("date_end is before date_start", field="date_end")

    @property
    def counts_as_experience(self) -> bool:
        """Accepted, corrected or added, with an affirmed assertion (present or possible)."""
        from narrative.taxonomy import load_taxonomy

        return self.decision != "rejected" and load_taxonomy().is_affirmed(self.assertion)

    @classmethod
    def from_dict(cls, data: dict) -> "ConfirmedCode":
        """Validate a row (as exported to CSV or JSON); errors name the note and field."""
        if not isinstance(data, dict):
            raise RecordError("not an object")
        note_id = _require_str(data, "note_id")

        def optional_int(name: str) -> int | None:
            value = data.get(name)
            if value in (None, ""):
                return None
            try:
                return int(value)
            except (TypeError, ValueError):
                raise RecordError("not an integer", field=name) from None

        try:
            return cls(
                note_id=note_id, case_id=_require_str(data, "case_id"), code=_require_str(data, "code"),
                experiencer=_require_str(data, "experiencer"), assertion=_require_str(data, "assertion"),
                date_start=_optional_date(data, "date_start"), date_end=_optional_date(data, "date_end"),
                date_precision=data.get("date_precision") or None,
                evidence=_require_str(data, "evidence", allow_empty=True),
                reviewer=_require_str(data, "reviewer"),
                reviewed_at=parse_timestamp(data.get("reviewed_at"), "reviewed_at"),
                model_version=data.get("model_version") or None, decision=_require_str(data, "decision"),
                evidence_start=optional_int("evidence_start"), evidence_end=optional_int("evidence_end"),
                review_key=str(data.get("review_key") or ""),
            )
        except RecordError as err:
            raise err.located(f"confirmed row for note {note_id!r}") from None

    def to_dict(self) -> dict:
        row = dataclasses.asdict(self)
        for name in ("date_start", "date_end", "reviewed_at"):
            row[name] = row[name].isoformat() if row[name] else None
        return row
