"""TempEval-3 DATE expressions: our temporal stage against dateparser's own search, in one run.

    .venv/bin/python benchmarks/tempeval3.py [--set platinum|timebank|aquaint] [--day-first]

Reads ``../shared/benchmarks/tempeval3`` (TE3-Platinum by default; TimeBank and AQUAINT from
TBAQ-cleaned as larger development sets), anchors every document at its creation time (DCT) and
scores the gold TIMEX3 of type DATE:

- extent recall: a gold DATE counts as found if any system span overlaps it (relaxed match);
- value recall: a gold DATE with a calendar value (``1998``, ``1998-10``, ``1998-10-02``,
  ``1998-W40``, ``1998-SU``, ``199``) counts if an overlapping system span has that value;
  ``PRESENT_REF``, ``PAST_REF``, ``XXXX-..``, centuries and durations are left out of this
  denominator (reported apart) because neither system outputs them;
- value accuracy: the same, over the gold DATEs whose extent was found.

A system interval gets a TimeML value when it lies inside one unit at its precision (so "early
2011", Jan-Apr 2011 at precision year, is ``2011``); a range or open interval aligned to unit
boundaries gets the values of its end-points ("2009-2010" is ``2009`` and ``2010``; "since 2019"
is ``2019``); school terms, school years and ages have no TimeML value. dateparser's spans get
their unit from ``DateDataParser(...).get_date_data(span).period``, with the same settings.
The "lenient" column counts a value as right when the system interval (dateparser: its date)
lies inside the gold one. Documents are US newswire, read month first unless ``--day-first``.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from narrative.extract.temporal import find_timexes  # noqa: E402
from narrative.extract.temporal import calendar as cal  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "tempeval3"
SETS = {"platinum": DATA / "Evaluation" / "te3-platinum",
        "timebank": DATA / "Training" / "TBAQ-cleaned" / "TimeBank",
        "aquaint": DATA / "Training" / "TBAQ-cleaned" / "AQUAINT"}
CALENDAR_VALUE = re.compile(r"\d{4}(?:-\d\d(?:-\d\d)?|-W\d\d|-(?:SP|SU|FA|WI))?|\d{3}")
SEASON_CODES = {3: "SP", 6: "SU", 9: "FA", 12: "WI"}
TAG = re.compile(r"<(/?)(\w+)([^>]*)>")
ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


@dataclass
class GoldTimex:
    start: int
    end: int
    text: str
    type: str
    value: str


@dataclass
class Document:
    name: str
    dct: date
    text: str
    timexes: list[GoldTimex]


@dataclass
class SystemSpan:
    start: int
    end: int
    interval: tuple[date, date]
    precision: str


def load_documents(folder: Path) -> list[Document]:
    """Plain text and gold TIMEX3 offsets from TimeML files (tags stripped, entities unescaped)."""
    documents = []
    for path in sorted(folder.glob("*.tml")):
        source = path.read_text(encoding="utf-8")
        dct = re.search(r"<DCT>.*?value=\"(\d{4}-\d\d-\d\d)", source, re.S)
        body = re.search(r"<TEXT>(.*)</TEXT>", source, re.S)
        if not dct or not body:
            continue
        text, timexes, open_timex, position = [], [], None, 0
        length = 0
        for tag in TAG.finditer(body.group(1)):
            chunk = html.unescape(body.group(1)[position:tag.start()])
            text.append(chunk)
            length += len(chunk)
            position = tag.end()
            if tag.group(2) != "TIMEX3":
                continue
            if tag.group(1):
                attributes, start = open_timex
                timexes.append(GoldTimex(start, length, "", attributes.get("type", ""), attributes.get("value", "")))
            else:
                open_timex = (dict(ATTRIBUTE.findall(tag.group(3))), length)
        text.append(html.unescape(body.group(1)[position:]))
        plain = "".join(text)
        for timex in timexes:
            timex.text = plain[timex.start:timex.end]
        documents.append(Document(path.stem, date.fromisoformat(dct.group(1)), plain, timexes))
    return documents


def timeml_value(start: date, precision: str) -> str | None:
    """The TimeML value of the unit at ``precision`` that contains ``start``."""
    if precision == "day":
        return start.isoformat()
    if precision == "week":
        iso = start.isocalendar()
        return f"{iso[0]}-W{iso[1]:02d}"
    if precision == "month":
        return f"{start.year}-{start.month:02d}"
    if precision == "season":
        first_month = (start.month // 3) * 3 or 12
        year = start.year - (1 if start.month < 3 else 0)
        return f"{year}-{SEASON_CODES[first_month]}"
    if precision == "year":
        return str(start.year)
    if precision == "decade":
        return str(start.year)[:3]
    return None


def unit_of(day: date, precision: str) -> tuple[date, date] | None:
    if precision in ("day", "week", "month", "year"):
        return cal.unit_containing(day, precision)
    if precision == "decade":
        return cal.decade_interval(day.year)
    if precision == "season":
        year = day.year - (1 if day.month < 3 else 0)
        first_month = (day.month // 3) * 3 or 12
        name = {3: "spring", 6: "summer", 9: "autumn", 12: "winter"}[first_month]
        return cal.season_interval(name, year)
    return None


def system_values(span: SystemSpan) -> set[str]:
    """The TimeML values a system interval stands for (see the module doc)."""
    start, end = span.interval
    first_unit, last_unit = unit_of(start, span.precision), unit_of(end, span.precision)
    if first_unit is None:
        return set()
    if first_unit == last_unit:
        return {timeml_value(start, span.precision)}
    values = set()
    if first_unit[0] == start:
        values.add(timeml_value(start, span.precision))
        if last_unit[1] == end:
            values.add(timeml_value(end, span.precision))
    values.discard(None)
    if span.precision == "season":  # winter 2012-13 is written 2012-WI or 2013-WI
        values |= {v.replace(v[:4], str(int(v[:4]) + 1)) for v in values if v.endswith("WI")}
    return values


def gold_interval(value: str) -> tuple[date, date] | None:
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        day = date.fromisoformat(value)
        return day, day
    if re.fullmatch(r"\d{4}-\d\d", value):
        return cal.month_interval(int(value[:4]), int(value[5:]))
    if re.fullmatch(r"\d{4}", value):
        return cal.year_interval(int(value))
    if re.fullmatch(r"\d{4}-W\d\d", value):
        monday = date.fromisocalendar(int(value[:4]), int(value[6:]), 1)
        return cal.week_interval(monday)
    if re.fullmatch(r"\d{3}", value):
        return cal.decade_interval(int(value) * 10)
    if re.fullmatch(r"\d{4}-(SP|SU|FA|WI)", value):
        name = {"SP": "spring", "SU": "summer", "FA": "autumn", "WI": "winter"}[value[5:]]
        return cal.season_interval(name, int(value[:4]))
    return None


def ours(document: Document, day_first: bool) -> list[SystemSpan]:
    return [SystemSpan(t.start, t.end, (t.value_start, t.value_end), t.precision)
            for t in find_timexes(document.text, document.dct, day_first=day_first)]


def dateparser_search(document: Document, day_first: bool) -> list[SystemSpan]:
    """dateparser's ``search_dates`` (DCT as base, past preferred); the unit from ``get_date_data``."""
    from dateparser.date import DateDataParser
    from dateparser.search import search_dates

    settings = {"RELATIVE_BASE": datetime(document.dct.year, document.dct.month, document.dct.day),
                "PREFER_DATES_FROM": "past", "DATE_ORDER": "DMY" if day_first else "MDY"}
    found = search_dates(document.text, languages=["en"], settings=settings) or []
    parser = DateDataParser(languages=["en"], settings=settings)
    spans, cursor = [], 0
    for substring, moment in found:
        start = document.text.find(substring, cursor)
        if start < 0:
            continue
        cursor = start + len(substring)
        period = parser.get_date_data(substring).period or "day"
        precision = {"time": "day"}.get(period, period)
        spans.append(SystemSpan(start, cursor, cal.unit_containing(moment.date(), precision), precision))
    return spans


def score(documents: list[Document], system, day_first: bool) -> dict:
    gold_dates = found = calendar = calendar_found = value_right = lenient_right = 0
    spans_total = spans_unmatched = 0
    started = time.perf_counter()
    outputs = [system(document, day_first) for document in documents]
    seconds = time.perf_counter() - started
    for document, spans in zip(documents, outputs, strict=True):
        spans_total += len(spans)
        spans_unmatched += sum(not any(s.start < g.end and g.start < s.end for g in document.timexes) for s in spans)
        for gold in document.timexes:
            if gold.type != "DATE":
                continue
            gold_dates += 1
            overlapping = [s for s in spans if s.start < gold.end and gold.start < s.end]
            found += bool(overlapping)
            if not CALENDAR_VALUE.fullmatch(gold.value):
                continue
            calendar += 1
            calendar_found += bool(overlapping)
            value_right += any(gold.value in system_values(s) for s in overlapping)
            wanted = gold_interval(gold.value)
            lenient_right += any(wanted[0] <= s.interval[0] and s.interval[1] <= wanted[1] for s in overlapping)
    words = sum(len(d.text.split()) for d in documents)
    return {"gold DATE": gold_dates, "extent recall": found / gold_dates, "calendar-valued": calendar,
            "value recall": value_right / calendar, "value accuracy": value_right / max(calendar_found, 1),
            "lenient value recall": lenient_right / calendar, "spans": spans_total,
            "spans on no gold TIMEX3": spans_unmatched, "words/s": words / seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=sorted(SETS), default="platinum")
    parser.add_argument("--day-first", action="store_true", help="read 03/02/2013 as 3 February (UK order)")
    args = parser.parse_args(argv)
    folder = SETS[args.set]
    if not folder.is_dir():
        print(f"skipped: {folder} not found (the TempEval-3 data lives in ../shared/benchmarks/tempeval3)")
        return 0
    documents = load_documents(folder)
    results = {"narrative": score(documents, ours, args.day_first),
               "dateparser search": score(documents, dateparser_search, args.day_first)}
    print(f"TempEval-3 {args.set}: {len(documents)} documents, DCT as anchor, "
          f"{'day' if args.day_first else 'month'} first")
    rows = list(results["narrative"])
    print(f"{'':26}" + "".join(f"{name:>20}" for name in results))
    for row in rows:
        cells = "".join(f"{(f'{v:.3f}' if isinstance(v, float) and v < 10 else f'{v:.0f}'):>20}"
                        for v in (results[name][row] for name in results))
        print(f"{row:26}{cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
