"""Active learning: which notes a model is least sure about, so reviewers see those first.

A code decision is uncertain when its probability is close to the code's threshold: the
uncertainty is 1 at the threshold and falls linearly to 0 at probability 0 or 1. A window is as
uncertain as its least certain code, and a note as the mean of its windows (so long notes are
not favoured for their length alone). ``narrative review push`` has its own, simpler rule on the
suggestions file (:func:`narrative.review.push.uncertainty`: the least sure reported mention);
``benchmarks/active_learning.py`` measures both against random sampling. :func:`rank_notes`
ranks notes straight from a model folder, e.g. the one in service
(:func:`narrative.train.registry.in_service`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np


def window_uncertainty(codes: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per window (rows of ``codes``, shape (n, C)), the uncertainty of its least certain code."""
    thresholds = np.broadcast_to(np.asarray(thresholds, dtype=float), codes.shape[1:])
    room = np.where(codes < thresholds, thresholds, 1.0 - thresholds)
    distance = np.abs(codes - thresholds) / np.maximum(room, 1e-9)
    return (1.0 - np.clip(distance, 0.0, 1.0)).max(axis=1) if codes.size else np.zeros(len(codes))


def note_uncertainty(note_ids: Sequence[str], codes: np.ndarray, thresholds: np.ndarray) -> dict[str, float]:
    """The mean window uncertainty of each note; ``note_ids[i]`` owns row ``i`` of ``codes``."""
    per_note: dict[str, list[float]] = defaultdict(list)
    for note_id, value in zip(note_ids, window_uncertainty(codes, thresholds)):
        per_note[note_id].append(float(value))
    return {note_id: float(np.mean(values)) for note_id, values in per_note.items()}


def rank_notes(folder, windows: Sequence[tuple[str, str]]) -> list[tuple[str, float]]:
    """Notes, most uncertain first, from (note_id, window text) pairs scored by a loaded
    :class:`narrative.extract.modelfolder.ModelFolder` with its own thresholds."""
    predictions = folder.predict([text for _, text in windows])
    limits = np.array([folder.thresholds[code] for code in folder.taxonomy.code_keys])
    scores = note_uncertainty([note_id for note_id, _ in windows], predictions.codes, limits)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
