"""Comparing model folders on one test split: per-code P/R/F1 with bootstrap confidence
intervals, calibration, assertion and experiencer accuracy, and a breakdown by a note field.

The confidence intervals resample notes (windows of one note are not independent) with
replacement, ``resamples`` times with a fixed seed, and take the 2.5th and 97.5th percentiles;
the difference between the two models is bootstrapped on the same resamples (paired).
Calibration is the expected calibration error of the code probabilities over every
(window, code) pair, in ten equal-width bins, against whether the code is mentioned there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from narrative.annotations.corpus import load_corpus
from narrative.errors import NarrativeError
from narrative.extract.model import decide
from narrative.extract.modelfolder import ModelFolder
from narrative.io import read_cases
from narrative.taxonomy import load_taxonomy
from narrative.train.dataset import WindowExample, build_windows, window_child_ages
from narrative.train.evaluate import affirmed_matrices, evaluate, per_code_scores
from narrative.train.finetune import label_arrays
from narrative.train.reviews import load_reviews

GROUP_FIELDS = ("note_type", "author_role", "source", "case_id")


@dataclass
class TestSplit:
    """The test windows, and per note the fields a breakdown can group by."""

    windows: list[WindowExample]
    fields: dict[str, dict[str, str]]
    child_ages: list[int | None]


def test_split(corpus: str | Path, from_db: str | None = None, from_export: str | Path | None = None) -> TestSplit:
    """The seed corpus's test split, plus the reviewed windows of test-split children."""
    notes = load_corpus(corpus)
    reviews = load_reviews(from_db, from_export, load_taxonomy(), {n.case_id: n.split for n in notes})
    windows = build_windows(notes, "test") + reviews.split("test")
    fields = {n.note_id: {"note_type": n.note_type, "author_role": n.author_role, "source": n.source,
                          "case_id": n.case_id} for n in notes if n.split == "test"}
    for w in windows:
        fields.setdefault(w.note_id, {"source": "review", "case_id": w.case_id})
    cases = read_cases(Path(corpus).with_name("cases.jsonl"))
    return TestSplit(windows, fields, window_child_ages(windows, notes, cases))


def _prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray):
    """Precision, recall and F1 from counts (any leading shape; zero where undefined)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        r = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
    return p, r, f


def _summary(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> dict[str, np.ndarray]:
    """Per-code P/R/F1 and micro/macro F1 (macro over codes with support), last axis = codes."""
    p, r, f = _prf(tp, fp, fn)
    support = tp + fn
    present = support > 0
    macro = np.where(present.any(-1), (f * present).sum(-1) / np.maximum(present.sum(-1), 1), 0.0)
    micro = _prf(tp.sum(-1), fp.sum(-1), fn.sum(-1))[2]
    return {"precision": p, "recall": r, "f1": f, "macro_f1": macro, "micro_f1": micro}


def expected_calibration_error(probs: np.ndarray, truth: np.ndarray, bins: int = 10) -> float:
    """ECE: the bin-size-weighted gap between mean probability and frequency of the truth."""
    probs, truth = probs.ravel(), truth.ravel().astype(float)
    index = np.minimum((probs * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        chosen = index == b
        if chosen.any():
            error += chosen.mean() * abs(probs[chosen].mean() - truth[chosen].mean())
    return float(error)


def _counts(test: TestSplit, gold: np.ndarray, guess: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Note ids and per-note (tp, fp, fn) counts per code, shape (notes, 3, codes)."""
    note_ids = sorted({w.note_id for w in test.windows})
    index = {nid: k for k, nid in enumerate(note_ids)}
    counts = np.zeros((len(note_ids), 3, gold.shape[1]))
    for window, g, p in zip(test.windows, gold, guess):
        counts[index[window.note_id]] += np.stack([g & p, (1 - g) & p, g & (1 - p)])
    return note_ids, counts


def compare(folders: dict[str, ModelFolder], test: TestSplit, by: str = "note_type", resamples: int = 1000,
            seed: int = 0) -> dict:
    """Every comparison figure for the models in ``folders`` (name -> loaded folder), on ``test``."""
    if not test.windows:
        raise NarrativeError("the test split has no windows")
    texts = [w.text for w in test.windows]
    rng = np.random.default_rng(seed)
    note_ids = sorted({w.note_id for w in test.windows})
    draws = rng.integers(0, len(note_ids), size=(resamples, len(note_ids)))
    weights = np.stack([np.bincount(d, minlength=len(note_ids)) for d in draws]).astype(float)
    report = {"test": {"windows": len(test.windows), "notes": len(note_ids), "resamples": resamples,
                       "seed": seed, "group_by": by}, "models": {}}
    boot = {}
    for name, folder in folders.items():
        taxonomy = folder.taxonomy
        codes = taxonomy.code_keys
        predictions = folder.predict(texts, test.child_ages)
        metrics = evaluate(test.windows, predictions, folder.thresholds, taxonomy)
        found = decide(predictions, folder.thresholds, codes, list(taxonomy.assertions), list(taxonomy.experiencers))
        gold, guess = affirmed_matrices(test.windows, found, taxonomy)
        _, counts = _counts(test, gold, guess)
        resampled = _summary(*np.einsum("bn,nkc->kbc", weights, counts))
        boot[name] = resampled

        def interval(values: np.ndarray) -> list[float]:
            return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]

        per_code = metrics["affirmed_mentions"]["per_code"]
        for j, code in enumerate(codes):
            per_code[code]["ci"] = {k: interval(resampled[k][:, j]) for k in ("precision", "recall", "f1")}
        groups = {}
        for value in sorted({str(test.fields[w.note_id].get(by)) for w in test.windows}):
            rows = [i for i, w in enumerate(test.windows) if str(test.fields[w.note_id].get(by)) == value]
            scored = per_code_scores(gold[rows], guess[rows], codes)
            groups[value] = {"notes": len({test.windows[i].note_id for i in rows}), "windows": len(rows),
                             "micro_f1": scored["micro_f1"], "macro_f1": scored["macro_f1"]}
        y_codes, _, _ = label_arrays(test.windows, taxonomy)
        report["models"][name] = {
            "model_version": folder.model_version, "folder": str(folder.path),
            "micro_f1": metrics["affirmed_mentions"]["micro_f1"], "micro_f1_ci": interval(resampled["micro_f1"]),
            "macro_f1": metrics["affirmed_mentions"]["macro_f1"], "macro_f1_ci": interval(resampled["macro_f1"]),
            "ece": expected_calibration_error(predictions.codes, y_codes),
            "assertion_accuracy": metrics["assertion_accuracy"],
            "experiencer_accuracy": metrics["experiencer_accuracy"],
            "per_code": per_code, "by": groups, "metrics": metrics,
        }
    if len(boot) == 2:
        (a, ra), (b, rb) = boot.items()
        models = report["models"]
        report["difference"] = {
            key: {"value": models[b][key] - models[a][key],
                  "ci": [float(np.percentile(rb[key] - ra[key], 2.5)), float(np.percentile(rb[key] - ra[key], 97.5))]}
            for key in ("micro_f1", "macro_f1")} | {"of": f"{b} - {a}"}
    return report
