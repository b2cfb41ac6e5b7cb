"""Per-code thresholds: which tuning rule holds up on children the thresholds were not tuned on?

    .venv/bin/python benchmarks/threshold_rules.py MODEL_DIR [MODEL_DIR ...] [--split dev]

Leave one child out inside the split (dev by default, so test stays unseen): for each child,
thresholds are tuned on the split's other children with
:func:`narrative.train.evaluate.tune_thresholds` at several noise tolerances (``noise``), and the child's
windows are decided with them; the decisions of all children are then scored together (affirmed
mentions, micro- and macro-F1). The model folder's cue and family rules apply, as in serving.

- ``NOISE = 0``: the best F1 on the tuning children (ties to the threshold nearest 0.5);
- ``NOISE = 0.5`` (narrative's rule): thresholds within 0.5/sqrt(positives) of the best F1,
  the one nearest 0.5;
- ``NOISE = inf``: 0.5 for every code.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from common import ROOT

NOISES = (0.0, 0.25, 0.5, 1.0, math.inf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--split", default="dev")
    args = parser.parse_args()

    import numpy as np
    import torch

    from narrative.annotations.corpus import load_corpus
    from narrative.extract.model import WindowPredictions, decide
    from narrative.extract.modelfolder import ModelFolder, quiet_transformers
    from narrative.io import read_cases
    from narrative.train import evaluate as scoring
    from narrative.train.dataset import build_windows, window_child_ages

    torch.set_num_threads(2)
    quiet_transformers()
    corpus = load_corpus(ROOT / "annotations" / "corpus.jsonl")
    cases = read_cases(ROOT / "annotations" / "cases.jsonl")
    windows = build_windows(corpus, args.split)
    children = sorted({w.case_id for w in windows})
    print(f"{args.split} split: {len(windows)} windows of {len(children)} children, each scored with "
          f"thresholds tuned on the other {len(children) - 1}")
    for path in args.models:
        folder = ModelFolder.load(path)
        taxonomy = folder.taxonomy
        predictions = folder.predict([w.text for w in windows], window_child_ages(windows, corpus, cases))

        def part(rows: np.ndarray) -> WindowPredictions:
            return WindowPredictions(predictions.codes[rows], predictions.assertions[rows],
                                     predictions.experiencers[rows])

        print(f"{folder.model_version} ({path})")
        for noise in NOISES:
            found: list = [None] * len(windows)
            for child in children:
                held = np.array([w.case_id == child for w in windows])
                tuning = np.flatnonzero(~held)
                thresholds = scoring.tune_thresholds([windows[i] for i in tuning], part(tuning), taxonomy,
                                                     noise)
                rows = np.flatnonzero(held)
                for i, decided in zip(rows, decide(part(rows), thresholds, taxonomy.code_keys,
                                                   list(taxonomy.assertions), list(taxonomy.experiencers))):
                    found[i] = decided
            gold, guess = scoring.affirmed_matrices(windows, found, taxonomy)
            result = scoring.per_code_scores(gold, guess, taxonomy.code_keys)
            print(f"  NOISE = {noise:<4}  micro-F1 {result['micro_f1']:.3f}  macro-F1 {result['macro_f1']:.3f}")


if __name__ == "__main__":
    main()
