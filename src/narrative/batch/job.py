"""The bookkeeping of a batch job: inputs, work units, shards, manifests and the resume point.

A job cuts the stream of input records into units of ``unit_size`` records, numbered in input
order, so the same inputs always give the same units. Each unit ends as two files in the output
folder, ``suggestions-NNNNNN.jsonl`` (its notes' suggestions, in input order) and
``manifest-NNNNNN.jsonl`` (one row per input record of the unit). Units are committed strictly
in order: both files are written under temporary names and renamed, then ``state.json`` (the one
commit point, replaced atomically) records the units done and the pseudonym store as it stood
after them. ``kill -9`` at any moment leaves a job that ``--resume`` finishes, with files past
the commit point discarded and redone.

People are numbered (``[PERSON_n]``) here, in the driver, in input order: the parallel stages only
find identifiers, so the placeholders are the same whatever the number of workers or the engine.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from narrative.errors import NarrativeError
from narrative.io import (JSONL_SUFFIXES, InputError, Reject, check_input, chunks, drop_duplicate_ids, dumps, read_cases,
                          read_notes, write_atomic)
from narrative.records import Case, Note, RedactedNote, Suggestions
from narrative.redact.config import RedactionConfig
from narrative.redact.engine import Finding, redact_with, redactor_info
from narrative.redact.pseudonyms import PseudonymMap, load_key

INPUT_SUFFIXES = (*sorted(JSONL_SUFFIXES), ".csv", ".parquet", ".pq")
STATE = "state.json"
JOB = "job.json"
DEFAULT_UNIT_SIZE = 256


class BatchError(NarrativeError):
    """A batch job that cannot start or resume as asked."""


def expand_inputs(patterns: Iterable[str | Path]) -> list[Path]:
    """Files named by ``patterns`` (files, folders of input files, globs), each once, in order:
    folders and globs sorted by name."""
    found: list[Path] = []
    seen: set[Path] = set()
    for pattern in patterns:
        text = str(pattern)
        path = Path(text)
        if path.is_dir():
            matches = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES)
        elif glob.has_magic(text):
            matches = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
        else:
            matches = [path]
        if not matches:
            raise InputError(f"{text}: no input files there")
        for match in matches:
            check_input(match)
            if match.resolve() not in seen:
                seen.add(match.resolve())
                found.append(match)
    return found


@dataclass
class Item:
    """One input record in a unit: where it came from and what reading made of it."""

    input: str
    position: int
    record: Note | Reject


@dataclass
class Unit:
    index: int
    items: list[Item] = field(default_factory=list)

    @property
    def notes(self) -> list[Note]:
        return [i.record for i in self.items if isinstance(i.record, Note)]


def shard_name(index: int) -> str:
    return f"suggestions-{index:06d}.jsonl"


def manifest_name(index: int) -> str:
    return f"manifest-{index:06d}.jsonl"


@dataclass
class Settings:
    """Everything the stages need to load their models (sent once to each worker)."""

    model_dir: str
    cases_path: str | None = None
    profile: str | None = None
    config_path: str | None = None
    precision: str = "auto"

    def cases(self) -> dict[str, Case]:
        return read_cases(self.cases_path) if self.cases_path else {}


class Job:
    """One batch job in an output folder: plans the units, numbers people, commits units."""

    def __init__(self, inputs: list[Path], out_dir: str | Path, settings: Settings, *,
                 unit_size: int = DEFAULT_UNIT_SIZE, resume: bool = False, key_file: str | Path | None = None):
        if unit_size < 1:
            raise BatchError("unit size must be at least 1")
        self.inputs = inputs
        self.out = Path(out_dir)
        self.settings = settings
        self.unit_size = unit_size
        config = RedactionConfig.load(settings.config_path, settings.profile)
        self.info = redactor_info(config)
        key = load_key(key_file, create=key_file is not None)
        self.cases = settings.cases()
        self.description = self._describe(PseudonymMap(key).key_id)
        self.units_done, self.processed, self.failed = 0, 0, 0
        self.out.mkdir(parents=True, exist_ok=True)
        state = self._start(resume)
        self.pseudonyms = PseudonymMap(key, self.out / state["pseudonyms"] if state else None)
        for case in self.cases.values():
            self.pseudonyms.register_case(case)
        if state:
            self.units_done, self.processed, self.failed = state["units_done"], state["processed"], state["failed"]

    def _describe(self, key_id: str) -> dict:
        def stat(path: Path) -> dict:
            info = path.stat()
            return {"path": str(path.resolve()), "size": info.st_size, "mtime_ns": info.st_mtime_ns}

        return {"inputs": [stat(p) for p in self.inputs], "unit_size": self.unit_size,
                "cases": stat(Path(self.settings.cases_path)) if self.settings.cases_path else None,
                "model": str(Path(self.settings.model_dir).resolve()), "precision": self.settings.precision,
                "redactor": self.info, "key_id": key_id}

    def _start(self, resume: bool) -> dict | None:
        """The saved state to go on from (None for a fresh job); checks the folder fits the ask."""
        job_file, state_file = self.out / JOB, self.out / STATE
        if not resume:
            if any(self.out.iterdir()):
                raise BatchError(f"{self.out} is not empty: add --resume to finish the job there, "
                                 "or choose an empty folder")
            write_atomic(job_file, json.dumps(self.description, indent=1))
            return None
        if not job_file.exists():
            if any(p.name != JOB for p in self.out.iterdir()):
                raise BatchError(f"{self.out} holds no batch job to resume (no {JOB})")
            write_atomic(job_file, json.dumps(self.description, indent=1))
            return None
        saved = json.loads(job_file.read_text(encoding="utf-8"))
        changed = [k for k in self.description if saved.get(k) != self.description[k]]
        if changed:
            raise BatchError(f"{self.out}: the job there was started with other {', '.join(changed)}; "
                             "resume it with the same inputs and options, or choose an empty folder")
        state = json.loads(state_file.read_text(encoding="utf-8")) if state_file.exists() else None
        self._discard_uncommitted(state)
        return state

    def _discard_uncommitted(self, state: dict | None) -> None:
        done = state["units_done"] if state else 0
        keep = state["pseudonyms"] if state else None
        for path in self.out.iterdir():
            name = path.name
            if name.endswith(".tmp") or (name.startswith("pseudonyms-") and name != keep):
                path.unlink()
            elif name.startswith(("suggestions-", "manifest-")) and int(name.split("-")[1].split(".")[0]) >= done:
                path.unlink()

    def records(self) -> Iterator[Item]:
        """Every input record in order; a note_id seen earlier in the job is a failed duplicate."""
        def per_file() -> Iterator[tuple[str, int, Note | Reject]]:
            for path in self.inputs:
                for position, record in enumerate(read_notes(path), start=1):
                    yield path.name, position, record

        located = per_file()
        pending: list[tuple[str, int]] = []

        def records_only() -> Iterator[Note | Reject]:
            for name, position, record in located:
                pending.append((name, position))
                yield record

        for record in drop_duplicate_ids(records_only()):
            name, position = pending.pop()
            yield Item(name, position, record)

    def units(self) -> Iterator[Unit]:
        """The units still to do, in order (earlier ones are read past, not processed)."""
        for index, items in enumerate(chunks(self.records(), self.unit_size)):
            if index >= self.units_done:
                yield Unit(index, items)

    def redact(self, unit: Unit, findings: list[list[Finding] | Reject]) -> list[RedactedNote | Reject]:
        """The unit's notes with placeholders, given what the find stage found in each, in order."""
        return [found if isinstance(found, Reject) else redact_with(note, found, self.pseudonyms, self.info)
                for note, found in zip(unit.notes, findings, strict=True)]

    def commit(self, unit: Unit, results: list[Suggestions | Reject]) -> None:
        """Write the unit's shard and manifest, then move the commit point past it."""
        if unit.index != self.units_done:
            raise RuntimeError(f"unit {unit.index} committed out of order (next is {self.units_done})")
        outcome = iter(results)
        shard = shard_name(unit.index)
        rows, lines = [], []
        for item in unit.items:
            result = next(outcome) if isinstance(item.record, Note) else item.record
            if isinstance(result, Reject):
                rows.append(_row(item, result.note_id or result.record, "failed", result.reason, None, result.field,
                                 result.record))
            else:
                lines.append(dumps(result) + "\n")
                rows.append(_row(item, result.note_id, "ok", None, shard))
        if next(outcome, None) is not None:
            raise RuntimeError(f"unit {unit.index}: more results than notes")
        write_atomic(self.out / shard, "".join(lines))
        write_atomic(self.out / manifest_name(unit.index), "".join(json.dumps(r, ensure_ascii=False) + "\n"
                                                                     for r in rows))
        failed = sum(r["status"] == "failed" for r in rows)
        store = f"pseudonyms-{unit.index:06d}.json"
        self.pseudonyms.store_path = self.out / store
        self.pseudonyms.save()
        previous = self.out / f"pseudonyms-{unit.index - 1:06d}.json"
        self.units_done += 1
        self.processed += len(rows) - failed
        self.failed += failed
        write_atomic(self.out / STATE, json.dumps({"units_done": self.units_done, "processed": self.processed,
                                                    "failed": self.failed, "pseudonyms": store}))
        previous.unlink(missing_ok=True)


def merge_results(redacted: list[RedactedNote | Reject], extracted: list[Suggestions | Reject]) -> list:
    """A unit's results in note order: the redaction reject where redaction failed, else the
    extract stage's result (given for the redacted notes only, in order)."""
    out = iter(extracted)
    return [r if isinstance(r, Reject) else next(out) for r in redacted]


def _row(item: Item, note_id: str, status: str, reason: str | None, shard: str | None,
         field_name: str | None = None, record: str | None = None) -> dict:
    return {"note_id": note_id, "status": status, "reason": reason, "field": field_name, "shard": shard,
            "input": item.input, "position": item.position, "record": record}
