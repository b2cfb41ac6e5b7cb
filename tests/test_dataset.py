"""Training windows come from gold-redacted text, with every span moved to the redacted offsets."""

from narrative.annotations.corpus import LabelledNote
from narrative.extract.windows import split_windows
from narrative.train.dataset import build_windows, gold_redact


def note(text, identifiers=(), timexes=(), mentions=()):
    return LabelledNote("n1", "c1", "2021-03-14", "train", text, identifiers=list(identifiers),
                        timexes=list(timexes), mentions=list(mentions))


def span(text, part, **extra):
    start = text.index(part)
    return {"start": start, "end": start + len(part), "text": part, **extra}


def test_gold_redaction_moves_every_span_and_links_name_variants():
    text = "Kai SMITH said Darren went to prison in October 2019. Kai is sad. Mum rang."
    source = note(text,
                  identifiers=[span(text, "Kai SMITH", label="PERSON"), span(text, "Darren", label="PERSON"),
                               {**span(text, "Kai is"), "end": text.index("Kai is") + 3, "text": "Kai", "label": "PERSON"}],
                  timexes=[span(text, "October 2019", id="t1")],
                  mentions=[span(text, "Darren went to prison in October 2019", code="imprisonment",
                                 experiencer="parent_carer", assertion="present", date="t1")])
    out = gold_redact(source)
    assert out.text == "[PERSON_1] said [PERSON_2] went to prison in October 2019. [PERSON_1] is sad. Mum rang."
    assert out.mentions[0]["text"] == "[PERSON_2] went to prison in October 2019"
    assert out.text[out.timexes[0]["start"]:out.timexes[0]["end"]] == "October 2019"
    assert out.identifiers == []


def test_each_mention_goes_to_the_window_it_overlaps_most():
    text = "Mum drinks. No concerns about dad's drinking. Seen at home."
    source = note(text, mentions=[
        span(text, "Mum drinks", code="substance_misuse", experiencer="parent_carer", assertion="present", date=None),
        span(text, "No concerns about dad's drinking", code="substance_misuse", experiencer="parent_carer",
             assertion="negated", date=None)])
    windows = build_windows([source])
    assert [w.text for w in windows] == [w.text for w in split_windows(text)]
    assert [w.labels for w in windows] == [{"substance_misuse": ("present", "parent_carer")},
                                           {"substance_misuse": ("negated", "parent_carer")}, {}]


def _windows_and_predictions(labels_and_scores):
    import numpy as np

    from narrative.extract.model import WindowPredictions
    from narrative.taxonomy import load_taxonomy
    from narrative.train.dataset import WindowExample

    taxonomy = load_taxonomy()
    code = taxonomy.code_keys[0]
    windows = [WindowExample("n", "c", "dev", 0, 1, "x", {code: ("present", "child")} if positive else {})
               for positive, _ in labels_and_scores]
    codes = np.zeros((len(windows), len(taxonomy.code_keys)), dtype=np.float32)
    codes[:, 0] = [score for _, score in labels_and_scores]
    n, c = codes.shape
    return taxonomy, code, windows, WindowPredictions(codes, np.zeros((n, c, 4)), np.zeros((n, c, 4)))


def test_thresholds_move_from_one_half_only_on_enough_evidence():
    """Three positives whose best F1 sits at 0.85 are noise: 0.5 stays. Fifty positives scored
    0.2 to 0.4 against negatives at 0.05 move it down to 0.2: of the thresholds with the best F1
    (0.1 to 0.2), the one nearest 0.5; 0.25 would miss a quarter of them."""
    from narrative.train.evaluate import tune_thresholds

    few = [(True, 0.9), (True, 0.9), (True, 0.9), (False, 0.8), (False, 0.6)] + [(False, 0.01)] * 50
    taxonomy, code, windows, predictions = _windows_and_predictions(few)
    assert tune_thresholds(windows, predictions, taxonomy)[code] == 0.5
    many = [(True, 0.2 + 0.2 * k / 50) for k in range(50)] + [(False, 0.05)] * 200
    taxonomy, code, windows, predictions = _windows_and_predictions(many)
    assert tune_thresholds(windows, predictions, taxonomy)[code] == 0.2
