"""`narrative redact`: gold recall on the hand-written corpus, dates and family roles kept,
profiles, consistent placeholders, bad input, and no identifier anywhere it should not be."""

import json
import subprocess
import sys
from datetime import date

import pytest

from narrative.records import Case, Note

from conftest import ROOT

ROLE_WORDS = ("mum", "dad", "nan", "mummy", "carer", "step-dad", "grandad", "uncle", "aunty", "brother", "sister")


def covered(redactions, start, end):
    """True when [start, end) lies inside the union of the redacted source spans."""
    position = start
    for r in sorted(redactions, key=lambda r: r.source_start):
        if r.source_start <= position < r.source_end:
            position = r.source_end
        if position >= end:
            return True
    return position >= end


@pytest.fixture(scope="module")
def redacted_corpus(corpus, corpus_cases, make_redactor):
    redactor = make_redactor("timeline", corpus_cases)
    notes = [Note(n.note_id, n.case_id, date.fromisoformat(n.note_date), n.text) for n in corpus]
    return list(zip(corpus, redactor.redact_many(notes)))


def test_gold_identifier_recall_on_the_hand_written_notes(redacted_corpus):
    assert len(redacted_corpus) >= 40
    gold = [(note, ident) for note, _ in redacted_corpus for ident in note.identifiers]
    missed = [(note.note_id, ident["label"]) for note, out in redacted_corpus for ident in note.identifiers
              if not covered(out.redactions, ident["start"], ident["end"])]
    recall = 1 - len(missed) / len(gold)
    print(f"identifier span recall {recall:.4f} over {len(gold)} gold spans; missed {missed[:20]}")
    assert recall >= 0.99


def test_event_dates_and_family_roles_are_kept(redacted_corpus):
    for note, out in redacted_corpus:
        for timex in note.timexes:
            hit = [r for r in out.redactions if r.source_start < timex["end"] and timex["start"] < r.source_end]
            assert not hit, f"{note.note_id}: event date {timex['id']} was redacted"
    role_total = role_kept = 0
    for note, out in redacted_corpus:
        for word in ROLE_WORDS:
            role_total += note.text.lower().split().count(word)
            role_kept += out.text.lower().split().count(word)
    assert role_total > 50 and role_kept == role_total


def test_output_offsets_point_at_placeholders_and_sources(redacted_corpus):
    for note, out in redacted_corpus:
        for r in out.redactions:
            assert out.text[r.start:r.end] == r.placeholder
            assert 0 <= r.source_start < r.source_end <= len(note.text)


def test_known_people_keep_one_placeholder_across_notes(make_redactor):
    case = Case("c9", date(2010, 6, 12), ["Tyler"], "Marsh", "18 Hawthorn Road, Bradford, BD3 7QP",
                ["Kelly Marsh", "Ryan Doyle"])
    redactor = make_redactor("timeline", {"c9": case})
    texts = ["Tyler Marsh was seen at 18 Hawthorn Road with Kelly.",
             "TYLER said ryan doyle shouted. Doyle left. Tyler's nan was there.",
             "Mum Kelly MARSH rang; back at Hawthorn Road, Bradford BD3 7QP."]
    notes = [Note(f"n{i}", "c9", date(2021, 1, 1), t) for i, t in enumerate(texts)]
    out = [r.text for r in redactor.redact_many(notes)]
    assert out[0] == "[PERSON_1] was seen at [ADDRESS] with [PERSON_2]."
    assert out[1] == "[PERSON_1] said [PERSON_3] shouted. [PERSON_3] left. [PERSON_1]'s nan was there."
    assert out[2].startswith("Mum [PERSON_2] rang; back at [ADDRESS]")
    assert "BD3" not in out[2] and "Bradford" not in out[2]


def test_name_that_is_a_word_is_redacted_only_as_a_name(make_redactor):
    case = Case("c8", date(2012, 7, 1), ["Summer"], "Lee", None, [])
    redactor = make_redactor("timeline", {"c8": case})
    note = Note("n1", "c8", date(2021, 1, 1), "Summer said last summer was hard. SUMMER LEE is 8.")
    assert redactor.redact(note).text == "[PERSON_1] said last summer was hard. [PERSON_1] is 8."


def test_known_names_are_redacted_whole_even_when_a_part_is_an_allowed_word(make_redactor):
    """"SALT" (speech and language therapy) is an allowed word, but Dean Salt of the cases file is a
    known person: every form of his name goes, and the family's plural too."""
    case = Case("c7", date(2011, 3, 8), ["Mia"], "Copeland", None, ["Dean Salt"])
    redactor = make_redactor("timeline", {"c7": case})
    note = Note("n1", "c7", date(2021, 1, 1), "Partner Dean SALT (31) left. SALT was arrested. Mia stays with "
                                              "the Copelands. SALT referral made for Mia's speech.")
    text = redactor.redact(note).text
    assert "Salt" not in text.title().replace("Salt Referral", "") and "Copeland" not in text
    assert text.startswith("Partner [PERSON_2] (31) left. [PERSON_2] was arrested.")
    other = redactor.redact(Note("n2", "c0", date(2021, 1, 1), (
        "Present: SW Hollie Brindley (chair), DS Okafor (Child Exploitation Team), Mr Bagnall (DSL, Westport Park "
        "Academy), school nurse Ruth Salt, Shropshire Police by phone."))).text
    assert "Salt" not in other and "Ruth" not in other     # not in the cases file: a surname after a given name
    welsh = redactor.redact(Note("n3", "c0", date(2023, 1, 1), "Present: SW Owain Thomas, Mr Llewellyn, Carys Morgan.")).text
    assert "Carys" not in welsh and "Morgan" not in welsh   # a given name missing from the name lists, before a surname


def test_profiles_keep_or_remove_dates(make_redactor):
    text = "Born 03/11/2009. Police attended on 12/03/2021 and again in March 2021."
    note = Note("n1", "c1", date(2021, 4, 1), text)
    timeline = make_redactor("timeline").redact(note)
    strict = make_redactor("strict").redact(note)
    assert "03/11/2009" not in timeline.text and "[DATE_OF_BIRTH]" in timeline.text
    assert "12/03/2021" in timeline.text and "March 2021" in timeline.text
    assert "12/03/2021" not in strict.text and "March 2021" not in strict.text and "2009" not in strict.text
    assert timeline.redactor["profile"] == "timeline" and strict.redactor["profile"] == "strict"


def test_strict_profile_on_all_caps_clinical_text(make_redactor):
    """spaCy's small model tags ALL-CAPS clinical words as people and relative phrases as dates;
    the engine keeps those, and still finds month/day dates, bare years and hospitals."""
    text = ("HEAD CT- NEG FOR BLEED; VQ SCAN- NEG FOR PE. today pt was at home for the past few weeks. "
            "S/P MI 1992; 7/22 FOUND BY HUSBAND; TRANSFERRED FROM CALVERT HOSPITAL. LATER AT CALVERT.")
    out = make_redactor("strict").redact(Note("n1", "c1", date(2021, 1, 1), text)).text
    for kept in ("NEG FOR BLEED", "VQ SCAN", "today", "the past few weeks", "FOUND BY HUSBAND"):
        assert kept in out
    for gone in ("1992", "7/22", "CALVERT"):
        assert gone not in out
    assert out.count("[HOSPITAL]") == 2


def test_a_name_found_by_its_cue_is_redacted_where_it_recurs(make_redactor):
    text = "Met Mr Stanciu at the flat. Later stanciu rang back; STANCIU denied it."
    out = make_redactor("timeline").redact(Note("n1", "c1", date(2021, 1, 1), text)).text
    assert out == "Met Mr [PERSON_1] at the flat. Later [PERSON_1] rang back; [PERSON_1] denied it."


def test_engine_runs_only_the_spacy_pipes_it_needs(make_redactor):
    nlp = make_redactor("timeline").nlp_engine.nlp["en"]
    assert "ner" in nlp.pipe_names and "parser" not in nlp.pipe_names and "tagger" not in nlp.pipe_names
    doc = nlp("She calls mum.")
    assert [t.lemma_ for t in doc] == ["she", "calls", "mum", "."]      # lemmas for context words


CANARIES = {
    "given": "Zebulon", "family": "Quackenbush", "known": "Ottoline Fairweather-Quince",
    "street": "77 Wolfsbane Crescent", "postcode": "ZE2 9QQ", "phone": "07700 900123",
    "nhs": "943 476 5919", "email": "zebulon.q@example.org", "dob": "29/02/2012",
}


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "narrative", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)


@pytest.mark.slow
def test_canaries_never_leave_the_stage_and_bad_records_are_listed(tmp_path, monkeypatch):
    c = CANARIES
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"case_id": "k1", "dob": "2012-02-29", "given_names": [c["given"]],
                                 "family_name": c["family"], "address": f"{c['street']}, Lerwick, {c['postcode']}",
                                 "known_people": [c["known"]]}) + "\n")
    text = (f"HV to {c['street']}, {c['postcode']}. {c['given']} {c['family'].upper()} (DOB {c['dob']}, "
            f"NHS {c['nhs']}) was with Ottoline. Call {c['phone']} or {c['email']}. "
            f"{c['given'].lower()} said {c['family']}'s dog barked.")
    good = {"note_id": "k1-1", "case_id": "k1", "note_date": "2021-03-01", "text": text}
    lines = [
        json.dumps(good),
        json.dumps({**good, "note_id": "k1-2", "note_date": "01/03/2021"}),       # non-ISO date
        json.dumps({k: v for k, v in good.items() if k != "case_id"} | {"note_id": "k1-3"}),
        json.dumps({**good, "note_id": "k1-4", "text": ""}),
        '{"note_id": "k1-5", "text": "' + c["given"],                             # malformed
        json.dumps({**good, "note_id": "k1-6", "text": text * 30000}),           # about 6 MB
        json.dumps(good),                                                         # duplicate
        json.dumps({**good, "note_id": "k1-7"}),
    ]
    notes = tmp_path / "notes.jsonl"
    notes.write_bytes("\n".join(lines).encode() + b"\n\xff\xfe" + c["given"].encode("latin-1") + b"\n")
    out = tmp_path / "out" / "redacted.jsonl"
    env = {**__import__("os").environ, "NARRATIVE_PSEUDONYM_KEY_FILE": str(tmp_path / "out" / "key")}
    env.pop("NARRATIVE_PSEUDONYM_KEY", None)
    result = run_cli("redact", str(notes), "-o", str(out), "--cases", str(cases), env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    redacted = [json.loads(line) for line in out.read_text().splitlines()]
    rejects = [json.loads(line) for line in (tmp_path / "out" / "redacted.rejects.jsonl").read_text().splitlines()]
    assert [r["note_id"] for r in redacted] == ["k1-1", "k1-7"]
    assert len(redacted) + len(rejects) == len(lines) + 1
    assert "redacted 2 of 9 notes" in result.stderr and "7 rejected" in result.stderr
    leaked_in = tmp_path / "out"
    everything = result.stdout + result.stderr + "".join(p.read_text(errors="replace") for p in leaked_in.iterdir())
    for name, value in c.items():
        for form in {value, value.lower(), value.upper(), value.replace(" ", "")}:
            assert form not in everything, f"canary {name} leaked"
    assert "Ottoline" not in everything and "Fairweather" not in everything and "Quince" not in everything


def test_cli_errors_are_one_line_without_traceback(tmp_path):
    result = run_cli("redact", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "o.jsonl"))
    assert result.returncode == 2
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr
