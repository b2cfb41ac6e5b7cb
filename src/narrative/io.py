"""Streaming readers and writers for notes, cases and stage outputs (JSON Lines, CSV, Parquet).

Readers yield one record at a time (constant memory) and never raise on a bad record: they yield
a :class:`Reject` naming the record (note_id or line) and the reason, never the record's text.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from narrative.errors import NarrativeError
from narrative.records import Case, Note, RecordError

T = TypeVar("T")

JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
DEFAULT_MAX_NOTE_CHARS = 1_000_000


class InputError(NarrativeError):
    """A whole input file cannot be read (missing, unknown format, unreadable)."""


@dataclass
class Reject:
    """An input record that was not processed, and why."""

    record: str
    reason: str
    field: str | None = None
    note_id: str | None = None

    def to_dict(self) -> dict:
        return {"record": self.record, "note_id": self.note_id, "field": self.field, "reason": self.reason}


@dataclass
class RawRecord:
    ref: str
    data: dict | None = None
    error: str | None = None


def input_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise InputError(f"{path.name}: unknown input format {suffix!r} (use .jsonl, .csv or .parquet)")


def check_input(path: str | Path) -> str:
    """The format of an input file that exists, or an :class:`InputError`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return input_format(path)


def read_raw(path: str | Path) -> Iterator[RawRecord]:
    """Every record of a JSON Lines, CSV or Parquet file, one at a time."""
    reader = {"jsonl": _read_jsonl, "csv": _read_csv, "parquet": _read_parquet}[check_input(path)]
    yield from reader(Path(path))


def _read_jsonl(path: Path) -> Iterator[RawRecord]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            ref = f"line {number}"
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield RawRecord(ref, error="not valid UTF-8")
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                yield RawRecord(ref, error="malformed JSON")
                continue
            if not isinstance(data, dict):
                yield RawRecord(ref, error="not a JSON object")
                continue
            yield RawRecord(ref, data)


def _read_csv(path: Path) -> Iterator[RawRecord]:
    csv.field_size_limit(sys.maxsize)
    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            ref = f"line {reader.line_num}"
            if None in row:
                yield RawRecord(ref, error="more fields than the header")
                continue
            if any(_has_surrogates(v) for v in row.values() if isinstance(v, str)):
                yield RawRecord(ref, error="not valid UTF-8")
                continue
            yield RawRecord(ref, {k: v for k, v in row.items() if v is not None})


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _read_parquet(path: Path) -> Iterator[RawRecord]:
    import pyarrow.parquet as pq

    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            number += 1
            yield RawRecord(f"row {number}", row)


def read_records(path: str | Path, parse: Callable[[dict], T], *, label: str = "record") -> Iterator[T | Reject]:
    """Parse each raw record with ``parse``; yield the record or a :class:`Reject`."""
    for raw in read_raw(path):
        if raw.error:
            yield Reject(raw.ref, raw.error)
            continue
        try:
            yield parse(raw.data)
        except RecordError as err:
            yield Reject(raw.ref, err.reason, err.field, _note_id(raw.data))


def _note_id(data: dict | None) -> str | None:
    value = (data or {}).get("note_id")
    return str(value) if isinstance(value, (str, int)) and str(value).strip() else None


def drop_duplicate_ids(items: Iterable[Any]) -> Iterator[Any]:
    """Records in order, the second and later of one note_id turned into rejects."""
    seen: set[str] = set()
    for item in items:
        note_id = getattr(item, "note_id", None)
        if isinstance(item, Reject) or note_id is None:
            yield item
        elif note_id in seen:
            yield Reject(f"note {note_id!r}", "duplicate note_id", "note_id", note_id)
        else:
            seen.add(note_id)
            yield item


def read_notes(path: str | Path, *, max_chars: int = DEFAULT_MAX_NOTE_CHARS) -> Iterator[Note | Reject]:
    """Notes from ``path`` in order; bad, oversized and duplicate records come as rejects."""
    for item in drop_duplicate_ids(read_records(path, Note.from_dict)):
        if isinstance(item, Note) and len(item.text) > max_chars:
            yield Reject(f"note {item.note_id!r}", f"text longer than {max_chars} characters", "text", item.note_id)
        else:
            yield item


def read_cases(path: str | Path) -> dict[str, Case]:
    """Every case in ``path`` by case_id; a bad case record stops with an error naming it."""
    cases: dict[str, Case] = {}
    for item in read_records(path, Case.from_dict):
        if isinstance(item, Reject):
            where = f" field {item.field!r}" if item.field else ""
            raise InputError(f"{Path(path).name} {item.record}{where}: {item.reason}")
        cases[item.case_id] = item
    return cases


def rejects_path(out_path: str | Path) -> Path:
    """Where the rejects of ``out_path`` go: ``x.jsonl`` -> ``x.rejects.jsonl``."""
    out_path = Path(out_path)
    return out_path.with_name(out_path.stem + ".rejects.jsonl")


def write_results(items: Iterable[Any], out_path: str | Path,
                  on_record: Callable[[Any], None] | None = None) -> tuple[int, int]:
    """Write records to ``out_path`` and rejects to its rejects file; return (written, rejected)."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    written = rejected = 0
    with out_path.open("w", encoding="utf-8") as out, rejects_path(out_path).open("w", encoding="utf-8") as rejects:
        for item in items:
            if isinstance(item, Reject):
                rejects.write(dumps(item) + "\n")
                rejected += 1
            else:
                out.write(dumps(item) + "\n")
                written += 1
            if on_record:
                on_record(item)
    return written, rejected


def write_jsonl(path: str | Path, records: Iterable[Any]) -> int:
    """Write records (dicts or objects with ``to_dict``) as JSON Lines; return the count."""
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(dumps(record) + "\n")
            count += 1
    return count


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in consecutive lists of ``size`` (the last may be shorter), streaming."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a synced temporary file and a rename: a crash leaves the
    old file or the new one, never a torn one."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def dumps(record: Any) -> str:
    data = record.to_dict() if hasattr(record, "to_dict") else record
    return json.dumps(data, ensure_ascii=False, default=str)


def read_jsonl(path: str | Path) -> Iterator[dict]:
    """The objects of a JSON Lines file this project wrote (no per-record recovery)."""
    with io.open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)
