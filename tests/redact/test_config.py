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
    assert found(built["UkPhoneRecognizer"], "mob 07700 900123") == []          # 0.3 < threshold
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
