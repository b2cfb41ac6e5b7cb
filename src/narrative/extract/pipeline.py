"""The extraction stage: redacted notes in, suggestions out (``narrative extract``).

Each note is cut into sentence windows; the classifier reads the windows of many notes in
length-sorted batches; every code whose probability reaches its tuned threshold becomes a
mention with the window as its evidence (the family rule, when the model folder uses it, reads
the child's age from the cases file); the temporal stage resolves the note's time
expressions against the note date (and the child's DOB from the cases file) and links each
mention to the expression that dates it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from narrative.extract.family import age_on
from narrative.extract.model import decide
from narrative.extract.modelfolder import ModelFolder
from narrative.extract.temporal import find_timexes, link_dates
from narrative.extract.windows import split_windows
from narrative.io import Reject, chunks
from narrative.records import Case, Mention, RedactedNote, Suggestions


class Extractor:
    """Suggests codes for redacted notes with one loaded model folder.

    ``precision`` is how the classifier is served (``auto``: bf16 where the CPU or GPU computes
    it natively, else fp32; see :func:`narrative.extract.model.serving_dtype`).
    """

    def __init__(self, model_dir: str | Path, cases: dict[str, Case] | None = None, batch_notes: int = 64,
                 precision: str = "auto", device: str = "cpu"):
        self.folder = ModelFolder.load(model_dir, precision=precision, device=device)
        self.cases = cases or {}
        self.batch_notes = batch_notes

    @property
    def model_version(self) -> str:
        return self.folder.model_version

    def extract_many(self, notes: Iterable[RedactedNote | Reject]) -> Iterator[Suggestions | Reject]:
        """Suggestions for each note, in input order; rejects pass through."""
        for chunk in chunks(notes, self.batch_notes):
            yield from self._chunk(chunk)

    def _chunk(self, chunk: list[RedactedNote | Reject]) -> Iterator[Suggestions | Reject]:
        notes = [n for n in chunk if isinstance(n, RedactedNote)]
        windows = [split_windows(n.text) for n in notes]
        flat = [w.text for ws in windows for w in ws]
        ages = [self._child_age(n) for n, ws in zip(notes, windows) for _ in ws]
        taxonomy = self.folder.taxonomy
        decisions = iter(decide(self.folder.predict(flat, ages), self.folder.thresholds, taxonomy.code_keys,
                                list(taxonomy.assertions), list(taxonomy.experiencers)))
        per_note = {n.note_id: (ws, [next(decisions) for _ in ws]) for n, ws in zip(notes, windows)}
        for item in chunk:
            if isinstance(item, Reject):
                yield item
                continue
            try:
                yield self._suggest(item, *per_note[item.note_id])
            except Exception as err:  # noqa: BLE001 - one bad note must not stop the rest
                yield Reject(f"note {item.note_id!r}", f"extraction failed ({type(err).__name__})", None, item.note_id)

    def _child_age(self, note: RedactedNote) -> int | None:
        case = self.cases.get(note.case_id)
        return age_on(case.dob if case else None, note.note_date)

    def _suggest(self, note: RedactedNote, windows, found) -> Suggestions:
        case = self.cases.get(note.case_id)
        timexes = find_timexes(note.text, note.note_date, case.dob if case else None)
        spans = [(w.start, w.end) for w, codes in zip(windows, found) for _ in codes]
        dates = iter(link_dates(note.text, spans, timexes, sentences=[(w.start, w.end) for w in windows]))
        mentions = []
        for window, codes in zip(windows, found):
            for code, assertion, experiencer, score in codes:
                timex = next(dates)
                mentions.append(Mention(code, experiencer, assertion, score, window.start, window.end,
                                        window.text, timex.to_interval() if timex else None))
        return Suggestions(note.note_id, note.case_id, note.note_date, self.model_version, note.text,
                           mentions, {**note.extra, "redactor": note.redactor})
