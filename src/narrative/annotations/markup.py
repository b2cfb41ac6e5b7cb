"""The inline markup the hand-written corpus is written in, and its parser.

A source note is plain text with three kinds of inline annotation:

- ``[[Jayden Smith|PERSON]]`` an identifier and its entity type;
- ``<<last summer|t1|2019-06-01|2019-08-31|season>>`` a time expression, its id within the
  note, and the gold interval and precision it denotes;
- ``{{dad hit mum|domestic_abuse parent_carer present t1; ...}}`` a mention: its evidence
  span, then one or more ``code experiencer assertion [timex-id]`` labels separated by ``;``.

Identifiers and time expressions may sit inside a mention's evidence; nothing else nests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OPENERS = {"[[": "identifier", "<<": "timex", "{{": "mention"}
CLOSERS = {"identifier": "]]", "timex": ">>", "mention": "}}"}


class MarkupError(ValueError):
    """Markup that cannot be parsed; the message gives the character position."""


@dataclass
class Span:
    kind: str
    start: int
    end: int
    text: str
    label: str


@dataclass
class ParsedNote:
    text: str
    spans: list[Span] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Span]:
        return [s for s in self.spans if s.kind == kind]


@dataclass
class _Open:
    kind: str
    start: int
    source_pos: int
    in_label: bool = False
    label: list[str] = field(default_factory=list)


def parse_markup(source: str) -> ParsedNote:
    """Strip the markup from ``source``; return the plain text and the annotated spans."""
    out: list[str] = []
    length = 0
    spans: list[Span] = []
    stack: list[_Open] = []
    i = 0
    while i < len(source):
        pair = source[i:i + 2]
        top = stack[-1] if stack else None
        if pair in OPENERS and not (top and top.in_label):
            kind = OPENERS[pair]
            if top and (top.kind != "mention" or kind == "mention"):
                raise MarkupError(f"position {i}: {kind} cannot nest inside {top.kind}")
            stack.append(_Open(kind, length, i))
            i += 2
            continue
        if top and pair == CLOSERS[top.kind]:
            stack.pop()
            if not top.in_label:
                raise MarkupError(f"position {top.source_pos}: {top.kind} has no '|label'")
            text = "".join(out)[top.start:length]
            if not text.strip():
                raise MarkupError(f"position {top.source_pos}: empty {top.kind}")
            spans.append(Span(top.kind, top.start, length, text, "".join(top.label).strip()))
            i += 2
            continue
        char = source[i]
        if top and top.in_label:
            top.label.append(char)
        elif top and char == "|":
            top.in_label = True
        else:
            out.append(char)
            length += 1
        i += 1
    if stack:
        raise MarkupError(f"position {stack[-1].source_pos}: unclosed {stack[-1].kind}")
    spans.sort(key=lambda s: (s.start, -s.end))
    return ParsedNote("".join(out), spans)
