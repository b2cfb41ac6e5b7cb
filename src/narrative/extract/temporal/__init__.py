"""Temporal stage: time expressions in case notes as calendar intervals, and the date of each mention.

``find_timexes`` resolves what practitioners write ("02/03/23", "last summer", "when he was 7",
"in Year 9", "since Easter") against the note date and the child's date of birth;
``link_dates`` picks the expression that dates each mention. See ``docs/temporal.md``.
"""

from .finder import Timex, find_timexes, timex_command
from .linking import link_dates

__all__ = ["Timex", "find_timexes", "link_dates", "timex_command"]
