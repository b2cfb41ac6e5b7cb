"""Experiment records: every training run's parameters and headline metrics, side by side.

Each run writes ``run.json`` into its model folder and appends the same record to ``runs.jsonl``
in the folder above (``models/runs.jsonl`` for ``--out models/NAME``). When MLflow is installed
the run is also logged there (tracking URI from ``MLFLOW_TRACKING_URI``, MLflow's default
otherwise); MLflow is optional and never required.
"""

from __future__ import annotations

import json
from pathlib import Path

RUN = "run.json"
RUNS_LOG = "runs.jsonl"


def headline(metrics: dict) -> dict[str, float | None]:
    """The flat figures worth comparing between runs (fine-tuned model, dev and test)."""
    model = metrics["finetuned_minilm"]
    out = {}
    for split in ("dev", "test"):
        m = model[split]
        out.update({f"{split}_mention_micro_f1": m["affirmed_mentions"]["micro_f1"],
                    f"{split}_mention_macro_f1": m["affirmed_mentions"]["macro_f1"],
                    f"{split}_note_macro_f1": m["affirmed_notes"]["macro_f1"],
                    f"{split}_assertion_accuracy": m["assertion_accuracy"],
                    f"{split}_experiencer_accuracy": m["experiencer_accuracy"]})
    return out


def _flat(prefix: str, value, out: dict) -> dict:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flat(f"{prefix}.{key}" if prefix else key, inner, out)
    else:
        out[prefix] = value
    return out


def log_mlflow(record: dict) -> str | None:
    """Log ``record`` as one MLflow run; the run id, or None when MLflow is not installed."""
    try:
        import mlflow
    except ImportError:
        return None
    with mlflow.start_run(run_name=record["model_version"]) as run:
        mlflow.log_params({k: str(v) for k, v in _flat("", record["parameters"], {}).items()})
        mlflow.log_metrics({k: v for k, v in record["metrics"].items() if v is not None})
        mlflow.set_tags({"model_version": record["model_version"], "folder": record["folder"],
                         "training_data_hash": record["training_data_hash"], "taxonomy_hash": record["taxonomy_hash"]})
        return run.info.run_id


def record_run(folder: Path, manifest: dict, metrics: dict) -> dict:
    """Write ``run.json``, append to ``runs.jsonl`` beside the folder, log to MLflow if present."""
    folder = Path(folder)
    record = {"model_version": manifest["model_version"], "folder": str(folder), "created": manifest["created"],
              "training_data_hash": manifest["training_data_hash"], "taxonomy_hash": manifest["taxonomy_hash"],
              "parameters": manifest["parameters"], "windows": manifest["windows"],
              "reviews_used": manifest.get("reviews", {}).get("used", 0), "train_steps": manifest["train_steps"],
              "train_seconds": manifest["train_seconds"], "device": manifest["machine"].get("device", "cpu"),
              "metrics": headline(metrics)}
    record["mlflow_run_id"] = log_mlflow(record)
    (folder / RUN).write_text(json.dumps(record, indent=2), encoding="utf-8")
    with (folder.resolve().parent / RUNS_LOG).open("a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
    return record


def read_runs(models_dir: Path) -> list[dict]:
    """The records of ``runs.jsonl`` in ``models_dir``, oldest first (none when there is no log)."""
    path = Path(models_dir) / RUNS_LOG
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
