"""How far is the classifier from a second annotator? Agreement of a blind second annotation with gold.

    .venv/bin/python benchmarks/annotator_agreement.py [--model models/default] [-v]

``annotations/agreement/second_annotation.jsonl`` holds a second, independent annotation of the
dev and test children's windows (the classifier's sentence windows of the gold-redacted notes),
made from the corpus guidelines without sight of the gold labels (``annotations/README.md``,
"Agreement"). Each window is scored exactly as the model card scores the classifier
(:func:`narrative.train.evaluate.evaluate`: affirmed mentions, negated or hypothetical reported
as affirmed, assertion and experiencer accuracy), with the second annotation in the place of the
model's decisions; the model folder is scored in the same run on the same windows. The second
annotator's figures say how consistent the labels are: a model cannot be expected to agree with
gold much better than another careful annotator does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from common import ROOT

SECOND = ROOT / "annotations" / "agreement" / "second_annotation.jsonl"


def second_predictions(windows, taxonomy):
    """The second annotation as window predictions: probability 1 for the codes it gives, with
    their assertion and experiencer one-hot (a code given twice is merged as in the gold windows)."""
    import numpy as np

    from narrative.extract.model import WindowPredictions
    from narrative.train.dataset import keep_strongest

    rows = [json.loads(line) for line in SECOND.read_text(encoding="utf-8").splitlines() if line.strip()]
    index, seen = {}, {}
    for i, window in enumerate(windows):
        seen[window.note_id] = seen.get(window.note_id, 0) + 1
        index[(window.note_id, seen[window.note_id])] = i
    codes, assertions, experiencers = taxonomy.code_keys, list(taxonomy.assertions), list(taxonomy.experiencers)
    out = WindowPredictions(np.zeros((len(windows), len(codes)), np.float32),
                            np.zeros((len(windows), len(codes), len(assertions)), np.float32),
                            np.zeros((len(windows), len(codes), len(experiencers)), np.float32))
    for row in rows:
        i = index.get((row["note_id"], row["window"]))
        if i is None:
            continue  # a note of the other split
        if hashlib.sha256(windows[i].text.encode()).hexdigest()[:16] != row["text_sha256"]:
            raise SystemExit(f"{SECOND.name}: window {row['window']} of {row['note_id']} no longer has the text "
                             "it was annotated on (the segmentation or the gold redaction changed)")
        labels: dict[str, tuple[str, str]] = {}  # merged as the gold windows are
        for label in row["codes"]:
            keep_strongest(labels, label["code"], label["assertion"], label["experiencer"])
        for code, (assertion, experiencer) in labels.items():
            j = codes.index(code)
            out.codes[i, j] = 1.0
            out.assertions[i, j] = np.eye(len(assertions))[assertions.index(assertion)]
            out.experiencers[i, j] = np.eye(len(experiencers))[experiencers.index(experiencer)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("-v", "--verbose", action="store_true", help="per-code F1 as well")
    args = parser.parse_args()

    import torch

    from narrative.annotations.corpus import load_corpus
    from narrative.extract.modelfolder import ModelFolder, quiet_transformers
    from narrative.io import read_cases
    from narrative.train.dataset import build_windows, window_child_ages
    from narrative.train.evaluate import evaluate

    torch.set_num_threads(2)
    quiet_transformers()
    corpus = load_corpus(ROOT / "annotations" / "corpus.jsonl")
    cases = read_cases(ROOT / "annotations" / "cases.jsonl")
    folder = ModelFolder.load(args.model)
    taxonomy = folder.taxonomy
    print(f"affirmed mentions, scored as the model card scores them; model {folder.model_version}")
    print(f"{'split':5} {'who':17} {'micro P':>7} {'micro R':>7} {'micro-F1':>8} {'macro-F1':>8} "
          f"{'neg/hyp as affirmed':>19} {'assertion':>9} {'experiencer':>11}")
    for split in ("dev", "test"):
        windows = build_windows(corpus, split)
        model = folder.predict([w.text for w in windows], window_child_ages(windows, corpus, cases))
        results = {"second annotator": evaluate(windows, second_predictions(windows, taxonomy),
                                                {c: 0.5 for c in taxonomy.code_keys}, taxonomy),
                   "model": evaluate(windows, model, folder.thresholds, taxonomy)}
        for who, result in results.items():
            a = result["affirmed_mentions"]
            print(f"{split:5} {who:17} {a['micro_precision']:7.3f} {a['micro_recall']:7.3f} {a['micro_f1']:8.3f} "
                  f"{a['macro_f1']:8.3f} {result['negated_or_hypothetical_reported_affirmed']:19.3f} "
                  f"{result['assertion_accuracy']:9.3f} {result['experiencer_accuracy']:11.3f}")
        if args.verbose:
            for code in taxonomy.code_keys:
                second, model_code = (results[w]["affirmed_mentions"]["per_code"][code] for w in results)
                print(f"      {code:24} support {second['support']:3}  second F1 {second['f1']:.2f}  "
                      f"model F1 {model_code['f1']:.2f}")


if __name__ == "__main__":
    main()
