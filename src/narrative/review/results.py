"""Label Studio results <-> regions: one region per evidence span with its per-region attributes.

A region is the group of result items sharing one ``id``: the span label (the code), the
experiencer and assertion choices and the two dates. Note-level codes are the ``note_codes``
choices, which belong to no region.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from narrative.records import Mention
from narrative.review.config import ASSERTION, DATE_END, DATE_START, EVIDENCE, EXPERIENCER, NOTE_CODES, TEXT


@dataclass(frozen=True)
class Region:
    """One evidence span as a practitioner sees and edits it."""

    id: str
    code: str | None
    start: int
    end: int
    experiencer: str | None = None
    assertion: str | None = None
    date_start: date | None = None
    date_end: date | None = None
    precision: str | None = None  # only on predicted regions: the temporal stage's precision
    score: float | None = None

    @property
    def fields(self) -> tuple:
        """What a reviewer can change: code, span, experiencer, assertion, dates."""
        return (self.code, self.start, self.end, self.experiencer, self.assertion, self.date_start, self.date_end)


def mention_region(mention: Mention, region_id: str) -> Region:
    """The predicted region of one suggested mention."""
    interval = mention.date
    return Region(region_id, mention.code, mention.start, mention.end, mention.experiencer, mention.assertion,
                  interval.start if interval else None, interval.end if interval else None,
                  interval.precision if interval else None, round(mention.score, 4))


def region_results(region: Region, text: str) -> list[dict]:
    """The Label Studio result items of ``region`` over the note ``text``."""
    span = {"start": region.start, "end": region.end, "text": text[region.start:region.end]}

    def item(name: str, kind: str, value: dict, **extra) -> dict:
        return {"id": region.id, "from_name": name, "to_name": TEXT, "type": kind,
                "value": {**span, **value}, **extra}

    items = [item(EVIDENCE, "labels", {"labels": [region.code]},
                  **({"score": region.score} if region.score is not None else {}))]
    if region.experiencer:
        items.append(item(EXPERIENCER, "choices", {"choices": [region.experiencer]}))
    if region.assertion:
        items.append(item(ASSERTION, "choices", {"choices": [region.assertion]}))
    if region.date_start:
        items.append(item(DATE_START, "datetime", {"datetime": region.date_start.isoformat()},
                          **({"precision": region.precision} if region.precision else {})))
    if region.date_end:
        items.append(item(DATE_END, "datetime", {"datetime": region.date_end.isoformat()}))
    return items


def _date(value) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_results(result: list[dict]) -> tuple[dict[str, Region], list[str]]:
    """Regions by id, and the note-level codes, of a prediction's or annotation's ``result``."""
    parts: dict[str, dict] = {}
    note_codes: list[str] = []
    for item in result or []:
        value = item.get("value") or {}
        name = item.get("from_name")
        if name == NOTE_CODES:
            note_codes.extend(value.get("choices") or [])
            continue
        if "start" not in value or "end" not in value or "id" not in item:
            continue
        part = parts.setdefault(str(item["id"]), {"start": int(value["start"]), "end": int(value["end"])})
        if name == EVIDENCE:
            labels = value.get("labels") or []
            part["code"] = labels[0] if labels else None
            if item.get("score") is not None:
                part["score"] = float(item["score"])
        elif name in (EXPERIENCER, ASSERTION):
            choices = value.get("choices") or []
            part[name] = choices[0] if choices else None
        elif name in (DATE_START, DATE_END):
            part[name] = _date(value.get("datetime"))
            if name == DATE_START and item.get("precision"):
                part["precision"] = item["precision"]
    regions = {rid: Region(rid, **part) for rid, part in parts.items() if part.get("code")}
    return regions, list(dict.fromkeys(note_codes))

