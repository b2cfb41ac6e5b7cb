"""Extraction speed: sentences/s and notes/s of narrative's classifier path against a plain
transformers pipeline (fp32, one sentence per call) on the same sentences, in the same run.

    .venv/bin/python benchmarks/extract_speed.py --model models/default [--notes 300] [--threads 2]
                                                 [--precision auto|fp32|bf16] [--int8]

narrative's path: length-sorted batches, ``torch.inference_mode``, the classifier in the served
precision (``auto``, as ``narrative extract`` runs by default: bf16 on a CPU with native bf16,
else fp32), and optionally dynamic int8 quantisation of the Linear layers (``--int8``). The F1
change of each reduced precision against fp32 on the dev and test windows is printed, so that a
speed-up never hides a quality loss.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from common import ROOT, plain_classifier_pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--notes", type=int, default=300, help="Generated notes to time end to end.")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", default="auto", choices=("auto", "fp32", "bf16"))
    parser.add_argument("--int8", action="store_true", help="Also time dynamic int8 quantisation.")
    args = parser.parse_args()

    import torch

    from narrative.annotations.corpus import load_corpus
    from narrative.annotations.synth import generate
    from narrative.extract.cues import with_cues
    from narrative.extract.model import predict_windows
    from narrative.extract.modelfolder import ModelFolder, quiet_transformers
    from narrative.extract.pipeline import Extractor
    from narrative.records import RedactedNote
    from narrative.train.dataset import build_windows, gold_redact
    from narrative.train.evaluate import evaluate

    torch.set_num_threads(args.threads)
    quiet_transformers()
    folder = ModelFolder.load(args.model, precision=args.precision)
    notes = [gold_redact(n) for _, ns in generate(max(1, args.notes // 5), seed=99) for n in ns][:args.notes]
    sentences = [w.text for n in notes for w in build_windows([n])]
    print(f"model {folder.model_version} in {str(folder.classifier.model_.dtype).removeprefix('torch.')} "
          f"(--precision {args.precision}); {len(notes)} generated notes, {len(sentences)} sentences; "
          f"{args.threads} threads")

    def timed(label, run):
        started = time.perf_counter()
        run()
        seconds = time.perf_counter() - started
        print(f"  {label:48s} {len(sentences) / seconds:8.1f} sentences/s")
        return seconds

    baseline = plain_classifier_pipeline(len(folder.taxonomy.codes))
    base_s = timed("baseline: transformers pipeline, fp32, 1/call", lambda: [baseline(s) for s in sentences])
    ours_s = timed("narrative: length batches + inference_mode", lambda: folder.predict(sentences))
    print(f"  ratio narrative / baseline: {base_s / ours_s:.2f}x (target >= 2.5)")

    redacted = [RedactedNote(n.note_id, n.case_id, __import__("datetime").date.fromisoformat(n.note_date), n.text,
                             [], {"version": "bench"}) for n in notes]
    extractor = Extractor(args.model, precision=args.precision)
    started = time.perf_counter()
    list(extractor.extract_many(redacted))
    print(f"  end to end extract (windows, classifier, dates): {len(notes) / (time.perf_counter() - started):.1f} notes/s")

    reduced = {}
    if folder.classifier.model_.dtype != torch.float32:
        reduced["bf16"] = folder.classifier.model_
    fp32 = ModelFolder.load(args.model) if reduced or args.int8 else folder
    if args.int8:   # quantize_dynamic copies: fp32 stays fp32 for the F1 comparison below
        reduced["int8"] = torch.ao.quantization.quantize_dynamic(fp32.classifier.model_, {torch.nn.Linear},
                                                                 dtype=torch.qint8)
        int8_s = timed("narrative int8: + dynamic int8 Linear layers",
                       lambda: predict_windows(reduced["int8"], folder.classifier.tokenizer_, sentences))
        print(f"  ratio int8 / baseline: {base_s / int8_s:.2f}x")
    if reduced:
        corpus = load_corpus(ROOT / "annotations" / "corpus.jsonl")
        assertions = list(folder.taxonomy.assertions)
        for split in ("dev", "test"):
            windows = build_windows(corpus, split)
            texts = [w.text for w in windows]
            base = evaluate(windows, fp32.predict(texts), fp32.thresholds, fp32.taxonomy)["affirmed_mentions"]
            for name, model in reduced.items():
                predictions = with_cues(predict_windows(model, folder.classifier.tokenizer_, texts), texts,
                                        assertions, folder.assertion_strategy)
                got = evaluate(windows, predictions, folder.thresholds, folder.taxonomy)["affirmed_mentions"]
                print(f"  {split}: affirmed micro-F1 fp32 {base['micro_f1']:.3f}, {name} {got['micro_f1']:.3f} "
                      f"(change {got['micro_f1'] - base['micro_f1']:+.3f}, limit -0.01); macro-F1 fp32 "
                      f"{base['macro_f1']:.3f}, {name} {got['macro_f1']:.3f}")


if __name__ == "__main__":
    sys.exit(main())
