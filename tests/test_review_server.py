"""Review against a real Label Studio (``make labelstudio``): push, annotate as a reviewer would, pull.

One server per test session, started from the cached migrated template; one project per test.
A server that cannot start FAILS these tests: they never skip.
"""

import csv
import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrative.cli import app
from narrative.review.client import LabelStudioClient, LabelStudioError
from narrative.review.config import code_colours
from narrative.review.pull import pull
from narrative.review.push import push
from narrative.review.results import Region, parse_results, region_results
from narrative.store import Store
from narrative.taxonomy import load_taxonomy

pytestmark = pytest.mark.labelstudio

ROOT = Path(__file__).resolve().parents[1]
SUGGESTIONS = ROOT / "tests" / "data" / "review_suggestions.jsonl"
TOKEN = "narrative-test-token-0123456789"
PASSWORD = "narrative-test-password"
USER = "admin@example.com"


@pytest.fixture(scope="session")
def labelstudio(tmp_path_factory):
    from narrative.review.server import LabelStudio, free_port

    data = tmp_path_factory.mktemp("labelstudio")
    log = (data / "server.log").open("w")
    server = LabelStudio(data / "data", free_port(), token=TOKEN, password=PASSWORD).start(log=log)
    try:
        server.wait_ready(timeout=240)
        yield server
    finally:
        server.stop()
        log.close()


@pytest.fixture
def client(labelstudio):
    with LabelStudioClient(labelstudio.url, TOKEN, timeout=30) as client:
        yield client


@pytest.fixture
def title(request):
    return request.node.name.removeprefix("test_")[:45]


@pytest.fixture
def env(labelstudio, monkeypatch):
    monkeypatch.setenv("NARRATIVE_LS_URL", labelstudio.url)
    monkeypatch.setenv("NARRATIVE_LS_TOKEN", TOKEN)


def tasks_by_note(client, title):
    return {t["data"]["note_id"]: t for t in client.tasks(client.find_project(title)["id"])}


def regions(task):
    return parse_results(task["predictions"][-1]["result"])[0]


def annotate(client, task, kept: dict[str, Region], note_codes=(), user=None):
    """Submit an annotation as the labeling page would: the prediction's regions as edited."""
    result = [item for region in kept.values() for item in region_results(region, task["data"]["text"])]
    if note_codes:
        result.append({"id": "notecodes", "from_name": "note_codes", "to_name": "text", "type": "choices",
                       "value": {"choices": list(note_codes)}})
    extra = {"completed_by": user} if user else {}
    return client.create_annotation(task["id"], result=result, parent_prediction=task["predictions"][-1]["id"],
                                    lead_time=30.0, **extra)


def test_push_twice_annotate_pull_twice(client, title, tmp_path, env):
    runner = CliRunner()
    first = runner.invoke(app, ["review", "push", str(SUGGESTIONS), "--project", title, "--batch-size", "3"])
    assert first.exit_code == 0, first.output
    assert "7 notes imported" in first.output
    second = runner.invoke(app, ["review", "push", str(SUGGESTIONS), "--project", title])
    assert second.exit_code == 0, second.output
    assert "0 notes imported, 0 updated, 7 unchanged" in second.output
    tasks = tasks_by_note(client, title)
    assert len(tasks) == 7 and all(len(t["predictions"]) == 1 for t in tasks.values())
    project = client.find_project(title)
    assert project["model_version"] == "minilm-5f5659378eef" and project["show_collab_predictions"]
    # the labeling stream starts with the note the model is least sure about (a suggestion at 0.54)
    assert client.request("GET", f"/api/projects/{project['id']}/next", "next task")["data"]["note_id"] == "EX2-002"

    # EX1-001: accept both suggestions as they are
    accept = tasks["EX1-001"]
    annotate(client, accept, regions(accept))
    # EX1-002: correct the date of "last summer" (domestic abuse) to July 2020; keep the other
    correct = tasks["EX1-002"]
    edited = regions(correct)
    edited["m0"] = Region(**{**edited["m0"].__dict__, "date_start": date(2020, 7, 1), "date_end": date(2020, 7, 31)})
    annotate(client, correct, edited)
    # EX1-003: reject the negated physical abuse, keep the exclusion; add a missing code (bullying)
    reject = tasks["EX1-003"]
    kept = {rid: r for rid, r in regions(reject).items() if r.code != "physical_abuse"}
    kept["new1"] = Region("new1", "bullying", 0, 47, "child", "present")
    annotate(client, reject, kept, note_codes=["young_carer"])

    db = f"sqlite:///{tmp_path / 'store.db'}"
    store = Store(db)
    summary = pull(client, title, store)
    assert (summary.tasks, summary.reviewed, summary.written) == (7, 3, 3)
    rows = {(r.note_id, r.code, r.evidence_start): r for r in store.confirmed()}
    assert len(rows) == 8
    got = {k: r.decision for k, r in rows.items()}
    assert got == {
        ("EX1-001", "domestic_abuse", 19): "accepted", ("EX1-001", "domestic_abuse", 106): "accepted",
        ("EX1-002", "domestic_abuse", 42): "corrected", ("EX1-002", "substance_misuse", 212): "accepted",
        ("EX1-003", "school_exclusion", 48): "accepted", ("EX1-003", "physical_abuse", 173): "rejected",
        ("EX1-003", "bullying", 0): "added", ("EX1-003", "young_carer", None): "added"}
    corrected = rows[("EX1-002", "domestic_abuse", 42)]
    assert (corrected.date_start, corrected.date_end, corrected.date_precision) == (date(2020, 7, 1), date(2020, 7, 31), "month")
    assert corrected.assertion == "possible" and corrected.experiencer == "parent_carer"
    kept_date = rows[("EX1-002", "substance_misuse", 212)]
    assert (kept_date.date_start, kept_date.date_end, kept_date.date_precision) == (date(2020, 12, 20), date(2021, 2, 18), "school_term")
    accepted = rows[("EX1-001", "domestic_abuse", 19)]
    assert accepted.evidence == tasks["EX1-001"]["data"]["text"][19:105]
    assert accepted.evidence.startswith("Police called to [ADDRESS]")
    assert (accepted.date_start, accepted.date_precision) == (date(2021, 2, 6), "day")
    rejected = rows[("EX1-003", "physical_abuse", 173)]
    assert rejected.assertion == "negated" and not rejected.counts_as_experience
    added = rows[("EX1-003", "bullying", 0)]
    assert added.model_version == "minilm-5f5659378eef" and added.date_start is None
    assert all(r.reviewer == USER and r.reviewed_at.tzinfo for r in rows.values())
    assert all(r.review_key == f"labelstudio:{title}:task:{tasks[r.note_id]['id']}" for r in rows.values())
    assert {n.note_id for n in store.notes()} == {"EX1-001", "EX1-002", "EX1-003"}

    # pulling again changes nothing
    again = pull(client, title, store)
    assert (again.written, again.unchanged) == (0, 3)
    assert len(store.audit()) == 3

    # an edited annotation replaces its earlier rows: the reviewer now accepts physical abuse too
    annotation = client.tasks(client.find_project(title)["id"])
    annotation = next(t for t in annotation if t["data"]["note_id"] == "EX1-003")["annotations"][0]
    client.update_annotation(annotation["id"], result=annotation["result"] + [
        item for item in reject["predictions"][-1]["result"] if item["id"] == regions(reject)["m1"].id])
    runner_pull = runner.invoke(app, ["review", "pull", "--project", title, "--db", db])
    assert runner_pull.exit_code == 0, runner_pull.output
    assert "1 reviews written, 2 unchanged" in runner_pull.output
    ex13 = [r for r in Store(db).confirmed() if r.note_id == "EX1-003"]
    assert sorted((r.code, r.decision) for r in ex13) == [
        ("bullying", "added"), ("physical_abuse", "accepted"), ("school_exclusion", "accepted"), ("young_carer", "added")]

    # and the export carries every formats.md field with the decision
    out = tmp_path / "confirmed.csv"
    exported = runner.invoke(app, ["export", "confirmed", "--db", db, "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    with out.open(newline="") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == 8
    for name in ("note_id", "case_id", "code", "experiencer", "assertion", "date_start", "date_end",
                 "date_precision", "evidence", "reviewer", "reviewed_at", "model_version", "decision"):
        assert name in table[0]

    # an annotation deleted in Label Studio takes its rows out of the store at the next pull
    gone = tasks_by_note(client, title)["EX1-001"]["annotations"][0]["id"]
    client.request("DELETE", f"/api/annotations/{gone}", "delete annotation")
    cleared = pull(client, title, Store(db))
    assert (cleared.reviewed, cleared.written, cleared.cleared) == (2, 0, 1)
    assert {r.note_id for r in Store(db).confirmed()} == {"EX1-002", "EX1-003"}


def test_repush_updates_predictions_and_keeps_reviewed_ones(client, title, tmp_path):
    push(client, SUGGESTIONS, title)
    tasks = tasks_by_note(client, title)
    annotate(client, tasks["EX1-001"], regions(tasks["EX1-001"]))
    records = [json.loads(line) for line in SUGGESTIONS.read_text().splitlines()]
    for record in records:
        record["model_version"] = "minilm-newer"
        for mention in record["mentions"]:
            mention["score"] = round(mention["score"] * 0.9, 4)
    newer = tmp_path / "newer.jsonl"
    newer.write_text("".join(json.dumps(r) + "\n" for r in records))
    summary = push(client, newer, title)
    assert (summary.imported, summary.updated, summary.unchanged) == (0, 7, 0)
    tasks = tasks_by_note(client, title)
    assert len(tasks) == 7
    assert client.find_project(title)["model_version"] == "minilm-newer"
    # the reviewed task keeps the prediction its annotation started from, beside the new one
    assert [p["model_version"] for p in tasks["EX1-001"]["predictions"]] == ["minilm-5f5659378eef", "minilm-newer"]
    assert all([p["model_version"] for p in t["predictions"]] == ["minilm-newer"]
               for n, t in tasks.items() if n != "EX1-001")


def test_failed_push_is_completed_by_running_it_again(client, title, monkeypatch):
    real_import = LabelStudioClient.import_tasks
    calls = []

    def fail_on_third(self, project_id, tasks):
        calls.append(len(tasks))
        if len(calls) == 3:
            raise LabelStudioError(f"Label Studio at {self.url} did not answer in time (import)")
        return real_import(self, project_id, tasks)

    monkeypatch.setattr(LabelStudioClient, "import_tasks", fail_on_third)
    with pytest.raises(LabelStudioError, match="4 of 7 new notes were imported"):
        push(client, SUGGESTIONS, title, batch_size=2)
    monkeypatch.setattr(LabelStudioClient, "import_tasks", real_import)
    assert len(tasks_by_note(client, title)) == 4
    summary = push(client, SUGGESTIONS, title, batch_size=2)
    assert (summary.imported, summary.unchanged) == (3, 4)
    assert len(tasks_by_note(client, title)) == 7


def test_tasks_carry_only_redacted_text_and_ids(client, title, tmp_path):
    raw = [json.loads(line) for line in (ROOT / "examples" / "notes.jsonl").read_text().splitlines()]
    cases = [json.loads(line) for line in (ROOT / "examples" / "cases.jsonl").read_text().splitlines()]
    # raw notes, and suggestions stripped of their redactor, are refused and listed
    stripped = tmp_path / "stripped.jsonl"
    stripped.write_text("".join(json.dumps({k: v for k, v in json.loads(line).items() if k != "redactor"}) + "\n"
                                for line in SUGGESTIONS.read_text().splitlines()))
    for path in (ROOT / "examples" / "notes.jsonl", stripped):
        summary = push(client, path, title, rejects_path=tmp_path / "rejects.jsonl")
        assert (summary.imported, summary.rejected) == (0, len(raw))
    assert tasks_by_note(client, title) == {}
    push(client, SUGGESTIONS, title)
    identifiers = {n for case in cases for n in [*case.get("given_names", []), case.get("family_name"),
                                                   *case.get("known_people", [])] if n}
    for task in tasks_by_note(client, title).values():
        assert set(task["data"]) == {"text", "note_id", "case_id", "note_date"}
        dumped = json.dumps(task)
        assert not [name for name in identifiers if name in dumped]


def test_overlap_and_agreement(client, title, env):
    second = client.create_user("second-reviewer@example.com")["id"]
    summary = push(client, SUGGESTIONS, title, overlap=0.5)
    project = client.find_project(title)
    assert (project["maximum_annotations"], project["overlap_cohort_percentage"]) == (2, 50)
    assert 3 <= summary.double_coded <= 4
    tasks = tasks_by_note(client, title)
    double = [t for t in tasks.values() if t["overlap"] > 1]
    # reviewer 1 accepts everything; reviewer 2 rejects the first suggestion of each note
    for task in double:
        annotate(client, task, regions(task))
        annotate(client, task, dict(list(regions(task).items())[1:]), user=second)
    result = CliRunner().invoke(app, ["review", "agreement", "--project", title])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["tasks"] == len(double)
    assert -1.0 <= report["overall"]["kappa"] < 1.0
    assert set(report["codes"]) <= set(load_taxonomy().code_keys)


def highlight_pixels(png: Path) -> dict[str, int]:
    """Pixels of each code's region highlight (its colour at 30% over the page background)."""
    import numpy as np
    from PIL import Image

    image = np.asarray(Image.open(png).convert("RGB")).astype(int)
    background = np.array([253, 253, 252])
    counts = {}
    for code, colour in code_colours(load_taxonomy()).items():
        rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
        counts[code] = int((np.abs(image - (0.7 * background + 0.3 * rgb)).max(axis=2) <= 4).sum())
    return counts


def test_screenshot_shows_predicted_spans_highlighted(client, labelstudio, title, tmp_path):
    from narrative.review.screenshot import labeling_screenshot

    push(client, SUGGESTIONS, title)
    task = tasks_by_note(client, title)["EX2-001"]
    png = labeling_screenshot(labelstudio.url, USER, PASSWORD, task["project"], task["id"], tmp_path / "shot.png")
    counts = highlight_pixels(png)
    # the two spans of their own (housing, neglect) are highlighted in their codes' colours
    assert counts["housing_instability"] > 1000 and counts["neglect"] > 1000
    assert all(n < 200 for code, n in counts.items() if code not in {"housing_instability", "neglect"})
    docs = ROOT / "docs" / "review-labeling.png"
    if os.environ.get("NARRATIVE_UPDATE_SCREENSHOT"):
        shutil.copy(png, docs)
    committed = highlight_pixels(docs)
    assert committed["housing_instability"] > 1000 and committed["neglect"] > 1000


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """The default model when the setup step trained it; else one trained for two steps (minutes)."""
    from narrative.train.run import TrainSettings, train

    if (ROOT / "models" / "default" / "narrative_model.json").is_file():
        return ROOT / "models" / "default"
    corpus = tmp_path_factory.mktemp("corpus")
    kept, per_split = [], {}
    for line in (ROOT / "annotations" / "corpus.jsonl").read_text().splitlines():
        split = json.loads(line)["split"]
        if per_split.setdefault(split, 0) < 4:  # a few notes per split keep tuning and scoring quick
            per_split[split] += 1
            kept.append(line)
    (corpus / "corpus.jsonl").write_text("\n".join(kept) + "\n")
    shutil.copy(ROOT / "annotations" / "cases.jsonl", corpus / "cases.jsonl")
    folder = tmp_path_factory.mktemp("model")
    train(folder, TrainSettings(corpus=corpus / "corpus.jsonl", max_steps=2, baselines=False, seed=3))
    return folder


def test_ml_backend_answers_label_studio_and_records_webhooks(client, title, tiny_model, tmp_path):
    import threading

    from narrative.review.ml_backend import Backend, make_server
    from narrative.review.server import free_port

    backend = Backend(tiny_model, tmp_path / "webhooks.jsonl")
    server = make_server(backend, free_port())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        push(client, SUGGESTIONS, title)
        project = client.find_project(title)
        ml = client.request("POST", "/api/ml", "connect ML backend",
                            json={"project": project["id"], "url": url, "title": "narrative"})
        assert ml["state"] == "CO"  # connected: Label Studio called /health and /setup
        # connecting also made Label Studio send the project's events to the backend's /webhook
        # a reviewer asks for the model's predictions on every task
        client.request("POST", "/api/dm/actions", "retrieve predictions",
                       params={"id": "retrieve_tasks_predictions", "project": project["id"]},
                       json={"selectedItems": {"all": True, "excluded": []}})
        tasks = tasks_by_note(client, title)
        version = backend.extractor.model_version
        assert all(version in [p["model_version"] for p in t["predictions"]] for t in tasks.values())
        annotate(client, tasks["EX1-001"], regions(tasks["EX1-001"]))
        events = [json.loads(line) for line in (tmp_path / "webhooks.jsonl").read_text().splitlines()]
        assert [(e["action"], e["note_id"], e["task"]) for e in events] == [
            ("ANNOTATION_CREATED", "EX1-001", tasks["EX1-001"]["id"])]
        assert "text" not in json.dumps(events)
    finally:
        server.shutdown()


def test_serve_makes_the_environment_token_the_admins(labelstudio, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    import httpx

    from narrative.review.server import free_port

    # a data dir that already has an admin with another token
    data = tmp_path / "data"
    shutil.copytree(labelstudio.data_dir, data, ignore=shutil.ignore_patterns("*.log"))
    port = free_port()
    env = {**os.environ, "NARRATIVE_LS_TOKEN": "another-token-987654"}
    process = subprocess.Popen([sys.executable, "-m", "narrative", "review", "serve", "--port", str(port),
                                "--data-dir", str(data)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        auth = lambda token: {"Authorization": f"Token {token}"}  # noqa: E731
        assert httpx.get(f"http://127.0.0.1:{port}/api/projects", headers=auth("another-token-987654")).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/api/projects", headers=auth(TOKEN)).status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)


def test_an_annotation_outside_the_taxonomy_is_skipped_and_named(client, title, tmp_path, env):
    push(client, SUGGESTIONS, title)
    tasks = tasks_by_note(client, title)
    annotate(client, tasks["EX1-001"], regions(tasks["EX1-001"]))
    bad = tasks["EX1-002"]
    annotate(client, bad, {"z": Region("z", "made_up_code", 0, 10, "child", "present")})
    result = CliRunner().invoke(app, ["review", "pull", "--project", title, "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 0, result.output
    assert f"skipped task {bad['id']} field 'code': code outside the taxonomy" in result.output
    assert "1 of 7 tasks reviewed" in result.output and "1 annotated tasks skipped" in result.output
    assert {r.note_id for r in Store(tmp_path / "s.db").confirmed()} == {"EX1-001"}
