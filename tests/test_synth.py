"""Generated notes: deterministic, valid by construction, varied, age-aware, and streamed to disk."""

import json
import re
import statistics
import weakref
from collections import Counter
from datetime import date, timedelta
from importlib import resources

import pytest

from narrative.annotations import synth
from narrative.annotations.corpus import IDENTIFIER_TYPES, LabelledNote, validate_notes
from narrative.annotations.synth import generate, phrase_book, split_of, write_synth
from narrative.io import read_cases, read_notes
from narrative.records import Note
from narrative.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()


@pytest.fixture(scope="module")
def sample():
    """200 children: enough for every code with every assertion."""
    cases, notes = {}, []
    for case, case_notes in generate(200, seed=7):
        cases[case.case_id] = case
        notes.extend(case_notes)
    return cases, notes


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _birthday(dob: date, years: int) -> date:
    return dob.replace(year=dob.year + years)  # the generator never draws a 29 February birthday


def _age(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def test_the_phrase_book_is_packaged_and_has_many_phrasings_per_code_and_assertion():
    assert resources.files("narrative.annotations").joinpath("synth_phrases.yaml").is_file()
    book = phrase_book()
    assert set(book.codes) == set(TAXONOMY.codes)
    least = {"present": 6, "possible": 3, "negated": 3, "hypothetical": 3}
    for code, by_assertion in book.codes.items():
        assert set(by_assertion) == {*TAXONOMY.assertions, "chronology"}, code
        for assertion, n in least.items():
            assert sum(len(ts) for ts in by_assertion[assertion].values()) >= n, (code, assertion)
        assert {exp for group in by_assertion.values() for exp in group} <= set(TAXONOMY.experiencers)
        assert set(by_assertion["present"]) <= set(by_assertion["chronology"]), code
    for line in book.raw["storylines"].values():
        for step in line["steps"]:
            assert synth._experiencer(step["who"]) in book.codes[step["code"]]["present"], step
    assert sum(len(pool) for pool in book.fillers.values()) >= 100


def _dumps(n: int, seed: int) -> list[str]:
    return [json.dumps(case.to_dict()) + "".join(json.dumps(n.to_dict()) for n in notes)
            for case, notes in generate(n, seed=seed)]


def test_same_seed_gives_identical_output_and_another_seed_differs():
    first = _dumps(12, seed=3)
    assert first == _dumps(12, seed=3)
    assert first != _dumps(12, seed=4)
    # two generators interleaved do not disturb each other
    for (case_a, notes_a), (case_b, notes_b) in zip(generate(5, seed=3), generate(5, seed=3)):
        assert case_a == case_b and notes_a == notes_b


def test_every_record_validates_and_every_span_matches_the_text(sample):
    cases, notes = sample
    assert validate_notes(notes, cases, TAXONOMY) == []
    for note in notes:
        assert note.source == "synthetic" and re.fullmatch(r"S\d{5}-N\d{2}", note.note_id)
        assert note.note_id.startswith(f"{note.case_id}-") and re.fullmatch(r"S\d{5}", note.case_id)
        assert 2012 <= _day(note.note_date).year <= 2025
        for span in [*note.identifiers, *note.timexes, *note.mentions]:
            assert note.text[span["start"]:span["end"]] == span["text"] == span["text"].strip()
        for group in (note.identifiers, note.timexes, sorted({(m["start"], m["end"]) for m in note.mentions})):
            spans = sorted((s["start"], s["end"]) if isinstance(s, dict) else s for s in group)
            assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:])), note.note_id
        for ident in note.identifiers:
            assert ident["label"] in IDENTIFIER_TYPES
            assert not any(t["start"] < ident["end"] and ident["start"] < t["end"] for t in note.timexes)
        assert [t["id"] for t in note.timexes] == [f"t{i}" for i in range(1, len(note.timexes) + 1)]


def test_children_are_split_80_10_10_and_never_in_two_splits(sample):
    cases, notes = sample
    split = {}
    for note in notes:
        assert split.setdefault(note.case_id, note.split) == note.split == split_of(note.case_id)
    shares = Counter(split.values())
    assert set(shares) == {"train", "dev", "test"} and 0.7 <= shares["train"] / len(cases) <= 0.9


def test_every_code_appears_with_every_assertion_and_about_half_are_dated(sample):
    _, notes = sample
    mentions = [m for note in notes for m in note.mentions]
    every = {(code, assertion) for code in TAXONOMY.codes for assertion in TAXONOMY.assertions}
    assert {(m["code"], m["assertion"]) for m in mentions} == every
    assert {m["experiencer"] for m in mentions} == set(TAXONOMY.experiencers)
    assert 0.35 <= sum(m["date"] is not None for m in mentions) / len(mentions) <= 0.65
    assert len({n.note_type for n in notes}) == 10
    assert len({(m["code"], m["assertion"], m["text"]) for m in mentions}) > len(mentions) / 2


def test_dated_mentions_fall_within_the_childs_life(sample):
    cases, notes = sample
    for note in notes:
        dob, written = cases[note.case_id].dob, _day(note.note_date)
        assert dob < written
        timexes = {t["id"]: t for t in note.timexes}
        for mention in note.mentions:
            if mention["date"]:
                timex = timexes[mention["date"]]
                assert _day(timex["value_start"]) <= written and _day(timex["value_end"]) >= dob, timex


def test_hand_checked_intervals(sample):
    """Ages, year groups, seasons and relative days, recomputed here from the rules of the guidelines."""
    cases, notes = sample
    checked = Counter()
    for note in notes:
        dob, n = cases[note.case_id].dob, _day(note.note_date)
        for timex in note.timexes:
            text, got = timex["text"], (_day(timex["value_start"]), _day(timex["value_end"]))
            lower = text.lower()
            if match := re.fullmatch(r"when (?:he|she) was (\d+)", lower):
                years = int(match[1])
                assert got == (_birthday(dob, years), _birthday(dob, years + 1) - timedelta(days=1)), text
                checked["age"] += 1
            elif match := re.fullmatch(r"year (\d+)|reception", lower):
                fifth = _birthday(dob, 5)  # Reception: the school year in which the child turns 5
                reception = fifth.year if fifth.month >= 9 else fifth.year - 1
                group = int(match[1] or 0)
                assert got == (date(reception + group, 9, 1), date(reception + group + 1, 8, 31)), text
                checked["school_year"] += 1
            elif lower == "last summer":
                year = n.year if n > date(n.year, 8, 31) else n.year - 1
                assert got == (date(year, 6, 1), date(year, 8, 31))
                checked["last summer"] += 1
            elif lower == "yesterday":
                assert got == (n - timedelta(days=1),) * 2
                checked["yesterday"] += 1
            elif lower == "last week":
                monday = n - timedelta(days=n.weekday() + 7)
                assert got == (monday, monday + timedelta(days=6))
                checked["last week"] += 1
            elif lower.startswith("since "):
                assert got[1] == n and got[0] <= n
                checked["since"] += 1
            elif lower == "the christmas holidays":
                assert (got[0].month, got[0].day, got[1].month, got[1].day) == (12, 20, 1, 3) and got[1] < n
                assert n - got[1] < timedelta(days=366)
    assert all(checked[k] for k in ("age", "school_year", "last summer", "yesterday", "last week", "since")), checked


def test_calendar_rules():
    assert synth.age_interval(date(2009, 11, 3), 7) == (date(2016, 11, 3), date(2017, 11, 2))
    assert synth.school_year_interval(date(2006, 5, 14), 9) == (date(2019, 9, 1), date(2020, 8, 31))
    assert synth.school_year_interval(date(2009, 9, 1), 0) == (date(2014, 9, 1), date(2015, 8, 31))
    assert synth.last_season("summer", date(2020, 2, 11)) == (date(2019, 6, 1), date(2019, 8, 31))
    assert synth.last_season("winter", date(2021, 3, 1)) == (date(2020, 12, 1), date(2021, 2, 28))
    easters = [synth.easter_sunday(y) for y in (2019, 2024, 2025)]
    assert easters == [date(2019, 4, 21), date(2024, 3, 31), date(2025, 4, 20)]
    assert synth.latest_holidays(date(2021, 11, 15))["half-term"] == (date(2021, 10, 25), date(2021, 10, 29))


def test_child_experiences_respect_the_childs_age(sample):
    cases, notes = sample
    min_age = phrase_book().raw["min_age"]
    for note in notes:
        dob, written = cases[note.case_id].dob, _day(note.note_date)
        timexes = {t["id"]: t for t in note.timexes}
        for mention in (m for m in note.mentions if m["experiencer"] == "child"):
            code = mention["code"]
            assert _age(dob, written) >= min_age.get(code, 0), (note.note_id, code)
            assert code != "criminal_exploitation" or _age(dob, written) >= 10
            if mention["date"]:
                latest = min(_day(timexes[mention["date"]]["value_end"]), written)
                assert _age(dob, latest) >= min_age.get(code, 0), (note.note_id, code)


def _nhs_valid(digits: str) -> bool:
    check = 11 - sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1))) % 11
    return len(digits) == 10 and check != 10 and int(digits[9]) == check % 11


def test_identifiers_are_fictional_well_formed_and_labelled_every_time(sample):
    cases, notes = sample
    phone = re.compile(r"07700 900\d{3}|01\d\d 49[68] 0\d{3}|01632 960\d{3}|020 7946 0\d{3}|029 2018 0\d{3}")
    seen = Counter()
    for note in notes:
        case = cases[note.case_id]
        for ident in note.identifiers:
            text, label = ident["text"], ident["label"]
            seen[label] += 1
            if label == "NHS_NUMBER":
                assert re.fullmatch(r"\d{3} \d{3} \d{4}", text) and _nhs_valid(text.replace(" ", ""))
            elif label == "PHONE_NUMBER":
                assert phone.fullmatch(text), text
            elif label == "EMAIL_ADDRESS":
                assert text.endswith("@example.org")
            elif label == "DATE_OF_BIRTH":
                assert text == f"{case.dob:%d/%m/%Y}"
            elif label == "POSTCODE":
                assert case.address.endswith(text)
            elif label == "UPN":
                body = text[1:]
                assert "ABCDEFGHJKLMNPQRTUVWXYZ"[sum(int(c) * w for c, w in zip(body, range(2, 14))) % 23] == text[0]
        covered = [(s["start"], s["end"]) for s in [*note.identifiers, *note.timexes]]
        for name in [*case.given_names[:1], *(p.split()[0] for p in case.known_people)]:
            for hit in re.finditer(rf"\b{re.escape(name)}\b", note.text):
                assert any(a <= hit.start() and hit.end() <= b for a, b in covered), (note.note_id, name)
    assert {"PERSON", "ADDRESS", "POSTCODE", "LOCATION", "PHONE_NUMBER", "NHS_NUMBER", "DATE_OF_BIRTH", "SCHOOL",
            "GP_SURGERY", "POLICE_REFERENCE", "UPN", "EMAIL_ADDRESS"} <= set(seen)


def test_target_words_is_respected():
    words = [len(n.text.split()) for _, notes in generate(25, seed=2, target_words=240) for n in notes]
    assert abs(statistics.mean(words) - 240) < 12 and all(200 <= w <= 290 for w in words)


def test_note_dates_stay_in_the_requested_years():
    notes = [n for _, ns in generate(20, seed=1, start_year=2020, end_year=2020, notes_per_child=(2, 3)) for n in ns]
    assert all(n.note_date.startswith("2020-") for n in notes) and 40 <= len(notes) <= 60


@pytest.mark.parametrize("kw", [{"n_children": -1}, {"n_children": 1, "notes_per_child": (3, 2)},
                                {"n_children": 1, "start_year": 2020, "end_year": 2019},
                                {"n_children": 1, "target_words": 0}])
def test_bad_arguments_are_refused_at_the_call(kw):
    with pytest.raises(ValueError):
        generate(**kw)


def test_write_synth_streams_one_child_at_a_time(tmp_path, monkeypatch):
    """2,040 notes written while at most one child's notes are alive at a time."""
    alive: list[weakref.ref] = []
    largest = 0
    real = synth.generate

    def watched(*args, **kw):
        nonlocal largest
        for case, notes in real(*args, **kw):
            alive[:] = [ref for ref in alive if ref() is not None]
            largest = max(largest, len(alive))
            alive.extend(weakref.ref(n) for n in notes)
            yield case, notes

    monkeypatch.setattr(synth, "generate", watched)
    assert write_synth(tmp_path, 340, seed=5, notes_only=True, notes_per_child=(6, 6)) == (340, 2040)
    assert largest <= 6

    cases = read_cases(tmp_path / "synth_cases.jsonl")
    corpus = [LabelledNote.from_dict(json.loads(line)) for line in (tmp_path / "synth_corpus.jsonl").open()]
    assert len(cases) == 340 and len(corpus) == 2040
    assert validate_notes(corpus[:300], cases, TAXONOMY) == []
    plain = list(read_notes(tmp_path / "notes.jsonl"))
    assert len(plain) == 2040 and all(isinstance(n, Note) for n in plain)
    assert plain[0].to_dict() == {k: getattr(corpus[0], k) for k in
                                  ("note_id", "case_id", "note_date", "text", "note_type", "author_role")}
