"""Keyed placeholders: consistent within a case and across runs, linked name variants, no plain values."""

import json

import pytest

from narrative.records import Case
from narrative.redact.pseudonyms import PseudonymKeyError, PseudonymMap, load_key

KEY = b"k" * 32
CASE = Case("c1", given_names=["Jayden"], family_name="Smith", known_people=["Leanne Smith", "Darren Kirby"])


def test_name_variants_of_one_person_share_a_placeholder():
    names = PseudonymMap(KEY)
    names.register_case(CASE)
    child = names.placeholder("c1", "Jayden Smith")
    assert child == "[PERSON_1]"
    assert names.placeholder("c1", "Jayden") == names.placeholder("c1", "SMITH") == child
    assert names.placeholder("c1", "jayden's") == child
    assert names.placeholder("c1", "Leanne") == names.placeholder("c1", "Leanne Smith") == "[PERSON_2]"
    assert names.placeholder("c1", "KIRBY") == "[PERSON_3]"
    assert names.placeholder("c1", "Kerry Adams") == "[PERSON_4]"
    assert names.placeholder("c1", "Kerry") == "[PERSON_4]"
    assert names.placeholder("c2", "Kerry") == "[PERSON_1]"  # numbering is per case


def test_numbering_survives_a_new_run_and_the_store_holds_no_names(tmp_path):
    store = tmp_path / "pseudonyms.json"
    first = PseudonymMap(KEY, store)
    first.register_case(CASE)
    first.placeholder("c1", "Kerry Adams")
    first.save()
    text = store.read_text()
    for value in ("jayden", "smith", "kerry", "adams", "leanne", "darren"):
        assert value not in text.lower()
    cases = json.loads(text)["cases"]
    digests = [k for case in cases.values() for table in ("people", "parts") for k in case[table]]
    assert all(len(k) == 32 and set(k) <= set("0123456789abcdef") for k in [*cases, *digests])
    second = PseudonymMap(KEY, store)
    assert second.placeholder("c1", "Kerry") == "[PERSON_4]"
    assert second.placeholder("c1", "Darren Kirby") == "[PERSON_3]"


def test_a_store_made_with_another_key_is_refused(tmp_path):
    store = tmp_path / "pseudonyms.json"
    PseudonymMap(KEY, store).save()
    with pytest.raises(PseudonymKeyError, match="another key"):
        PseudonymMap(b"x" * 32, store)


def test_key_comes_from_environment_or_file(tmp_path, monkeypatch):
    monkeypatch.delenv("NARRATIVE_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("NARRATIVE_PSEUDONYM_KEY_FILE", raising=False)
    with pytest.raises(PseudonymKeyError, match="set NARRATIVE_PSEUDONYM_KEY"):
        load_key()
    key_file = tmp_path / "k"
    created = load_key(key_file, create=True)
    assert load_key(key_file) == created and oct(key_file.stat().st_mode)[-3:] == "600"
    monkeypatch.setenv("NARRATIVE_PSEUDONYM_KEY", "short")
    with pytest.raises(PseudonymKeyError, match="at least 16"):
        load_key()
