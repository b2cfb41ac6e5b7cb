"""The two heavy stages of a batch unit, as callable classes that load their models once.

``FindStage`` runs spaCy and Presidio over a unit's notes (the one spaCy parse of each note) and
returns the identifiers found, offsets only; ``ExtractStage`` runs the classifier and the
temporal stage over a unit's redacted notes (on the GPU where the process has one, in the
job's precision). Extraction cuts sentence windows with its own rules,
so there is no second spaCy parse to share. Each process or actor pins torch to one thread: the
parallelism is across workers.
"""

from __future__ import annotations

import os
import secrets

from narrative.batch.job import Settings
from narrative.io import Reject
from narrative.records import Note, RedactedNote, Suggestions
from narrative.redact.engine import Finding

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TOKENIZERS_PARALLELISM")


def pin_threads() -> None:
    """One compute thread per worker (torch, BLAS, tokenizers), offline model loading."""
    for name in THREAD_VARIABLES:
        os.environ[name] = "false" if name == "TOKENIZERS_PARALLELISM" else "1"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch

    torch.set_num_threads(1)


class FindStage:
    """Finds the identifiers in a unit's notes; placeholders are numbered later, in the driver."""

    def __init__(self, settings: Settings):
        pin_threads()
        from narrative.redact import PseudonymMap, RedactionConfig, Redactor

        config = RedactionConfig.load(settings.config_path, settings.profile)
        # This stage never numbers people, so its map is a throwaway that never sees the job's key.
        self.redactor = Redactor(config, pseudonyms=PseudonymMap(secrets.token_bytes(32)), cases=settings.cases())

    def __call__(self, notes: list[Note]) -> list[list[Finding] | Reject]:
        return list(self.redactor.find_many(notes))


class ExtractStage:
    """Suggestions for a unit's redacted notes."""

    def __init__(self, settings: Settings):
        pin_threads()
        import torch

        from narrative.extract.pipeline import Extractor

        # a GPU actor runs the classifier on the GPU (bf16 under the default precision, auto)
        self.extractor = Extractor(settings.model_dir, settings.cases(), precision=settings.precision,
                                   device="cuda" if torch.cuda.is_available() else "cpu")

    def __call__(self, notes: list[RedactedNote]) -> list[Suggestions | Reject]:
        return list(self.extractor.extract_many(notes))
