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


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A fresh, empty store URL: a SQLite file, and a new database on the PostgreSQL server of
    NARRATIVE_TEST_POSTGRES_URL (``scripts/postgres-test-server start`` prints one). Without it the
    PostgreSQL case is skipped locally and fails under CI."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'narrative.db'}"
        return
    import os
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = os.environ.get("NARRATIVE_TEST_POSTGRES_URL")
    if not server:
        message = "NARRATIVE_TEST_POSTGRES_URL is not set (run scripts/postgres-test-server start)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"narrative_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
