"""The rule table: one pattern per kind of expression, with its context checks and resolver.

A rule's regular expression finds candidate spans (its ``t`` group is the span reported; the
rest of the match is context). Before scanning, a rule is skipped unless the text holds a word
from each of its trigger sets (and a date of birth, for ages and school years); after, the words
just before and after the match must pass its checks. Its resolver (``resolve.py``) dates it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import calendar as cal
from . import lexicon as lx
from . import resolve as r
from .resolve import FLAGS, Resolver


@dataclass(frozen=True)
class Rule:
    """A candidate pattern with its context checks and resolver."""

    name: str
    pattern: re.Pattern
    resolve: Resolver
    triggers: tuple[frozenset[str], ...]      # the text must hold a word of each set (cheap pre-check)
    needs_dob: bool = False
    needs_before: re.Pattern | None = None    # the text before the match must end with this ...
    unless: tuple[str, ...] = ()              # ... unless one of these groups matched
    rejects_before: re.Pattern | None = None  # the text before the match must not end with this
    rejects_after: re.Pattern | None = None   # the text after the match must not start with this

    def applies(self, words: set[str], has_dob: bool) -> bool:
        """Whether the rule can match a text with these lower-case words (``#digit`` for any digit)."""
        return (has_dob or not self.needs_dob) and all(not words.isdisjoint(t) for t in self.triggers)

    def accepts(self, match: re.Match, text: str) -> bool:
        """Whether the words around a match let it stand."""
        before = text[max(0, match.start() - 40):match.start()]
        after = text[match.end():match.end() + 40]
        if self.rejects_before is not None and self.rejects_before.search(before):
            return False
        if self.rejects_after is not None and self.rejects_after.match(after):
            return False
        if self.needs_before is not None and not any(match.group(g) for g in self.unless):
            return bool(self.needs_before.search(before))
        return True


def _rule(name: str, pattern: str, resolve: Resolver, *triggers: frozenset[str], needs_dob: bool = False,
          needs_before: str | None = None, unless: tuple[str, ...] = (), rejects_before: str | None = None,
          rejects_after: str | None = None) -> Rule:
    def compiled(source: str | None, suffix: str = "") -> re.Pattern | None:
        return re.compile(source + suffix, FLAGS) if source is not None else None

    # (?<!\w): an expression never starts inside a word (this also halves the scanning time)
    return Rule(name, re.compile(rf"(?<!\w)(?:{pattern})", FLAGS), resolve, triggers, needs_dob,
                compiled(needs_before, r"\Z"), unless, compiled(rejects_before, r"\Z"), compiled(rejects_after))


def _words(*groups) -> frozenset[str]:
    return frozenset(word for group in groups for word in group)


# --- trigger words -----------------------------------------------------------------------------------
DIGIT = frozenset({"#digit"})
MONTHS = frozenset(lx.MONTHS)
SEASONS = frozenset(cal.SEASON_FIRST_MONTH)
UNITS = frozenset(lx.UNITS)
WEEKDAYS = frozenset(lx.WEEKDAYS)
WHICH_WORDS = frozenset({"last", "this", "next", "that", "current"})
DAY_PARTS = _words({"day", "morning", "afternoon", "evening", "night", "week", "weekend", "month", "year"})
HOLIDAYS = _words({"christmas", "xmas", "boxing", "new", "bonfire", "guy", "halloween", "hallowe", "valentine",
                   "valentines", "easter", "good", "mother", "mothers", "mothering", "father", "fathers"})
SCHOOL_HOLIDAYS = _words({"christmas", "xmas", "easter", "summer", "half", "halfterm"})
DAY_WORDS = _words({"yesterday", "today", "tonight", "tomorrow", "night", "morning", "afternoon", "evening"})
LIFE_STAGES = _words({"baby", "infant", "newborn", "toddler", "teenager", "teens"})
LATER_WORDS = _words({"later", "afterwards", "after", "on", "earlier", "previously", "before"})
NEXT_WORDS = _words({"next", "following", "previous", "preceding", "before", "after"})
AGE_OPENERS = _words({"when", "since", "until", "till", "before", "after", "time"})

# --- pattern fragments and context checks --------------------------------------------------------------
TIME_PREP = rf"(?:\b{lx.TIME_PREPOSITIONS}\s+(?:the\s+)?|\b(?:early|mid|late)-)"
NOT_DIGIT_BEFORE = r"[\w\u00a3$\u20ac#/.:\-]"
NUMBERED_THING = r"\b(?:version|ver|v|section|s|para|paragraph|item|rule|reg|regulation|page|p|no|ref)\.?\s*"
NOT_DIGIT_AFTER = r"(?:[\w/]|[.:\-]\d)"
NOT_YEAR_BEFORE = (r"(?:[\w\u00a3$\u20ac#/.,:']|\d[ \t]|\b(?:no\.?|number|room|ref\.?|reference|flat|unit|case|code"
                   r"|pin|tel|phone|mobile|house|page|than|approximately|approx\.?|at)\s|(?<!\bmid)(?<!\bearly)(?<!\blate)-)")
Y = rf"(?P<y>{lx.YEAR}|{lx.SHORT_YEAR})(?!\d)"
WHICH = r"(?:(?P<w>last|this\s+past|this|next|that|the)\s+)?"
OF_YEAR = rf"(?:,?\s+(?:of\s+)?{Y})?"
IN_YEAR = rf"(?:,?\s+(?:of\s+|in\s+)?{Y})?"  # "summer 2019", "the summer of 2019", "Easter in 2021"
WEEKDAY_PREFIX = rf"(?:(?:{lx.WEEKDAY}|{lx.WEEKDAY_SHORT}),?\s+)?"
HALF_TERM = r"(?P<half>(?:(?P<hn>october|oct|february|feb|may|autumn|spring|summer|whitsun)\s+)?half[\s-]?term)"
NUMBER_OR_FEW = rf"(?P<n>{lx.NUMBER}|{lx.VAGUE_NUMBER})"
STAGE = r"(?P<stage>a\s+baby|an\s+infant|a\s+newborn|a\s+toddler|a\s+teenager)"
TEENS = r"(?P<teens>in\s+(?:his|her|their)\s+(?P<teenmod>(?:early|mid|late)[\s-]?)?teens)"
AGE_UNIT = r"(?P<unit>years?|yrs?|months?)"
NOT_AN_AGE_AFTER = rf"(?:\s*(?:{lx.QUANTITY_NOUNS}|am|pm|o'?clock)\b|[:.]\d|\d)"
SENTENCE_GOES_ON = r"(?=\s*(?:[,.;:!?)\n]|\Z|\s+(?:he|she|they|we|I|it|mum|dad|there|and|\[)))"

RULES: tuple[Rule, ...] = (
    # --- explicit dates, normalised by dateparser
    _rule("numeric_date", r"(?P<t>(?P<d>\d{1,2})(?P<sep>[/.\-])(?P<mo>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2}))",
          r.explicit_date, DIGIT,
          rejects_before=rf"(?:{NOT_DIGIT_BEFORE}|{NUMBERED_THING})", rejects_after=NOT_DIGIT_AFTER),
    _rule("iso_date", rf"(?P<t>(?P<y>{lx.YEAR})-(?P<mo>0?[1-9]|1[0-2])-(?P<d>{lx.DAY}))",
          r.explicit_date, DIGIT, rejects_before=NOT_DIGIT_BEFORE, rejects_after=NOT_DIGIT_AFTER),
    _rule("day_month_numeric", r"(?P<t>(?P<d>[12]\d|3[01]|0?[1-9])/(?P<mo>1[0-2]|0?[1-9]))(?<!24/7)",
          r.explicit_date, DIGIT, needs_before=r"\b(?:on|since|from|until|till|by|before|after)\s+",
          rejects_after=r"(?:[\w/]|[.:\-]\d|\s*(?:basis|support|care|service|access))"),
    _rule("month_numeric", rf"(?P<t>(?P<mo>0?[1-9]|1[0-2])/(?P<y>{lx.YEAR}))",
          r.explicit_date, DIGIT, rejects_before=NOT_DIGIT_BEFORE, rejects_after=NOT_DIGIT_AFTER),
    _rule("day_month", rf"(?P<t>{WEEKDAY_PREFIX}(?:the\s+)?(?P<d>{lx.DAY}){lx.ORDINAL}?(?:\s+of)?\s+"
                       rf"(?P<mo>{lx.MONTH}){OF_YEAR})",
          r.explicit_date, DIGIT, MONTHS, rejects_before=NOT_DIGIT_BEFORE),
    _rule("month_day", rf"(?P<t>{WEEKDAY_PREFIX}(?P<mo>{lx.MONTH})\s+(?:the\s+)?(?P<d>{lx.DAY}){lx.ORDINAL}?"
                       rf"(?:,?\s+(?P<y>{lx.YEAR})(?!\d))?)",
          r.explicit_date, DIGIT, MONTHS, rejects_after=rf"(?:\d|[:.]\d|\s*{lx.QUANTITY_NOUNS}\b)"),
    _rule("month_year", rf"(?P<t>(?P<mo>{lx.MONTH}),?\s+(?:of\s+)?{Y})", r.explicit_date, DIGIT, MONTHS),
    _rule("day_range", rf"(?P<t>(?P<d>{lx.DAY}){lx.ORDINAL}?\s*(?:-|\u2013|to)\s*(?P<rest>(?P<d2>{lx.DAY}){lx.ORDINAL}?"
                       rf"(?:\s+(?:of\s+)?(?P<mo>{lx.MONTH})(?:,?\s+{Y})?"
                       rf"|/(?P<mn>1[0-2]|0?[1-9])/(?P<yn>\d{{4}}|\d\d))))",
          r.day_range, DIGIT, rejects_before=NOT_DIGIT_BEFORE, rejects_after=NOT_DIGIT_AFTER),
    _rule("bare_month", rf"(?P<t>(?P<mo>{lx.MONTH}))(?=(?P<range>\s*[-\u2013/]\s*{lx.MONTH}))?", r.bare_month, MONTHS,
          needs_before=rf"(?:{TIME_PREP}|\b{lx.MONTH}\s+(?:and|to|until|till|or)\s+|\b{lx.MONTH}\s*[-\u2013]\s*)",
          unless=("range",),   # "Jun-Aug 2016" opens with a bare month
          rejects_before=r"\b(?:look(?:s|ed|ing)?|care[sd]?|caring|ask(?:s|ed)?)\s+(?:after|for)\s+"),
    _rule("named_month", rf"(?P<t>(?P<w>last|this|next|that)\s+(?P<mo>{lx.MONTH}))(?!\s*\d)",
          r.named_month, MONTHS, WHICH_WORDS),
    _rule("relative_year_part", rf"(?P<t>(?:(?P<mo>{lx.MONTH})|(?P<s>spring|summer|autumn|winter))\s+(?:of\s+)?"
                                r"(?P<w>last|this|next)\s+year)\b",
          r.relative_year_part, _words(MONTHS, SEASONS), frozenset({"year"})),
    _rule("ordinal_day", rf"(?P<t>(?:(?P<wd>{lx.WEEKDAY})\s+)?(?:the\s+)?(?P<d>{lx.DAY}){lx.ORDINAL})"
                         rf"(?!\s*(?:of\s+)?{lx.MONTH})",
          r.ordinal_day, DIGIT, needs_before=r"\b(?:on|by|since|from|until|till|before|after)\s+", unless=("wd",),
          rejects_after=rf"\s+{lx.ORDINAL_NOUNS}\b"),
    _rule("year_range", rf"(?P<t>(?P<y>{lx.YEAR})\s*[-\u2013/]\s*(?P<y2>{lx.YEAR}|\d\d))",
          r.year_range, DIGIT, rejects_before=NOT_DIGIT_BEFORE, rejects_after=r"(?:[\w%/]|[.,:]\d)"),
    _rule("year", rf"(?P<t>(?P<y>{lx.YEAR}))", r.year, DIGIT, rejects_before=NOT_YEAR_BEFORE,
          rejects_after=rf"(?:[\w%/]|[.,:]\d|-\d|\s*{lx.QUANTITY_NOUNS}\b)"),
    _rule("decade", r"(?P<t>(?:the\s+)?(?:(?P<mod>early|mid|late)[\s-]+)?(?:(?P<c>19|20)(?P<d>\d)0['\u2019]?s"
                    r"|['\u2019](?P<d2>\d)0s)|the\s+(?:(?P<mod2>early|mid|late)[\s-]+)?"
                    r"(?:(?P<d3>\d)0s|(?P<w>sixties|seventies|eighties|nineties|noughties)))\b",
          r.decade, _words(DIGIT, lx.DECADE_WORDS)),

    # --- relative to the note date (dateparser where it can)
    _rule("ago", rf"(?P<t>(?:(?:about|around|approximately|roughly|some|nearly|almost)\s+)?{NUMBER_OR_FEW}\s+"
                 rf"(?P<u>{lx.UNIT})\s+ago)\b",
          r.ago, frozenset({"ago"}),
          rejects_before=r"(?:[\w.]|\b(?:over|more\s+than|at\s+least|under|less\s+than)\s)"),
    _rule("last_unit", r"(?P<t>(?:last|this|next|the\s+current)\s+(?:week|month|year))\b(?!\s*\d)",
          r.dateparser_relative, frozenset({"week", "month", "year"}), WHICH_WORDS),
    _rule("day_word", r"(?P<t>yesterday|today|tonight|tomorrow|last\s+night|this\s+(?:morning|afternoon|evening)"
                      r"|the\s+day\s+before\s+yesterday|earlier\s+today)\b",
          r.dateparser_relative, DAY_WORDS),
    _rule("past_units", rf"(?P<t>the\s+(?:last|past)\s+(?:{NUMBER_OR_FEW}\s+)?(?P<u>{lx.UNIT}))\b(?!\s+of\b)",
          r.past_units, frozenset({"last", "past"}), UNITS),
    _rule("previous_units", rf"(?P<t>the\s+(?:previous|preceding)\s+{NUMBER_OR_FEW}\s+(?P<u>{lx.UNIT}))\b",
          r.previous_or_past_units, frozenset({"previous", "preceding"}), UNITS),
    _rule("weekday", rf"(?P<t>(?:(?P<w>last|this|next|this\s+past|the\s+previous|the\s+following)\s+)?"
                     rf"(?P<wd>{lx.WEEKDAY})(?:\s+(?:morning|afternoon|evening|night|just\s+gone))?)(?!s\b)",
          r.weekday, WEEKDAYS, rejects_before=r"\b(?:every|each|alternate|most|some)\s+"),
    _rule("weekend", r"(?P<t>(?P<w>last|this|next|the|that)\s+weekend)\b(?!s)", r.weekend, frozenset({"weekend"})),
    _rule("earlier_later", r"(?P<t>(?P<w>earlier|later)\s+(?P<ref>this|that)\s+(?P<u>day|morning|week|month|year))\b",
          r.earlier_later, frozenset({"earlier", "later"})),

    # --- seasons, holidays, school terms
    _rule("season", rf"(?P<t>{WHICH}(?P<s>spring|summer|autumn|fall|winter){IN_YEAR})"
                    rf"(?!\s*(?:{lx.NOT_TIME_NOUNS}|holidays?|hols|term|half|break)\b)",
          r.season, SEASONS, needs_before=TIME_PREP, unless=("w", "y")),
    _rule("holiday_day", rf"(?P<t>{WHICH}(?P<h>{lx.HOLIDAY_DAY}){IN_YEAR})",
          r.holiday_day, HOLIDAYS, needs_before=rf"(?:{TIME_PREP}|\bon\s+)", unless=("w", "y")),
    _rule("holiday_period", rf"(?P<t>{WHICH}(?:{HALF_TERM}|(?P<h>christmas|xmas|easter|summer))"
                            rf"(?P<suffix>\s+(?:school\s+)?(?:holidays?|hols|break|period))?{IN_YEAR})"
                            rf"(?!\s*(?:{lx.NOT_TIME_NOUNS}|eggs?|term)\b)",
          r.holiday_period, SCHOOL_HOLIDAYS, needs_before=TIME_PREP, unless=("w", "y", "suffix", "half")),
    _rule("named_term", rf"(?P<t>{WHICH}(?P<term>autumn|spring|summer)\s+term{OF_YEAR})",
          r.named_term, frozenset({"term"})),
    _rule("relative_term", r"(?P<t>(?P<w>last|this|next)\s+term)\b", r.named_term, frozenset({"term"})),
    _rule("academic_year", rf"(?P<t>(?P<w>this|last|next|the\s+current|the\s+previous|the\s+last|that)\s+"
                           rf"(?:academic|school)\s+year|(?:the\s+)?(?P<y>{lx.YEAR})\s*[/\-\u2013]\s*"
                           rf"(?P<y2>\d\d|{lx.YEAR})\s+(?:academic|school)\s+year)",
          r.academic_year, frozenset({"academic", "school"})),

    # --- school years and ages (from the date of birth)
    _rule("year_group", rf"(?P<t>(?:years?\s*|yrs?\s*|(?-i:Y))(?P<n>{lx.SCHOOL_YEAR_NUMBER}|(?-i:R)\b)"
                        rf"(?:\s*(?:-|\u2013|to|and)\s*(?P<n2>{lx.SCHOOL_YEAR_NUMBER}))?)"
                        rf"(?!\s*(?:olds?|\d|[.:/]\d|%|months?|weeks?|days?|{lx.PEER_NOUNS})\b)",
          r.year_group, frozenset({"year", "years", "yr", "yrs", "y"}), needs_dob=True,
          rejects_before=r"(?:[\w\-]|\b(?:a|one|per|each|every|last|this|next|that|the\s+following"
                         r"|the\s+previous|\d+)\s)"),
    _rule("reception", r"(?P<t>(?-i:Reception)(?P<cls>\s+(?:class|year))?|reception\s+(?P<cls2>class|year))",
          r.year_group, frozenset({"reception"}), needs_dob=True, unless=("cls", "cls2"),
          needs_before=r"\b(?:in|since|from|during|until|till|before|after|throughout|started|starting|start|began"
                       r"|of|finished|finishing|completed|left|repeated|repeating)\s+(?:the\s+)?"),
    _rule("school_phase", r"(?:(?P<verb>started|starting|start|began|begun|moved\s+up\s+to|moved\s+to"
                          r"|transition(?:ed)?\s+to|transferred\s+to)\s+(?:at\s+)?(?:the\s+)?)?"
                          r"(?P<t>(?P<phase>primary|secondary|infants?|junior|high)\s+school|sixth\s+form)",
          r.school_phase, frozenset({"school", "form"}), needs_dob=True, unless=("verb",),
          needs_before=r"\b(?:in|during|throughout|since|through|at|from|before|after|until|till)\s+(?:the\s+)?"),
    _rule("age_when", rf"(?P<t>(?P<pre>when|since|until|till|before|after|by\s+the\s+time)\s+{lx.AGE_SUBJECT}\s+"
                      r"(?:was|were|turned|became|had\s+turned|is|was\s+aged|were\s+aged)\s+"
                      r"(?:(?:about|around|approximately|roughly|only|just)\s+)?"
                      rf"(?:(?P<n>{lx.AGE_NUMBER})(?:\s*{AGE_UNIT}(?:\s+old)?|-years?-old)?|{STAGE}|{TEENS}))\b",
          r.age, AGE_OPENERS, needs_dob=True, rejects_after=NOT_AN_AGE_AFTER),
    _rule("age_phrase", rf"(?P<t>(?:(?P<pre>from|since|until|till|before|after|by|between|under|over)\s+)?"
                        rf"(?:at\s+)?(?:the\s+)?(?:ages?|aged)\s+(?:of\s+)?(?:between\s+)?"
                        rf"(?:(?:about|around|approximately)\s+)?(?P<n>{lx.AGE_NUMBER})"
                        rf"(?:\s*(?:-|\u2013|to|and)\s*(?P<n2>{lx.AGE_NUMBER}))?(?:\s*{AGE_UNIT}(?:\s+old)?)?)\b",
          r.age, frozenset({"age", "ages", "aged"}), needs_dob=True, rejects_before=r"[\w\-]",
          rejects_after=NOT_AN_AGE_AFTER),
    _rule("years_old", rf"(?:was|were)\s+(?P<t>(?P<n>{lx.AGE_NUMBER})\s*{AGE_UNIT}\s+old)\b",
          r.age, frozenset({"old"}), needs_dob=True),
    _rule("age_at", r"(?P<t>at\s+(?P<n>1[0-9]|[1-9]))(?=\s*(?:[,;!?)\n]|\.(?!\d)|\Z"
                    r"|\s+(?:years?|yrs?|he|she|they|and|but|when|after|\[PERSON)\b))",
          r.age_at, frozenset({"at"}), DIGIT, needs_dob=True),
    _rule("life_stage", rf"(?P<t>as\s+{STAGE}|{TEENS})\b", r.age, LIFE_STAGES, needs_dob=True),

    # --- relative to a date given before
    _rule("units_later", rf"(?P<t>{NUMBER_OR_FEW}\s+(?P<u>{lx.UNIT})\s+(?P<dir>later|afterwards|after\s+that"
                         r"|after\s+this|earlier|previously|on(?=\s*[,.;:\n]|\s*\Z)|before(?=\s*[,.;:\n]|\s*\Z)))\b",
          r.units_later, UNITS, LATER_WORDS, rejects_before=r"[\w.]"),
    _rule("next_previous", r"(?P<t>the\s+(?P<w>next|following|previous|preceding)\s+(?P<u>day|morning|afternoon"
                           r"|evening|night|week|weekend|month|year)"
                           rf"|the\s+(?P<u2>day|night|week|weekend|month|year)\s+(?P<w2>before|after){SENTENCE_GOES_ON})\b",
          r.next_previous, NEXT_WORDS, DAY_PARTS),
    _rule("since_then", r"(?P<t>(?:ever\s+)?since\s+then)\b", r.since_then, frozenset({"since"}), frozenset({"then"})),
    _rule("same_unit", rf"(?P<t>(?:that|the\s+same)\s+(?P<u>day|morning|afternoon|evening|night|week|weekend|month"
                       rf"|year))\b(?!\s*{lx.NOT_TIME_NOUNS}\b)",
          r.same_unit, frozenset({"that", "same"}), DAY_PARTS),
)
