"""The second annotation of dev and test (``annotations/agreement``) still fits the corpus windows."""

import json
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from annotator_agreement import SECOND, second_predictions  # noqa: E402


@pytest.mark.parametrize("split", ["dev", "test"])
def test_second_annotation_lines_up_with_the_windows_and_mostly_agrees(corpus, split):
    from narrative.taxonomy import load_taxonomy
    from narrative.train.dataset import build_windows
    from narrative.train.evaluate import evaluate

    taxonomy = load_taxonomy()
    windows = build_windows(corpus, split)
    predictions = second_predictions(windows, taxonomy)  # exits if a window's text changed
    notes = {w.note_id for w in windows}
    rows = [json.loads(line) for line in SECOND.read_text(encoding="utf-8").splitlines() if line.strip()]
    # every line of this split's notes found its window
    assert (predictions.codes.sum(axis=1) > 0).sum() == sum(row["note_id"] in notes for row in rows) > 200
    result = evaluate(windows, predictions, {c: 0.5 for c in taxonomy.code_keys}, taxonomy)
    # windows shifted by one would agree with gold on almost nothing
    assert result["affirmed_mentions"]["micro_f1"] > 0.85
