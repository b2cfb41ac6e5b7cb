"""``narrative batch``: redact and extract many notes files into shards, resumably.

The local engine runs the stages in ``workers`` processes (spawned, one model load per worker and
stage, one torch thread each) and keeps a few units in flight: a unit goes to the find stage, its
people are numbered here in input order, it goes to the extract stage, and it is committed in
order. The Ray engine (``narrative.batch.ray_engine``) runs the same stages with Ray Data.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from narrative.batch.job import DEFAULT_UNIT_SIZE, BatchError, Job, Settings, Unit, expand_inputs, merge_results
from narrative.extract.model import PRECISIONS
from narrative.extract.modelfolder import MANIFEST, ModelError
from narrative.io import Reject, read_raw

_STAGES: dict = {}


@dataclass
class BatchSummary:
    processed: int
    failed: int
    seconds: float
    notes_this_run: int
    out: Path

    @property
    def total(self) -> int:
        return self.processed + self.failed

    @property
    def rate(self) -> float:
        """Input records per second in this run (a resumed run counts only what it did)."""
        return self.notes_this_run / self.seconds if self.seconds else 0.0


def count_records(paths: list[Path]) -> int:
    """How many input records the files hold (for the progress bar's ETA); reads, never parses."""
    return sum(1 for path in paths for _ in read_raw(path))


def run_batch(notes: list[str | Path], out_dir: str | Path, *, model_dir: str | Path,
              cases_path: str | Path | None = None, profile: str | None = None,
              config_path: str | Path | None = None, key_file: str | Path | None = None, workers: int = 1,
              resume: bool = False, engine: str = "local", unit_size: int = DEFAULT_UNIT_SIZE,
              precision: str = "auto", on_start: Callable[[int, int], None] | None = None,
              on_progress: Callable[[int], None] | None = None) -> BatchSummary:
    """Redact and extract every record of ``notes`` into ``out_dir`` (shards and manifests).

    ``on_start(total_records, already_done)`` and ``on_progress(records)`` feed a progress bar.
    """
    if workers < 1:
        raise BatchError("--workers must be at least 1")
    inputs = expand_inputs(notes)
    if not (Path(model_dir) / MANIFEST).is_file():
        raise ModelError(f"{model_dir}: not a narrative model folder (no {MANIFEST}); train one with `narrative train`")
    if precision not in PRECISIONS:
        raise BatchError(f"unknown precision {precision!r} (use {', '.join(PRECISIONS)})")
    settings = Settings(str(model_dir), str(cases_path) if cases_path else None, profile,
                        str(config_path) if config_path else None, precision)
    job = Job(inputs, out_dir, settings, unit_size=unit_size, resume=resume, key_file=key_file)
    done_before = job.processed + job.failed
    if on_start:
        on_start(count_records(inputs), done_before)
    started = time.perf_counter()
    if engine == "local":
        run_local(job, workers, on_progress)
    elif engine == "ray":
        from narrative.batch.ray_engine import run_ray
        run_ray(job, workers, on_progress)
    else:
        raise BatchError(f"unknown engine {engine!r} (use local or ray)")
    return BatchSummary(job.processed, job.failed, time.perf_counter() - started,
                        job.processed + job.failed - done_before, job.out)


def _worker_stage(name: str, settings: Settings):
    if name not in _STAGES:
        from narrative.batch import stages
        _STAGES[name] = getattr(stages, name)(settings)
    return _STAGES[name]


def _find(settings: Settings, notes):
    return _worker_stage("FindStage", settings)(notes)


def _extract(settings: Settings, notes):
    return _worker_stage("ExtractStage", settings)(notes)


def run_local(job: Job, workers: int, on_progress: Callable[[int], None] | None = None) -> None:
    """Process the job's remaining units with a pool of ``workers`` spawned processes."""
    ahead = 2 * workers
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        try:
            _pipeline(job, pool, ahead, on_progress)
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def _pipeline(job: Job, pool: ProcessPoolExecutor, ahead: int, on_progress: Callable[[int], None] | None) -> None:
    """Keep up to ``ahead`` units in flight; commit them in order."""
    units = job.units()
    finding: deque[tuple[Unit, Future]] = deque()
    extracting: deque[tuple[Unit, list, Future]] = deque()
    exhausted = False
    while True:
        while not exhausted and len(finding) + len(extracting) < ahead:
            unit = next(units, None)
            if unit is None:
                exhausted = True
            else:
                finding.append((unit, pool.submit(_find, job.settings, unit.notes)))
        if extracting and (extracting[0][2].done() or not finding):
            unit, redacted, future = extracting.popleft()
            job.commit(unit, merge_results(redacted, future.result()))
            if on_progress:
                on_progress(len(unit.items))
        elif finding:
            unit, future = finding.popleft()
            redacted = job.redact(unit, future.result())
            ready = [r for r in redacted if not isinstance(r, Reject)]
            extracting.append((unit, redacted, pool.submit(_extract, job.settings, ready)))
        else:
            break
