"""Which time expression dates each mention: clause, sentence, chronology line, then carry-over.

1. The nearest expression in the mention's own clause (clauses end at ``;``, ``:``, a dash, a
   bracket, and "and", "but", "whereas", "although", "while", "however").
2. Else the nearest expression in its sentence, outside brackets unless the mention is in them
   ("2019-2022 - abuse by mum's partner (disclosed Mar 2022)": the abuse is 2019-2022).
3. Else the date that heads its line ("2014 - parents separated", "12/03/2019: police called"),
   or a heading line that is only a date, for the lines under it until a blank line.
4. Else, if the sentence opens with a continuation cue (``CONTINUATION_CUES``: "She then",
   "At that time", "During this period", "He also", ...), the date of the sentence before it in
   the same paragraph (no blank line between; carried on through a chain of such sentences).
5. Else none: a mention is never given the note date when the text gives it no time.

Dates labelled as a date of birth ("DOB 12/03/2010") never date a mention.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from .finder import DOB_LABEL, Timex

FLAGS = re.IGNORECASE

CONTINUATION_CUES = (
    r"(?:she|he|they|it|mum|dad|mother|father|\[PERSON_\d+\])\s+(?:then|also|subsequently|later)\b",
    r"then\b", r"subsequently\b", r"later\b", r"afterwards\b", r"meanwhile\b", r"also\b", r"in\s+addition\b",
    r"at\s+(?:that|the|this)\s+(?:time|point|stage)\b", r"at\s+the\s+same\s+time\b",
    r"during\s+(?:this|that|the\s+same)\s+(?:period|time)\b", r"(?:around|about)\s+(?:this|that|the\s+same)\s+time\b",
    r"(?:following|after)\s+(?:this|that)\b", r"(?:shortly|soon)\s+after(?:wards)?\b",
    r"(?:this|that)\s+(?:was|is)\s+(?:also\s+)?when\b",
)
CONTINUATION = re.compile(r"[\s\"'(\u201c\u2018*\u2022-]*(?:" + "|".join(CONTINUATION_CUES) + ")", FLAGS)
PARENTHESIS = re.compile(r"\([^()]*\)")
CLAUSE_BREAK = re.compile(r"\s*[;:]\s+|\s+[-\u2013\u2014]\s+|\s*[()]\s*"
                          r"|,?\s+(?:and\s+then|and|but|whereas|although|though|however|while)\s+", FLAGS)
SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*\s+|\n\s*")
SENTENCE_START = re.compile(r"[A-Z0-9\"'\u201c\u2018(\[*\u2022-]")
ABBREVIATIONS = frozenset(
    "dr mr mrs ms mx st no nos approx e.g eg i.e ie etc ref tel vs prof pc ds dc sgt insp jan feb mar apr jun jul aug "
    "sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun".split())
LINE_BULLET = re.compile(r"[ \t]*(?:[-*\u2022][ \t]+)?")
HEADER_SEPARATOR = re.compile(r"[ \t]*(?:[-\u2013\u2014:]|\t|[ ]{2,})|[ \t]*(?=\n|\Z)")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def link_dates(text: str, mention_spans: Sequence[tuple[int, int]], timexes: Sequence[Timex], *,
               sentences: Sequence[tuple[int, int]] | None = None) -> list[Timex | None]:
    """For each mention span, the time expression that dates it, or None (rules in the module doc).

    ``sentences`` may pass sentence spans already found (by spaCy, say); by default they are
    found here. ``timexes`` are those ``find_timexes`` gave for the same text.
    """
    usable = sorted((t for t in timexes if not DOB_LABEL.search(text, max(0, t.start - 20), t.start)),
                    key=lambda t: t.start)
    sentence_list = sorted(sentences) if sentences is not None else sentence_spans(text)
    layout = _Layout(text, usable, sentence_list)
    return [layout.date_for(start, end) for start, end in mention_spans]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences: ends at ``.!?`` before a capital or digit (not after an abbreviation) and at line breaks
    before a capital, digit or bullet (a hard-wrapped line continuing in lower case stays one sentence)."""
    spans, start = [], 0
    for end in SENTENCE_END.finditer(text):
        following = text[end.end():end.end() + 1]
        if following and not SENTENCE_START.match(following):
            continue
        last_word = re.search(r"([\w.]+)[.!?]*\S*\s*$", text[start:end.end()])
        if "\n" not in end.group() and last_word and text[end.start()] == "." and \
                (last_word.group(1).lower().rstrip(".") in ABBREVIATIONS or len(last_word.group(1).rstrip(".")) == 1):
            continue
        if text[start:end.start()].strip():
            spans.append((start, end.start() + len(end.group().rstrip())))
        start = end.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def _nearest(timexes: Sequence[Timex], start: int, end: int) -> Timex | None:
    """The expression closest to the mention; on a tie, the one before it."""
    def distance(t: Timex) -> tuple[int, int]:
        if t.start < end and start < t.end:
            return 0, 0
        return (start - t.end, 0) if t.end <= start else (t.start - end, 1)

    return min(timexes, key=distance, default=None)


class _Layout:
    """Sentences, clauses, lines and paragraphs of one text, with the expressions in each."""

    def __init__(self, text: str, timexes: list[Timex], sentences: list[tuple[int, int]]):
        self.text = text
        self.timexes = timexes
        self.sentences = sentences
        self.sentence_starts = [s for s, _ in sentences]
        self.paragraph_breaks = [m.start() for m in PARAGRAPH_BREAK.finditer(text)]
        self.line_dates = self._line_dates()
        self.sentence_dates: dict[int, Timex | None] = {}

    def date_for(self, start: int, end: int) -> Timex | None:
        index = self._sentence_index(start)
        if index is None:
            return None
        s_start, s_end = self.sentences[index]
        in_sentence = [t for t in self.timexes
                       if s_start <= t.start and t.end <= s_end or start < t.end and t.start < end]
        clauses = self._clauses(s_start, s_end, start, end)
        in_clause = [t for t in in_sentence if any(c_start <= t.start and t.end <= c_end for c_start, c_end in clauses)]
        asides = [p.span() for p in PARENTHESIS.finditer(self.text, s_start, s_end)
                  if not p.start() <= start < p.end()]
        outside = [t for t in in_sentence if not any(a <= t.start and t.end <= b for a, b in asides)]
        return (_nearest(in_clause, start, end) or _nearest(outside, start, end) or _nearest(in_sentence, start, end)
                or self._line_date(start) or self._carried(index))

    def _sentence_index(self, position: int) -> int | None:
        index = bisect_right(self.sentence_starts, position) - 1
        return index if index >= 0 else (0 if self.sentences else None)

    def _clauses(self, s_start: int, s_end: int, start: int, end: int) -> list[tuple[int, int]]:
        """The clauses of the sentence that the mention overlaps (never splitting an expression)."""
        cuts = [s_start]
        for found in CLAUSE_BREAK.finditer(self.text, s_start, s_end):
            if not any(t.start < found.end() and found.start() < t.end for t in self.timexes):
                cuts.extend((found.start(), found.end()))
        cuts.append(s_end)
        clauses = list(zip(cuts[::2], cuts[1::2], strict=True))
        return [(c_start, c_end) for c_start, c_end in clauses if c_start < max(end, start + 1) and start < c_end]

    def _line_dates(self) -> dict[int, Timex]:
        """Line start -> the date heading that line (its own leading date, or a date-only heading above)."""
        dates: dict[int, Timex] = {}
        heading: Timex | None = None
        position = 0
        for line in self.text.split("\n"):
            content = position + LINE_BULLET.match(line).end()
            leading = next((t for t in self.timexes if t.start == content), None)
            separated = leading and HEADER_SEPARATOR.match(self.text, leading.end)
            if not line.strip():
                heading = None
            elif separated and not self.text[leading.end:position + len(line)].strip(" \t:-\u2013\u2014"):
                heading = leading
                dates[position] = leading
            elif separated:
                dates[position] = leading
            elif heading is not None:
                dates[position] = heading
            position += len(line) + 1
        return dates

    def _line_date(self, position: int) -> Timex | None:
        line_start = self.text.rfind("\n", 0, position) + 1
        return self.line_dates.get(line_start)

    def _carried(self, index: int) -> Timex | None:
        """The date of the sentence before, when this one clearly continues it (rule 4)."""
        s_start = self.sentences[index][0]
        if index == 0 or not CONTINUATION.match(self.text, s_start):
            return None
        previous_end = self.sentences[index - 1][1]
        if any(previous_end <= b < s_start for b in self.paragraph_breaks):
            return None
        return self._sentence_date(index - 1)

    def _sentence_date(self, index: int) -> Timex | None:
        """The date a sentence's events carry: its last expression, its line's, or one carried into it."""
        if index not in self.sentence_dates:
            start, end = self.sentences[index]
            inside = [t for t in self.timexes if start <= t.start and t.end <= end]
            self.sentence_dates[index] = inside[-1] if inside else self._line_date(start) or self._carried(index)
        return self.sentence_dates[index]
