"""Batch speed: end-to-end notes/s per worker of ``narrative batch`` (local engine) against a naive
loop, on the same generated 240-word notes in the same run; peak memory per worker; the
projection for one million notes in core-hours.

    .venv/bin/python benchmarks/batch_speed.py [--notes 80] [--workers 1] [--unit-size 10]
                                               [--model models/default]

- narrative: ``run_batch`` (the code behind ``narrative batch``) with ``--workers`` spawned worker
  processes, one torch thread each, the cases file given, the classifier in ``--precision`` (auto,
  as ``narrative batch`` runs by default: bf16 on a CPU with native bf16, else fp32). Its rate is taken in steady state:
  notes committed after the first unit divided by the time from the first unit's commit to the
  last (model loads and the first unit excluded); the wall time with loads is printed too.
- naive loop (the baseline of the ratio), in this process with one torch thread: per note, stock
  Presidio ``AnalyzerEngine.analyze`` (default recognisers, the same spaCy model) and
  ``AnonymizerEngine.anonymize``, then a transformers ``pipeline`` (a MiniLM sequence classifier of
  the same size, fp32) called on the anonymised note's sentences one at a time. Models are loaded
  before the clock starts.
- Peak memory per worker: the largest resident set of any worker process (``ru_maxrss`` of the
  reaped children); the naive loop's process is printed beside it.
- Projection: 1,000,000 notes / (steady notes/s per worker) / 3600 = core-hours (one worker per
  core).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from common import ROOT, plain_classifier_pipeline, stock_presidio

TARGET_RATIO, TARGET_GB = 3.0, 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=80)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--unit-size", type=int, default=10)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--precision", default="auto", choices=("auto", "fp32", "bf16"),
                        help="narrative's classifier precision (auto: bf16 where the CPU has it natively)")
    args = parser.parse_args()
    os.environ.setdefault("NARRATIVE_PSEUDONYM_KEY", "benchmark-key-not-secret-0123456789")

    from narrative.annotations.synth import generate
    from narrative.batch import run_batch
    from narrative.taxonomy import load_taxonomy
    from narrative.extract.model import serving_dtype
    from narrative.extract.windows import split_windows
    from narrative.io import dumps

    work = Path(tempfile.mkdtemp(prefix="batch_speed-"))
    notes, cases = [], []
    for case, case_notes in generate(max(1, args.notes // 4), seed=7, target_words=240):
        cases.append(case)
        notes.extend(case_notes)
    notes = notes[:args.notes]
    (work / "notes.jsonl").write_text("".join(json.dumps({"note_id": n.note_id, "case_id": n.case_id,
                                                          "note_date": n.note_date, "text": n.text}) + "\n"
                                              for n in notes))
    (work / "cases.jsonl").write_text("".join(dumps(c) + "\n" for c in cases))
    words = sum(len(n.text.split()) for n in notes) / len(notes)
    print(f"{len(notes)} generated notes, {words:.0f} words on average; {args.workers} worker(s), "
          f"units of {args.unit_size}; {os.cpu_count()} CPUs (shared); narrative's classifier in "
          f"{str(serving_dtype(args.precision)).removeprefix('torch.')} (--precision {args.precision})")

    commits: list[tuple[float, int]] = []
    started = time.perf_counter()
    summary = run_batch([work / "notes.jsonl"], work / "out", model_dir=args.model, cases_path=work / "cases.jsonl",
                        workers=args.workers, unit_size=args.unit_size, precision=args.precision,
                        on_progress=lambda n: commits.append((time.perf_counter(), n)))
    wall = time.perf_counter() - started
    worker_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 ** 2
    steady_notes = sum(n for _, n in commits[1:])
    steady = steady_notes / (commits[-1][0] - commits[0][0]) / args.workers if len(commits) > 1 else float("nan")
    print(f"narrative batch: {summary.processed} ok, {summary.failed} failed; wall {wall:.1f} s with model loads "
          f"({summary.total / wall:.2f} notes/s); steady {steady:.2f} notes/s per worker")

    import torch
    from presidio_anonymizer import AnonymizerEngine
    torch.set_num_threads(1)
    analyzer, anonymizer = stock_presidio(), AnonymizerEngine()
    classifier = plain_classifier_pipeline(len(load_taxonomy().codes))
    started = time.perf_counter()
    for note in notes:
        redacted = anonymizer.anonymize(note.text, analyzer.analyze(note.text, "en")).text
        for window in split_windows(redacted):
            classifier(window.text)
    naive = len(notes) / (time.perf_counter() - started)
    naive_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    print(f"naive loop (stock Presidio analyze + anonymize, transformers pipeline per sentence): {naive:.2f} notes/s")

    ratio = steady / naive
    print(f"ratio narrative / naive, per worker: {ratio:.2f}x (target >= {TARGET_RATIO:g})")
    print(f"peak memory per worker: {worker_gb:.2f} GB (target <= {TARGET_GB:g}); naive loop process {naive_gb:.2f} GB")
    print(f"projection for 1,000,000 notes: {1e6 / steady / 3600:,.0f} core-hours "
          f"(naive loop: {1e6 / naive / 3600:,.0f})")


if __name__ == "__main__":
    main()
