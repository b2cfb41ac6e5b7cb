"""The de-identification engine: Presidio with spaCy, UK recognisers and the case dictionary.

``Redactor.redact_many`` is the stage's one entry point: notes in, redacted notes (or rejects)
out, in the same order. spaCy runs batched over the notes (``nlp.pipe``); the recognisers then
read each parse; overlapping findings merge into one span; people get keyed, consistent
``[PERSON_n]`` placeholders and every other identifier a ``[TYPE]`` placeholder.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

import narrative
from narrative.io import Reject
from narrative.records import Case, Note, RedactedNote, Redaction
from narrative.redact.config import ConfigError, RedactionConfig
from narrative.redact.pseudonyms import PseudonymMap
from narrative.redact.recognizers import AllowList, uk_recognizers
from narrative.redact.recognizers.case_dictionary import CaseDictionaryRecognizer

for _name in ("presidio-analyzer", "presidio-anonymizer"):
    logging.getLogger(_name).setLevel(logging.ERROR)

# When findings overlap, the merged span takes the first of these types among them.
TYPE_PRIORITY = (
    "DATE_OF_BIRTH", "NHS_NUMBER", "NI_NUMBER", "UPN", "POLICE_REFERENCE", "PHONE_NUMBER",
    "EMAIL_ADDRESS", "ADDRESS", "POSTCODE", "SCHOOL", "GP_SURGERY", "NURSERY", "CHILDRENS_HOME",
    "PERSON", "LOCATION", "DATE",
)
NER_TYPES = ("PERSON", "LOCATION")
# Where a name or place found by NER must be cut: line breaks, dashes and colons between words.
NER_BREAK = re.compile(r"\s*\n\s*|\s+[-\u2013\u2014:]\s+|\t+")
PROFILE_DROPS = {"timeline": {"DATE"}, "strict": set()}


@dataclass
class Finding:
    """One identifier found in a text (source offsets)."""

    start: int
    end: int
    entity_type: str
    score: float


def merge_findings(results: Iterable[RecognizerResult | Finding], text: str) -> list[Finding]:
    """Overlapping findings merged into one span; two names side by side become one name."""
    rank = {t: i for i, t in enumerate(TYPE_PRIORITY)}
    merged: list[Finding] = []
    for r in sorted(results, key=lambda r: (r.start, -r.end)):
        last = merged[-1] if merged else None
        touching_names = (last and last.entity_type == r.entity_type == "PERSON"
                          and text[last.end:r.start] == " ")
        if last and (r.start < last.end or touching_names):
            last.end = max(last.end, r.end)
            if rank.get(r.entity_type, 99) < rank.get(last.entity_type, 99):
                last.entity_type = r.entity_type
            last.score = max(last.score, r.score)
        else:
            merged.append(Finding(r.start, r.end, r.entity_type, r.score))
    return merged


class Redactor:
    """De-identifies notes; one instance loads the models once and serves many notes."""

    def __init__(self, config: RedactionConfig | None = None, *, pseudonyms: PseudonymMap,
                 cases: dict[str, Case] | None = None):
        self.config = config or RedactionConfig.load()
        self.pseudonyms = pseudonyms
        self.cases = cases or {}
        for case in self.cases.values():
            pseudonyms.register_case(case)
        self.nlp_engine = SpacyNlpEngine(
            models=[{"lang_code": "en", "model_name": self.config.spacy_model}],
            ner_model_configuration=NerModelConfiguration(
                model_to_presidio_entity_mapping=self.config.ner_entities))
        self.nlp_engine.load()
        nlp = self.nlp_engine.nlp["en"]
        self.nlp_engine.ner_model_configuration.labels_to_ignore = [
            label for label in nlp.get_pipe("ner").labels if label not in self.config.ner_entities]
        registry = RecognizerRegistry(supported_languages=["en"])
        registry.add_recognizer(SpacyRecognizer(supported_entities=sorted(set(self.config.ner_entities.values()))))
        try:
            self.allow_list = AllowList.from_config(self.config.allow_list)
            recognizers = uk_recognizers(self.config.recognizers, self.allow_list)
        except ValueError as err:
            raise ConfigError(str(err)) from None
        for recognizer in recognizers:
            registry.add_recognizer(recognizer)
        self.analyzer = AnalyzerEngine(nlp_engine=self.nlp_engine, registry=registry,
                                       supported_languages=["en"])
        dropped = PROFILE_DROPS[self.config.profile]
        self.entities = [t for t in TYPE_PRIORITY if t not in dropped]
        self._case_recognizer = lru_cache(maxsize=256)(self._build_case_recognizer)

    @property
    def info(self) -> dict:
        """What goes into each record's ``redactor`` field."""
        return {"version": narrative.__version__, "profile": self.config.profile,
                "spacy_model": self.config.spacy_model}

    def _build_case_recognizer(self, case_id: str) -> CaseDictionaryRecognizer | None:
        case = self.cases.get(case_id)
        return CaseDictionaryRecognizer(case) if case else None

    def find(self, text: str, case_id: str | None = None, nlp_artifacts=None) -> list[Finding]:
        """The identifiers in ``text`` (merged, allow-list applied), in order."""
        case_recognizer = self._case_recognizer(case_id) if case_id else None
        results = self.analyzer.analyze(
            text, "en", entities=self.entities, nlp_artifacts=nlp_artifacts,
            ad_hoc_recognizers=[case_recognizer] if case_recognizer else None,
            score_threshold=self.config.score_threshold)
        kept = [piece for r in results for piece in self._pieces(text, r) if not self._allowed(text, piece)]
        return merge_findings(kept, text)

    def _pieces(self, text: str, result: RecognizerResult) -> list[RecognizerResult]:
        """An NER name or place cut at line breaks and dashes, with words that hold digits or are
        allowed (mum, nan, a month) trimmed from its edges: "Mar 2019 - Mason" is the name
        "Mason" and "Mum Kelly MARSH" is "Kelly MARSH"; a date never hides in a name."""
        if result.entity_type not in NER_TYPES:
            return [result]
        pieces, cursor = [], result.start
        for gap in [*NER_BREAK.finditer(text, result.start, result.end), None]:
            end = gap.start() if gap else result.end
            words = list(re.finditer(r"\S+", text[cursor:end]))
            while words and self._edge_word(words[0].group()):
                words.pop(0)
            while words and self._edge_word(words[-1].group()):
                words.pop()
            if words and not any(ch.isdigit() for w in words for ch in w.group()):
                pieces.append(RecognizerResult(result.entity_type, cursor + words[0].start(), cursor + words[-1].end(),
                                               result.score, recognition_metadata=result.recognition_metadata))
            cursor = gap.end() if gap else end
        return pieces

    def _edge_word(self, word: str) -> bool:
        return any(ch.isdigit() for ch in word) or self.allow_list.allows(word.strip(",.;:()"))

    def _allowed(self, text: str, result: RecognizerResult) -> bool:
        if result.entity_type not in NER_TYPES:
            return False
        if (result.recognition_metadata or {}).get("recognizer_name") == "CaseDictionaryRecognizer":
            return False
        return self.allow_list.allows(text[result.start:result.end],
                                      text[max(0, result.start - 30):result.start],
                                      text[result.end:result.end + 30])

    def apply(self, note: Note, findings: list[Finding]) -> RedactedNote:
        """Replace each finding with its placeholder; keep offsets into both texts."""
        pieces, redactions, cursor, length = [], [], 0, 0
        for f in findings:
            pieces.append(note.text[cursor:f.start])
            length += f.start - cursor
            if f.entity_type == "PERSON":
                placeholder = self.pseudonyms.placeholder(note.case_id, note.text[f.start:f.end])
            else:
                placeholder = f"[{f.entity_type}]"
            redactions.append(Redaction(length, length + len(placeholder), f.start, f.end,
                                        f.entity_type, placeholder))
            pieces.append(placeholder)
            length += len(placeholder)
            cursor = f.end
        pieces.append(note.text[cursor:])
        return RedactedNote(note.note_id, note.case_id, note.note_date, "".join(pieces),
                            redactions, self.info, dict(note.extra))

    def redact(self, note: Note) -> RedactedNote:
        """One note, redacted."""
        return self.apply(note, self.find(note.text, note.case_id))

    def redact_many(self, notes: Iterable[Note | Reject]) -> Iterator[RedactedNote | Reject]:
        """Notes in, redacted notes out in the same order; rejects pass through untouched.

        A note that fails inside the engine becomes a reject naming the note and the error
        class, never the text.
        """
        chunk: list[Note | Reject] = []
        for item in notes:
            chunk.append(item)
            if len(chunk) >= self.config.batch_size:
                yield from self._redact_chunk(chunk)
                chunk = []
        if chunk:
            yield from self._redact_chunk(chunk)

    def _redact_chunk(self, chunk: list[Note | Reject]) -> Iterator[RedactedNote | Reject]:
        notes = [n for n in chunk if isinstance(n, Note)]
        parsed = iter(self.nlp_engine.process_batch([n.text for n in notes], "en",
                                                    batch_size=self.config.batch_size))
        for item in chunk:
            if isinstance(item, Reject):
                yield item
                continue
            _, artifacts = next(parsed)
            try:
                yield self.apply(item, self.find(item.text, item.case_id, artifacts))
            except Exception as err:  # noqa: BLE001 - one bad note must not stop the rest
                yield Reject(f"note {item.note_id!r}", f"redaction failed ({type(err).__name__})",
                             None, item.note_id)
