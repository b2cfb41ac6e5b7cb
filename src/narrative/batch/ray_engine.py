"""The Ray engine: the batch job's two heavy stages run with Ray Data, the bookkeeping in the driver.

Units are taken in windows; each window is a Ray dataset of units (one row per unit, so a stage
sees exactly the notes the local engine gives it and the output is the same). Redaction's find
stage fans out over CPU actors (``map_batches`` with a callable class, one model load per actor);
the driver numbers people in input order; the classifier runs on one GPU actor when the cluster
has a GPU (bf16), else on CPU actors; the driver commits each unit in order, so ``--resume``
works as with the local engine. ``RAY_ADDRESS`` sends the job to a cluster: its workers must be
able to import narrative and read the model folder at the same path; the inputs and the output
folder stay on the driver.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable

from narrative.batch.job import BatchError, Job, Settings, merge_results
from narrative.batch.stages import ExtractStage, FindStage
from narrative.io import Reject, chunks

WINDOW_UNITS_PER_WORKER = 8


class _RayStage:
    """Adapts a stage to Ray Data batches: a column of pickled unit payloads in and out."""

    stage: type

    def __init__(self, settings: Settings):
        self.run = self.stage(settings)

    def __call__(self, batch: dict) -> dict:
        return {"unit": batch["unit"], "payload": [pickle.dumps(self.run(pickle.loads(p))) for p in batch["payload"]]}


class RayFind(_RayStage):
    stage = FindStage


class RayExtract(_RayStage):
    stage = ExtractStage


def _map(rows: list[tuple[int, list]], stage: type, settings: Settings, **resources) -> dict[int, list]:
    import ray

    dataset = ray.data.from_items([{"unit": index, "payload": pickle.dumps(items)} for index, items in rows])
    mapped = dataset.map_batches(stage, fn_constructor_args=(settings,), batch_size=1, **resources)
    return {row["unit"]: pickle.loads(row["payload"]) for row in mapped.iter_rows()}


def run_ray(job: Job, workers: int, on_progress: Callable[[int], None] | None = None) -> None:
    """Process the job's remaining units on Ray (the running Ray, ``RAY_ADDRESS``'s cluster, or a
    local one with ``workers`` CPUs)."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
    except ImportError:
        raise BatchError("--engine ray needs Ray: install narrative with its batch extra "
                         "(pip install 'narrative[batch]')") from None

    if not ray.is_initialized():
        ray.init(num_cpus=None if os.environ.get("RAY_ADDRESS") else workers, include_dashboard=False,
                 log_to_driver=False, logging_level=logging.ERROR)
    ray.data.DataContext.get_current().enable_progress_bars = False
    gpu = ray.cluster_resources().get("GPU", 0) >= 1
    classify = {"concurrency": 1, "num_gpus": 1} if gpu else {"concurrency": workers, "num_cpus": 1}
    for window in chunks(job.units(), WINDOW_UNITS_PER_WORKER * workers):
        found = _map([(u.index, u.notes) for u in window], RayFind, job.settings, concurrency=workers, num_cpus=1)
        redacted = {u.index: job.redact(u, found[u.index]) for u in window}
        extracted = _map([(u.index, [r for r in redacted[u.index] if not isinstance(r, Reject)]) for u in window],
                         RayExtract, job.settings, **classify)
        for unit in window:
            job.commit(unit, merge_results(redacted[unit.index], extracted[unit.index]))
            if on_progress:
                on_progress(len(unit.items))
