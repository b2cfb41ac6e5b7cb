"""`narrative train` writes a self-describing model folder; `narrative extract` reads it and writes
suggestions in the format of formats.md; bad model folders and bad records get clear errors."""

import json
from datetime import date

import pytest

from narrative.extract.modelfolder import ModelError, ModelFolder
from narrative.extract.pipeline import Extractor
from narrative.records import Case, RedactedNote, Suggestions
from narrative.taxonomy import load_taxonomy
from narrative.train.run import TrainSettings, train

from conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    """A model trained for a few steps: enough to exercise every path, not to be accurate."""
    folder = tmp_path_factory.mktemp("model")
    metrics = train(folder, TrainSettings(corpus=ROOT / "annotations" / "corpus.jsonl", max_steps=12,
                                          baselines=False, seed=3))
    return folder, metrics


def redacted(note_id, text, case_id="c1", note_date=date(2021, 3, 14)):
    return RedactedNote(note_id, case_id, note_date, text, [], {"version": "test", "profile": "timeline"})


def test_model_folder_describes_itself(small_model):
    folder, metrics = small_model
    manifest = json.loads((folder / "narrative_model.json").read_text())
    assert manifest["taxonomy_hash"] == load_taxonomy().hash
    assert len(manifest["training_data_hash"]) == 16 and manifest["model_version"].startswith("minilm-")
    assert set(json.loads((folder / "thresholds.json").read_text())["codes"]) == set(load_taxonomy().codes)
    saved = json.loads((folder / "metrics.json").read_text())
    assert saved["finetuned_minilm"]["test"]["affirmed_mentions"]["per_code"]["neglect"].keys() >= {"precision", "recall", "f1"}
    assert saved == json.loads(json.dumps(metrics))
    dates = saved["finetuned_minilm"]["test"]["dates"]
    assert dates["dated_gold_mentions"] > 100 and 0 <= dates["found"] <= dates["dated_gold_mentions"]
    assert saved["finetuned_minilm"]["assertion_strategy"] in ("model", "cues_first", "cues_when_unsure")
    rules = saved["finetuned_minilm"]["experiencer_rules_dev"]   # measured on dev, the better one kept
    assert set(rules) == {"model", "aged_person_opens"}
    assert json.loads((folder / "thresholds.json").read_text())["experiencer_rule"] == max(
        rules, key=lambda rule: (rules[rule], rule == "model"))
    card = (folder / "model_card.md").read_text()
    assert manifest["model_version"] in card and "| neglect |" in card
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        assert (folder / name).is_file()


def test_training_leaves_the_vocabulary_embeddings_as_the_base_model_has_them(small_model):
    """The default recipe freezes the word-embedding matrix (a quarter less time per step); the
    placeholder tokens keep the rows they were started at."""
    from safetensors.torch import load_file

    from narrative.train.finetune import base_model_path

    folder, _ = small_model
    base, tuned = load_file(base_model_path() / "model.safetensors"), load_file(folder / "model.safetensors")
    words = base["embeddings.word_embeddings.weight"]
    assert tuned["bert.embeddings.word_embeddings.weight"][:len(words)].equal(words)
    query = "encoder.layer.0.attention.self.query.weight"
    assert not tuned[f"bert.{query}"].equal(base[query])


def test_frozen_layers_keep_the_base_model_weights(corpus):
    """``--frozen-layers N``: the embeddings and the lowest N encoder layers are not trained."""
    from narrative.train.dataset import build_windows
    from narrative.train.finetune import MiniLMClassifier, base_model_path
    from safetensors.torch import load_file

    windows = [w for w in build_windows(corpus, "train") if w.labels][:32]
    tuned = MiniLMClassifier(load_taxonomy(), max_steps=2, frozen_layers=2, seed=3).fit(windows).model_.state_dict()
    base = load_file(base_model_path() / "model.safetensors")
    for name in ("embeddings.position_embeddings.weight", "encoder.layer.0.attention.self.query.weight",
                 "encoder.layer.1.output.dense.weight"):
        assert tuned[f"bert.{name}"].equal(base[name])
    assert not tuned["bert.encoder.layer.2.attention.self.query.weight"].equal(base["encoder.layer.2.attention.self.query.weight"])


def test_training_is_reproducible(small_model, tmp_path):
    folder, _ = small_model
    again = tmp_path / "again"
    train(again, TrainSettings(corpus=ROOT / "annotations" / "corpus.jsonl", max_steps=12, baselines=False, seed=3))
    first = json.loads((folder / "narrative_model.json").read_text())
    second = json.loads((again / "narrative_model.json").read_text())
    assert first["model_version"] == second["model_version"]


def test_suggestions_follow_the_format(small_model):
    folder, _ = small_model
    extractor = Extractor(folder, {"c1": Case("c1", dob=date(2010, 11, 3))})
    # Thresholds of a barely trained model are arbitrary: force every code through to see the shape.
    extractor.folder.thresholds = {code: 0.0 for code in extractor.folder.thresholds}
    note = redacted("n1", "HV to [ADDRESS]. [PERSON_1] said dad went to prison in October 2019.\n"
                          "When he was 7 mum was detained under the MHA.")
    (result,) = list(extractor.extract_many([note]))
    assert isinstance(result, Suggestions)
    record = result.to_dict()
    assert record["model_version"] == extractor.model_version and record["text"] == note.text
    assert record["redactor"] == note.redactor  # review refuses records that do not say they were redacted
    assert len(record["mentions"]) == 3 * 21
    for mention in record["mentions"]:
        assert note.text[mention["start"]:mention["end"]] == mention["text"]
        assert 0.0 <= mention["score"] <= 1.0
    dated = {m["text"]: m["date"] for m in record["mentions"]}
    assert dated["[PERSON_1] said dad went to prison in October 2019."]["start"] == "2019-10-01"
    assert dated["When he was 7 mum was detained under the MHA."]["start"] == "2017-11-03"
    assert dated["HV to [ADDRESS]."] is None
    assert len(record["codes"]) == len({(m["code"], m["experiencer"]) for m in record["mentions"]})


def test_extract_applies_the_family_rule_with_the_childs_age(small_model):
    """With the cases file's DOB (the child is 10 on the note date), a sentence opening with a
    person aged 14 is never given to the child; without a DOB, or without the rule, the model's
    experiencers stand."""
    folder, _ = small_model
    text = "[PERSON_2] (14) has been cutting her arms. [PERSON_1] (10) has been cutting her arms."
    extractor = Extractor(folder, {"c1": Case("c1", dob=date(2010, 11, 3))})
    extractor.folder.thresholds = {code: 0.0 for code in extractor.folder.thresholds}

    def experiencers(rule, cases):
        extractor.folder.experiencer_rule, extractor.cases = rule, cases
        (result,) = list(extractor.extract_many([redacted("n1", text)]))
        return [[m.experiencer for m in result.mentions if m.text.startswith(who)] for who in ("[PERSON_2]", "[PERSON_1]")]

    known = dict(extractor.cases)
    plain_sibling, plain_child = experiencers("model", known)
    assert "child" in plain_sibling            # the barely trained model does give the sibling's codes to the child
    sibling, child = experiencers("aged_person_opens", known)
    assert "child" not in sibling and len(sibling) == len(plain_sibling) and child == plain_child
    assert experiencers("aged_person_opens", {}) == [plain_sibling, plain_child]


def test_bad_model_folders_are_refused(small_model, tmp_path):
    folder, _ = small_model
    with pytest.raises(ModelError, match="not a narrative model folder"):
        ModelFolder.load(tmp_path)
    copy = tmp_path / "copy"
    copy.mkdir()
    for item in folder.iterdir():
        (copy / item.name).write_bytes(item.read_bytes())
    thresholds = json.loads((copy / "thresholds.json").read_text())
    thresholds["codes"]["alien_abduction"] = 0.5
    (copy / "thresholds.json").write_text(json.dumps(thresholds))
    with pytest.raises(ModelError, match="unknown codes in thresholds.json: alien_abduction"):
        ModelFolder.load(copy)
    del thresholds["codes"]["alien_abduction"]
    (copy / "thresholds.json").write_text(json.dumps({**thresholds, "experiencer_rule": "guess"}))
    with pytest.raises(ModelError, match="unknown experiencer_rule 'guess'"):
        ModelFolder.load(copy)
    (copy / "thresholds.json").write_text(json.dumps(thresholds))
    manifest = json.loads((copy / "narrative_model.json").read_text())
    (copy / "narrative_model.json").write_text(json.dumps({**manifest, "taxonomy_hash": "0" * 16}))
    with pytest.raises(ModelError, match="different taxonomy"):
        ModelFolder.load(copy)


def test_cli_lists_records_that_are_not_redacted_notes(small_model, tmp_path):
    from narrative.extract.files import extract_file

    folder, _ = small_model
    good = redacted("n1", "Mum said dad hit her last week.").to_dict()
    lines = [json.dumps(good),
             json.dumps({"note_id": "n2", "case_id": "c1", "note_date": "2021-01-01", "text": "raw note"}),
             json.dumps({**good, "note_id": "n3", "text": ""}),
             "{not json",
             json.dumps(good)]
    source = tmp_path / "redacted.jsonl"
    source.write_text("\n".join(lines) + "\n")
    summary = extract_file(source, tmp_path / "s.jsonl", model_dir=folder)
    assert (summary.ok, summary.rejected) == (1, 4)
    reasons = [json.loads(line)["reason"] for line in (tmp_path / "s.rejects.jsonl").read_text().splitlines()]
    assert reasons[0].startswith("not a redacted-note record") and "duplicate note_id" in reasons


def test_precision_auto_follows_the_hardware(small_model, monkeypatch):
    """auto serves in bf16 on a GPU or a CPU with native bf16, else fp32; unknown names are refused;
    bf16 and fp32 give near-equal probabilities."""
    import numpy as np
    import torch

    from narrative.extract import model

    monkeypatch.setattr(model, "native_bf16", lambda: False)
    assert model.serving_dtype("auto") == torch.float32
    assert model.serving_dtype("auto", "cuda") == torch.bfloat16
    monkeypatch.setattr(model, "native_bf16", lambda: True)
    assert model.serving_dtype("auto") == torch.bfloat16
    assert model.serving_dtype("fp32") == torch.float32
    with pytest.raises(ValueError, match="unknown precision 'fp16'"):
        model.serving_dtype("fp16")
    folder, _ = small_model
    texts = ["Dad went to prison in October 2019.", "No concerns today.", "Mum was detained under the MHA."]
    fp32, bf16 = (ModelFolder.load(folder, precision=p) for p in ("fp32", "bf16"))
    assert fp32.classifier.model_.dtype == torch.float32 and bf16.classifier.model_.dtype == torch.bfloat16
    assert np.abs(fp32.predict(texts).codes - bf16.predict(texts).codes).max() < 0.05


def test_placeholders_are_one_token_each(small_model):
    """The classifier reads each redaction placeholder as one token, its number dropped; text it
    has no token for, and models saved before placeholder tokens, read the text unchanged."""
    from narrative.extract.model import NarrativeConfig, encode, model_inputs

    loaded = ModelFolder.load(small_model[0]).classifier
    model, tokenizer = loaded.model_, loaded.tokenizer_
    ids = encode(model, tokenizer, ["[PERSON_3] (14) told [PERSON_12] at [ADDRESS] about [UNKNOWN_2]."])["input_ids"][0]
    assert tokenizer.convert_ids_to_tokens(ids)[:10] == [
        "[CLS]", "[PERSON]", "(", "14", ")", "told", "[PERSON]", "at", "[ADDRESS]", "about"]
    assert "[UNKNOWN]" not in tokenizer.convert_ids_to_tokens(ids)
    assert model_inputs(NarrativeConfig(), ["[PERSON_3] left"]) == ["[PERSON_3] left"]
