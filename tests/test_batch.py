"""`narrative batch`: every input record listed once, bad records failed with their reason, the
same output as `narrative redact` + `narrative extract`, a killed job resumed to the same bytes,
the Ray engine equal to the local one, and memory that does not grow with the input."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from narrative.annotations.synth import generate
from narrative.batch import BatchError, run_batch
from narrative.batch.job import Job, Settings
from narrative.extract.files import extract_file
from narrative.io import dumps
from narrative.redact import redact_file
from narrative.train.run import TrainSettings, train

from conftest import ROOT

pytestmark = pytest.mark.slow
KEY = "test-key-not-secret-0123456789"


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    """A model trained for a few steps: the batch path, not accuracy, is under test."""
    data = tmp_path_factory.mktemp("corpus")
    rows = [json.loads(line) for line in (ROOT / "annotations" / "corpus.jsonl").read_text().splitlines()]
    small = [r for split in ("train", "dev", "test") for r in [r for r in rows if r["split"] == split][:8]]
    (data / "corpus.jsonl").write_text("".join(json.dumps(r) + "\n" for r in small))
    shutil.copy(ROOT / "annotations" / "cases.jsonl", data / "cases.jsonl")
    folder = tmp_path_factory.mktemp("model")
    train(folder, TrainSettings(corpus=data / "corpus.jsonl", max_steps=2, baselines=False, seed=3))
    return folder


def plain_note(note) -> dict:
    return {"note_id": note.note_id, "case_id": note.case_id, "note_date": note.note_date, "text": note.text}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A folder with a JSON Lines file (bad records in the middle) and a CSV file; and its cases."""
    folder = tmp_path_factory.mktemp("inputs")
    cases, notes = [], []
    for case, case_notes in generate(3, seed=11, notes_per_child=(3, 3), target_words=40):
        cases.append(case)
        notes.extend(plain_note(n) for n in case_notes)
    lines = [json.dumps(n) for n in notes[:6]]
    lines[4:4] = ['{"note_id": "broken", "case_id": ',                                # malformed JSON
                  json.dumps({**notes[0], "note_id": "no-date", "note_date": "last week"}),
                  json.dumps(notes[1]),                                                # duplicate note_id
                  json.dumps({"case_id": "c9", "note_date": "2020-01-01", "text": "x"})]  # no note_id
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import csv
    with open(folder / "b.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["note_id", "case_id", "note_date", "text"])
        writer.writeheader()
        writer.writerows(notes[6:])
        writer.writerow({**notes[2]})                                                 # duplicate across files
    (folder.parent / f"{folder.name}-cases.jsonl").write_text("".join(dumps(c) + "\n" for c in cases))
    return folder, folder.parent / f"{folder.name}-cases.jsonl", len(notes)


def shards(out: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(out.glob("suggestions-*.jsonl")))


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for p in sorted(out.glob("manifest-*.jsonl")) for line in p.read_text().splitlines()]


@pytest.fixture(scope="module")
def uninterrupted(inputs, small_model, tmp_path_factory):
    folder, cases, _ = inputs
    out = tmp_path_factory.mktemp("batch") / "out"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NARRATIVE_PSEUDONYM_KEY", KEY)
        summary = run_batch([folder], out, model_dir=small_model, cases_path=cases, workers=2, unit_size=2)
    return out, summary


def test_every_record_is_listed_once_with_bad_ones_failed(inputs, uninterrupted):
    folder, _, n_good = inputs
    out, summary = uninterrupted
    rows = manifest(out)
    assert len(rows) == n_good + 5 and (summary.processed, summary.failed) == (n_good, 5)
    first, second, third = (json.loads(line)["note_id"] for line in (folder / "a.jsonl").read_text().splitlines()[:3])
    failed = [(r["input"], r["note_id"], r["reason"]) for r in rows if r["status"] == "failed"]
    assert failed == [("a.jsonl", "line 5", "malformed JSON"),
                      ("a.jsonl", "no-date", "not an ISO date (YYYY-MM-DD)"),
                      ("a.jsonl", second, "duplicate note_id"),
                      ("a.jsonl", "line 8", "missing required field"),
                      ("b.csv", third, "duplicate note_id")]
    ok = [r for r in rows if r["status"] == "ok"]
    written = [json.loads(line) for line in shards(out).decode().splitlines()]
    assert [r["note_id"] for r in ok] == [s["note_id"] for s in written]
    assert all((out / r["shard"]).exists() for r in ok)


def test_same_output_as_redact_then_extract(inputs, small_model, tmp_path, monkeypatch):
    """The shards hold what `narrative redact` then `narrative extract` write for the good notes:
    redacted text only, placeholders numbered in input order whatever the number of workers.
    The same records but for the last digit of a score: even in fp32 a window's sums differ in
    their last bits with the shape of the batch it shares (worker units against one file)."""
    folder, cases, _ = inputs
    out = tmp_path / "out"
    monkeypatch.setenv("NARRATIVE_PSEUDONYM_KEY", KEY)
    run_batch([folder], out, model_dir=small_model, cases_path=cases, workers=2, unit_size=2, precision="fp32")
    good = [json.loads(line) for line in (folder / "a.jsonl").read_text().splitlines()
            if line.startswith('{"note_id": "S')]
    good = [n for i, n in enumerate(good) if n["note_id"] not in {g["note_id"] for g in good[:i]}]
    import csv
    seen = {n["note_id"] for n in good}
    good += [row for row in csv.DictReader(open(folder / "b.csv", encoding="utf-8")) if row["note_id"] not in seen]
    (tmp_path / "notes.jsonl").write_text("".join(json.dumps(n) + "\n" for n in good))
    redact_file(tmp_path / "notes.jsonl", tmp_path / "red.jsonl", cases_path=cases)
    extract_file(tmp_path / "red.jsonl", tmp_path / "sug.jsonl", model_dir=small_model, cases_path=cases,
                 precision="fp32")
    batch, direct = (records(shards(out).decode()), records((tmp_path / "sug.jsonl").read_text()))
    assert [without_scores(r) for r in batch] == [without_scores(r) for r in direct]
    scores = [(a["score"], b["score"]) for x, y in zip(batch, direct) for a, b in zip(x["mentions"], y["mentions"])]
    assert scores and all(abs(a - b) <= 2e-4 for a, b in scores)


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def without_scores(record: dict) -> dict:
    return {**record, **{key: [{**item, "score": None} for item in record[key]] for key in ("mentions", "codes")}}


def batch_cli(*args, **kwargs):
    env = {**os.environ, "NARRATIVE_PSEUDONYM_KEY": KEY}
    return subprocess.Popen([sys.executable, "-m", "narrative", "batch", *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_kill_9_then_resume_gives_the_uninterrupted_output(inputs, uninterrupted, small_model, tmp_path):
    folder, cases, _ = inputs
    out = tmp_path / "out"
    args = [folder, "--out", out, "--cases", cases, "--model", small_model, "--workers", "2", "--unit-size", "2"]
    job = batch_cli(*args, start_new_session=True)
    state = out / "state.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and job.poll() is None:
        if state.exists() and json.loads(state.read_text())["units_done"] >= 2:
            break
        time.sleep(0.05)
    assert job.poll() is None, "the job ended before it could be killed"
    os.killpg(job.pid, signal.SIGKILL)
    job.wait()
    done = json.loads(state.read_text())["units_done"]
    assert 2 <= done < len(list(uninterrupted[0].glob("manifest-*.jsonl")))

    again = batch_cli(*args)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 2 and "--resume" in err           # a non-empty folder needs --resume
    resumed = batch_cli(*args, "--resume")
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert "notes processed" in err
    assert shards(out) == shards(uninterrupted[0])
    assert manifest(out) == manifest(uninterrupted[0])
    assert not list(out.glob("*.tmp")) and len(list(out.glob("pseudonyms-*.json"))) == 1


def test_resume_refuses_other_inputs(inputs, uninterrupted, small_model):
    folder, cases, _ = inputs
    with pytest.raises(BatchError, match="other inputs"):
        run_batch([folder / "a.jsonl"], uninterrupted[0], model_dir=small_model, cases_path=cases,
                  unit_size=2, resume=True)


def test_ray_engine_gives_the_local_output(inputs, uninterrupted, small_model, tmp_path, monkeypatch):
    import ray

    folder, cases, _ = inputs
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        summary = run_batch([folder], tmp_path / "out", model_dir=small_model, cases_path=cases, workers=2,
                            unit_size=2, engine="ray")
    finally:
        ray.shutdown()
    assert summary.total == uninterrupted[1].total
    assert shards(tmp_path / "out") == shards(uninterrupted[0])
    assert manifest(tmp_path / "out") == manifest(uninterrupted[0])


def test_ten_thousand_notes_stream_in_bounded_memory(small_model, tmp_path):
    """10,000 generated notes (about 1.5 MB of text per 1,000) pass through reading, unit cutting
    and duplicate checks, and a full run over 10,000 records commits every manifest row, with
    the driver's Python memory a fraction of the input's size (the one thing that grows is the set of
    note_ids seen, for the duplicate check)."""
    notes = [plain_note(n) for _, ns in generate(8, seed=5, target_words=240) for n in ns]
    path = tmp_path / "notes.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(10_000):
            handle.write(json.dumps({**notes[i % len(notes)], "note_id": f"N{i:05d}"}) + "\n")
    size = path.stat().st_size
    assert size > 12_000_000

    tracemalloc.start()
    job = Job([path], tmp_path / "plan", Settings(str(small_model)), unit_size=256)
    units = sum(1 for _ in job.units())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert units == 40 and peak < size / 4, peak

    # A full run: 10 notes to redact and extract among 10,000 records (the rest fail to parse).
    mixed = tmp_path / "mixed.jsonl"
    with path.open(encoding="utf-8") as src, mixed.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            dst.write(line if i % 1000 == 0 else line.replace('"note_date": "', '"note_date": "x'))
    tracemalloc.start()
    summary = run_batch([mixed], tmp_path / "out", model_dir=small_model, workers=1, unit_size=256)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert (summary.processed, summary.failed) == (10, 9_990)
    assert len(manifest(tmp_path / "out")) == 10_000
    assert peak < size / 4, peak


def test_bad_inputs_and_model_give_one_line_errors(tmp_path):
    (tmp_path / "notes.jsonl").write_text('{"note_id": "n1"}\n')
    for args, message in [([tmp_path / "missing.jsonl"], "no such file"),
                          ([tmp_path / "*.csv"], "no input files there"),
                          ([tmp_path / "notes.jsonl", "--model", tmp_path], "not a narrative model folder")]:
        job = batch_cli(*args, "--out", tmp_path / "out")
        _, err = job.communicate(timeout=120)
        assert job.returncode == 2 and err.count("\n") == 1 and message in err, err
