"""Evaluation shared by the fine-tuned model and the baselines: thresholds and metrics.

Two levels are scored, both with scikit-learn's metrics:
- mention level: each (window, code) is positive when the gold labels the code there with an
  affirmed assertion, and predicted positive when the code's probability reaches its threshold
  and the predicted assertion is affirmed;
- note level: the affirmed codes of each note, as the note-level summary shows them.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from sklearn.metrics import precision_recall_fscore_support

from narrative.annotations.corpus import LabelledNote
from narrative.extract.temporal import find_timexes, link_dates
from narrative.records import Case
from narrative.taxonomy import Taxonomy
from narrative.train.dataset import WindowExample, gold_redact
from narrative.extract.model import WindowPredictions, decide
from narrative.train.finetune import label_arrays

THRESHOLD_GRID = np.round(np.arange(0.05, 0.96, 0.05), 2)
# How far below the best dev F1 a threshold nearer 0.5 may score (divided by the root of the
# code's dev positives: about the F1's sampling noise).
NOISE = 0.5


def tune_thresholds(windows: list[WindowExample], predictions: WindowPredictions, taxonomy: Taxonomy,
                    noise: float = NOISE) -> dict[str, float]:
    """Per code, the threshold on the code probability tuned on these (dev) windows.

    Of the grid thresholds whose F1 is within ``noise / sqrt(n)`` of the best (n: the code's
    positive windows), the one nearest the sigmoid's own 0.5. A dev split of a few children gives
    a code 3 to 16 positives, where the plain best-F1 threshold follows noise: scored on each dev
    child with thresholds tuned on the other five, it lost 0.007 to 0.043 macro-F1 against this
    rule for three models (``benchmarks/threshold_rules.py``, README). With many positives the
    rule tends to the best-F1 one.
    """
    y_codes, _, _ = label_arrays(windows, taxonomy)
    middle = np.abs(THRESHOLD_GRID - 0.5)
    thresholds = {}
    for j, code in enumerate(taxonomy.code_keys):
        truth = y_codes[:, j].astype(bool)
        if not truth.any():
            thresholds[code] = 0.5
            continue
        scores = np.array([precision_recall_fscore_support(truth, predictions.codes[:, j] >= t, average="binary",
                                                           zero_division=0)[2] for t in THRESHOLD_GRID])
        near_best = np.flatnonzero(scores >= scores.max() - noise / np.sqrt(truth.sum()))
        thresholds[code] = float(THRESHOLD_GRID[near_best[np.argmin(middle[near_best])]])
    return thresholds


def per_code_scores(truth: np.ndarray, guess: np.ndarray, codes: list[str]) -> dict:
    """Micro- and macro-F1 (over codes with support) and per-code P/R/F1 of 0/1 matrices (rows, codes)."""
    p, r, f, support = precision_recall_fscore_support(truth, guess, average=None, zero_division=0,
                                                       labels=list(range(len(codes))))
    micro = precision_recall_fscore_support(truth, guess, average="micro", zero_division=0)
    present = support > 0
    return {
        "micro_precision": float(micro[0]), "micro_recall": float(micro[1]), "micro_f1": float(micro[2]),
        "macro_f1": float(f[present].mean()) if present.any() else 0.0,
        "per_code": {c: {"precision": float(p[j]), "recall": float(r[j]), "f1": float(f[j]),
                         "support": int(support[j])} for j, c in enumerate(codes)},
    }


def affirmed_matrices(windows: list[WindowExample], found: list[list[tuple]], taxonomy: Taxonomy
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Gold and predicted affirmed codes, 0/1 per (window, code); ``found`` as :func:`decide` gives it."""
    codes = taxonomy.code_keys
    gold = np.zeros((len(windows), len(codes)), dtype=int)
    guess = np.zeros((len(windows), len(codes)), dtype=int)
    for i, window in enumerate(windows):
        for code, (assertion, _) in window.labels.items():
            gold[i, codes.index(code)] = taxonomy.is_affirmed(assertion)
        for code, assertion, _, _ in found[i]:
            guess[i, codes.index(code)] = taxonomy.is_affirmed(assertion)
    return gold, guess


def by_note(windows: list[WindowExample], matrix: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The sorted note ids and, per note, whether any of its windows has each code (0/1)."""
    note_ids = sorted({w.note_id for w in windows})
    index = {nid: k for k, nid in enumerate(note_ids)}
    notes = np.zeros((len(note_ids), matrix.shape[1]), dtype=int)
    for window, row in zip(windows, matrix):
        notes[index[window.note_id]] |= row
    return note_ids, notes


def evaluate(windows: list[WindowExample], predictions: WindowPredictions, thresholds: dict[str, float],
             taxonomy: Taxonomy) -> dict:
    """Every metric of the model card for one split."""
    codes = taxonomy.code_keys
    found = decide(predictions, thresholds, codes, list(taxonomy.assertions), list(taxonomy.experiencers))
    gold, guess = affirmed_matrices(windows, found, taxonomy)
    assertion_hits = experiencer_hits = attribute_total = 0
    leaked = not_affirmed = 0
    for window, window_found in zip(windows, found):
        predicted = {code: (a, e) for code, a, e, _ in window_found}
        for code, (assertion, experiencer) in window.labels.items():
            if not taxonomy.is_affirmed(assertion):
                not_affirmed += 1
                leaked += code in predicted and taxonomy.is_affirmed(predicted[code][0])
            if code in predicted:
                attribute_total += 1
                assertion_hits += predicted[code][0] == assertion
                experiencer_hits += predicted[code][1] == experiencer
    note_ids, note_gold = by_note(windows, gold)
    _, note_guess = by_note(windows, guess)
    y_codes, _, _ = label_arrays(windows, taxonomy)
    limits = np.array([thresholds[c] for c in codes])
    return {
        "windows": len(windows),
        "notes": len(note_ids),
        "detection": per_code_scores(y_codes.astype(int), (predictions.codes >= limits).astype(int), codes),
        "affirmed_mentions": per_code_scores(gold, guess, codes),
        "affirmed_notes": per_code_scores(note_gold, note_guess, codes),
        "assertion_accuracy": assertion_hits / attribute_total if attribute_total else None,
        "experiencer_accuracy": experiencer_hits / attribute_total if attribute_total else None,
        "negated_or_hypothetical_reported_affirmed": leaked / not_affirmed if not_affirmed else None,
    }


def date_accuracy(notes: list[LabelledNote], found_by_note: dict[str, list], cases: dict[str, Case]) -> dict:
    """How often a found mention carries the right date.

    For every gold mention with a date whose code the model found in the sentence window holding
    the mention, the date is right when the interval the temporal stage linked overlaps the gold
    interval and is no broader than it. ``found_by_note`` maps note_id to the (window, codes)
    pairs the model gave for that note's gold-redacted text.
    """
    right = total = found = 0
    for note in notes:
        redacted = gold_redact(note)
        case = cases.get(note.case_id)
        timexes = find_timexes(redacted.text, date.fromisoformat(note.note_date), case.dob if case else None)
        windows = found_by_note.get(note.note_id, [])
        gold_dates = {t["id"]: t for t in redacted.timexes}
        for mention in redacted.mentions:
            if not mention["date"]:
                continue
            total += 1
            hit = next(((w, codes) for w, codes in windows if w.start <= mention["start"] < w.end
                        and mention["code"] in codes), None)
            if hit is None:
                continue
            found += 1
            (linked,) = link_dates(redacted.text, [(hit[0].start, hit[0].end)], timexes,
                                   sentences=[(w.start, w.end) for w, _ in windows])
            gold = gold_dates[mention["date"]]
            g_start, g_end = date.fromisoformat(gold["value_start"]), date.fromisoformat(gold["value_end"])
            if linked and linked.value_start <= g_end and g_start <= linked.value_end \
                    and (linked.value_end - linked.value_start) <= (g_end - g_start):
                right += 1
    return {"dated_gold_mentions": total, "found": found,
            "date_correct_of_found": right / found if found else None,
            "date_correct_of_all": right / total if total else None}
