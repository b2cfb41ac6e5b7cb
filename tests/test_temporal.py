"""The temporal stage: time expressions in UK case notes, and which one dates each mention."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from narrative.extract.temporal import Timex, find_timexes, link_dates, timex_command
from narrative.extract.temporal import calendar as cal
from narrative.records import ANCHORS, PRECISIONS, DateInterval

GOLD = Path(__file__).parent / "data" / "timex_gold.yaml"
TUESDAY = date(2023, 3, 14)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _gold_cases() -> list[dict]:
    return yaml.safe_load(GOLD.read_text(encoding="utf-8"))["cases"]


def _expected(case: dict) -> list[tuple]:
    rows = []
    for text, start, end, precision, anchor in case["expect"]:
        offset = case["text"].index(str(text))
        rows.append((offset, offset + len(str(text)), _as_date(start).isoformat(), _as_date(end).isoformat(),
                     precision, anchor))
    return rows


def _found(case: dict) -> list[tuple]:
    dob = _as_date(case["dob"]) if case.get("dob") else None
    return [(t.start, t.end, t.value_start.isoformat(), t.value_end.isoformat(), t.precision, t.anchor)
            for t in find_timexes(case["text"], _as_date(case["anchor"]), dob)]


# --- the hand-written gold set ---------------------------------------------------------------------

def test_gold_set_is_well_formed():
    cases = _gold_cases()
    expressions = [row for case in cases for row in case["expect"]]
    assert len(expressions) >= 200
    assert sum(not case["expect"] for case in cases) >= 40
    for case in cases:
        for text, start, end, precision, anchor in case["expect"]:
            assert str(text) in case["text"]
            assert precision in PRECISIONS and anchor in ANCHORS
            assert _as_date(start) <= _as_date(end)


def test_gold_set_exact_accuracy(record_property):
    """A case counts only if every expression matches exactly (span, interval, precision, anchor)
    and nothing else is found; the figure is reported in docs/temporal.md."""
    cases = _gold_cases()
    wrong = [(case["text"], _expected(case), _found(case)) for case in cases if _expected(case) != _found(case)]
    accuracy = 1 - len(wrong) / len(cases)
    gold = sum(len(case["expect"]) for case in cases)
    record_property("gold_exact_accuracy", round(accuracy, 4))
    print(f"\ntimex gold set: {len(cases)} cases, {gold} expressions, exact accuracy {accuracy:.3f}")
    for text, expected, found in wrong:
        print(f"  MISS {text!r}\n     expected {expected}\n     found    {found}")
    assert accuracy >= 0.95


# --- the record shapes ----------------------------------------------------------------------------

def test_timex_serialises_to_the_cli_shape_and_to_a_date_interval():
    [timex] = find_timexes("Mum was sectioned in March 2015.", TUESDAY)
    assert timex.to_dict() == {"start": 21, "end": 31, "text": "March 2015", "value_start": "2015-03-01",
                               "value_end": "2015-03-31", "precision": "month", "anchor": "explicit"}
    assert timex.to_interval() == DateInterval("March 2015", date(2015, 3, 1), date(2015, 3, 31), "month", "explicit")


def test_ages_and_school_years_are_left_out_without_a_date_of_birth():
    text = "When he was 7 dad left; in Year 9 he was excluded; since 2019 he has lived with nan."
    assert [t.text for t in find_timexes(text, TUESDAY)] == ["since 2019"]
    assert [t.text for t in find_timexes(text, TUESDAY, date(2008, 8, 31))] == [
        "When he was 7", "Year 9", "since 2019"]


def test_until_without_a_date_of_birth_keeps_the_named_end_and_before_is_dropped():
    text = "He lived with dad until 2019. Before 2016 he lived in Spain."
    assert [(t.text, t.value_start) for t in find_timexes(text, TUESDAY)] == [("2019", date(2019, 1, 1))]
    with_dob = find_timexes(text, TUESDAY, date(2010, 10, 15))
    assert [(t.text, t.value_start, t.value_end) for t in with_dob] == [
        ("until 2019", date(2010, 10, 15), date(2019, 12, 31)),
        ("Before 2016", date(2010, 10, 15), date(2015, 12, 31))]


def test_day_first_is_the_default_and_month_first_is_an_option():
    assert find_timexes("Seen on 03/02/2023.", TUESDAY)[0].value_start == date(2023, 2, 3)
    assert find_timexes("Seen on 03/02/2023.", TUESDAY, day_first=False)[0].value_start == date(2023, 3, 2)


def test_placeholders_are_never_read_as_dates():
    text = "[PERSON_12] (DOB [DATE_OF_BIRTH]) and [PERSON_2019] were seen in 2019."
    assert [t.text for t in find_timexes(text, TUESDAY, date(2010, 10, 15))] == ["2019"]


# --- calendar rules -----------------------------------------------------------------------------------

def test_leap_day_birthdays_fall_on_1_march_in_common_years():
    assert cal.age_interval(date(2012, 2, 29), 7) == (date(2019, 3, 1), date(2020, 2, 28))
    assert cal.age_interval(date(2012, 2, 29), 8) == (date(2020, 2, 29), date(2021, 2, 28))
    assert cal.age_interval(date(2012, 2, 29), 0, unit="month") == (date(2012, 2, 29), date(2012, 3, 28))


@pytest.mark.parametrize("dob, reception", [
    (date(2010, 9, 1), 2015),    # oldest of the year group
    (date(2011, 8, 31), 2015),   # youngest of the same year group
    (date(2011, 9, 1), 2016),    # one day later: the next year group
    (date(2012, 2, 29), 2016),
])
def test_year_groups_run_september_to_august_by_date_of_birth(dob, reception):
    assert cal.year_group_interval(dob, cal.RECEPTION) == (date(reception, 9, 1), date(reception + 1, 8, 31))
    assert cal.year_group_interval(dob, 9)[0] == date(reception + 9, 9, 1)


def test_easter_holidays_are_computed_round_easter_sunday():
    assert cal.easter_holidays(2019) == (date(2019, 4, 15), date(2019, 4, 28))  # Easter 21 April
    assert cal.easter_holidays(2024) == (date(2024, 3, 25), date(2024, 4, 7))   # Easter 31 March
    [since] = find_timexes("He has refused school since Easter.", date(2024, 4, 2))
    assert (since.value_start, since.value_end, since.precision) == (date(2024, 3, 25), date(2024, 4, 2), "school_term")


@pytest.mark.parametrize("anchor, summer", [
    (date(2023, 11, 20), 2023),  # written after the summer: this year's
    (date(2023, 7, 10), 2022),   # written during it: the last completed one
    (date(2023, 9, 1), 2023),    # the first day after it
])
def test_last_summer_is_the_last_completed_summer(anchor, summer):
    [timex] = find_timexes("Last summer he was exploited.", anchor)
    assert (timex.value_start, timex.value_end) == (date(summer, 6, 1), date(summer, 8, 31))


def test_winter_spans_the_new_year():
    [timex] = find_timexes("The family were evicted in winter 2018.", TUESDAY)
    assert (timex.value_start, timex.value_end) == (date(2018, 12, 1), date(2019, 2, 28))


def test_weekday_is_the_latest_on_or_before_the_note_and_last_weekday_is_strictly_before():
    assert find_timexes("Seen on Tuesday.", TUESDAY)[0].value_start == TUESDAY
    assert find_timexes("Seen last Tuesday.", TUESDAY)[0].value_start == date(2023, 3, 7)


def test_yearless_dates_look_ahead_only_in_the_future_tense():
    [plan] = find_timexes("She will start secondary school in September.", TUESDAY)
    [past] = find_timexes("She told me what happened in September.", TUESDAY)
    [regret] = find_timexes("She will never forget what happened in September.", TUESDAY)
    assert plan.value_start == date(2023, 9, 1)
    assert past.value_start == regret.value_start == date(2022, 9, 1)


def test_a_date_of_birth_is_never_the_date_that_the_next_day_counts_from():
    text = "[PERSON_1] (DOB 04/07/2008) was found by police. The next day she was placed in foster care."
    assert [t.text for t in find_timexes(text, TUESDAY)] == ["04/07/2008"]


def test_at_thirteen_is_an_age_only_in_an_age_context():
    dob = date(2008, 8, 31)
    anchor = date(2023, 11, 20)
    assert [t.text for t in find_timexes("At 13 he was groomed online.", anchor, dob)] == ["At 13"]
    for text in ("He lives at 13 Elm Road.", "Contact is at 13:00.", "She came home at 9 and went to bed.",
                 "The review is at 3pm."):
        assert find_timexes(text, anchor, dob) == []


# --- linking dates to mentions ------------------------------------------------------------------------

def _link(text: str, mentions: list[str], anchor: date = TUESDAY) -> list[str | None]:
    timexes = find_timexes(text, anchor)
    spans = [(text.index(m), text.index(m) + len(m)) for m in mentions]
    return [t.text if t else None for t in link_dates(text, spans, timexes)]


def test_link_prefers_the_same_clause_then_the_sentence():
    text = "In 2014 dad left the family home, and in 2016 mum met [PERSON_2]."
    assert _link(text, ["dad left", "mum met"]) == ["2014", "2016"]
    assert _link("Parents separated, and dad moved to Leeds in 2014.", ["Parents separated"]) == ["2014"]


def test_link_uses_chronology_lines():
    text = ("2014 - parents separated. Dad moved to Leeds.\n"
            "Mar 2019 - mum detained under the MHA\n"
            "12/03/2019: police called\n"
            "Mum reports low mood.")
    assert _link(text, ["parents separated", "Dad moved", "mum detained", "police called", "low mood"]) == [
        "2014", "2014", "Mar 2019", "12/03/2019", None]


def test_link_uses_a_date_heading_for_the_lines_under_it():
    text = "2019\nDad imprisoned.\nMum started drinking.\n\nNo concerns raised by school."
    assert _link(text, ["Dad imprisoned", "Mum started drinking", "No concerns"]) == ["2019", "2019", None]


def test_link_carries_a_date_over_only_where_the_text_continues_it():
    text = ("In March 2019 mum was admitted to hospital. She then lost her tenancy. "
            "At that time dad was in prison. Mum is now well.\n\nShe then moved to Hull.")
    mentions = ["admitted to hospital", "lost her tenancy", "dad was in prison", "Mum is now well", "moved to Hull"]
    assert _link(text, mentions) == ["March 2019", "March 2019", "March 2019", None, None]


def test_link_never_gives_the_note_date_or_a_dob_to_an_undated_mention():
    text = "[PERSON_1] (DOB 12/03/2010) is open to CAMHS. Mum is drinking heavily."
    assert _link(text, ["open to CAMHS", "drinking heavily"]) == [None, None]


def test_link_chooses_the_nearest_expression_in_a_clause():
    text = "On 12/03/2019 police were called following an incident the previous night."
    assert _link(text, ["police were called", "an incident"]) == ["12/03/2019", "the previous night"]


# --- the command's library function ---------------------------------------------------------------

def test_timex_command_reads_a_file_and_stdin(tmp_path, monkeypatch):
    note = tmp_path / "note.txt"
    note.write_text("Last summer he went missing; when he was 7 dad left.", encoding="utf-8")
    rows = list(timex_command(note, date(2023, 11, 20), date(2010, 10, 15)))
    assert [r["text"] for r in rows] == ["Last summer", "when he was 7"]
    assert json.loads(json.dumps(rows[0])) == rows[0]
    monkeypatch.setattr("sys.stdin", io.StringIO("Seen yesterday."))
    assert [r["value_start"] for r in timex_command(Path("-"), TUESDAY, None)] == ["2023-03-13"]


def test_timex_command_errors_are_plain_exceptions(tmp_path):
    with pytest.raises(OSError):
        list(timex_command(tmp_path / "missing.txt", TUESDAY, None))
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ValueError, match="not UTF-8"):
        list(timex_command(binary, TUESDAY, None))


def test_throughput_on_two_hundred_word_notes():
    """Well over 100 notes/s on 200-word notes (a loose bound here; docs/temporal.md has the figure)."""
    import time
    sentences = [case["text"] for case in _gold_cases()]
    notes = [" ".join(sentences[i:i + 14]) for i in range(0, len(sentences) - 14, 3)]
    started = time.perf_counter()
    for i, note in enumerate(notes):
        find_timexes(note, date(2023, 3, 14) if i % 2 else date(2023, 11, 20), date(2010, 10, 15))
    rate = len(notes) / (time.perf_counter() - started)
    assert rate > 50
    assert isinstance(find_timexes(notes[0], TUESDAY)[0], Timex)
