"""ConText-style cues: which assertion a sentence's earliest cue implies, and how it is applied."""

import numpy as np
import pytest

from narrative.extract.cues import apply_cues, cue_assertion

ASSERTIONS = ["present", "possible", "negated", "hypothetical"]


@pytest.mark.parametrize("text, expected", [
    ("No concerns of DV since he left.", "negated"),
    ("Mum denies drinking.", "negated"),
    ("He has not self-harmed since March.", "negated"),
    ("Concerns that he is being exploited.", "possible"),
    ("It is alleged that dad hit him.", "possible"),
    ("He is at risk of CCE.", "hypothetical"),
    ("If he is released he will return home.", "hypothetical"),
    ("Dad was sent to prison in 2019.", None),
    ("Denise said nothing.", None),  # "denies" must be a whole word
])
def test_earliest_cue_decides(text, expected):
    assert cue_assertion(text) == expected


def test_strategies_change_only_what_they_should():
    probs = np.zeros((2, 2, 4), dtype=np.float32)
    probs[:, 0] = [0.9, 0.05, 0.03, 0.02]   # confident "present"
    probs[:, 1] = [0.4, 0.3, 0.2, 0.1]      # unsure
    texts = ["No concerns of neglect.", "Seen at home."]
    assert apply_cues(texts, probs, ASSERTIONS, "model") is probs
    first = apply_cues(texts, probs, ASSERTIONS, "cues_first")
    assert first[0].argmax(-1).tolist() == [2, 2] and np.array_equal(first[1], probs[1])
    unsure = apply_cues(texts, probs, ASSERTIONS, "cues_when_unsure")
    assert unsure[0].argmax(-1).tolist() == [0, 2]
