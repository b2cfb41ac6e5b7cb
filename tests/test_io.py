"""Readers stream JSON Lines, CSV and Parquet, and turn every bad record into a named reject."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from narrative.io import InputError, Reject, read_cases, read_notes
from narrative.records import Note

GOOD = {"note_id": "n1", "case_id": "c1", "note_date": "2023-03-14", "text": "Home visit.", "note_type": "home_visit"}


def write_lines(path, lines):
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_jsonl_csv_and_parquet_give_the_same_notes(tmp_path):
    rows = [GOOD, {**GOOD, "note_id": "n2", "text": "Line one.\nLine two, with a comma."}]
    jsonl = write_lines(tmp_path / "n.jsonl", [json.dumps(r).encode() for r in rows])
    csv_path = tmp_path / "n.csv"
    import csv
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(GOOD))
        writer.writeheader()
        writer.writerows(rows)
    parquet = tmp_path / "n.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    results = [list(read_notes(p)) for p in (jsonl, csv_path, parquet)]
    assert all(isinstance(n, Note) for r in results for n in r)
    assert results[0] == results[1] == results[2]
    assert results[0][1].text == "Line one.\nLine two, with a comma."
    assert results[0][0].extra == {"note_type": "home_visit"}


def test_every_bad_record_is_a_reject_naming_it_and_never_its_text(tmp_path):
    secret = "Canary Zebedee-Quixote"
    lines = [
        json.dumps(GOOD).encode(),
        b'{"note_id": "n2", "case_id": "c1", "note_date": ',                      # malformed
        json.dumps({"note_id": "n3", "case_id": "c1", "text": secret}).encode(),  # no note_date
        json.dumps({**GOOD, "note_id": "n4", "note_date": "14/03/2023", "text": secret}).encode(),
        json.dumps({**GOOD, "note_id": "n5"}).encode()[:-1] + b', "x": "\xff\xfe"}',  # not UTF-8
        json.dumps({**GOOD, "note_id": "n6", "text": "   "}).encode(),              # empty text
        json.dumps({**GOOD, "note_id": "n7", "text": "x" * 2_000_001}).encode(),    # 2 MB note
        json.dumps({**GOOD, "text": secret}).encode(),                              # duplicate n1
        b"[1, 2]",
        json.dumps({**GOOD, "note_id": "n8"}).encode(),
    ]
    results = list(read_notes(write_lines(tmp_path / "bad.jsonl", lines)))
    assert len(results) == len(lines)
    ok = [r.note_id for r in results if isinstance(r, Note)]
    assert ok == ["n1", "n8"]
    rejects = {r.record: r for r in results if isinstance(r, Reject)}
    assert rejects["line 2"].reason == "malformed JSON"
    assert (rejects["line 3"].field, rejects["line 3"].reason) == ("note_date", "missing required field")
    assert rejects["line 4"].reason == "not an ISO date (YYYY-MM-DD)" and rejects["line 4"].note_id == "n4"
    assert rejects["line 5"].reason == "not valid UTF-8"
    assert (rejects["line 6"].field, rejects["line 6"].reason) == ("text", "empty")
    assert rejects["note 'n7'"].reason.startswith("text longer than")
    assert rejects["note 'n1'"].reason == "duplicate note_id"
    assert rejects["line 9"].reason == "not a JSON object"
    assert secret not in json.dumps([r.to_dict() for r in rejects.values()])


def test_csv_rejects_a_row_with_extra_fields(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("note_id,case_id,note_date,text\nn1,c1,2023-01-02,ok\nn2,c1,2023-01-02,a,b\n")
    results = list(read_notes(path))
    assert isinstance(results[0], Note) and results[1].reason == "more fields than the header"


def test_unknown_format_and_missing_file_are_input_errors(tmp_path):
    (tmp_path / "n.txt").write_text("x")
    with pytest.raises(InputError, match="unknown input format"):
        list(read_notes(tmp_path / "n.txt"))
    with pytest.raises(InputError, match="no such file"):
        list(read_notes(tmp_path / "missing.jsonl"))


def test_cases_from_csv_split_name_lists(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_id,dob,given_names,family_name,address,known_people\n"
                    "c1,2010-06-12,Tyler;James,Marsh,\"18 Hawthorn Road, Bradford\",Kelly Marsh;Ryan Doyle\n")
    case = read_cases(path)["c1"]
    assert case.given_names == ["Tyler", "James"]
    assert case.full_names == ["Tyler James Marsh", "Kelly Marsh", "Ryan Doyle"]
    assert case.dob.isoformat() == "2010-06-12"


def test_a_bad_case_record_stops_with_its_line(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps({"case_id": "c1", "dob": "12/06/2010"}) + "\n")
    with pytest.raises(InputError, match=r"line 1 field 'dob'"):
        read_cases(path)


def test_reading_is_streamed(tmp_path):
    path = tmp_path / "n.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + "{broken\n" * 3)
    stream = read_notes(path)
    assert isinstance(next(stream), Note)  # the first record arrives before the rest is read
