"""The case's own identifiers: every known name and address line of one case, in any casing.

Catches: the child's given and family names, each known person's full name and name parts
(and a family's plural: "the Copelands"),
the address as a whole, each of its comma-separated lines, and the street without its house
number ("Larch Close" from "27 Larch Close"). Name parts of two letters or fewer are skipped.

Deliberately does not: match a name that is also a common English word ("Summer", "Grace",
"May", "Young": word frequency from ``wordfreq`` at or above ``common_word_zipf``) in lower
case, or where it reads as a date ("May 2019", "last Summer"); those forms are left to the NER
and name recognisers, which see the context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import EntityRecognizer, RecognizerResult
from wordfreq import zipf_frequency

from narrative.records import Case

POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$", re.IGNORECASE)
HOUSE_NUMBER = re.compile(r"^(?:flat|apartment|apt|unit)?\s*\d+[a-z]?\b[\s,]*", re.IGNORECASE)
DATE_WORDS_BEFORE = ("last", "this", "next", "in", "since", "until", "of", "during", "early", "late", "the")


def _alternation(values: Iterable[str]) -> str:
    ordered = sorted({v for v in values if v}, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in v.split()) for v in ordered)


class CaseDictionaryRecognizer(EntityRecognizer):
    """Finds one case's known identifiers wherever they appear in its notes."""

    def __init__(self, case: Case, score: float = 1.0, common_word_zipf: float = 4.3):
        self.score = score
        names, word_like = set(), set()
        for full in case.full_names:
            for variant in self._name_variants(full):
                is_word = zipf_frequency(variant.lower(), "en") >= common_word_zipf
                (word_like if is_word else names).add(variant)
        self._word_names = {w.lower() for w in word_like}
        self._patterns: list[tuple[re.Pattern, str]] = []
        self._add(names, "PERSON", re.IGNORECASE)
        for variant in word_like:
            self._add({variant.title(), variant.upper()}, "PERSON", 0, date_guard=True)
        for entity, values in self._address_variants(case.address or "").items():
            self._add(values, entity, re.IGNORECASE)
        super().__init__(supported_entities=["PERSON", "ADDRESS", "POSTCODE", "LOCATION"],
                         name="CaseDictionaryRecognizer", supported_language="en")

    def load(self) -> None:
        """Nothing to load: the patterns are built from the case."""

    @staticmethod
    def _name_variants(full: str) -> set[str]:
        tokens = full.replace(",", " ").split()
        variants = {" ".join(tokens)} if len(tokens) > 1 else set()
        for token in tokens:
            variants.add(token)
            variants.update(p for p in token.split("-") if p)
        if len(tokens) > 2:  # given name + family name without the middle names
            variants.add(f"{tokens[0]} {tokens[-1]}")
        return {v for v in variants if len(v) > 2 or (len(tokens) == 1 and len(v) > 1)}

    @staticmethod
    def _address_variants(address: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {"ADDRESS": set(), "POSTCODE": set(), "LOCATION": set()}
        lines = [p.strip() for p in address.split(",") if p.strip()]
        if len(lines) > 1:
            found["ADDRESS"].add(", ".join(lines))
        for line in lines:
            if POSTCODE.match(line):
                found["POSTCODE"].add(line)
            elif any(ch.isdigit() for ch in line) or line is lines[0]:
                found["ADDRESS"].add(line)
                street = HOUSE_NUMBER.sub("", line).strip()
                if street and street != line and len(street) > 3:
                    found["ADDRESS"].add(street)
            else:
                found["LOCATION"].add(line)
        return found

    def _add(self, values: set[str], entity: str, flags: int, date_guard: bool = False) -> None:
        body = _alternation(values)
        if not body:
            return
        guard = r"(?!\s+\d)" if date_guard else ""
        plural = "s?" if entity == "PERSON" else ""     # "the Copelands"
        self._patterns.append((re.compile(rf"(?<![\w'’-])(?:{body}){plural}(?![\w-]){guard}", flags), entity))

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        results = []
        for pattern, entity in self._patterns:
            if entities and entity not in entities:
                continue
            for match in pattern.finditer(text):
                if entity == "PERSON" and self._reads_as_date(text, match):
                    continue
                results.append(RecognizerResult(entity, match.start(), match.end(), self.score))
        return results

    def _reads_as_date(self, text: str, match: re.Match) -> bool:
        if match.group(0).lower() not in self._word_names:
            return False
        before = text[max(0, match.start() - 12):match.start()].lower().split()
        return bool(before) and before[-1] in DATE_WORDS_BEFORE
