"""The store: reviewed rows round-trip, reviews replace idempotently, the schema upgrades."""

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from narrative.records import ConfirmedCode, RecordError
from narrative.store import NoteMeta, Store, StoreError
from narrative.store import schema

WHEN = datetime(2024, 3, 1, 12, 30, tzinfo=timezone.utc)


def row(code="imprisonment", decision="accepted", assertion="present", **changes) -> ConfirmedCode:
    values = dict(note_id="N1", case_id="C1", code=code, experiencer="parent_carer", assertion=assertion,
                  date_start=date(2019, 10, 1), date_end=date(2019, 10, 31), date_precision="month",
                  evidence="since [PERSON_3] went to prison in October 2019", reviewer="sw1",
                  reviewed_at=WHEN, model_version="m1", decision=decision, evidence_start=4, evidence_end=52)
    return ConfirmedCode(**{**values, **changes})


@pytest.fixture
def store(store_url):
    opened = Store(store_url)
    yield opened
    opened.close()


def review(store, key, rows, note_id="N1", case_id="C1"):
    return store.replace_review(key, rows, reviewer="sw1", reviewed_at=WHEN, model_version="m1",
                                note_id=note_id, case_id=case_id)


def test_rows_round_trip_with_utc_times(store):
    written = [row(), row("domestic_abuse", "corrected", date_start=None, date_end=None, date_precision=None)]
    assert review(store, "ls:p:task:1", written)
    read = store.confirmed()
    assert [r.code for r in read] == ["imprisonment", "domestic_abuse"]      # undated last
    assert read[0] == row(review_key="ls:p:task:1")
    assert read[0].reviewed_at.tzinfo is not None and read[0].reviewed_at == WHEN


def test_a_review_replaces_its_rows_and_pulling_again_changes_nothing(store):
    assert review(store, "k1", [row(), row("bereavement", "rejected")])
    assert not review(store, "k1", [row(), row("bereavement", "rejected")])
    assert len(store.audit()) == 1
    assert review(store, "k1", [row(date_start=date(2019, 11, 1), date_end=date(2019, 11, 30), decision="corrected")])
    rows = store.confirmed()
    assert len(rows) == 1 and rows[0].decision == "corrected" and rows[0].date_start == date(2019, 11, 1)
    audit = store.audit()
    assert [(a["accepted"], a["corrected"], a["rejected"]) for a in audit] == [(1, 0, 1), (0, 1, 0)]


def test_only_affirmed_reviewed_rows_count_as_experiences(store):
    review(store, "k1", [row(), row("neglect", assertion="negated"), row("bereavement", decision="rejected"),
                         row("missing", decision="added", assertion="possible"),
                         row("mental_health", assertion="hypothetical")])
    assert [r.code for r in store.confirmed(experiences_only=True)] == ["imprisonment", "missing"]
    assert len(store.confirmed()) == 5


def test_notes_metadata_and_case_filter(store):
    store.add_notes([NoteMeta("N1", "C1", date(2024, 3, 1), dob=date(2012, 5, 4), area="North"),
                     NoteMeta("N2", "C2", date(2024, 2, 1))])
    store.add_notes([NoteMeta("N1", "C1", date(2024, 3, 1), dob=date(2012, 5, 4), area="South")])
    assert [n.area for n in store.notes("C1")] == ["South"]
    assert store.dobs() == {"C1": date(2012, 5, 4)}
    review(store, "k1", [row()])
    review(store, "k2", [row(note_id="N2", case_id="C2")], note_id="N2", case_id="C2")
    assert [r.note_id for r in store.confirmed(case_id="C2")] == ["N2"]


def test_model_versions(store):
    store.record_model_version("m1", path="models/m1", created_at=WHEN, metrics={"micro_f1": 0.7})
    store.record_model_version("m1", path="models/m1", created_at=WHEN, metrics={"micro_f1": 0.8})
    assert store.model_versions() == [{"version": "m1", "path": "models/m1", "created_at": WHEN,
                                       "metrics": {"micro_f1": 0.8}}]


def test_an_older_store_is_upgraded_with_its_rows(store_url):
    path = store_url
    old = Store(path)
    review(old, "k1", [row()])
    old.close()

    def add_team_lead(conn):
        conn.execute(text("ALTER TABLE notes ADD COLUMN team_lead VARCHAR(200)"))

    upgraded = Store(path, migrations=[*schema.MIGRATIONS, add_team_lead])
    assert upgraded.schema_version() == len(schema.MIGRATIONS) + 1
    assert upgraded.confirmed() == [row(review_key="k1")]
    upgraded.close()
    with pytest.raises(StoreError, match="newer than this narrative"):
        Store(path)


def test_bad_urls_and_rows_fail_clearly(tmp_path):
    with pytest.raises(StoreError, match="cannot open") as err:
        Store("postgresql+psycopg://reviewer:s3cret@127.0.0.1:9/narrative")
    assert "s3cret" not in str(err.value)
    with pytest.raises(StoreError, match="not a usable database URL"):
        Store("nosuchdb://x/y")
    with pytest.raises(RecordError, match="decision"):
        row(decision="maybe")
    with pytest.raises(RecordError, match="note 'N1'.*reviewed_at"):
        ConfirmedCode.from_dict({**row().to_dict(), "reviewed_at": "yesterday"})
    assert ConfirmedCode.from_dict(row().to_dict()) == row()


def test_export_confirmed_writes_every_field(tmp_path, store):
    review(store, "k1", [row(), row("bereavement", "rejected")])
    out = tmp_path / "confirmed.csv"
    result = CliRunner().invoke(__import__("narrative.cli", fromlist=["app"]).app,
                                ["export", "confirmed", "--db", store.url, "-o", str(out)])
    assert result.exit_code == 0, result.output
    import csv
    rows = list(csv.DictReader(out.open()))
    assert {"note_id", "case_id", "code", "experiencer", "assertion", "date_start", "date_end", "date_precision",
            "evidence", "reviewer", "reviewed_at", "model_version", "decision"} <= set(rows[0])
    assert [ConfirmedCode.from_dict(r) for r in rows] == store.confirmed()
