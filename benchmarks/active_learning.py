"""Active learning on the seed corpus: does reviewing the notes the model is least sure about
first teach it faster than reviewing notes at random?

    .venv/bin/python benchmarks/active_learning.py [--seeds 3] [--start 8] [--step 8] [--rounds 10]

Simulated review rounds over the train split's notes (the gold labels stand in for reviewers):
start from ``--start`` random notes, then each round "review" ``--step`` more, chosen by
uncertainty (:func:`narrative.train.active.note_uncertainty`: threshold-relative, mean over a
note's windows), by ``review push``'s own rule (:func:`narrative.review.push.uncertainty`: the
least sure reported mention of the note), or at random; retrain, and score dev mention macro-F1
(affirmed codes, threshold 0.5). All strategies share each seed's starting notes.

The learner is the cheap one, stated plainly: frozen all-MiniLM-L6-v2 embeddings (computed once)
with the per-code logistic regressions of ``FrozenEmbeddingBaseline``, not the fine-tuned model
(a fine-tune per round and seed would take hours on 2 CPU cores). Writes the learning curve to
docs/active-learning.png and the figures to docs/active-learning.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]
LABELS = {"uncertainty": "uncertainty (narrative.train.active)", "push_rule": "uncertainty (review push's rule)",
          "random": "random sampling"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--start", type=int, default=8, help="Notes labelled before the first round.")
    parser.add_argument("--step", type=int, default=8, help="Notes reviewed per round.")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()

    import numpy as np

    from narrative.annotations.corpus import load_corpus
    from narrative.extract.modelfolder import quiet_transformers
    from narrative.taxonomy import load_taxonomy
    from narrative.review.push import uncertainty as push_uncertainty
    from narrative.train.active import note_uncertainty
    from narrative.train.baselines import FrozenEmbeddingBaseline
    from narrative.train.dataset import build_windows
    from narrative.train.evaluate import evaluate

    quiet_transformers()
    started = time.monotonic()
    taxonomy = load_taxonomy()
    notes = load_corpus(ROOT / "annotations" / "corpus.jsonl")
    pool_windows, dev_windows = build_windows(notes, "train"), build_windows(notes, "dev")
    texts = sorted({w.text for w in pool_windows + dev_windows})
    encoder = FrozenEmbeddingBaseline(taxonomy)
    table = dict(zip(texts, encoder._features(texts, fitting=True)))
    print(f"embedded {len(texts)} windows in {time.monotonic() - started:.0f} s")

    class Learner(FrozenEmbeddingBaseline):
        """The frozen-MiniLM baseline on the precomputed embeddings."""

        def _features(self, batch, fitting):
            return np.stack([table[t] for t in batch])

    by_note: dict[str, list] = {}
    for w in pool_windows:
        by_note.setdefault(w.note_id, []).append(w)
    note_ids = sorted(by_note)
    dev_texts = [w.text for w in dev_windows]
    half = {code: 0.5 for code in taxonomy.code_keys}

    def score(labelled: list[str], seed: int):
        windows = [w for n in labelled for w in by_note[n]]
        model = Learner(taxonomy, seed=seed).fit(windows)
        result = evaluate(dev_windows, model.predict(dev_texts), half, taxonomy)["affirmed_mentions"]
        return model, result["macro_f1"], len(windows)

    def push_rule(pool: list[str], model) -> dict[str, float]:
        """``review push``'s own note uncertainty, on the mentions a 0.5 threshold would report."""
        windows = [w for n in pool for w in by_note[n]]
        probs = model.predict([w.text for w in windows]).codes
        mentions: dict[str, list] = {n: [] for n in pool}
        for w, row in zip(windows, probs):
            mentions[w.note_id] += [SimpleNamespace(score=float(p)) for p in row[row >= 0.5]]
        return {n: push_uncertainty(SimpleNamespace(mentions=m)) for n, m in mentions.items()}

    curves = {"uncertainty": [], "push_rule": [], "random": []}
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        start = [str(n) for n in rng.choice(note_ids, size=args.start, replace=False)]
        for strategy in curves:
            labelled, curve = list(start), []
            pick = np.random.default_rng(1000 + seed)
            for _ in range(args.rounds + 1):
                model, f1, n_windows = score(labelled, seed)
                curve.append({"notes": len(labelled), "windows": n_windows, "dev_macro_f1": f1})
                pool = [n for n in note_ids if n not in labelled]
                if not pool:
                    break
                if strategy == "random":
                    chosen = [str(n) for n in pick.choice(pool, size=min(args.step, len(pool)), replace=False)]
                elif strategy == "push_rule":
                    uncertain = push_rule(pool, model)
                    chosen = sorted(pool, key=lambda n: (-uncertain[n], n))[:args.step]
                else:
                    windows = [w for n in pool for w in by_note[n]]
                    probs = model.predict([w.text for w in windows]).codes
                    uncertain = note_uncertainty([w.note_id for w in windows], probs, np.full(probs.shape[1], 0.5))
                    chosen = sorted(pool, key=lambda n: (-uncertain[n], n))[:args.step]
                labelled += chosen
            curves[strategy].append(curve)
            print(f"seed {seed} {strategy:11s} " + " ".join(f"{p['dev_macro_f1']:.3f}" for p in curve), flush=True)

    summary = []
    for k, point in enumerate(curves["random"][0]):
        row = {"notes": point["notes"]}
        for strategy, runs in curves.items():
            values = [run[k]["dev_macro_f1"] for run in runs]
            row[strategy] = {"mean": float(np.mean(values)), "std": float(np.std(values)),
                             "windows": float(np.mean([run[k]["windows"] for run in runs]))}
        summary.append(row)
    args.out.mkdir(parents=True, exist_ok=True)
    record = {"settings": vars(args) | {"out": args.out.resolve().relative_to(ROOT).as_posix()
                                        if args.out.resolve().is_relative_to(ROOT) else str(args.out)}, "learner": "frozen all-MiniLM-L6-v2 + logistic regression",
              "pool_notes": len(note_ids), "dev_windows": len(dev_windows), "curves": curves, "summary": summary,
              "seconds": round(time.monotonic() - started, 1)}
    (args.out / "active-learning.json").write_text(json.dumps(record, indent=2), encoding="utf-8")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for strategy, colour in (("uncertainty", "tab:blue"), ("push_rule", "tab:green"), ("random", "tab:orange")):
        x = [row["notes"] for row in summary]
        mean = np.array([row[strategy]["mean"] for row in summary])
        std = np.array([row[strategy]["std"] for row in summary])
        ax.plot(x, mean, marker="o", color=colour, label=LABELS[strategy])
        ax.fill_between(x, mean - std, mean + std, color=colour, alpha=0.2)
    ax.set_xlabel("reviewed notes (train split)")
    ax.set_ylabel("dev mention macro-F1 (affirmed codes)")
    ax.set_title(f"Active learning on the seed corpus ({args.seeds} seeds, mean ± sd)\n"
                 "learner: frozen MiniLM embeddings + logistic regression")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out / "active-learning.png", dpi=120)
    for row in summary:
        print(f"{row['notes']:4d} notes  " + "  ".join(f"{name} {row[name]['mean']:.3f} ± {row[name]['std']:.3f}"
                                                   for name in curves))
    print(f"done in {record['seconds']} s; wrote {args.out / 'active-learning.png'}")


if __name__ == "__main__":
    main()
