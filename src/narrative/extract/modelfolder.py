"""The self-describing model folder: weights and tokenizer (``save_pretrained``), thresholds,
the taxonomy and training-data hashes, metrics and a model card.

| file | what |
|---|---|
| ``config.json``, ``model.safetensors``, tokenizer files | the fine-tuned classifier |
| ``narrative_model.json`` | model_version (a hash of the weights and of ``thresholds.json``), taxonomy_hash, training_data_hash, parameters, timings |
| ``thresholds.json`` | per-code probability thresholds tuned on dev |
| ``metrics.json`` | dev and test metrics of the model and the baselines |
| ``model_card.md`` | the same, for people |
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from narrative.errors import NarrativeError
from narrative.extract.cues import ASSERTION_STRATEGIES, with_cues
from narrative.extract.family import EXPERIENCER_RULES, with_family_rule
from narrative.extract.model import NarrativeClassifier, WindowPredictions, predict_windows, serving_dtype
from narrative.taxonomy import Taxonomy, load_taxonomy

MANIFEST = "narrative_model.json"
THRESHOLDS = "thresholds.json"
METRICS = "metrics.json"
CARD = "model_card.md"


class ModelError(NarrativeError):
    """A model folder that cannot serve this taxonomy."""


def quiet_transformers() -> None:
    """No load reports or progress bars from transformers on stderr."""
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    logging.getLogger("transformers").setLevel(logging.ERROR)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Loaded:
    """A loaded classifier with the predict contract of the training-side classes."""

    def __init__(self, model: NarrativeClassifier, tokenizer):
        self.model_ = model
        self.tokenizer_ = tokenizer

    def predict(self, texts: list[str]) -> WindowPredictions:
        batch_size = 256 if self.model_.device.type == "cuda" else 16
        return predict_windows(self.model_, self.tokenizer_, texts, batch_size)


@dataclass
class ModelFolder:
    path: Path
    manifest: dict
    thresholds: dict[str, float]
    taxonomy: Taxonomy
    classifier: _Loaded
    assertion_strategy: str = "model"
    experiencer_rule: str = "model"

    def predict(self, texts: list[str], child_ages: list[int | None] | None = None) -> WindowPredictions:
        """Window probabilities with the folder's cue rules applied; the family rule needs the
        subject child's age at each window's note date (``child_ages``)."""
        predictions = with_cues(self.classifier.predict(texts), texts, list(self.taxonomy.assertions),
                                self.assertion_strategy)
        if child_ages is None:
            return predictions
        return with_family_rule(predictions, texts, child_ages, list(self.taxonomy.experiencers),
                                self.experiencer_rule)

    @property
    def model_version(self) -> str:
        return self.manifest["model_version"]

    @classmethod
    def load(cls, path: str | Path, taxonomy: Taxonomy | None = None, precision: str = "fp32",
             device: str = "cpu") -> "ModelFolder":
        """Load and check a model folder against ``taxonomy`` (the packaged one by default).

        ``precision`` (``fp32``, ``bf16`` or ``auto``, see :func:`serving_dtype`) and ``device``
        say how the classifier is served; evaluation keeps fp32, as the folder's metrics were.
        """
        dtype = serving_dtype(precision, device)
        from transformers import AutoTokenizer

        path = Path(path)
        taxonomy = taxonomy or load_taxonomy()
        manifest_path = path / MANIFEST
        if not manifest_path.is_file():
            raise ModelError(f"{path}: not a narrative model folder (no {MANIFEST}); train one with `narrative train`")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            tuned = json.loads((path / THRESHOLDS).read_text(encoding="utf-8"))
            thresholds = tuned["codes"]
        except (OSError, ValueError, KeyError):
            raise ModelError(f"{path}: {MANIFEST} or {THRESHOLDS} is missing or unreadable") from None
        unknown = sorted(set(thresholds) - set(taxonomy.codes))
        if unknown:
            raise ModelError(f"{path}: unknown codes in {THRESHOLDS}: {', '.join(unknown)}")
        if manifest.get("taxonomy_hash") != taxonomy.hash:
            raise ModelError(f"{path}: trained on a different taxonomy (hash {manifest.get('taxonomy_hash')}, "
                             f"this taxonomy is {taxonomy.hash}); retrain it with `narrative train`")
        quiet_transformers()
        model = NarrativeClassifier.from_pretrained(path).eval().to(device, dtype=dtype)
        if list(model.config.codes) != taxonomy.code_keys:
            raise ModelError(f"{path}: the model's codes differ from the taxonomy's")
        strategy = tuned.get("assertion_strategy", "model")
        if strategy not in ASSERTION_STRATEGIES:
            raise ModelError(f"{path}: unknown assertion_strategy {strategy!r} in {THRESHOLDS}")
        rule = tuned.get("experiencer_rule", "model")
        if rule not in EXPERIENCER_RULES:
            raise ModelError(f"{path}: unknown experiencer_rule {rule!r} in {THRESHOLDS}")
        return cls(path, manifest, thresholds, taxonomy, _Loaded(model, AutoTokenizer.from_pretrained(path)),
                   strategy, rule)
