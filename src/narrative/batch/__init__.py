"""Batch processing of historic notes: redact and extract many files into shards, resumably."""

from narrative.batch.job import BatchError, expand_inputs
from narrative.batch.runner import BatchSummary, run_batch

__all__ = ["BatchError", "BatchSummary", "expand_inputs", "run_batch"]
