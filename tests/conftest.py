"""Shared fixtures: one loaded redactor per session, a pseudonym key for every test."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("NARRATIVE_PSEUDONYM_KEY", "test-key-not-secret-0123456789")
    monkeypatch.delenv("NARRATIVE_PSEUDONYM_KEY_FILE", raising=False)


@pytest.fixture(scope="session")
def corpus():
    from narrative.annotations.corpus import load_corpus
    return load_corpus(ROOT / "annotations" / "corpus.jsonl")


@pytest.fixture(scope="session")
def corpus_cases():
    from narrative.io import read_cases
    return read_cases(ROOT / "annotations" / "cases.jsonl")


@pytest.fixture(scope="session")
def make_redactor():
    """Build (and cache) a Redactor per (profile, cases file) pair."""
    from narrative.redact import PseudonymMap, RedactionConfig, Redactor

    built = {}

    def make(profile="timeline", cases=None):
        key = (profile, id(cases))
        if key not in built:
            built[key] = Redactor(RedactionConfig.load(profile=profile),
                                  pseudonyms=PseudonymMap(b"session-key-0123456789abcdef"), cases=cases)
        return built[key]

    return make
