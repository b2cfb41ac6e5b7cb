"""ConText-style cue rules for assertion: negation, uncertainty and hypothetical cues.

The cue lists are data (``cues.yaml``). ``cue_assertion`` gives the assertion the first cue in
a window implies, or None. Whether the rules help is measured, not assumed: ``narrative train``
scores each way of combining them with the model's assertion head on the dev split
(``ASSERTION_STRATEGIES``) and keeps, of those within ``CUE_F1_TOLERANCE`` of the best dev
macro-F1, the one that reports fewest negated or hypothetical mentions as affirmed, recording the
choice in the model folder.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from importlib import resources

import numpy as np
import yaml

# How the cue rules and the model's assertion head are combined.
ASSERTION_STRATEGIES = ("model", "cues_first", "cues_when_unsure")
UNSURE_BELOW = 0.7
# A strategy may cost this much dev macro-F1 against the best one when it reports fewer negated or
# hypothetical mentions as affirmed (a safety figure: the extraction issue's limit is 2%).
CUE_F1_TOLERANCE = 0.01


@lru_cache(maxsize=1)
def _cues() -> list[tuple[re.Pattern, str]]:
    data = yaml.safe_load(resources.files("narrative.extract").joinpath("cues.yaml").read_text("utf-8"))
    return [(re.compile(rf"(?<![\w-])(?:{'|'.join(words)})(?![\w-])", re.IGNORECASE), assertion)
            for assertion, words in data.items()]


def cue_assertion(text: str) -> str | None:
    """The assertion implied by the earliest cue in ``text`` (ties: the order of cues.yaml)."""
    found = [(m.start(), order, assertion) for order, (pattern, assertion) in enumerate(_cues())
             for m in [pattern.search(text)] if m]
    return min(found)[2] if found else None


def apply_cues(texts: list[str], assertion_probs: np.ndarray, assertions: list[str], strategy: str) -> np.ndarray:
    """Assertion probabilities (n, C, A) with the cue rules applied by ``strategy``."""
    if strategy == "model":
        return assertion_probs
    out = assertion_probs.copy()
    for i, text in enumerate(texts):
        cue = cue_assertion(text)
        if cue is None:
            continue
        one_hot = np.eye(len(assertions), dtype=out.dtype)[assertions.index(cue)]
        unsure = out[i].max(axis=-1) < UNSURE_BELOW
        mask = np.ones(out.shape[1], dtype=bool) if strategy == "cues_first" else unsure
        out[i, mask] = one_hot
    return out


def with_cues(predictions, texts: list[str], assertions: list[str], strategy: str):
    """Window predictions with their assertion probabilities passed through :func:`apply_cues`."""
    return replace(predictions, assertions=apply_cues(texts, predictions.assertions, assertions, strategy))
