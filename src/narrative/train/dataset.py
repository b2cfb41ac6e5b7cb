"""Training examples: labelled notes, redacted with their gold identifiers, cut into windows.

The classifier only ever reads redacted text, so it learns from redacted text too: each gold
identifier is replaced by the placeholder the redactor would write (``[PERSON_n]``, with name
variants linked as the redactor links them, numbered per note; ``[TYPE]`` otherwise) and every
other span is moved accordingly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from narrative.annotations.corpus import LabelledNote
from narrative.extract.family import age_on
from narrative.extract.windows import split_windows
from narrative.records import ASSERTION_STRENGTH, Case
from narrative.redact.pseudonyms import PseudonymMap


@dataclass
class WindowExample:
    """One sentence window with, per code mentioned in it, (assertion, experiencer)."""

    note_id: str
    case_id: str
    split: str
    start: int
    end: int
    text: str
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)


def gold_redact(note: LabelledNote) -> LabelledNote:
    """``note`` with its gold identifiers replaced by placeholders, all offsets moved."""
    people = PseudonymMap(b"gold-redaction-numbering-only")
    pieces, cursor, shift = [], 0, []
    for ident in sorted(note.identifiers, key=lambda i: i["start"]):
        if ident["start"] < cursor:
            continue
        if ident["label"] == "PERSON":
            placeholder = people.placeholder(note.case_id, ident["text"])
        else:
            placeholder = f"[{ident['label']}]"
        pieces.append(note.text[cursor:ident["start"]])
        pieces.append(placeholder)
        shift.append((ident["start"], ident["end"], len(placeholder) - (ident["end"] - ident["start"])))
        cursor = ident["end"]
    pieces.append(note.text[cursor:])
    text = "".join(pieces)

    def move(offset: int, is_end: bool) -> int:
        delta = 0
        for start, end, change in shift:
            if offset >= end or (is_end and offset > start):
                delta += change
        return offset + delta

    def moved(span: dict) -> dict:
        start, end = move(span["start"], False), move(span["end"], True)
        return {**span, "start": start, "end": end, "text": text[start:end]}

    return replace(note, text=text, identifiers=[],
                   timexes=[moved(t) for t in note.timexes], mentions=[moved(m) for m in note.mentions])


def note_windows(note: LabelledNote) -> list[WindowExample]:
    """The windows of a (redacted) labelled note, each mention given to the window it overlaps most.

    Two mentions of one code in one window keep the strongest assertion.
    """
    windows = [WindowExample(note.note_id, note.case_id, note.split, w.start, w.end, w.text)
               for w in split_windows(note.text)]
    for mention in note.mentions:
        overlaps = [(min(w.end, mention["end"]) - max(w.start, mention["start"]), i)
                    for i, w in enumerate(windows)]
        best, index = max(overlaps, default=(0, -1))
        if best <= 0:
            continue
        keep_strongest(windows[index].labels, mention["code"], mention["assertion"], mention["experiencer"])
    return windows


def keep_strongest(labels: dict[str, tuple[str, str]], code: str, assertion: str, experiencer: str) -> None:
    """Add one mention of ``code`` to a window's ``labels``: of two mentions of a code, the one with
    the strongest assertion stays (the first on a tie)."""
    current = labels.get(code)
    if current is None or ASSERTION_STRENGTH.index(assertion) < ASSERTION_STRENGTH.index(current[0]):
        labels[code] = (assertion, experiencer)


def build_windows(notes: list[LabelledNote], split: str | None = None) -> list[WindowExample]:
    """Redacted windows of every note (of one split, when given)."""
    return [w for note in notes if split is None or note.split == split
            for w in note_windows(gold_redact(note))]


def window_child_ages(windows: list[WindowExample], notes: list[LabelledNote], cases: dict[str, Case]
                      ) -> list[int | None]:
    """Per window, the subject child's age at its note's date (None when the note or DOB is unknown)."""
    dates = {n.note_id: date.fromisoformat(n.note_date) for n in notes}
    return [age_on(cases[w.case_id].dob, dates[w.note_id]) if w.note_id in dates and w.case_id in cases else None
            for w in windows]
