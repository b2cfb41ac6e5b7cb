"""Calendar arithmetic: units, seasons, the English school calendar, ages.

Pure functions over :class:`datetime.date`; an interval is a ``(first_day, last_day)`` pair,
both inclusive. Nothing here reads text.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

from narrative.records import PRECISIONS

Interval = tuple[date, date]

ONE_DAY = timedelta(days=1)


def rank(precision: str) -> int:
    """Coarseness of a precision: day 0 ... decade 8 (the order of ``records.PRECISIONS``)."""
    return PRECISIONS.index(precision)


# --- calendar units -------------------------------------------------------------------------

def month_interval(year: int, month: int) -> Interval:
    return date(year, month, 1), date(year, month, _stdlib_calendar.monthrange(year, month)[1])


def year_interval(year: int) -> Interval:
    return date(year, 1, 1), date(year, 12, 31)


def decade_interval(year: int) -> Interval:
    first = year - year % 10
    return date(first, 1, 1), date(first + 9, 12, 31)


def week_interval(day: date) -> Interval:
    """The ISO week (Monday to Sunday) that contains ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def unit_containing(day: date, unit: str) -> Interval:
    """The day, ISO week, calendar month or calendar year that contains ``day``."""
    if unit == "day":
        return day, day
    if unit == "week":
        return week_interval(day)
    if unit == "month":
        return month_interval(day.year, day.month)
    if unit == "year":
        return year_interval(day.year)
    raise ValueError(f"not a calendar unit: {unit}")


def shift(day: date, amount: int, unit: str) -> date:
    """``day`` moved by ``amount`` days, weeks, months or years (month ends clamp: 31 Jan + 1 month = 28/29 Feb)."""
    return day + relativedelta(**{f"{unit}s": amount})


def most_recent_weekday(anchor: date, weekday: int, *, strictly_before: bool = False) -> date:
    """The latest date with ``weekday`` (Monday 0) on or before ``anchor`` (or strictly before)."""
    back = (anchor.weekday() - weekday) % 7
    if back == 0 and strictly_before:
        back = 7
    return anchor - timedelta(days=back)


def most_recent_day_of_month(anchor: date, day_of_month: int) -> date | None:
    """The latest date on or before ``anchor`` whose day of the month is ``day_of_month``."""
    year, month = anchor.year, anchor.month
    for _ in range(12):
        if day_of_month <= _stdlib_calendar.monthrange(year, month)[1]:
            candidate = date(year, month, day_of_month)
            if candidate <= anchor:
                return candidate
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


def next_day_of_month(anchor: date, day_of_month: int) -> date | None:
    """The earliest date on or after ``anchor`` whose day of the month is ``day_of_month``."""
    year, month = anchor.year, anchor.month
    for _ in range(12):
        if day_of_month <= _stdlib_calendar.monthrange(year, month)[1]:
            candidate = date(year, month, day_of_month)
            if candidate >= anchor:
                return candidate
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return None


# --- seasons (UK meteorological) ------------------------------------------------------------

SEASON_FIRST_MONTH = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}


def season_interval(season: str, year: int) -> Interval:
    """A meteorological season; winter ``year`` runs from December ``year`` to February ``year + 1``."""
    first = date(year, SEASON_FIRST_MONTH[season], 1)
    return first, first + relativedelta(months=3) - ONE_DAY


# --- the English school calendar (approximate; local authorities differ by a few days) -----

def christmas_holidays(year: int) -> Interval:
    return date(year, 12, 20), date(year + 1, 1, 3)


def easter_holidays(year: int) -> Interval:
    """Two weeks around Easter Sunday: the Monday of Holy Week to the Sunday after Easter."""
    sunday = easter(year)
    return sunday - timedelta(days=6), sunday + timedelta(days=7)


def summer_holidays(year: int) -> Interval:
    return date(year, 7, 20), date(year, 8, 31)


def _half_term_week(monday: date) -> Interval:
    """The school days of a half-term week: Monday to Friday."""
    return monday, monday + timedelta(days=4)


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


HALF_TERM_MONDAYS: dict[str, Callable[[int], date]] = {
    "february": lambda year: _monday_on_or_after(date(year, 2, 12)),
    "may": lambda year: most_recent_weekday(date(year, 5, 31), 0),  # the spring bank holiday
    "october": lambda year: _monday_on_or_after(date(year, 10, 22)),
}


def half_terms(year: int, which: str | None = None) -> list[Interval]:
    """The February, May and October half-term weeks of ``year`` (or only ``which``)."""
    names = [which] if which else list(HALF_TERM_MONDAYS)
    return [_half_term_week(HALF_TERM_MONDAYS[name](year)) for name in names]


def school_term(term: str, year: int) -> Interval:
    """The autumn term of ``year`` (September to December) or the spring/summer term of ``year``."""
    if term == "autumn":
        return date(year, 9, 1), christmas_holidays(year)[0] - ONE_DAY
    if term == "spring":
        return christmas_holidays(year - 1)[1] + ONE_DAY, easter_holidays(year)[0] - ONE_DAY
    if term == "summer":
        return easter_holidays(year)[1] + ONE_DAY, summer_holidays(year)[0] - ONE_DAY
    raise ValueError(f"not a school term: {term}")


def terms_of_year(year: int) -> list[Interval]:
    return [school_term(term, year) for term in ("spring", "summer", "autumn")]


def school_year_interval(first_year: int) -> Interval:
    """The school year that starts on 1 September ``first_year``."""
    return date(first_year, 9, 1), date(first_year + 1, 8, 31)


def school_year_start(day: date) -> int:
    """The calendar year in which the school year containing ``day`` began."""
    return day.year if day.month >= 9 else day.year - 1


RECEPTION = 0


def year_group_interval(dob: date, group: int) -> Interval:
    """The school year a child born on ``dob`` spends in ``group`` (Reception 0, Year 1 ... 13).

    Children born from 1 September to 31 August share a year group and start Reception in the
    September after they turn four.
    """
    return school_year_interval(school_year_start(dob) + 5 + group)


# --- ages ----------------------------------------------------------------------------------

def birthday(dob: date, years: int) -> date:
    """The day a child born on ``dob`` turns ``years``; a 29 February birthday is 1 March in
    common years, as the age of a person born on 29 February is reckoned in England and Wales."""
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:
        return date(dob.year + years, 3, 1)


def age_interval(dob: date, youngest: int, oldest: int | None = None, unit: str = "year") -> Interval:
    """From the ``youngest`` birthday to the day before the one after ``oldest`` (years or months).

    "When he was 7" is ``age_interval(dob, 7)``: his 7th birthday to the day before his 8th.
    """
    oldest = youngest if oldest is None else oldest
    if unit == "year":
        return birthday(dob, youngest), birthday(dob, oldest + 1) - ONE_DAY
    return shift(dob, youngest, unit), shift(dob, oldest + 1, unit) - ONE_DAY


# --- choosing an occurrence of a recurring period --------------------------------------------

def latest_occurrence(occurrences: Callable[[int], Iterable[Interval]], anchor: date, *,
                      completed: bool = False) -> Interval | None:
    """The latest occurrence that has begun by ``anchor`` (or, with ``completed``, ended before it)."""
    found = [interval for year in range(anchor.year - 2, anchor.year + 2)
             for interval in occurrences(year)
             if (interval[1] < anchor if completed else interval[0] <= anchor)]
    return max(found) if found else None


def next_occurrence(occurrences: Callable[[int], Iterable[Interval]], anchor: date) -> Interval | None:
    found = [interval for year in range(anchor.year, anchor.year + 3)
             for interval in occurrences(year) if interval[0] > anchor]
    return min(found) if found else None


def current_occurrence(occurrences: Callable[[int], Iterable[Interval]], anchor: date) -> Interval | None:
    """The occurrence containing ``anchor``, else the one that falls in ``anchor``'s year."""
    candidates = [interval for year in range(anchor.year - 1, anchor.year + 1) for interval in occurrences(year)]
    for interval in candidates:
        if interval[0] <= anchor <= interval[1]:
            return interval
    this_year = [interval for interval in occurrences(anchor.year)]
    return this_year[0] if len(this_year) == 1 else None


# --- early / mid / late -----------------------------------------------------------------------

PART_INDEX = {"early": 0, "beginning": 0, "start": 0, "mid": 1, "middle": 1, "late": 2, "end": 2}
DECADE_PARTS = ((0, 3), (4, 6), (7, 9))
MONTH_PARTS = ((1, 10), (11, 20), (21, 31))


def narrow(interval: Interval, precision: str, part: str) -> Interval | None:
    """The early, middle or late third of an interval: days of a month, years of a decade, else months.

    Day, week, term and age intervals are not narrowed (``None``).
    """
    start, end = interval
    index = PART_INDEX[part]
    if precision == "month":
        first, last = MONTH_PARTS[index]
        return start.replace(day=first), min(end, start.replace(day=min(last, end.day)))
    if precision == "decade":
        first, last = DECADE_PARTS[index]
        return date(start.year + first, 1, 1), date(start.year + last, 12, 31)
    if precision in ("season", "school_year", "year"):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        size = -(-months // 3)
        first = (0, size, months - size)[index]
        count = (size, months - 2 * size, size)[index]
        return start + relativedelta(months=first), start + relativedelta(months=first + count) - ONE_DAY
    return None
