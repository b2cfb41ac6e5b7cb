"""Shared machinery of the UK recognisers: patterns whose result is one named group.

Presidio's ``PatternRecognizer`` reports the whole regex match. Many UK identifiers are only
safe to find with their cue ("DOB 02/03/2009", "crime ref 13/20456/21", "Mr Hughes"), but the
cue must stay in the text. A pattern here may therefore name one or more ``value`` groups
(the ``regex`` module keeps every capture of a repeated group): each capture is one result and
the rest of the match is context. Patterns compile once per recogniser, on first use.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex
from presidio_analyzer import (
    AnalysisExplanation,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerResult,
)

VALUE = "value"
CUE = "cue"


def has_cue(match: regex.Match) -> bool:
    """True when the pattern that made ``match`` has a ``cue`` group and the group took part."""
    return CUE in match.re.groupindex and match.start(CUE) >= 0


def copy_patterns(patterns: Iterable[Pattern]) -> list[Pattern]:
    """Fresh ``Pattern`` objects, so that re-scoring one recogniser never touches another."""
    return [Pattern(p.name, p.regex, p.score) for p in patterns]


def alternation(words: Iterable[str], escape: bool = True) -> str:
    """A non-capturing alternation of ``words``, longest first; a space matches any whitespace.

    With ``escape=False`` the words are regex fragments, used as given. An empty list gives a
    group that never matches.
    """
    ordered = sorted({" ".join(w.split()) for w in words if w and w.strip()}, key=len, reverse=True)
    if escape:
        ordered = [r"\s+".join(regex.escape(part) for part in w.split(" ")) for w in ordered]
    return "(?:" + "|".join(ordered) + ")" if ordered else "(?!)"


class SpanPatternRecognizer(PatternRecognizer):
    """A ``PatternRecognizer`` whose results cover the ``value`` group(s) of each match.

    A pattern without a ``value`` group reports the whole match, as in Presidio. Subclasses
    score a candidate with ``score_value`` (0 drops it; the default keeps the pattern's score,
    or applies Presidio's ``validate_result``/``invalidate_result``), or override ``refine``
    to move its bounds as well.
    """

    # Patterns (by name) that may also match inside an earlier match of theirs (cue chains).
    overlapped_patterns: frozenset[str] = frozenset()

    def __init__(self, supported_entity: str, patterns: list[Pattern], context: list[str] | None = None,
                 supported_language: str = "en", name: str | None = None, flags: int = 0):
        super().__init__(supported_entity=supported_entity, patterns=copy_patterns(patterns),
                         context=context or [], supported_language=supported_language,
                         name=name or type(self).__name__, global_regex_flags=flags)

    def _compiled(self, pattern: Pattern) -> regex.Pattern:
        if pattern.compiled_regex is None or pattern.compiled_with_flags != self.global_regex_flags:
            pattern.compiled_regex = regex.compile(pattern.regex, self.global_regex_flags)
            pattern.compiled_with_flags = self.global_regex_flags
        return pattern.compiled_regex

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None,
                regex_flags: int | None = None) -> list[RecognizerResult]:
        """Every ``value`` capture (or whole match) of every pattern, scored."""
        entity = self.supported_entities[0]
        if entities and entity not in entities:
            return []
        results = []
        for pattern in self.patterns:
            compiled = self._compiled(pattern)
            grouped = VALUE in compiled.groupindex
            for match in compiled.finditer(text, overlapped=pattern.name in self.overlapped_patterns):
                for start, end in (match.spans(VALUE) if grouped else [match.span()]):
                    found = self.refine(text, start, end, pattern, match) if 0 <= start < end else None
                    if found and found[0] < found[1] and found[2] > EntityRecognizer.MIN_SCORE:
                        results.append(self._result(entity, *found, pattern))
        return EntityRecognizer.remove_duplicates(results)

    def refine(self, text: str, start: int, end: int, pattern: Pattern,
               match: regex.Match) -> tuple[int, int, float] | None:
        """The final ``(start, end, score)`` of a candidate, or None to drop it."""
        return start, end, self.score_value(text, start, end, pattern, match)

    def score_value(self, text: str, start: int, end: int, pattern: Pattern, match: regex.Match) -> float:
        """The score of ``text[start:end]`` found by ``pattern``; 0 drops it."""
        value = text[start:end]
        if self.invalidate_result(value):
            return EntityRecognizer.MIN_SCORE
        valid = self.validate_result(value)
        if valid is None:
            return pattern.score
        return EntityRecognizer.MAX_SCORE if valid else EntityRecognizer.MIN_SCORE

    def _result(self, entity: str, start: int, end: int, score: float, pattern: Pattern) -> RecognizerResult:
        explanation = AnalysisExplanation(
            recognizer=self.name, original_score=pattern.score, pattern_name=pattern.name, pattern=None,
            textual_explanation=f"Detected by `{self.name}` using pattern `{pattern.name}`")
        explanation.score = score
        return RecognizerResult(entity, start, end, score, analysis_explanation=explanation,
                                recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                                      RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})
