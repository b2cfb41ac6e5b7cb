"""Timelines, the HTML report, exports and the scripted review, end to end through the CLI."""

import csv
import json
import os
import re
import shutil
import subprocess
from datetime import date, datetime, timezone

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from narrative.aggregate import build_timeline
from narrative.annotations.synth import generate
from narrative.cli import app
from narrative.records import ConfirmedCode
from narrative.review.scripted import accept_labelled, gold_evidence
from narrative.store import NoteMeta, Store

WHEN = datetime(2024, 1, 1, tzinfo=timezone.utc)
DOB = date(2012, 5, 4)


def code(code="neglect", start=None, end=None, precision=None, note="N1", **kw):
    values = dict(note_id=note, case_id="C1", code=code, experiencer="child", assertion="present",
                  date_start=start, date_end=end, date_precision=precision, evidence="[PERSON] was hungry",
                  reviewer="sw", reviewed_at=WHEN, model_version="m", decision="accepted")
    return ConfirmedCode(**{**values, **kw})


def test_timeline_orders_events_keeps_intervals_and_drops_what_does_not_count():
    notes = [NoteMeta("N1", "C1", date(2020, 3, 1)), NoteMeta("N2", "C1", date(2021, 6, 1))]
    rows = [code("bullying", note="N2"),                                       # undated: by 2021-06-01
            code("neglect", date(2019, 9, 1), date(2020, 7, 31), "school_year"),
            code("self_harm", date(2020, 5, 1), date(2020, 5, 31), "month", note="N2"),
            code("missing_episodes", date(2019, 1, 1), date(2019, 1, 1), "day", assertion="negated"),
            code("bereavement", date(2018, 1, 1), date(2018, 12, 31), "year", decision="rejected")]
    events = build_timeline("C1", rows, notes, DOB)
    assert [e.code for e in events] == ["neglect", "self_harm", "bullying"]
    neglect = events[0]
    assert (neglect.age_start, neglect.age_end, neglect.date_precision) == (7.3, 8.2, "school_year")
    assert not events[2].dated and events[2].note_age == 9.1
    assert "dob" not in json.dumps([e.to_dict() for e in events]).lower()


@pytest.fixture(scope="module")
def cohort_db(tmp_path_factory):
    """A store of 60 generated children, their gold labels accepted, in two made-up areas."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cohort') / 'narrative.db'}"
    store = Store(url)
    for case, notes in generate(60, seed=11):
        accept_labelled(notes, store, reviewer="gold", dobs={case.case_id: case.dob},
                        groups={case.case_id: {"area": "North" if int(case.case_id[1:]) % 2 else "South"}})
    store.close()
    return url


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def test_gold_evidence_masks_identifiers():
    text = "Mum Kelly Marsh said Tyler was hit"
    idents = [{"start": 4, "end": 15, "label": "PERSON"}, {"start": 21, "end": 26, "label": "PERSON"}]
    assert gold_evidence(text, 0, len(text), idents) == "Mum [PERSON] said [PERSON] was hit"
    assert gold_evidence(text, 10, 30, idents) == "[PERSON] said [PERSON] was"


def test_report_is_self_contained_and_shows_no_dob_or_note_text(tmp_path, cohort_db):
    out = tmp_path / "report.html"
    run("report", "--db", cohort_db, "-o", out, "--case", "S00003")
    html = out.read_text()
    store = Store(cohort_db)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    for dob in store.dobs().values():
        assert dob.isoformat() not in html and dob.strftime("%d/%m/%Y") not in html
    generated = {n.note_id: n for _, notes in generate(60, seed=11) for n in notes}
    for note in generated.values():                  # no identifier of the raw notes leaks
        for ident in note.identifiers:
            if ident["label"] in ("PERSON", "ADDRESS", "NHS_NUMBER", "PHONE_NUMBER") and len(ident["text"]) > 5:
                assert ident["text"] not in html, ident["label"]
    data = json.loads(re.search(r'id="narrative-data">(.*?)</script>', html, re.S).group(1))
    assert data["children"] == 60 and data["timeline"]["case_id"] == "S00003"
    assert {t["name"] for t in data["tables"]} >= {"prevalence", "cooccurrence", "distinct_codes", "ace_score",
                                                    "cin_factors", "trends", "first_age", "by_area"}
    assert html.count('<figure class="chart"') == len(data["tables"]) + 1


def test_exports_carry_exactly_the_reports_figures(tmp_path, cohort_db):
    run("export", "cohort", "--db", cohort_db, "-o", tmp_path / "cohort.csv", "--threshold", "10")
    run("export", "cohort", "--db", cohort_db, "-o", tmp_path / "cohort.parquet", "--threshold", "10")
    rows = list(csv.DictReader((tmp_path / "cohort.csv").open()))
    assert rows == pq.read_table(tmp_path / "cohort.parquet").to_pylist()
    values = {r["value"] for r in rows}
    assert "<10" in values and not values & {str(v) for v in range(1, 10)}
    run("report", "--db", cohort_db, "-o", tmp_path / "r.html", "--threshold", "10")
    html = (tmp_path / "r.html").read_text()
    data = json.loads(re.search(r'id="narrative-data">(.*?)</script>', html, re.S).group(1))
    published = {(t["name"], str(r[0]), c, str(v)) for t in data["tables"] for r in t["rows"]
                 for c, v in zip(t["columns"][1:], r[1:])}
    assert {(r["table"], r["row"], r["column"], r["value"]) for r in rows} == published
    run("export", "timeline", "--db", cohort_db, "-o", tmp_path / "t.csv", "--case", "S00002")
    events = list(csv.DictReader((tmp_path / "t.csv").open()))
    assert events and {e["case_id"] for e in events} == {"S00002"}
    starts = [e["date_start"] or "9999" for e in events if e["dated"] == "True"]
    assert starts == sorted(starts)
    run("export", "timeline", "--db", cohort_db, "-o", tmp_path / "t.json", "--case", "S00002")
    assert [str(e["age_start"]) if e["age_start"] is not None else "" for e in
            json.loads((tmp_path / "t.json").read_text())] == [e["age_start"] for e in events]


def test_scripted_review_of_suggestions_then_report(tmp_path, store_url):
    suggestions = tmp_path / "suggestions.jsonl"
    records = [{"note_id": f"N{i}", "case_id": f"C{i % 3}", "note_date": "2023-03-14", "model_version": "m1",
                "text": "[PERSON] went to prison", "area": "North", "codes": [],
                "mentions": [{"code": "imprisonment", "experiencer": "parent_carer", "assertion": "present",
                              "score": 0.9, "start": 0, "end": 23, "text": "[PERSON] went to prison",
                              "date": {"text": "October 2019", "start": "2019-10-01", "end": "2019-10-31",
                                       "precision": "month", "anchor": "explicit"}}]} for i in range(7)]
    suggestions.write_text("\n".join(json.dumps(r) for r in records) + "\n{broken\n")
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"case_id": "C1", "dob": "2010-01-01"}) + "\n")
    db = store_url
    result = run("review", "accept-all", suggestions, "--db", db, "--cases", cases)
    assert "accepted 7 suggestions of 7 notes; 1 rejected" in result.output
    run("review", "accept-all", suggestions, "--db", db, "--cases", cases)       # idempotent
    store = Store(db)
    assert len(store.confirmed()) == 7 and len(store.audit()) == 7
    assert {n.area for n in store.notes()} == {"North"} and store.dobs() == {"C1": date(2010, 1, 1)}
    run("report", "--db", db, "-o", tmp_path / "r.html", "--case", "C1")
    html = (tmp_path / "r.html").read_text()
    assert "most figures are withheld" in html and "2010-01-01" not in html
    bad = CliRunner().invoke(app, ["report", "--db", db, "-o", tmp_path / "x.html", "--case", "NOPE"])
    assert bad.exit_code == 2 and "NOPE" in bad.output
    bad = CliRunner().invoke(app, ["export", "cohort", "--db", db, "-o", tmp_path / "x.xlsx"])
    assert bad.exit_code == 2 and ".csv or .parquet" in bad.output


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    return found


@pytest.mark.slow
@pytest.mark.browser
def test_the_report_draws_its_charts_in_headless_chromium(tmp_path, cohort_db):
    from PIL import Image

    out = tmp_path / "report.html"
    run("report", "--db", cohort_db, "-o", out, "--case", "S00003")
    browser = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run([*browser, "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120).stdout
    charts = int(re.search(r'data-charts="(\d+)"', dom).group(1))
    assert charts >= 9 and f'data-charts-drawn="{charts}"' in dom
    shot = tmp_path / "report.png"
    subprocess.run([*browser, f"--screenshot={shot}", "--window-size=1280,2400", out.as_uri()],
                   capture_output=True, timeout=120, check=True)
    r, g, b = np.asarray(Image.open(shot).convert("RGB"), dtype=int).transpose(2, 0, 1)
    blue = int(((b > 140) & (r < 90) & (g > 80) & (g < 150)).sum())         # bars and heat cells
    assert blue > 20_000, f"only {blue} chart-coloured pixels"
