"""Review without a server: labeling config, results, decisions, sampling, refusals, errors."""

import json
import socket
import threading
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrative.cli import app
from narrative.records import DateInterval, Mention, Suggestions
from narrative.review.agreement import codes_shown, kappa_report
from narrative.review.client import LabelStudioClient, LabelStudioError, connect
from narrative.review.config import code_colours, labeling_config
from narrative.review.pull import Decision, compare, precision, review_rows
from narrative.review.push import read_suggestions, select, uncertainty
from narrative.review.results import Region, mention_region, parse_results, region_results
from narrative.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[1]
SUGGESTIONS = ROOT / "tests" / "data" / "review_suggestions.jsonl"
TAXONOMY = load_taxonomy()
WHEN = datetime(2024, 5, 1, 12, tzinfo=timezone.utc)


def test_labeling_config_has_a_label_per_code_and_per_region_attributes():
    root = ET.fromstring(labeling_config(TAXONOMY))
    labels = root.find("Labels")
    assert [l.get("value") for l in labels] == TAXONOMY.code_keys
    assert len({l.get("background") for l in labels}) == len(TAXONOMY.code_keys)
    per_region = {c.get("name"): c for c in root.iter() if c.get("perRegion") == "true"}
    assert set(per_region) == {"experiencer", "assertion", "date_start", "date_end"}
    assert [c.get("value") for c in per_region["assertion"]] == list(TAXONOMY.assertions)
    assert per_region["date_start"].tag == "DateTime" and per_region["date_start"].get("only") == "date"
    note_codes = next(c for c in root.iter("Choices") if c.get("name") == "note_codes")
    assert note_codes.get("choice") == "multiple" and len(note_codes) == len(TAXONOMY.code_keys)


def test_region_results_round_trip():
    text = "Dad went to prison in October 2019. Mum is coping."
    mention = Mention("imprisonment", "parent_carer", "present", 0.93, 0, 35, text[:35],
                      DateInterval("October 2019", date(2019, 10, 1), date(2019, 10, 31), "month", "explicit"))
    region = mention_region(mention, "m0")
    items = region_results(region, text)
    assert {i["from_name"] for i in items} == {"evidence", "experiencer", "assertion", "date_start", "date_end"}
    assert all(i["id"] == "m0" and i["value"]["text"] == text[:35] for i in items)
    regions, note_codes = parse_results(items + [{"from_name": "note_codes", "value": {"choices": ["bereavement"]}}])
    assert regions == {"m0": region} and note_codes == ["bereavement"]


def region(rid, code="neglect", start=0, end=10, **kw):
    return Region(rid, code, start, end, kw.pop("experiencer", "child"), kw.pop("assertion", "present"), **kw)


def test_compare_accepts_corrects_rejects_and_adds():
    predicted = {"a": region("a", start=0, end=10), "b": region("b", start=20, end=30),
                 "c": region("c", "bullying", 40, 50), "d": region("d", "self_harm", 60, 70)}
    annotated = {"a": region("a", start=0, end=10),                      # kept as is
                 "b": region("b", start=20, end=30, assertion="possible"),  # assertion changed
                 "x": region("x", "bullying", 40, 50),                   # redrawn: same code and span
                 "n": region("n", "young_carer", 80, 90)}                # new
    got = {(d.decision, d.region.id) for d in compare(predicted, annotated)}
    assert got == {("accepted", "a"), ("corrected", "b"), ("accepted", "x"), ("added", "n"), ("rejected", "d")}


def test_a_changed_code_span_or_date_is_a_correction():
    before = region("a", date_start=date(2020, 6, 1), date_end=date(2020, 8, 31), precision="season")
    for after in (replace(before, code="bullying"), replace(before, end=12), replace(before, experiencer="other"),
                  replace(before, date_start=date(2020, 7, 1))):
        assert [d.decision for d in compare({"a": before}, {"a": after})] == ["corrected"]


@pytest.mark.parametrize("start,end,expected", [
    (date(2020, 6, 1), date(2020, 8, 31), "season"),  # as predicted: the prediction's precision
    (date(2020, 7, 1), date(2020, 7, 31), "month"), (date(2020, 7, 4), date(2020, 7, 4), "day"),
    (date(2020, 1, 1), date(2020, 12, 31), "year"), (date(2020, 7, 4), date(2020, 9, 9), "day"),
    (None, None, None)])
def test_precision_keeps_the_prediction_or_reads_the_reviewers_dates(start, end, expected):
    before = region("a", date_start=date(2020, 6, 1), date_end=date(2020, 8, 31), precision="season")
    after = replace(before, date_start=start, date_end=end, precision=None)
    assert precision(Decision("corrected", after, before)) == expected


def test_review_rows_carry_evidence_decisions_and_note_level_codes():
    text = "Mum hit him. He was shouted at daily."
    predicted = {"m0": region("m0", "physical_abuse", 0, 12, date_start=date(2021, 1, 4), date_end=date(2021, 1, 4),
                              precision="day")}
    annotated = {"m0": replace(predicted["m0"], experiencer=None, assertion=None, date_end=None, precision=None)}
    rows = review_rows(text, predicted, annotated, ["emotional_abuse", "physical_abuse"], note_id="n1", case_id="c1",
                       reviewer="r@example.com", reviewed_at=WHEN, model_version="mv", review_key="k")
    assert [(r.code, r.decision, r.evidence, r.experiencer, r.assertion) for r in rows] == [
        ("physical_abuse", "accepted", "Mum hit him.", "child", "present"),
        ("emotional_abuse", "added", "", "child", "present")]
    # a lone start date is a one-day event; untouched dates keep their precision
    assert (rows[0].date_start, rows[0].date_end, rows[0].date_precision) == (date(2021, 1, 4), date(2021, 1, 4), "day")
    assert rows[1].evidence_start is None and rows[1].date_start is None


def suggestions():
    notes, rejects = read_suggestions(SUGGESTIONS, TAXONOMY)
    assert not rejects
    return notes


def test_uncertainty_puts_the_least_sure_note_first():
    ordered = select(suggestions(), "uncertainty")
    scores = [uncertainty(n) for n in ordered]
    assert scores == sorted(scores, reverse=True) and ordered[0].note_id == "EX2-002"  # a mention at 0.54
    assert [n.note_id for n in select(suggestions(), "uncertainty", sample=2)] == [n.note_id for n in ordered[:2]]


def test_random_and_stratified_samples_are_seeded():
    notes = suggestions()
    assert [n.note_id for n in select(notes, "random", seed=1)] == [n.note_id for n in select(notes, "random", seed=1)]
    stratified = select(notes, "stratified", sample=4, seed=0)
    tops = [max(n.mentions, key=lambda m: m.score).code for n in stratified]
    assert len(set(tops)) == 4  # one note per strongest code before any code repeats


def test_only_redacted_records_within_the_taxonomy_are_pushed(tmp_path):
    records = [json.loads(line) for line in SUGGESTIONS.read_text().splitlines()]
    records[0].pop("redactor")
    records[1]["mentions"][0]["code"] = "not_a_code"
    records[2]["mentions"][0]["end"] = 10_000
    records[3] = {"note_id": "raw-1", "case_id": "c", "note_date": "2021-01-01", "text": "Raw note text."}
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    good, rejects = read_suggestions(path, TAXONOMY)
    assert len(good) == 3
    assert [(r.note_id, r.field) for r in rejects] == [
        ("EX1-001", "redactor"), ("EX1-002", "mentions[0]"), ("EX1-003", "mentions[0]"), ("raw-1", "model_version")]
    assert "Raw note text" not in json.dumps([r.to_dict() for r in rejects])


def test_suggestions_round_trip_through_from_dict():
    record = json.loads(SUGGESTIONS.read_text().splitlines()[1])
    assert Suggestions.from_dict(record).to_dict() == record


def test_kappa_per_code_and_overall():
    pairs = [({"neglect"}, {"neglect"}), ({"neglect", "bullying"}, {"neglect"}), (set(), set()),
             ({"bullying"}, {"bullying"})]
    report = kappa_report(pairs, TAXONOMY)
    assert report["tasks"] == 4
    assert report["codes"]["neglect"] == {"kappa": 1.0, "agreement": 1.0, "reviewer_1": 2, "reviewer_2": 2}
    assert report["codes"]["bullying"]["kappa"] == 0.5 and report["codes"]["bullying"]["agreement"] == 0.75
    assert 0.5 < report["overall"]["kappa"] < 1.0


def test_negated_regions_do_not_show_a_code():
    text = "No concerns of neglect."
    items = region_results(region("a", "neglect", 0, 23, assertion="negated"), text)
    items += region_results(region("b", "bullying", 0, 2, assertion="possible"), text)
    assert codes_shown(items, TAXONOMY) == {"bullying"}


# Label Studio down or slow: one clear line, nothing written

def test_down_server_gives_one_line_and_writes_nothing(tmp_path, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("NARRATIVE_LS_TOKEN", "some-token-123")
    db = tmp_path / "store.db"
    for args in (["review", "push", str(SUGGESTIONS), "--project", "p"], ["review", "pull", "--project", "p", "--db", str(db)],
                 ["review", "agreement", "--project", "p"]):
        result = CliRunner().invoke(app, [*args, "--url", f"http://127.0.0.1:{port}"])
        assert result.exit_code == 2
        assert result.output.strip() == f"error: cannot reach Label Studio at http://127.0.0.1:{port} " \
                                        f"(list projects): ConnectError"
    assert not (tmp_path / "review_suggestions.push-rejects.jsonl").exists()


def test_slow_server_times_out_with_a_clear_message():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        with LabelStudioClient(url, "token-123456", timeout=0.5) as client:
            with pytest.raises(LabelStudioError, match=r"did not answer in time \(list projects\)"):
                client.find_project("p")
    finally:
        listener.close()


def test_a_token_is_required(monkeypatch):
    monkeypatch.delenv("NARRATIVE_LS_TOKEN", raising=False)
    with pytest.raises(LabelStudioError, match="NARRATIVE_LS_TOKEN"):
        connect("http://127.0.0.1:1")


def test_code_colours_are_hex():
    assert all(len(c) == 7 and c.startswith("#") for c in code_colours(TAXONOMY).values())


def test_serve_refuses_a_busy_port_and_a_missing_install(tmp_path, monkeypatch):
    from narrative.review.server import LabelStudio, ServerError, ls_binary

    monkeypatch.setenv("NARRATIVE_LS_BIN", str(tmp_path / "nowhere" / "label-studio"))
    with pytest.raises(ServerError, match="make labelstudio"):
        ls_binary()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(ServerError, match="in use"):
            LabelStudio(tmp_path / "data", busy.getsockname()[1]).start()


def test_an_annotation_without_a_parent_is_compared_with_the_latest_prediction():
    from narrative.review.pull import task_review

    text = "Mum hit him. He was shouted at daily."
    old = {"id": 1, "model_version": "old", "result": region_results(region("m0", "neglect", 0, 12), text)}
    new = {"id": 2, "model_version": "new", "result": region_results(region("m0", "physical_abuse", 0, 12), text)}
    annotation = {"id": 5, "completed_by": 3, "updated_at": "2024-05-01T12:00:00Z", "parent_prediction": None,
                  "result": new["result"]}
    task = {"id": 9, "data": {"text": text, "note_id": "n1", "case_id": "c1", "note_date": "2024-04-30"},
            "predictions": [1, 2], "annotations": [annotation]}
    fetched = []
    review = task_review("p", task, {3: "r@example.com"}, lambda pid: fetched.append(pid) or {1: old, 2: new}[pid])
    assert fetched == [2]
    assert [(r.code, r.decision, r.model_version, r.reviewer) for r in review.rows] == [
        ("physical_abuse", "accepted", "new", "r@example.com")]
    assert review.review_key == "labelstudio:p:task:9" and review.reviewed_at == WHEN


def test_rows_outside_the_taxonomy_are_refused():
    from narrative.records import RecordError
    from narrative.review.pull import check_rows

    rows = review_rows("Some text here.", {}, {"x": region("x", "made_up_code", 0, 4)}, [], note_id="n1",
                       case_id="c1", reviewer="r", reviewed_at=WHEN, model_version=None)
    with pytest.raises(RecordError, match="code outside the taxonomy"):
        check_rows(rows, TAXONOMY)
    check_rows(review_rows("Some text here.", {}, {"x": region("x", "neglect", 0, 4)}, [], note_id="n1",
                           case_id="c1", reviewer="r", reviewed_at=WHEN, model_version=None), TAXONOMY)
