"""The multi-task classifier: a MiniLM encoder with three heads over each sentence window.

- codes: one sigmoid per taxonomy code (is the code mentioned in this window?);
- assertion: per code, a softmax over the taxonomy's assertions;
- experiencer: per code, a softmax over the taxonomy's experiencers.

The assertion and experiencer losses count only where the code is mentioned. The whole model
(encoder and heads) saves and loads with ``save_pretrained`` / ``from_pretrained``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from transformers import BertConfig, BertModel, BertPreTrainedModel

MAX_TOKENS = 128
# A redaction placeholder ("[PERSON_3]", "[ADDRESS]"): its type, and its number if it has one.
PLACEHOLDER = re.compile(r"\[([A-Z][A-Z_]*[A-Z])(?:_\d+)?\]")
# How the classifier's weights are held when serving: "auto" is bf16 on a GPU or on a CPU with
# native bf16 arithmetic (AVX512-BF16 or AMX), else fp32. Training and evaluation use fp32.
PRECISIONS = ("auto", "fp32", "bf16")


class NarrativeConfig(BertConfig):
    """A BERT config that also names the codes, assertions and experiencers of the heads."""

    model_type = "narrative-minilm"

    def __init__(self, codes=(), assertions=(), experiencers=(), taxonomy_hash="", code_pos_weight=1.0,
                 placeholder_tokens=(), **kwargs):
        super().__init__(**kwargs)
        self.placeholder_tokens = list(placeholder_tokens)
        self.code_pos_weight = code_pos_weight
        self.codes = list(codes)
        self.assertions = list(assertions)
        self.experiencers = list(experiencers)
        self.taxonomy_hash = taxonomy_hash


def model_inputs(config: NarrativeConfig, texts: list[str]) -> list[str]:
    """The texts as the classifier reads them: each redaction placeholder that the model has a
    token for becomes that one token, its number dropped ("[PERSON_3]" -> "[PERSON]"). Numbers
    are per case and say nothing about the event; as word pieces ("[", "person", "_", "3", "]")
    they were a fifth of the tokens of a redacted note. Models without placeholder tokens read
    the texts unchanged."""
    known = set(config.placeholder_tokens)
    if not known:
        return texts

    def token(match: re.Match) -> str:
        name = f"[{match.group(1)}]"
        return name if name in known else match.group(0)

    return [PLACEHOLDER.sub(token, text) for text in texts]


def add_placeholder_tokens(model: "NarrativeClassifier", tokenizer, types: list[str]) -> None:
    """Give ``model`` and ``tokenizer`` one token per placeholder type ("[PERSON]" ...), each
    embedding started at the mean of the word pieces it replaces, and record them in the config."""
    tokens = [f"[{t}]" for t in types]
    pieces = [tokenizer(token, add_special_tokens=False)["input_ids"] for token in tokens]
    tokenizer.add_tokens(tokens, special_tokens=True)
    model.resize_token_embeddings(len(tokenizer), mean_resizing=False)
    embeddings = model.get_input_embeddings().weight
    with torch.no_grad():
        for token, ids in zip(tokens, pieces):
            embeddings[tokenizer.convert_tokens_to_ids(token)] = embeddings[ids].mean(0)
    model.config.placeholder_tokens = tokens


def encode(model: "NarrativeClassifier", tokenizer, texts: list[str]) -> dict:
    """Token ids and attention masks of ``texts`` as ``model`` reads them (truncated)."""
    return tokenizer(model_inputs(model.config, texts), truncation=True, max_length=MAX_TOKENS)


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The mean of the token vectors, padding excluded (as sentence-transformers pools MiniLM)."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)


class NarrativeClassifier(BertPreTrainedModel):
    config_class = NarrativeConfig

    def __init__(self, config: NarrativeConfig):
        super().__init__(config)
        n_codes = len(config.codes)
        self.bert = BertModel(config, add_pooling_layer=False)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.code_head = nn.Linear(config.hidden_size, n_codes)
        self.assertion_head = nn.Linear(config.hidden_size, n_codes * len(config.assertions))
        self.experiencer_head = nn.Linear(config.hidden_size, n_codes * len(config.experiencers))
        self.post_init()

    def forward(self, input_ids, attention_mask, token_type_ids=None, codes=None, assertions=None,
                experiencers=None):
        """Logits for each head; with labels, also the summed loss.

        ``codes`` is a float tensor (batch, n_codes); ``assertions`` and ``experiencers`` are
        long tensors (batch, n_codes) holding -100 where the code is absent.
        """
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                           token_type_ids=token_type_ids).last_hidden_state
        pooled = self.dropout(mean_pool(hidden, attention_mask))
        batch, n_codes = pooled.shape[0], len(self.config.codes)
        out = {
            "codes": self.code_head(pooled),
            "assertions": self.assertion_head(pooled).view(batch, n_codes, -1),
            "experiencers": self.experiencer_head(pooled).view(batch, n_codes, -1),
        }
        if codes is not None:
            pos_weight = torch.full((n_codes,), float(self.config.code_pos_weight), device=codes.device)
            loss = nn.functional.binary_cross_entropy_with_logits(out["codes"], codes, pos_weight=pos_weight)
            for name, labels in (("assertions", assertions), ("experiencers", experiencers)):
                if labels is not None and (labels != -100).any():
                    logits = out[name]
                    loss = loss + nn.functional.cross_entropy(
                        logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
            out["loss"] = loss
        return out


def native_bf16() -> bool:
    """Whether this CPU computes in bf16 natively (where bf16 is faster than fp32, not slower)."""
    cpu = torch.cpu
    return any(getattr(cpu, name, lambda: False)() for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"))


def serving_dtype(precision: str, device: str = "cpu") -> torch.dtype:
    """The dtype a classifier serves in for ``precision`` (one of :data:`PRECISIONS`)."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r} (use {', '.join(PRECISIONS)})")
    if precision == "auto":
        precision = "bf16" if device == "cuda" or native_bf16() else "fp32"
    return torch.bfloat16 if precision == "bf16" else torch.float32


@dataclass
class WindowPredictions:
    """Per window: code probabilities (n, C); assertion (n, C, A) and experiencer (n, C, E) ones."""

    codes: np.ndarray
    assertions: np.ndarray
    experiencers: np.ndarray


def length_batches(lengths: list[int], batch_size: int, rng: random.Random | None = None) -> list[list[int]]:
    """Indices grouped into batches of similar length (shuffled batches when ``rng`` is given)."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    if rng is not None:  # sort within shuffled chunks, so batches differ between epochs
        rng.shuffle(order)
        chunk = batch_size * 50
        order = [i for k in range(0, len(order), chunk) for i in sorted(order[k:k + chunk], key=lengths.__getitem__)]
    batches = [order[k:k + batch_size] for k in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


@torch.inference_mode()
def predict_windows(model: NarrativeClassifier, tokenizer, texts: list[str], batch_size: int = 16) -> WindowPredictions:
    """Probabilities for each text; batches are formed by length for speed (small batches of
    near-equal length pad least, and run fastest on one CPU thread)."""
    n, n_codes = len(texts), len(model.config.codes)
    codes = np.zeros((n, n_codes), dtype=np.float32)
    assertions = np.zeros((n, n_codes, len(model.config.assertions)), dtype=np.float32)
    experiencers = np.zeros((n, n_codes, len(model.config.experiencers)), dtype=np.float32)
    if not n:
        return WindowPredictions(codes, assertions, experiencers)
    encoded = encode(model, tokenizer, texts)
    for batch in length_batches([len(ids) for ids in encoded["input_ids"]], batch_size):
        inputs = tokenizer.pad({"input_ids": [encoded["input_ids"][i] for i in batch],
                                "attention_mask": [encoded["attention_mask"][i] for i in batch]},
                               return_tensors="pt").to(model.device)
        out = {k: v.float().cpu() for k, v in model(**inputs).items()}
        codes[batch] = torch.sigmoid(out["codes"]).numpy()
        assertions[batch] = torch.softmax(out["assertions"], -1).numpy()
        experiencers[batch] = torch.softmax(out["experiencers"], -1).numpy()
    return WindowPredictions(codes, assertions, experiencers)


def decide(predictions: WindowPredictions, thresholds: dict[str, float], codes: list[str],
           assertions: list[str], experiencers: list[str]) -> list[list[tuple[str, str, str, float]]]:
    """Per window, the codes that reach their threshold, with assertion, experiencer and score."""
    limits = np.array([thresholds[c] for c in codes])
    found = []
    for i in range(predictions.codes.shape[0]):
        found.append([(codes[j], assertions[int(predictions.assertions[i, j].argmax())],
                       experiencers[int(predictions.experiencers[i, j].argmax())],
                       float(predictions.codes[i, j]))
                      for j in np.flatnonzero(predictions.codes[i] >= limits)])
    return found
