"""The model card: what the model is, what it was trained on, and how well it does."""

from __future__ import annotations

from narrative.extract.cues import CUE_F1_TOLERANCE
from narrative.taxonomy import Taxonomy

SYSTEM_NAMES = {"finetuned_minilm": "fine-tuned MiniLM (this model)", "tfidf_logreg": "TF-IDF + logistic regression",
                "frozen_minilm_logreg": "frozen MiniLM embeddings + logistic regression"}


def _f(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def model_card(manifest: dict, metrics: dict, taxonomy: Taxonomy) -> str:
    """Markdown for ``model_card.md``."""
    lines = [
        f"# Model card: {manifest['model_version']}",
        "",
        "Multi-task classifier over sentence windows of redacted case notes: one sigmoid per taxonomy "
        "code, and per code an assertion and an experiencer head. Base model: "
        f"{manifest['base_model']}, fine-tuned with transformers and torch.",
        "",
        "| | |", "|---|---|",
        f"| taxonomy hash | `{manifest['taxonomy_hash']}` |",
        f"| training data hash | `{manifest['training_data_hash']}` |",
        f"| windows (train / dev / test) | {manifest['windows']['train']} / {manifest['windows']['dev']} / "
        f"{manifest['windows']['test']} |",
        f"| training | {manifest['train_steps']} steps in {manifest['train_seconds']} s "
        f"({manifest['machine']['threads']} threads, torch {manifest['machine']['torch']}) |",
        f"| created | {manifest['created']} with narrative {manifest['narrative_version']} |",
        "",
        "Data: the hand-written seed corpus in `annotations/` (train split for fitting, dev for the "
        "per-code thresholds, test only for the figures below; children never cross splits)"
        + (f", plus generated notes of {manifest['parameters']['synth_children']} synthetic children "
           "for training volume" if manifest["parameters"].get("synth_children") else "")
        + (f", plus {manifest['reviews']['used']} reviewed codes (windows train / dev / test: "
           f"{manifest['reviews']['windows']['train']} / {manifest['reviews']['windows']['dev']} / "
           f"{manifest['reviews']['windows']['test']}; {len(manifest['reviews']['skipped'])} rows left out)"
           if manifest.get("reviews", {}).get("rows") else "") + ".",
        "",
        "## Results",
        "",
        "Affirmed codes (assertion present or possible) at mention level, each (window, code) scored; "
        "note level scores the affirmed codes of each note.",
        "",
        "| system | split | mention micro-F1 | mention macro-F1 | note micro-F1 | note macro-F1 | "
        "detection macro-F1 | assertion acc. | experiencer acc. | negated/hypothetical as affirmed |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, splits in metrics.items():
        for split in ("dev", "test"):
            m = splits[split]
            lines.append(
                f"| {SYSTEM_NAMES.get(name, name)} | {split} | {_f(m['affirmed_mentions']['micro_f1'])} | "
                f"{_f(m['affirmed_mentions']['macro_f1'])} | {_f(m['affirmed_notes']['micro_f1'])} | "
                f"{_f(m['affirmed_notes']['macro_f1'])} | {_f(m['detection']['macro_f1'])} | "
                f"{_f(m['assertion_accuracy'])} | {_f(m['experiencer_accuracy'])} | "
                f"{_f(m['negated_or_hypothetical_reported_affirmed'])} |")
    model = metrics["finetuned_minilm"]
    if "dates" in model["test"]:
        lines += ["", "## Event dates (this model)", "",
                  "A found mention's date is right when the linked interval overlaps the gold interval and is "
                  "no broader than it.", "", "| split | dated gold mentions | found | date right of found | "
                  "date right of all |", "|---|---|---|---|---|"]
        for split in ("dev", "test"):
            d = model[split]["dates"]
            lines.append(f"| {split} | {d['dated_gold_mentions']} | {d['found']} | {_f(d['date_correct_of_found'])} | "
                         f"{_f(d['date_correct_of_all'])} |")
    if "assertion_strategies_dev" in model:
        lines += ["", "## ConText cue rules (measured on dev)", "",
                  f"Kept: **{model['assertion_strategy']}** (of the strategies within {CUE_F1_TOLERANCE} of the best "
                  "dev macro-F1, the one reporting fewest negated/hypothetical mentions as affirmed).", "",
                  "| strategy | assertion acc. | negated/hypothetical as affirmed | mention macro-F1 |",
                  "|---|---|---|---|"]
        for strategy, row in model["assertion_strategies_dev"].items():
            lines.append(f"| {strategy} | {_f(row['assertion_accuracy'])} | "
                         f"{_f(row['negated_or_hypothetical_reported_affirmed'])} | {_f(row['affirmed_mentions_macro_f1'])} |")
    if "experiencer_rules_dev" in model:
        lines += ["", "## Family rule for the experiencer (measured on dev)", "",
                  f"Kept: **{model['experiencer_rule']}** (better dev experiencer accuracy; `aged_person_opens` "
                  "gives the child's codes to a household member when a window opens with a person whose "
                  "stated age is not the child's).", "", "| rule | experiencer acc. |", "|---|---|"]
        for rule, accuracy in model["experiencer_rules_dev"].items():
            lines.append(f"| {rule} | {_f(accuracy)} |")
    lines += ["", "## Per code (this model, test split, affirmed mentions)", "",
              "| code | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    per_code = metrics["finetuned_minilm"]["test"]["affirmed_mentions"]["per_code"]
    for code in taxonomy.code_keys:
        row = per_code[code]
        lines.append(f"| {code} | {_f(row['precision'])} | {_f(row['recall'])} | {_f(row['f1'])} | {row['support']} |")
    lines += ["", "All figures are measured by `narrative train`; `metrics.json` holds them in full.", ""]
    return "\n".join(lines)
