"""The :class:`Store`: reviewed codes, notes metadata, review audit and model versions."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, delete, insert, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from narrative.errors import NarrativeError
from narrative.records import ConfirmedCode, parse_timestamp
from narrative.store import schema


class StoreError(NarrativeError):
    """The store cannot be opened or written (the message names the database, never a password)."""


@dataclass(frozen=True)
class NoteMeta:
    """What the store keeps about a note: ids, dates and optional grouping fields; never text."""

    note_id: str
    case_id: str
    note_date: date
    dob: date | None = None
    area: str | None = None
    team: str | None = None
    note_type: str | None = None
    author_role: str | None = None
    source: str | None = None

    GROUPING_FIELDS = ("area", "team", "note_type", "author_role", "source")


NOTE_COLUMNS = [f.name for f in fields(NoteMeta) if f.name != "dob"]
CODE_COLUMNS = [f.name for f in fields(ConfirmedCode)]
COMPARED = [c for c in CODE_COLUMNS if c != "review_key"]


def database_url(url: str | Path) -> str:
    """A SQLAlchemy URL; a plain path (or one without a scheme) means a SQLite file."""
    text = str(url)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser()}"


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else parse_timestamp(moment, "timestamp")


class Store:
    """A narrative store at a SQLAlchemy URL or a SQLite path, created or upgraded on opening."""

    def __init__(self, url: str | Path, *, migrations=None):
        self.url = database_url(url)
        try:
            shown = make_url(self.url).render_as_string(hide_password=True)
        except ArgumentError:
            raise StoreError(f"not a database URL: {url}") from None
        self.name = shown
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        migrations = schema.MIGRATIONS if migrations is None else migrations
        try:
            self.engine: Engine = create_engine(self.url, future=True)
            with self.engine.begin() as conn:
                version = schema.current_version(conn)
                if version > len(migrations):
                    raise StoreError(f"{shown}: schema version {version} is newer than this narrative "
                                     f"({len(migrations)}); upgrade narrative")
                if version < len(migrations):
                    schema.upgrade(conn, migrations, version)
        except ArgumentError as err:
            raise StoreError(f"{shown}: not a usable database URL ({type(err).__name__})") from None
        except SQLAlchemyError as err:
            cause = getattr(err, "orig", None) or err
            raise StoreError(f"{shown}: cannot open the store ({type(cause).__name__})") from None

    def schema_version(self) -> int:
        """The number of migrations applied to this store."""
        with self.engine.connect() as conn:
            return schema.current_version(conn)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # notes

    def add_notes(self, notes: Iterable[NoteMeta]) -> int:
        """Insert or update notes metadata (and each case's DOB when given); returns the count."""
        count = 0
        with self.engine.begin() as conn:
            for note in notes:
                row = {c: getattr(note, c) for c in NOTE_COLUMNS}
                conn.execute(delete(schema.notes).where(schema.notes.c.note_id == note.note_id))
                conn.execute(insert(schema.notes).values(**row))
                if note.dob is not None:
                    conn.execute(delete(schema.cases).where(schema.cases.c.case_id == note.case_id))
                    conn.execute(insert(schema.cases).values(case_id=note.case_id, dob=note.dob))
                count += 1
        return count

    def notes(self, case_id: str | None = None) -> list[NoteMeta]:
        """Notes metadata, by case and date."""
        query = (select(schema.notes, schema.cases.c.dob)
                 .join(schema.cases, schema.cases.c.case_id == schema.notes.c.case_id, isouter=True)
                 .order_by(schema.notes.c.case_id, schema.notes.c.note_date, schema.notes.c.note_id))
        if case_id is not None:
            query = query.where(schema.notes.c.case_id == case_id)
        with self.engine.connect() as conn:
            return [NoteMeta(**row._mapping) for row in conn.execute(query)]

    def dobs(self) -> dict[str, date]:
        """Each case's date of birth, where known (to compute ages; never reported)."""
        with self.engine.connect() as conn:
            return {r.case_id: r.dob for r in conn.execute(select(schema.cases)) if r.dob}

    # reviewed codes

    def replace_review(self, review_key: str, rows: Sequence[ConfirmedCode], *, reviewer: str,
                       reviewed_at: datetime, model_version: str | None, note_id: str, case_id: str) -> bool:
        """Make ``rows`` the confirmed rows of one review and audit the change.

        Idempotent: returns False and writes nothing when the stored rows are the same; an edited
        review replaces its earlier rows.
        """
        rows = [r if r.review_key == review_key else _with_key(r, review_key) for r in rows]
        with self.engine.begin() as conn:
            stored = conn.execute(select(schema.confirmed_codes).where(
                schema.confirmed_codes.c.review_key == review_key).order_by(schema.confirmed_codes.c.id))
            if [_compared(_row_to_code(r)) for r in stored] == [_compared(r) for r in rows]:
                return False
            conn.execute(delete(schema.confirmed_codes).where(schema.confirmed_codes.c.review_key == review_key))
            if rows:
                conn.execute(insert(schema.confirmed_codes), [_code_to_row(r) for r in rows])
            decisions = Counter(r.decision for r in rows)
            conn.execute(insert(schema.review_audit).values(
                review_key=review_key, note_id=note_id, case_id=case_id, reviewer=reviewer,
                reviewed_at=_utc(reviewed_at), model_version=model_version,
                accepted=decisions["accepted"], corrected=decisions["corrected"], added=decisions["added"],
                rejected=decisions["rejected"], written_at=datetime.now(timezone.utc)))
        return True

    def confirmed(self, *, case_id: str | None = None, experiences_only: bool = False) -> list[ConfirmedCode]:
        """Reviewed rows by case, date (undated last) and note; ``experiences_only`` keeps only
        accepted, corrected and added rows with an affirmed assertion."""
        table = schema.confirmed_codes
        query = select(table).order_by(table.c.case_id, table.c.date_start.is_(None), table.c.date_start,
                                       table.c.note_id, table.c.id)
        if case_id is not None:
            query = query.where(table.c.case_id == case_id)
        with self.engine.connect() as conn:
            codes = [_row_to_code(r) for r in conn.execute(query)]
        return [c for c in codes if c.counts_as_experience] if experiences_only else codes

    def audit(self) -> list[dict]:
        """The review audit, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(schema.review_audit).order_by(schema.review_audit.c.id))
            return [{**r._mapping, "reviewed_at": _utc(r.reviewed_at), "written_at": _utc(r.written_at)}
                    for r in rows]

    # model versions

    def record_model_version(self, version: str, *, path: str | None, created_at: datetime | None = None,
                             metrics: dict | None = None) -> None:
        """Insert or update one model version."""
        with self.engine.begin() as conn:
            conn.execute(delete(schema.model_versions).where(schema.model_versions.c.version == version))
            conn.execute(insert(schema.model_versions).values(
                version=version, path=path, created_at=_utc(created_at),
                metrics=json.dumps(metrics, sort_keys=True) if metrics is not None else None))

    def model_versions(self) -> list[dict]:
        """Every recorded model version with its metrics."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(schema.model_versions).order_by(schema.model_versions.c.version))
            return [{"version": r.version, "path": r.path, "created_at": _utc(r.created_at),
                     "metrics": json.loads(r.metrics) if r.metrics else None} for r in rows]


def write_confirmed_csv(rows: Iterable[ConfirmedCode], path: str | Path) -> int:
    """Write confirmed rows with every field of ``formats.md`` (and ``decision``) as CSV."""
    import csv

    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CODE_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row.to_dict())
            count += 1
    return count


def _with_key(code: ConfirmedCode, review_key: str) -> ConfirmedCode:
    return ConfirmedCode(**{**asdict(code), "review_key": review_key})


def _compared(code: ConfirmedCode) -> tuple:
    return tuple(getattr(code, c) for c in COMPARED)


def _code_to_row(code: ConfirmedCode) -> dict:
    return {**asdict(code), "reviewed_at": _utc(code.reviewed_at)}


def _row_to_code(row) -> ConfirmedCode:
    values = {c: row._mapping[c] for c in CODE_COLUMNS}
    values["reviewed_at"] = _utc(values["reviewed_at"])
    return ConfirmedCode(**values)
