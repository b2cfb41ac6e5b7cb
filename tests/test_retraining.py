"""The retraining loop: reviewed codes become training windows split by child, `narrative train`
learns from an export, `narrative extract --model` loads the result, `narrative models compare`
scores two versions on one test split, and `narrative models promote` refuses a worse model
unless forced with a reason. Trainings here run a few steps on a six-child slice of the corpus."""

import importlib.util
import json
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from narrative.cli import app
from narrative.records import ConfirmedCode, RedactedNote
from narrative.store import Store, write_confirmed_csv
from narrative.taxonomy import load_taxonomy
from narrative.extract.modelfolder import ModelFolder
from narrative.train.active import note_uncertainty, rank_notes, window_uncertainty
from narrative.train.registry import read_registry, serving_model
from narrative.train.reviews import child_split, load_reviews, read_export, review_windows

from conftest import ROOT

WHEN = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)
CHILDREN = {"C01": "train", "C02": "train", "C07": "dev", "C08": "dev", "C09": "test", "C10": "test"}


def new_child(split: str) -> str:
    """A made-up case_id that the hash puts in ``split``."""
    return next(c for c in (f"R{n:03d}" for n in range(200)) if child_split(c, {}) == split)


def row(case_id, note_id, code, decision="accepted", evidence="[PERSON_1] said dad went to prison last year.",
        assertion="present", experiencer="parent_carer", at=WHEN, key="labelstudio:p:task:1") -> ConfirmedCode:
    return ConfirmedCode(note_id=note_id, case_id=case_id, code=code, experiencer=experiencer, assertion=assertion,
                         date_start=None, date_end=None, date_precision=None, evidence=evidence, reviewer="sw1",
                         reviewed_at=at, model_version="minilm-test", decision=decision, review_key=key)


def reviewed_rows() -> list[ConfirmedCode]:
    train_child, test_child = new_child("train"), new_child("test")
    return [
        row(train_child, "R-N1", "imprisonment"),
        row(train_child, "R-N1", "bereavement", decision="rejected"),
        row(train_child, "R-N2", "domestic_abuse", decision="corrected", assertion="negated", experiencer="child",
            evidence="No concerns about domestic abuse were raised by school."),
        row(train_child, "R-N2", "young_carer", decision="added", evidence="She looks after her younger brothers."),
        # rejected at first, accepted on a later review: the later decision wins
        row(train_child, "R-N3", "mental_health", decision="rejected", evidence="Mum is under the crisis team."),
        row(train_child, "R-N3", "mental_health", evidence="Mum is under the crisis team.", at=WHEN + timedelta(days=1),
            key="labelstudio:p:task:2"),
        row(test_child, "R-N4", "substance_misuse", evidence="Dad was drinking heavily again."),
        row("C01", "C01-N01", "neglect", evidence="Home conditions v poor."),           # a seed child keeps its split
        row("C09", "C09-N01", "neglect", evidence="No food in the house."),
        row(train_child, "R-N5", "not_a_code"),
    ]


@pytest.fixture(scope="module")
def corpus_slice(tmp_path_factory):
    """Six children of the seed corpus (two per split), with their cases file."""
    folder = tmp_path_factory.mktemp("corpus")
    for name in ("corpus.jsonl", "cases.jsonl"):
        lines = (ROOT / "annotations" / name).read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if json.loads(line)["case_id"] in CHILDREN]
        (folder / name).write_text("\n".join(kept) + "\n", encoding="utf-8")
    return folder / "corpus.jsonl"


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "confirmed.csv"
    write_confirmed_csv(reviewed_rows(), path)
    with path.open("a", encoding="utf-8") as handle:   # a row that is not a valid review
        handle.write("R-N9,R999,neglect,child,present,,,,text,sw1,yesterday,,accepted,,,\n")
    return path


def test_reviews_become_windows_split_by_child():
    taxonomy = load_taxonomy()
    seed = {"C01": "train", "C09": "test"}
    data = review_windows(reviewed_rows(), taxonomy, seed)
    windows = {(w.note_id, w.text): w for w in data.windows}
    assert windows[("R-N1", "[PERSON_1] said dad went to prison last year.")].labels == {
        "imprisonment": ("present", "parent_carer")}                       # bereavement rejected: a negative
    corrected = windows[("R-N2", "No concerns about domestic abuse were raised by school.")]
    assert corrected.labels == {"domestic_abuse": ("negated", "child")}
    assert windows[("R-N2", "She looks after her younger brothers.")].labels == {"young_carer": ("present", "parent_carer")}
    assert windows[("R-N3", "Mum is under the crisis team.")].labels == {"mental_health": ("present", "parent_carer")}
    assert windows[("C01-N01", "Home conditions v poor.")].split == "train"
    assert windows[("C09-N01", "No food in the house.")].split == "test"
    assert [s["reason"] for s in data.skipped] == ["code not in this taxonomy"]
    splits_of = {}
    for w in data.windows:
        splits_of.setdefault(w.case_id, set()).add(w.split)
    assert all(len(s) == 1 for s in splits_of.values())
    assert data.summary()["used"] == len(reviewed_rows()) - 1


def test_a_childs_split_never_changes():
    seed = {"C01": "train", "C07": "dev", "C09": "test"}
    for case_id, split in seed.items():
        assert child_split(case_id, seed) == split
    new = [f"child-{n}" for n in range(300)]
    first = [child_split(c, seed) for c in new]
    assert first == [child_split(c, {**seed, "other": "dev"}) for c in new]   # stable, whatever else is known
    assert {"train", "dev", "test"} == set(first)
    assert 0.6 < first.count("train") / len(first) < 0.8


def test_uncertainty_is_highest_at_the_threshold():
    codes = np.array([[0.3, 0.0], [0.99, 1.0], [0.6, 0.2]])
    limits = np.array([0.3, 0.5])
    assert window_uncertainty(codes, limits) == pytest.approx([1.0, 0.01 / 0.7, 1 - 0.3 / 0.7])
    scores = note_uncertainty(["n1", "n2", "n2"], codes, limits)
    assert scores == pytest.approx({"n1": 1.0, "n2": (0.01 / 0.7 + 1 - 0.3 / 0.7) / 2})


def test_export_and_store_give_the_same_windows(export, tmp_path):
    rows, bad = read_export(export)
    assert len(rows) == len(reviewed_rows()) and [(b["row"], b["field"]) for b in bad] == [(12, "reviewed_at")]
    fill_store(tmp_path / "narrative.db", rows)
    taxonomy, seed = load_taxonomy(), {"C01": "train", "C09": "test"}
    from_db = load_reviews(f"sqlite:///{tmp_path / 'narrative.db'}", None, taxonomy, seed)
    from_csv = load_reviews(None, export, taxonomy, seed)
    key = lambda w: (w.note_id, w.text)                                    # noqa: E731
    assert sorted((key(w), w.split, w.labels) for w in from_db.windows) == \
        sorted((key(w), w.split, w.labels) for w in from_csv.windows)
    assert len(from_csv.skipped) == 2 and len(from_db.skipped) == 1


def test_a_bad_export_is_one_clear_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["train", "--out", str(tmp_path / "m"), "--from-export", str(bad), "--max-steps", "1",
                                      "--no-baselines"])
    assert result.exit_code == 2 and "not a confirmed-codes export" in result.output
    assert "Traceback" not in result.output


def fill_store(url, rows) -> None:
    store = Store(url)
    for key in sorted({r.review_key for r in rows}):
        mine = [r for r in rows if r.review_key == key]
        store.replace_review(key, mine, reviewer="sw1", reviewed_at=WHEN, model_version="m", note_id=mine[0].note_id,
                             case_id=mine[0].case_id)
    store.close()


@pytest.fixture(scope="module")
def models(tmp_path_factory, corpus_slice, export):
    """models/a: trained from the slice plus the export; models/b: continued from a, with the
    same reviews read from a store."""
    root = tmp_path_factory.mktemp("work")
    db = f"sqlite:///{root / 'narrative.db'}"
    fill_store(db, read_export(export)[0])
    runner = CliRunner()
    for name, extra in (("a", ["--from-export", str(export), "--seed", "3"]),
                        ("b", ["--base", str(root / "models" / "a"), "--from-db", db])):
        result = runner.invoke(app, ["train", "--out", str(root / "models" / name), "--corpus", str(corpus_slice),
                                     "--max-steps", "3", "--no-baselines", *extra])
        assert result.exit_code == 0, result.output
        assert "rows used" in result.output
    return root


@pytest.mark.slow
def test_training_from_an_export_records_the_reviews_and_the_run(models):
    manifest = json.loads((models / "models" / "a" / "narrative_model.json").read_text())
    reviews = manifest["reviews"]
    assert reviews["rows"] == len(reviewed_rows()) + 1 and reviews["used"] == len(reviewed_rows()) - 1
    assert {s.get("reason") for s in reviews["skipped"]} == {"code not in this taxonomy", "not an ISO 8601 timestamp"}
    assert reviews["windows"]["train"] == 5 and reviews["windows"]["test"] == 2
    assert f"plus {reviews['used']} reviewed codes" in (models / "models" / "a" / "model_card.md").read_text()
    run = json.loads((models / "models" / "a" / "run.json").read_text())
    assert run["model_version"] == manifest["model_version"] and run["reviews_used"] == reviews["used"]
    assert run["parameters"]["from_export"].endswith("confirmed.csv")
    assert "test_mention_macro_f1" in run["metrics"] and run["device"] in ("cpu", "cuda")
    if importlib.util.find_spec("mlflow") is None:
        assert run["mlflow_run_id"] is None
    log = [json.loads(line) for line in (models / "models" / "runs.jsonl").read_text().splitlines()]
    assert [r["folder"].rsplit("/", 1)[-1] for r in log] == ["a", "b"]
    b = json.loads((models / "models" / "b" / "narrative_model.json").read_text())
    assert b["base_model"].endswith("/a") and b["reviews"]["used"] == len(reviewed_rows()) - 1
    assert b["parameters"]["from_db"].startswith("sqlite:///")
    stored = Store(models / "narrative.db").model_versions()
    assert [v["version"] for v in stored] == [b["model_version"]]


@pytest.mark.slow
def extracted_version(tmp_path, *model) -> str:
    """The model_version `narrative extract` stamps on a one-note file (``model``: extra options)."""
    notes = tmp_path / "redacted.jsonl"
    note = RedactedNote("n1", "c1", date(2021, 3, 14), "[PERSON_1] said dad went to prison in October 2019.", [],
                        {"version": "test", "profile": "timeline"})
    notes.write_text(json.dumps(note.to_dict()) + "\n", encoding="utf-8")
    out = tmp_path / "suggestions.jsonl"
    result = CliRunner().invoke(app, ["extract", str(notes), "-o", str(out), *model])
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    return record["model_version"]


@pytest.mark.slow
def test_extract_loads_the_new_model(models, tmp_path):
    manifest = json.loads((models / "models" / "a" / "narrative_model.json").read_text())
    assert extracted_version(tmp_path, "--model", str(models / "models" / "a")) == manifest["model_version"]


@pytest.mark.slow
def test_notes_are_ranked_by_uncertainty(models, corpus_slice):
    from narrative.annotations.corpus import load_corpus
    from narrative.train.dataset import build_windows

    windows = build_windows(load_corpus(corpus_slice), "dev")
    ranked = rank_notes(ModelFolder.load(models / "models" / "a"), [(w.note_id, w.text) for w in windows])
    assert {n for n, _ in ranked} == {w.note_id for w in windows}
    assert [u for _, u in ranked] == sorted((u for _, u in ranked), reverse=True) and 0 <= ranked[-1][1] <= ranked[0][1] <= 1


@pytest.mark.slow
def test_compare_scores_both_on_one_test_split(models, corpus_slice, export, tmp_path):
    report_path = tmp_path / "compare.json"
    result = CliRunner().invoke(app, ["models", "compare", "a", "b", "--models-dir", str(models / "models"),
                                      "--corpus", str(corpus_slice), "--from-export", str(export), "--resamples", "200",
                                      "--by", "author_role", "--json", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "mention macro-F1" in result.output and "by author_role" in result.output
    report = json.loads(report_path.read_text())
    assert report["test"]["notes"] == 12 + 1                    # two test children + one reviewed note of a new child
    for model in report["models"].values():
        low, high = model["macro_f1_ci"]
        assert low <= model["macro_f1"] <= high
        assert 0.0 <= model["ece"] <= 1.0 and model["assertion_accuracy"] is not None
        assert set(model["by"]) >= {"social_worker", "None"}
        assert sum(g["notes"] for g in model["by"].values()) == report["test"]["notes"]
        ci = model["per_code"]["neglect"]["ci"]["f1"]
        assert ci[0] <= model["per_code"]["neglect"]["f1"] <= ci[1]
    diff = report["difference"]["macro_f1"]
    assert diff["value"] == pytest.approx(report["models"]["b"]["macro_f1"] - report["models"]["a"]["macro_f1"])


@pytest.mark.slow
def test_promote_refuses_a_worse_model_unless_forced(models, corpus_slice, monkeypatch):
    monkeypatch.chdir(models)
    runner = CliRunner()
    assert serving_model() == Path("models/default")                      # nothing promoted yet
    broken = models / "models" / "broken"                                   # never reports any code
    shutil.copytree(models / "models" / "a", broken)
    thresholds = json.loads((broken / "thresholds.json").read_text())
    thresholds["codes"] = {code: 1.01 for code in thresholds["codes"]}
    (broken / "thresholds.json").write_text(json.dumps(thresholds))
    manifest = json.loads((broken / "narrative_model.json").read_text())
    manifest["created"] = "2999-01-01T00:00:00+00:00"
    (broken / "narrative_model.json").write_text(json.dumps(manifest))
    corpus = ["--corpus", str(corpus_slice)]

    first = runner.invoke(app, ["models", "promote", "a", "--reason", "first model", *corpus])
    assert first.exit_code == 0, first.output
    assert serving_model() == Path("models/a")
    a_version = json.loads((models / "models" / "a" / "narrative_model.json").read_text())["model_version"]
    assert extracted_version(models) == a_version                       # extract without --model: the one in service

    refused = runner.invoke(app, ["models", "promote", "broken", *corpus])
    assert refused.exit_code == 2 and "refused" in refused.output and "Traceback" not in refused.output
    assert read_registry()["in_service"] == "a"
    assert runner.invoke(app, ["models", "promote", "broken", "--force", *corpus]).exit_code == 2   # needs a reason

    forced = runner.invoke(app, ["models", "promote", "broken", "--force", "--reason", "testing the override", *corpus])
    assert forced.exit_code == 0, forced.output
    registry = read_registry()
    assert registry["in_service"] == "broken"
    last = registry["history"][-1]
    assert last["forced"] and last["worse_beyond_tolerance"] and last["reason"] == "testing the override"
    assert last["previous"] == "a" and last["candidate_score"] == 0.0 < last["previous_score"]
    assert [h["version"] for h in registry["history"]] == ["a", "broken"]

    listing = runner.invoke(app, ["models", "list"])
    assert listing.exit_code == 0 and "broken" in listing.output and "*" in listing.output
    runs = runner.invoke(app, ["models", "list", "--runs"])
    assert runs.exit_code == 0 and "training runs" in runs.output
    shown = runner.invoke(app, ["models", "show", "broken"])
    assert shown.exit_code == 0 and "testing the override" in shown.output
    missing = runner.invoke(app, ["models", "promote", "nope"])
    assert missing.exit_code == 2 and "no model version 'nope'" in missing.output
