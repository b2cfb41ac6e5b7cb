"""The two baselines the fine-tuned model must beat, with the same fit/predict contract.

- ``TfidfBaseline``: TF-IDF word and character n-grams, one logistic regression per code;
- ``FrozenEmbeddingBaseline``: mean-pooled all-MiniLM-L6-v2 sentence embeddings (not fine-tuned),
  one logistic regression per code.
Both predict assertion and experiencer with one multinomial logistic regression each, trained on
the windows that carry a code.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import torch
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from transformers import AutoModel, AutoTokenizer

from narrative.extract.model import WindowPredictions, length_batches, mean_pool
from narrative.taxonomy import Taxonomy
from narrative.train.dataset import WindowExample
from narrative.train.finetune import base_model_path, label_arrays


class _LogisticHeads(ABC):
    """Per-code binary logistic regressions plus assertion and experiencer classifiers."""

    def __init__(self, taxonomy: Taxonomy, C: float = 4.0, seed: int = 13):
        self.taxonomy = taxonomy
        self.C = C
        self.seed = seed

    @abstractmethod
    def _features(self, texts: list[str], fitting: bool):
        """The feature matrix of ``texts``; ``fitting`` learns the featuriser first."""

    def fit(self, windows: list[WindowExample]):
        features = self._features([w.text for w in windows], fitting=True)
        y_codes, y_assert, y_exp = label_arrays(windows, self.taxonomy)
        self.code_models_ = []
        for j in range(y_codes.shape[1]):
            column = y_codes[:, j]
            if column.min() == column.max():
                self.code_models_.append(float(column[0]))
                continue
            model = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced", random_state=self.seed)
            self.code_models_.append(model.fit(features, column))
        rows, cols = np.nonzero(y_assert != -100)
        self.assertion_ = LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed).fit(
            features[rows], y_assert[rows, cols])
        self.experiencer_ = LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed).fit(
            features[rows], y_exp[rows, cols])
        return self

    @staticmethod
    def _spread(model: LogisticRegression, features, n_classes: int) -> np.ndarray:
        probs = np.zeros((features.shape[0], n_classes), dtype=np.float32)
        probs[:, model.classes_] = model.predict_proba(features)
        return probs

    def predict(self, texts: list[str]) -> WindowPredictions:
        features = self._features(texts, fitting=False)
        n, n_codes = len(texts), len(self.code_models_)
        codes = np.zeros((n, n_codes), dtype=np.float32)
        for j, model in enumerate(self.code_models_):
            codes[:, j] = model if isinstance(model, float) else model.predict_proba(features)[:, 1]
        assertion = self._spread(self.assertion_, features, len(self.taxonomy.assertions))
        experiencer = self._spread(self.experiencer_, features, len(self.taxonomy.experiencers))
        return WindowPredictions(codes, np.repeat(assertion[:, None, :], n_codes, axis=1),
                                 np.repeat(experiencer[:, None, :], n_codes, axis=1))


class TfidfBaseline(_LogisticHeads):
    """TF-IDF (words 1-2, characters 3-5) + logistic regression."""

    def _features(self, texts, fitting):
        if fitting:
            self.words_ = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True)
            self.chars_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True)
            return hstack([self.words_.fit_transform(texts), self.chars_.fit_transform(texts)]).tocsr()
        return hstack([self.words_.transform(texts), self.chars_.transform(texts)]).tocsr()


class FrozenEmbeddingBaseline(_LogisticHeads):
    """all-MiniLM-L6-v2 embeddings, frozen, + logistic regression."""

    @torch.inference_mode()
    def _features(self, texts, fitting):
        if fitting:
            self.tokenizer_ = AutoTokenizer.from_pretrained(base_model_path())
            self.encoder_ = AutoModel.from_pretrained(base_model_path()).eval()
        encoded = self.tokenizer_(texts, truncation=True, max_length=128)
        vectors = np.zeros((len(texts), self.encoder_.config.hidden_size), dtype=np.float32)
        for batch in length_batches([len(ids) for ids in encoded["input_ids"]], 64):
            inputs = self.tokenizer_.pad({"input_ids": [encoded["input_ids"][i] for i in batch],
                                          "attention_mask": [encoded["attention_mask"][i] for i in batch]},
                                         return_tensors="pt")
            hidden = self.encoder_(**inputs).last_hidden_state
            pooled = torch.nn.functional.normalize(mean_pool(hidden, inputs["attention_mask"]), dim=-1)
            vectors[batch] = pooled.numpy()
        return vectors
