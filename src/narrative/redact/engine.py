"""The de-identification engine: Presidio with spaCy, UK recognisers and the case dictionary.

``Redactor.redact_many`` is the stage's one entry point: notes in, redacted notes (or rejects)
out, in the same order. spaCy runs batched over the notes (``nlp.pipe``); the recognisers then
read each parse; overlapping findings merge into one span; people get keyed, consistent
``[PERSON_n]`` placeholders and every other identifier a ``[TYPE]`` placeholder.
"""

from __future__ import annotations

import logging
import re

import regex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer
from spacy.language import Language
from spacy.tokens import Doc

import narrative
from narrative.io import Reject, chunks
from narrative.records import IDENTIFIER_TYPES, Case, Note, RedactedNote, Redaction
from narrative.redact.config import ConfigError, RedactionConfig
from narrative.redact.pseudonyms import PseudonymMap
from narrative.redact.recognizers import AllowList, UkNameRecognizer, uk_recognizers
from narrative.redact.recognizers.case_dictionary import CaseDictionaryRecognizer
from narrative.redact.recognizers.dates import CALENDAR
from narrative.redact.recognizers.names import DEFAULT_LOCALES, PERSON_VERB, name_lexicon, zipf

for _name in ("presidio-analyzer", "presidio-anonymizer"):
    logging.getLogger(_name).setLevel(logging.ERROR)

NER_TYPES = ("PERSON", "LOCATION")
# Where a name or place found by NER must be cut: line breaks, dashes and colons between words.
NER_BREAK = re.compile(r"\s*\n\s*|\s+[-\u2013\u2014:]\s+|\t+")
PROFILE_DROPS = {"timeline": {"DATE"}, "strict": set()}
NER = "SpacyRecognizer"
TITLE_CASE_WORD = regex.compile(r"(?<![\p{L}'’])\p{Lu}\p{Ll}")   # "Kelly", "McDONALD"; not "NEG", "neg"
LETTERS = regex.compile(r"\p{L}+(?:['’-]\p{L}+)*")
EDGE_PUNCTUATION = ",.;:()"   # stripped from a word at a name's edge before it is judged
CONTEXT = 30                  # characters either side that the allow-list reads ("New Year's Eve")
GIVEN_BEFORE = regex.compile(r"(?<![\p{L}'’-])(\p{Lu}\p{Ll}{2,})[ \t]+$")   # "Carys " before "Morgan"
# Where an echo may come from: recognisers and patterns that find a name by a cue (any rare word of
# the name echoes) or by its shape (only its known given names and surnames echo); spaCy's
# title-case names are shapes too.
ECHO_CUED = {
    "UkNameRecognizer": {"Title and name", "Role and name", "Field label and name", "Nickname after a cue"},
    "HospitalRecognizer": None, "SchoolRecognizer": None, "GpSurgeryRecognizer": None, "NurseryRecognizer": None,
    "ChildrensHomeRecognizer": None,
}
ECHO_SHAPED = {"UkNameRecognizer": {"Given name and SURNAME", "SURNAME, given name", "Given name, initial and surname",
                                    "Known given name and surname"}}
ECHO_TYPES = {"PERSON", "HOSPITAL", "SCHOOL", "GP_SURGERY", "NURSERY", "CHILDRENS_HOME"}
SENTENCE_START = regex.compile(r"(?:^|[.!?:;\n]|--)[ \t\"“(]*$")
PERSON_NEXT = regex.compile(r"(?:['’]s\b|[ \t]+(?:\p{Ll}+ed|was|is|has|had|says|said|told|tells|will|would|can|could|"
                            r"does|did|didn['’]t|doesn['’]t|still|then|also|and|or|wants|went|came|gave|took|"
                            r"made|left|ran|saw|says|thinks|thought|knows|knew|feels|felt|got|gets)\b)")
OPENING_RARE_ZIPF = 3.0    # a word opening a sentence and rarer than this may be a name ("Stanciu said")
PLACE_BEFORE = regex.compile(r"\b(?i:in|from|to|near|at|into|towards|via)[ \t]+$")
COMMON_WORD_ZIPF = 4.5     # one title-case word this common and not a known name needs a person's verb
CAPS_SURNAME = regex.compile(r"(?=.*[AEIOUY])(?!.*[^AEIOUY'’-]{4})\p{Lu}[\p{Lu}'’-]{3,}")   # pronounceable, 4+
CASE_WINDOW, CAPS_SHARE = 80, 0.6   # around an ALL-CAPS NER span: more capitals than this is ALL-CAPS text
ECHO_MAX_ZIPF = 4.3        # a name word at least this common ("Mary", "Green") is not echoed
ECHO_SCORE = 0.6


@Language.component("narrative_lower_lemma")
def lower_lemma(doc: Doc) -> Doc:
    """Lemmas as lower-case words, for Presidio's context words when the lemmatizer is off."""
    for token in doc:
        token.lemma_ = token.lower_
    return doc


def disable_components(nlp: Language, names: Iterable[str]) -> list[str]:
    """Disable the named pipes of ``nlp`` that exist and that no kept pipe listens to (a shared
    ``tok2vec`` feeding the NER stays on); with the lemmatizer off, lemmas become lower-case
    words. Returns the pipes disabled."""
    wanted = [n for n in names if n in nlp.pipe_names]
    kept = [n for n in nlp.pipe_names if n not in wanted]
    disabled = []
    for name in wanted:
        listeners = getattr(nlp.get_pipe(name), "listening_components", None) or []
        if any(listener in kept for listener in listeners):
            continue
        nlp.disable_pipe(name)
        disabled.append(name)
    if "lemmatizer" in disabled and "narrative_lower_lemma" not in nlp.pipe_names:
        nlp.add_pipe("narrative_lower_lemma", last=True)
    return disabled


class CheckedSpacyRecognizer(SpacyRecognizer):
    """Presidio's ``SpacyRecognizer`` whose entities pass ``check(text, result)`` first, so that a
    dropped NER span ("JONES AWARE") does not also take with it, in Presidio's removal of
    duplicates, the narrower finding of another recogniser ("JONES") that it contains."""

    def __init__(self, *args, check=None, **kwargs):
        super().__init__(*args, name="SpacyRecognizer", **kwargs)
        self.check = check

    def analyze(self, text: str, entities, nlp_artifacts=None):
        results = super().analyze(text, entities, nlp_artifacts)
        return [r for r in results if self.check(text, r)] if self.check else results


@dataclass
class Finding:
    """One identifier found in a text (source offsets)."""

    start: int
    end: int
    entity_type: str
    score: float


def merge_findings(results: Iterable[RecognizerResult | Finding], text: str) -> list[Finding]:
    """Overlapping findings merged into one span; two names side by side become one name."""
    rank = {t: i for i, t in enumerate(IDENTIFIER_TYPES)}
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
        disable_components(nlp, self.config.disable_components)
        self.nlp_engine.ner_model_configuration.labels_to_ignore = [
            label for label in nlp.get_pipe("ner").labels if label not in self.config.ner_entities]
        registry = RecognizerRegistry(supported_languages=["en"])
        registry.add_recognizer(CheckedSpacyRecognizer(
            supported_entities=sorted(set(self.config.ner_entities.values())),
            check=self._ner_plausible if self.config.ner_checks else None))
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
        self.entities = [t for t in IDENTIFIER_TYPES if t not in dropped]
        names = next((r for r in recognizers if isinstance(r, UkNameRecognizer)), None)
        given, family = name_lexicon(DEFAULT_LOCALES)
        self._given = names.given_names if names else given
        self._family = names.surnames if names else family
        self._generic = {w for r in recognizers for w in getattr(r, "generic_words", ())}
        self._case_recognizer = lru_cache(maxsize=256)(self._build_case_recognizer)

    @property
    def info(self) -> dict:
        """What goes into each record's ``redactor`` field."""
        return redactor_info(self.config)

    def _build_case_recognizer(self, case_id: str) -> CaseDictionaryRecognizer | None:
        case = self.cases.get(case_id)
        return CaseDictionaryRecognizer(case) if case else None

    def find(self, text: str, case_id: str | None = None, nlp_artifacts=None) -> list[Finding]:
        """The identifiers in ``text`` (merged, allow-list applied), in order."""
        case_recognizer = self._case_recognizer(case_id) if case_id else None
        results = self.analyzer.analyze(
            text, "en", entities=self.entities, nlp_artifacts=nlp_artifacts,
            ad_hoc_recognizers=[case_recognizer] if case_recognizer else None,
            score_threshold=self.config.score_threshold, return_decision_process=self.config.echo_names)
        kept = [self._with_given_name(text, piece) for r in results for piece in self._pieces(text, r)
                if not self._allowed(text, piece)]
        if self.config.echo_names:
            kept += self._echoes(text, kept)
        return merge_findings(kept, text)

    def _ner_plausible(self, text: str, result: RecognizerResult) -> bool:
        """spaCy's DATE only when it holds a calendar date (a month, a year, a day/month pair:
        "today", "the past few weeks", "54" identify nobody). spaCy's PERSON or LOCATION with no
        title-case word, in lower case or in ALL-CAPS text, where the small model has no casing
        to go on ("NEG", "VQ SCAN", "abd obese"), only when every word is a known given name, a
        known surname rarer than a common word (in lower case: rarer than 3 on the Zipf scale,
        not "foley"), or an initial; in lower case, also a known given name followed by rare words
        ("olga krylova"), and a place of four letters or more, not a common word, after "in",
        "from", "to" ... ("moved here from tunisia"); an ALL-CAPS span in cased prose
        may also be a rare, pronounceable word of four letters or more ("William (Will) NOWAK";
        not "SBP", "RA"). spaCy's PERSON of one title-case word that is not a known name: a common
        English word ("Goal", "Order") only before a person's verb ("said", "denied"); one opening
        a sentence or a line and not followed by a verb ("Rob denied" is; "Neuro: alert", "Hep gtt"
        are not) only when it is too rare to be an English word."""
        span = text[result.start:result.end]
        if result.entity_type == "DATE":     # the words around count: "at 2000" is a time
            for match in CALENDAR.finditer(text, result.start):
                if match.start() >= result.end:
                    break
                if match.end() <= result.end:
                    return True
            return False
        if result.entity_type not in NER_TYPES:
            return True
        words = LETTERS.findall(span)
        if not TITLE_CASE_WORD.search(span):
            if span.islower():          # "foley", "cont": a given name, or a rare surname
                plausible = [len(w) == 1 or len(w) > 2 and (w.casefold() in self._given or (
                    w.casefold() in self._family and zipf(w) < OPENING_RARE_ZIPF)) for w in words]
                if len(words) > 1 and words[0] in self._given and zipf(words[0]) < COMMON_WORD_ZIPF:
                    plausible = [True] + [p or zipf(w) < OPENING_RARE_ZIPF for p, w in zip(plausible[1:], words[1:])]
                if result.entity_type == "LOCATION" and PLACE_BEFORE.search(text, max(0, result.start - 8),
                                                                             result.start):
                    plausible = [p or len(w) > 3 and zipf(w) < COMMON_WORD_ZIPF for p, w in zip(plausible, words)]
            elif self._caps_text(text, result.start, result.end):
                plausible = [len(w) == 1 or len(w) > 2 and self._known_name(w) for w in words]
            else:                     # an ALL-CAPS surname in cased prose, not an acronym ("SBP", "RA")
                plausible = [self._known_name(w) or len(w) == 1 or CAPS_SURNAME.fullmatch(w) is not None
                             and zipf(w) < OPENING_RARE_ZIPF for w in words]
            return bool(words) and all(plausible) and any(len(w) > 1 and not self.allow_list.allows(w) for w in words)
        if result.entity_type == "PERSON" and len(words) == 1 and not self._in_lexicon(words[0]):
            frequency = zipf(words[0])
            if frequency >= COMMON_WORD_ZIPF:        # "Goal is to", "Order written": a word, not a name
                return bool(PERSON_VERB.match(text, result.end))
            if SENTENCE_START.search(text, 0, result.start) and not PERSON_NEXT.match(text, result.end):
                return frequency < OPENING_RARE_ZIPF
        return True

    @staticmethod
    def _caps_text(text: str, start: int, end: int) -> bool:
        """True when the text around a span is mostly capitals (an ALL-CAPS note or line), where
        an ALL-CAPS word is no sign of a surname ("William (Will) NOWAK" is)."""
        around = text[max(0, start - CASE_WINDOW):start] + text[end:end + CASE_WINDOW]
        letters = [c for c in around if c.isalpha()]
        return not letters or sum(c.isupper() for c in letters) > CAPS_SHARE * len(letters)

    def _in_lexicon(self, word: str) -> bool:
        return word.casefold() in self._given or word.casefold() in self._family

    def _known_name(self, word: str) -> bool:
        key = word.casefold()
        return key in self._given or (key in self._family and zipf(key) < ECHO_MAX_ZIPF)

    def _echoes(self, text: str, found: list[RecognizerResult]) -> list[RecognizerResult]:
        """Other mentions, in this note, of a name found by a cue ("Dr Vasquez" ... "vasquez said";
        "Calvert Hospital" ... "at Calvert": each rare word of the name) or by its shape or by
        spaCy in title case ("Craig DUNN" ... "dunn": each known given name or surname, and a rare
        ALL-CAPS surname: "Michael ASHWORTH" ... "Ashworth"), in any case, as a whole word."""
        words: dict[str, str] = {}
        for r in found:
            meta = r.recognition_metadata or {}
            source = meta.get("recognizer_name")
            pattern = getattr(r.analysis_explanation, "pattern_name", None)
            if r.entity_type not in ECHO_TYPES:
                continue
            known_only = source == NER or pattern in ECHO_SHAPED.get(source, ())
            if source == NER and not TITLE_CASE_WORD.search(text, r.start, r.end):
                continue
            if not known_only and not (source in ECHO_CUED and (ECHO_CUED[source] is None
                                                                or pattern in ECHO_CUED[source])):
                continue
            for word in LETTERS.findall(text[r.start:r.end]):
                key = word.casefold()
                if (len(key) >= 3 and key not in self._generic and zipf(key) < ECHO_MAX_ZIPF
                        and (not known_only or self._known_name(word) or source != NER and word.isupper()
                             and zipf(key) < OPENING_RARE_ZIPF) and not self.allow_list.allows(word)):
                    words.setdefault(key, r.entity_type)
        if not words:
            return []
        pattern = re.compile(r"(?<![\w'’-])(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
                             + r")(?![\w-])", re.IGNORECASE)
        return [RecognizerResult(words[m.group().casefold()], m.start(), m.end(), ECHO_SCORE,
                                 recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: "NoteEcho"})
                for m in pattern.finditer(text)]

    def _pieces(self, text: str, result: RecognizerResult) -> list[RecognizerResult]:
        """An NER name or place cut at line breaks and dashes, with words that hold digits or are
        allowed where they stand (mum, nan, a month, "Eve" after "New Year's") trimmed from its
        edges: "Mar 2019 - Mason" is the name "Mason" and "Mum Kelly MARSH" is "Kelly MARSH"; a
        date never hides in a name. A known
        identifier from the cases file is kept whole: "Dean SALT" stays a name even though "SALT"
        (speech and language therapy) is an allowed word."""
        if result.entity_type not in NER_TYPES or _from_case(result):
            return [result]
        pieces, cursor = [], result.start
        for gap in [*NER_BREAK.finditer(text, result.start, result.end), None]:
            end = gap.start() if gap else result.end
            words = list(re.finditer(r"\S+", text[cursor:end]))
            while words and self._edge_word(text, cursor, words[0]):
                words.pop(0)
            while words and self._edge_word(text, cursor, words[-1]) and not self._surname_after_given(words):
                words.pop()
            if words and not any(ch.isdigit() for w in words for ch in w.group()):
                pieces.append(RecognizerResult(result.entity_type, cursor + words[0].start(), cursor + words[-1].end(),
                                               result.score, analysis_explanation=result.analysis_explanation,
                                               recognition_metadata=result.recognition_metadata))
            cursor = gap.end() if gap else end
        return pieces

    def _with_given_name(self, text: str, result: RecognizerResult) -> RecognizerResult:
        """A name that opens with a known surname ("Morgan") takes a rare title-case word just
        before it as its given name ("Carys Morgan"): the given-name lists miss many names, Welsh
        ones among them, and the surname alone must not leave the given name in the text."""
        words = LETTERS.findall(text[result.start:result.end])
        if result.entity_type != "PERSON" or not words or words[0].casefold() not in self._family:
            return result
        before = GIVEN_BEFORE.search(text, max(0, result.start - CONTEXT), result.start)
        if (before is None or zipf(before.group(1)) >= OPENING_RARE_ZIPF
                or self.allow_list.allows(before.group(1), text[max(0, before.start() - CONTEXT):before.start()])):
            return result
        return RecognizerResult(result.entity_type, before.start(1), result.end, result.score,
                                analysis_explanation=result.analysis_explanation,
                                recognition_metadata=result.recognition_metadata)

    def _surname_after_given(self, words: list[re.Match]) -> bool:
        """Whether the last word is a title-case surname after a known given name ("Ruth Salt",
        where "SALT" alone would be speech and language therapy)."""
        if len(words) < 2:
            return False
        last = words[-1].group().strip(EDGE_PUNCTUATION)
        before = words[-2].group().strip(EDGE_PUNCTUATION)
        return last.istitle() and len(last) > 2 and before.casefold() in self._given

    def _edge_word(self, text: str, offset: int, word: re.Match) -> bool:
        """Whether a word at the edge of an NER span is not part of the name: it holds a digit, or
        it is allowed where it stands ("Eve" after "New Year's")."""
        return any(ch.isdigit() for ch in word.group()) or self._allowed_here(
            text, word.group().strip(EDGE_PUNCTUATION), offset + word.start(), offset + word.end())

    def _allowed(self, text: str, result: RecognizerResult) -> bool:
        if result.entity_type not in NER_TYPES or _from_case(result):
            return False
        return self._allowed_here(text, text[result.start:result.end], result.start, result.end)

    def _allowed_here(self, text: str, word: str, start: int, end: int) -> bool:
        """The allow-list's verdict on ``word``, found at ``text[start:end]``, read in its context."""
        return self.allow_list.allows(word, text[max(0, start - CONTEXT):start], text[end:end + CONTEXT])

    def apply(self, note: Note, findings: list[Finding]) -> RedactedNote:
        """Replace each finding with its placeholder; keep offsets into both texts."""
        return apply_findings(note, findings, self.pseudonyms, self.info)

    def redact(self, note: Note) -> RedactedNote:
        """One note, redacted."""
        return self.apply(note, self.find(note.text, note.case_id))

    def redact_many(self, notes: Iterable[Note | Reject]) -> Iterator[RedactedNote | Reject]:
        """Notes in, redacted notes out in the same order; rejects pass through untouched.

        A note that fails inside the engine becomes a reject naming the note and the error
        class, never the text.
        """
        for chunk in chunks(notes, self.config.batch_size):
            for item, found in zip(chunk, self._find_chunk(chunk)):
                yield found if isinstance(found, Reject) else redact_with(item, found, self.pseudonyms, self.info)

    def find_many(self, notes: Iterable[Note | Reject]) -> Iterator[list[Finding] | Reject]:
        """The findings of each note, in order (spaCy batched), with no placeholders numbered: the
        batch runner's parallel half of ``redact_many``. Rejects pass through; a note that fails
        becomes a reject."""
        for chunk in chunks(notes, self.config.batch_size):
            yield from self._find_chunk(chunk)

    def _find_chunk(self, chunk: list[Note | Reject]) -> Iterator[list[Finding] | Reject]:
        notes = [n for n in chunk if isinstance(n, Note)]
        parsed = iter(self.nlp_engine.process_batch([n.text for n in notes], "en",
                                                    batch_size=self.config.batch_size))
        for item in chunk:
            if isinstance(item, Reject):
                yield item
                continue
            _, artifacts = next(parsed)
            try:
                yield self.find(item.text, item.case_id, artifacts)
            except Exception as err:  # noqa: BLE001 - one bad note must not stop the rest
                yield _failed(item, err)


def _from_case(result: RecognizerResult) -> bool:
    """Whether a result is one of the case's own known identifiers (the cases file)."""
    return (result.recognition_metadata or {}).get("recognizer_name") == "CaseDictionaryRecognizer"


def _failed(note: Note, err: Exception) -> Reject:
    return Reject(f"note {note.note_id!r}", f"redaction failed ({type(err).__name__})", None, note.note_id)


def redactor_info(config: RedactionConfig) -> dict:
    """What goes into each record's ``redactor`` field."""
    return {"version": narrative.__version__, "profile": config.profile, "spacy_model": config.spacy_model}


def redact_with(note: Note, findings: list[Finding], pseudonyms: PseudonymMap, info: dict) -> RedactedNote | Reject:
    """``apply_findings``, or a reject naming the note (never its text) when that fails."""
    try:
        return apply_findings(note, findings, pseudonyms, info)
    except Exception as err:  # noqa: BLE001 - one bad note must not stop the rest
        return _failed(note, err)


def apply_findings(note: Note, findings: list[Finding], pseudonyms: PseudonymMap, info: dict) -> RedactedNote:
    """Replace each finding with its placeholder (people numbered by ``pseudonyms``); keep offsets
    into both texts."""
    pieces, redactions, cursor, length = [], [], 0, 0
    for f in findings:
        pieces.append(note.text[cursor:f.start])
        length += f.start - cursor
        if f.entity_type == "PERSON":
            placeholder = pseudonyms.placeholder(note.case_id, note.text[f.start:f.end])
        else:
            placeholder = f"[{f.entity_type}]"
        redactions.append(Redaction(length, length + len(placeholder), f.start, f.end,
                                    f.entity_type, placeholder))
        pieces.append(placeholder)
        length += len(placeholder)
        cursor = f.end
    pieces.append(note.text[cursor:])
    return RedactedNote(note.note_id, note.case_id, note.note_date, "".join(pieces),
                        redactions, info, dict(note.extra))

