"""Sentence windows: the units the classifier reads.

The windows are the sentences the temporal stage links dates within (``sentence_spans``: ends
at ``.!?`` before a capital or digit, not after an abbreviation such as "Mr." or "Dr.", and at
line breaks before a capital, digit or bullet), so classification and date linking share one
segmentation. Each window keeps its character offsets into the note.
"""

from __future__ import annotations

from dataclasses import dataclass

from narrative.extract.temporal.linking import sentence_spans

MIN_CHARS = 3


@dataclass(frozen=True)
class Window:
    start: int
    end: int
    text: str


def split_windows(text: str) -> list[Window]:
    """The sentence windows of ``text``, in order, with offsets into it."""
    windows = []
    for start, end in sentence_spans(text):
        chunk = text[start:end]
        lead = len(chunk) - len(chunk.lstrip())
        chunk = chunk.strip()
        if len(chunk) >= MIN_CHARS:
            windows.append(Window(start + lead, start + lead + len(chunk), chunk))
    return windows
