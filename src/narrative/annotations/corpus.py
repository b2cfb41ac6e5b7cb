"""The labelled corpus: compiled from the marked-up sources, validated, and counted.

Sources live in ``annotations/source/<case_id>.yaml`` (one child each: a ``case`` block and its
``notes`` with inline markup, see :mod:`narrative.annotations.markup`). ``compile_corpus`` turns
them into ``annotations/corpus.jsonl`` (one labelled note per line, offsets into the plain text)
and ``annotations/cases.jsonl`` (the cases file ``narrative redact --cases`` reads).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import yaml

from narrative.errors import NarrativeError
from narrative.io import read_jsonl, write_jsonl
from narrative.records import PRECISIONS, Case, RecordError, parse_iso_date
from narrative.annotations.markup import MarkupError, parse_markup
from narrative.taxonomy import Taxonomy, load_taxonomy

SPLITS = ("train", "dev", "test")
IDENTIFIER_TYPES = (
    "PERSON", "ADDRESS", "POSTCODE", "LOCATION", "PHONE_NUMBER", "EMAIL_ADDRESS", "NHS_NUMBER",
    "NI_NUMBER", "DATE_OF_BIRTH", "UPN", "POLICE_REFERENCE", "SCHOOL", "GP_SURGERY", "NURSERY",
    "CHILDRENS_HOME",
)
NOTE_KEYS = ("note_id", "note_date", "text")


class CorpusError(NarrativeError):
    """A source file or corpus record that breaks the annotation rules."""


@dataclass
class LabelledNote:
    """One note of the corpus with its gold labels (the documented JSON Lines record)."""

    note_id: str
    case_id: str
    note_date: str
    split: str
    text: str
    note_type: str | None = None
    author_role: str | None = None
    source: str = "hand-written"
    identifiers: list[dict] = field(default_factory=list)
    timexes: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "LabelledNote":
        return cls(**data)


def _fail(where: str, message: str) -> CorpusError:
    return CorpusError(f"{where}: {message}")


def _parse_timex(span, where: str) -> dict:
    parts = [p.strip() for p in span.label.split("|")]
    if len(parts) != 4:
        raise _fail(where, f"timex {span.text!r} needs id|start|end|precision")
    timex_id, start, end, precision = parts
    try:
        start_d, end_d = parse_iso_date(start, "start"), parse_iso_date(end, "end")
    except RecordError as err:
        raise _fail(where, f"timex {timex_id}: {err.field} {err.reason}") from None
    if end_d < start_d:
        raise _fail(where, f"timex {timex_id}: ends before it starts")
    if precision not in PRECISIONS:
        raise _fail(where, f"timex {timex_id}: unknown precision {precision!r}")
    return {"id": timex_id, "start": span.start, "end": span.end, "text": span.text,
            "value_start": start, "value_end": end, "precision": precision}


def _parse_mention_labels(span, where: str, taxonomy: Taxonomy) -> list[dict]:
    mentions = []
    for label in span.label.split(";"):
        parts = label.split()
        if len(parts) not in (3, 4):
            raise _fail(where, f"mention {span.text[:30]!r}: label {label.strip()!r} needs code experiencer assertion [timex]")
        code, experiencer, assertion = parts[:3]
        if code not in taxonomy.codes:
            raise _fail(where, f"unknown code {code!r}")
        if experiencer not in taxonomy.experiencers:
            raise _fail(where, f"unknown experiencer {experiencer!r}")
        if assertion not in taxonomy.assertions:
            raise _fail(where, f"unknown assertion {assertion!r}")
        mentions.append({"start": span.start, "end": span.end, "text": span.text, "code": code,
                         "experiencer": experiencer, "assertion": assertion,
                         "date": parts[3] if len(parts) == 4 else None})
    return mentions


def compile_note(case_id: str, split: str, raw: dict, where: str, taxonomy: Taxonomy) -> LabelledNote:
    """One marked-up source note as a :class:`LabelledNote`."""
    missing = [k for k in NOTE_KEYS if not raw.get(k)]
    if missing:
        raise _fail(where, f"missing {', '.join(missing)}")
    note_date = raw["note_date"]
    note_date = note_date.isoformat() if isinstance(note_date, date) else str(note_date)
    try:
        parsed = parse_markup(str(raw["text"]).strip("\n"))
    except MarkupError as err:
        raise _fail(where, str(err)) from None
    identifiers = []
    for span in parsed.of_kind("identifier"):
        if span.label not in IDENTIFIER_TYPES:
            raise _fail(where, f"unknown identifier type {span.label!r}")
        identifiers.append({"start": span.start, "end": span.end, "text": span.text, "label": span.label})
    timexes = [_parse_timex(s, where) for s in parsed.of_kind("timex")]
    ids = [t["id"] for t in timexes]
    if len(set(ids)) != len(ids):
        raise _fail(where, "timex ids repeat")
    mentions = [m for s in parsed.of_kind("mention") for m in _parse_mention_labels(s, where, taxonomy)]
    for mention in mentions:
        if mention["date"] and mention["date"] not in ids:
            raise _fail(where, f"mention refers to unknown timex {mention['date']!r}")
    return LabelledNote(
        note_id=str(raw["note_id"]), case_id=case_id, note_date=note_date, split=split,
        text=parsed.text, note_type=raw.get("note_type"), author_role=raw.get("author_role"),
        identifiers=identifiers, timexes=timexes, mentions=mentions)


def compile_source(path: Path, taxonomy: Taxonomy) -> tuple[Case, list[LabelledNote]]:
    """The case and labelled notes of one source file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "case" not in data or "notes" not in data:
        raise _fail(path.name, "needs a 'case' block and 'notes'")
    case_data = dict(data["case"])
    split = case_data.pop("split", None)
    if split not in SPLITS:
        raise _fail(path.name, f"case split must be one of {SPLITS}")
    case_data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in case_data.items()}
    try:
        case = Case.from_dict(case_data)
    except RecordError as err:
        raise _fail(path.name, str(err)) from None
    notes = [compile_note(case.case_id, split, raw, f"{path.name} note {raw.get('note_id')}", taxonomy)
             for raw in data["notes"]]
    return case, notes


def compile_corpus(source_dir: Path, out_dir: Path, taxonomy: Taxonomy | None = None) -> tuple[int, int]:
    """Compile every source file into ``corpus.jsonl`` and ``cases.jsonl``; return (cases, notes)."""
    taxonomy = taxonomy or load_taxonomy()
    cases, notes = [], []
    for path in sorted(Path(source_dir).glob("*.yaml")):
        case, case_notes = compile_source(path, taxonomy)
        cases.append(case)
        notes.extend(case_notes)
    problems = validate_notes(notes, {c.case_id: c for c in cases}, taxonomy)
    if problems:
        raise CorpusError("; ".join(problems[:10]))
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    write_jsonl(Path(out_dir) / "cases.jsonl", cases)
    write_jsonl(Path(out_dir) / "corpus.jsonl", notes)
    return len(cases), len(notes)


def load_corpus(path: str | Path) -> list[LabelledNote]:
    """The labelled notes of a compiled corpus file."""
    return [LabelledNote.from_dict(d) for d in read_jsonl(path)]


def validate_notes(notes: list[LabelledNote], cases: dict[str, Case], taxonomy: Taxonomy) -> list[str]:
    """Every broken rule in ``notes``: offsets, taxonomy values, intervals, cases, splits."""
    problems: list[str] = []
    seen_ids: set[str] = set()
    split_of: dict[str, str] = {}
    for note in notes:
        where = f"note {note.note_id}"
        if note.note_id in seen_ids:
            problems.append(f"{where}: duplicate note_id")
        seen_ids.add(note.note_id)
        if note.case_id not in cases:
            problems.append(f"{where}: case {note.case_id} is not in the cases file")
        if split_of.setdefault(note.case_id, note.split) != note.split:
            problems.append(f"{where}: case {note.case_id} is in two splits")
        try:
            parse_iso_date(note.note_date, "note_date")
        except RecordError:
            problems.append(f"{where}: note_date is not an ISO date")
        for span in [*note.identifiers, *note.timexes, *note.mentions]:
            if not (0 <= span["start"] < span["end"] <= len(note.text)) or note.text[span["start"]:span["end"]] != span["text"]:
                problems.append(f"{where}: span {span['start']}-{span['end']} does not match the text")
        timex_ids = {t["id"] for t in note.timexes}
        for t in note.timexes:
            if t["precision"] not in PRECISIONS or t["value_end"] < t["value_start"]:
                problems.append(f"{where}: timex {t['id']} is not a valid interval")
        for m in note.mentions:
            if m["code"] not in taxonomy.codes or m["experiencer"] not in taxonomy.experiencers \
                    or m["assertion"] not in taxonomy.assertions:
                problems.append(f"{where}: mention label outside the taxonomy")
            if m["date"] is not None and m["date"] not in timex_ids:
                problems.append(f"{where}: mention date {m['date']} is not a timex of the note")
        for ident in note.identifiers:
            if ident["label"] not in IDENTIFIER_TYPES:
                problems.append(f"{where}: unknown identifier type {ident['label']}")
    return problems


def corpus_stats(notes: list[LabelledNote]) -> dict:
    """Counts per split: notes, children, and mentions per code x assertion x experiencer."""
    stats: dict = {}
    for split in SPLITS:
        part = [n for n in notes if n.split == split]
        stats[split] = {
            "notes": len(part),
            "children": len({n.case_id for n in part}),
            "identifiers": len([i for n in part for i in n.identifiers]),
            "timexes": len([t for n in part for t in n.timexes]),
            "mentions": Counter((m["code"], m["assertion"], m["experiencer"]) for n in part for m in n.mentions),
        }
    return stats
