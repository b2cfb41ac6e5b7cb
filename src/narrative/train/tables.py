"""Rich tables for ``narrative models``: versions, runs and comparisons."""

from __future__ import annotations

from rich.table import Table

from narrative.train.registry import Version


def _f(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _ci(value, interval) -> str:
    return f"{_f(value)} [{_f(interval[0])}, {_f(interval[1])}]"


def versions_table(found: list[Version]) -> Table:
    """One row per model version, the one in service marked."""
    table = Table("", "version", "model_version", "created (UTC)", "data hash", "reviews", "steps",
                  "test micro-F1", "test macro-F1", title="models (* in service)")
    for v in found:
        test = v.test_metrics().get("affirmed_mentions", {})
        table.add_row("*" if v.in_service else "", v.name, v.model_version,
                      v.manifest.get("created", "")[:16].replace("T", " "), v.manifest.get("training_data_hash", "")[:8], str(v.manifest.get("reviews", {}).get("used", 0)),
                      str(v.manifest.get("train_steps", "")), _f(test.get("micro_f1")), _f(test.get("macro_f1")))
    return table


def runs_table(runs: list[dict]) -> Table:
    """The experiment records of ``runs.jsonl``, side by side."""
    table = Table("created", "folder", "model_version", "epochs", "steps", "seed", "reviews", "seconds", "device",
                  "dev macro-F1", "test micro-F1", "test macro-F1", "assertion acc.", title="training runs")
    for run in runs:
        p, m = run["parameters"], run["metrics"]
        table.add_row(run["created"][:16].replace("T", " "), run["folder"], run["model_version"], str(p.get("epochs")),
                      str(run["train_steps"]), str(p.get("seed")), str(run.get("reviews_used", 0)),
                      str(run["train_seconds"]), run.get("device", "cpu"), _f(m["dev_mention_macro_f1"]),
                      _f(m["test_mention_micro_f1"]), _f(m["test_mention_macro_f1"]), _f(m["test_assertion_accuracy"]))
    return table


def comparison_tables(report: dict) -> list[Table]:
    """Summary (with the paired difference), per code, and the breakdown by the grouping field."""
    names = list(report["models"])
    models = [report["models"][n] for n in names]
    test = report["test"]
    summary = Table("metric (test)", *names, *(["difference"] if "difference" in report else []),
                    title=f"{test['windows']} windows of {test['notes']} notes; 95% bootstrap CIs over notes "
                          f"({test['resamples']} resamples)")
    for key, label in (("micro_f1", "mention micro-F1"), ("macro_f1", "mention macro-F1")):
        extra = []
        if "difference" in report:
            extra = [_ci(report["difference"][key]["value"], report["difference"][key]["ci"])]
        summary.add_row(label, *(_ci(m[key], m[f"{key}_ci"]) for m in models), *extra)
    for key, label in (("ece", "calibration error (ECE)"), ("assertion_accuracy", "assertion accuracy"),
                       ("experiencer_accuracy", "experiencer accuracy")):
        summary.add_row(label, *(_f(m[key]) for m in models), *([""] if "difference" in report else []))
    per_code = Table("code", "support", *(f"{n} P / R / F1 [F1 CI]" for n in names), title="per code")
    for code, row in models[0]["per_code"].items():
        cells = []
        for m in models:
            r = m["per_code"][code]
            cells.append(f"{_f(r['precision'])} / {_f(r['recall'])} / {_ci(r['f1'], r['ci']['f1'])}")
        per_code.add_row(code, str(row["support"]), *cells)
    groups = Table(test["group_by"], "notes", *(f"{n} micro / macro F1" for n in names), title=f"by {test['group_by']}")
    for value, row in models[0]["by"].items():
        groups.add_row(value, str(row["notes"]),
                       *(f"{_f(m['by'][value]['micro_f1'])} / {_f(m['by'][value]['macro_f1'])}" for m in models))
    return [summary, per_code, groups]
