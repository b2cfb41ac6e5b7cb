"""The allow-list: words that NER calls a person or place but that must stay in the text.

Family-role words (mum, nan, carer), days, months, holidays, services and case-note jargon
(MASH, CAMHS, "Social Care", "Referral Order"), apps and brands (Xbox, Snapchat), UK nations and
other countries, and shapes such as "Year 9" or "Section 47". The lists are data, in the
``allow_list`` section of ``default.yaml``; a config adds categories under ``words`` or lists
``extra_words`` / ``extra_patterns``.

Words that are also given names ("Summer", "May", "April", "Autumn") are in ``name_like`` and
are kept only when they read as time: written in lower case ("last summer"), after a time word
("in May", "last Summer", "4 May", "most of April"), or before a date word ("Summer 2019",
"May half-term", "summer holidays"); so are month ranges opening with one ("Jan-May 2019").
Everywhere else they are redacted as names. Names that are also common
words but not times (Grace, Hope, Will, Rose, Jack) are never on the list.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

import regex
import yaml

from narrative.redact.recognizers.dates import MONTH_NAME

PUNCTUATION = " \t\r\n.,:;!?\"“”()[]{}-–—/&|*•"
POSSESSIVE = regex.compile(r"(?:['’]s|(?<=s)['’])$", regex.IGNORECASE)
TOKEN = regex.compile(r"\S+")
TIME_BEFORE = regex.compile(
    r"(?:\b(?:last|this|next|in|during|since|until|till|early|late|the|every|each|past|previous|coming|between|"
    r"christmas|year['’]s|years|summer|winter|spring|autumn)|\bmid-|\b\d{1,2}(?:st|nd|rd|th)?(?:\s+of)?"
    r"|\b(?:most|end|start|beginning|middle|rest|part|half)\s+of"
    # a month that is no given name, then a range word: "between December and May", "Oct-"
    r"|\b(?:january|feb(?:ruary)?|mar(?:ch)?|apr|jun|july?|aug|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?"
    r"|dec(?:ember)?)\.?(?:\s*[-–/]|\s+(?:and|or|to|until|till)))\s*$",
    regex.IGNORECASE)
TIME_AFTER = regex.compile(
    r"^\s*(?:['’]?\d|holidays?\b|hols\b|term\b|half[\s-]?term\b|break\b|time\b|camp\b|fair\b|school\b|"
    r"club\b|months?\b|period\b|and\s+(?:spring|summer|autumn|winter)\b)", regex.IGNORECASE)

# "Jan-May", "April/May": kept, like a given-name month, when it reads as time ("Jan-May 2019")
MONTH_RANGE = regex.compile(rf"{MONTH_NAME}(?:\s*[-–/]\s*{MONTH_NAME})+")


def normalise(text: str) -> str:
    """Lower case, surrounding punctuation and a possessive ending removed, spaces collapsed."""
    stripped = POSSESSIVE.sub("", text.strip(PUNCTUATION))
    return " ".join(stripped.split()).casefold()


@lru_cache(maxsize=1)
def _packaged() -> dict:
    text = resources.files("narrative.redact").joinpath("default.yaml").read_text("utf-8")
    return yaml.safe_load(text) or {}


def packaged_section(key: str) -> dict:
    """A copy of one top-level section of the packaged ``default.yaml`` (read once)."""
    return copy.deepcopy(_packaged().get(key) or {})


class AllowList:
    """Decides whether a PERSON/LOCATION candidate is an ordinary word to keep."""

    def __init__(self, words: Iterable[str] = (), name_like: Iterable[str] = (), patterns: Iterable[str] = ()):
        self.words = frozenset(normalise(w) for w in words if normalise(w))
        self.name_like = frozenset(normalise(w) for w in name_like if normalise(w))
        self.patterns = [regex.compile(p, regex.IGNORECASE) for p in patterns]

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None = None) -> AllowList:
        """Build from an ``allow_list`` section; ``None`` means the packaged defaults.

        Keys: ``words`` (a mapping of category to list of words, or a plain list),
        ``name_like`` (list), ``patterns`` (regexes matched against the whole candidate,
        ignoring case), and ``extra_words`` / ``extra_patterns`` to extend a list.
        """
        config = packaged_section("allow_list") if config is None else config
        unknown = set(config) - {"words", "name_like", "patterns", "extra_words", "extra_patterns"}
        if unknown:
            raise ValueError(f"allow_list: unknown key(s) {', '.join(sorted(unknown))}")
        groups = config.get("words") or {}
        words = [w for group in groups.values() for w in group or []] if isinstance(groups, Mapping) else list(groups)
        return cls(words=[*words, *(config.get("extra_words") or [])],
                   name_like=config.get("name_like") or [],
                   patterns=[*(config.get("patterns") or []), *(config.get("extra_patterns") or [])])

    def allows(self, text: str, context_before: str = "", context_after: str = "") -> bool:
        """True when ``text`` (a candidate span) is a word or phrase to keep.

        ``context_before``/``context_after`` are the characters around the span (about 30
        each); they only matter for ``name_like`` words. A span of several words is kept when
        the whole is listed, or when every word of it is kept on its own.
        """
        key = normalise(text)
        if not key:
            return False
        if self._listed(key) or self._reads_as_time(text, key, context_before, context_after):
            return True
        tokens = key.split()
        return len(tokens) > 1 and all(
            self._listed(t) or self._reads_as_time(t, t, "", "") for t in (normalise(t) for t in tokens) if t)

    def trim(self, text: str) -> tuple[int, int]:
        """Offsets within ``text`` of the part left once kept words at either end and a
        possessive ending are removed ("Mum Kelly MARSH" gives the offsets of "Kelly MARSH",
        "Leanne's" those of "Leanne"). ``(0, 0)`` when nothing is left."""
        tokens = [t for t in TOKEN.finditer(text) if normalise(t.group())]
        while tokens and self._listed(normalise(tokens[0].group())):
            tokens.pop(0)
        while tokens and self._listed(normalise(tokens[-1].group())):
            tokens.pop()
        if not tokens:
            return 0, 0
        first, last = tokens[0].group(), tokens[-1].group()
        start = tokens[0].start() + len(first) - len(first.lstrip(PUNCTUATION))
        end = tokens[-1].start() + len(POSSESSIVE.sub("", last.rstrip(PUNCTUATION)))
        return start, end

    def _listed(self, key: str) -> bool:
        return key in self.words or any(p.fullmatch(key) for p in self.patterns)

    def _reads_as_time(self, text: str, key: str, before: str, after: str) -> bool:
        if key not in self.name_like and not MONTH_RANGE.fullmatch(key):
            return False
        shown = text.strip(PUNCTUATION)
        return shown == shown.lower() or bool(TIME_BEFORE.search(before)) or bool(TIME_AFTER.search(after))
