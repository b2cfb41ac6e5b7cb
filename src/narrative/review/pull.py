"""``narrative review pull``: every annotation of a project into confirmed rows in the store.

Each annotation is compared with the prediction it started from (its ``parent_prediction``, else
the task's latest prediction): a suggested region kept as it was is *accepted*, kept with its
code, span, experiencer, assertion or dates changed is *corrected*, deleted is *rejected*; a
region the reviewer drew is *added*, and so is a note-level code with no region of its own.
One review per task (the ground-truth annotation, else the latest); the store replaces a
review's rows only when they changed, so pulling again changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone

from narrative.records import ConfirmedCode, RecordError, parse_iso_date, parse_timestamp
from narrative.review.client import LabelStudioClient, LabelStudioError
from narrative.review.results import Region, parse_results
from narrative.taxonomy import Taxonomy, load_taxonomy

DEFAULT_EXPERIENCER = "child"
DEFAULT_ASSERTION = "present"


@dataclass(frozen=True)
class Decision:
    """What a reviewer did with one region: the final region and the prediction it came from."""

    decision: str
    region: Region
    predicted: Region | None = None


def _key(region: Region) -> tuple:
    return (region.code, region.start, region.end)


def compare(predicted: dict[str, Region], annotated: dict[str, Region]) -> list[Decision]:
    """Accepted / corrected / rejected per predicted region, added per new one (pure).

    Regions are matched by id (Label Studio keeps a prediction's region ids in the annotation),
    then by identical code and span.
    """
    pairs: dict[str, str] = {rid: rid for rid in annotated if rid in predicted}
    free = {_key(r): rid for rid, r in predicted.items() if rid not in pairs}
    for rid, region in annotated.items():
        if rid not in pairs and _key(region) in free:
            pairs[rid] = free.pop(_key(region))
    matched = set(pairs.values())
    decisions = []
    for rid, region in annotated.items():
        if rid in pairs:
            before = predicted[pairs[rid]]
            decisions.append(Decision("accepted" if region.fields == before.fields else "corrected", region, before))
        else:
            decisions.append(Decision("added", region))
    decisions += [Decision("rejected", r, r) for rid, r in predicted.items() if rid not in matched]
    return sorted(decisions, key=lambda d: (d.region.start, d.region.end, d.region.code or ""))


def normalised(region: Region) -> Region:
    """A reviewer's region with the defaults filled in: child, present, a lone date as both ends."""
    start, end = region.date_start or region.date_end, region.date_end or region.date_start
    if start and end and end < start:
        start, end = end, start
    return replace(region, experiencer=region.experiencer or DEFAULT_EXPERIENCER,
                   assertion=region.assertion or DEFAULT_ASSERTION, date_start=start, date_end=end)


def precision(decision: Decision) -> str | None:
    """The predicted precision when the dates stand; otherwise what the reviewer's dates show."""
    region, before = decision.region, decision.predicted
    start, end = region.date_start, region.date_end
    if before and (start, end) == (before.date_start, before.date_end):
        return before.precision
    if start is None:
        return None
    if start == end:
        return "day"
    next_month = (end + timedelta(days=1))
    if start.day == 1 and next_month.day == 1 and (start.year, start.month) == (end.year, end.month):
        return "month"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return "year"
    return "day"


@dataclass(frozen=True)
class Review:
    """One annotation as the store sees it: who, when, which model, and the rows."""

    review_key: str
    note_id: str
    case_id: str
    note_date: date
    reviewer: str
    reviewed_at: datetime
    model_version: str | None
    rows: list[ConfirmedCode]


def review_rows(text: str, predicted: dict[str, Region], annotated: dict[str, Region], note_codes: list[str], *,
                note_id: str, case_id: str, reviewer: str, reviewed_at: datetime, model_version: str | None,
                review_key: str = "") -> list[ConfirmedCode]:
    """The confirmed rows of one annotation over the redacted ``text`` (pure)."""
    rows = []
    decisions = compare(predicted, {rid: normalised(r) for rid, r in annotated.items()})
    for d in decisions:
        r = d.region
        rows.append(ConfirmedCode(
            note_id=note_id, case_id=case_id, code=r.code, experiencer=r.experiencer, assertion=r.assertion,
            date_start=r.date_start, date_end=r.date_end, date_precision=precision(d),
            evidence=text[r.start:r.end], reviewer=reviewer, reviewed_at=reviewed_at, model_version=model_version,
            decision=d.decision, evidence_start=r.start, evidence_end=r.end, review_key=review_key))
    spanned = {d.region.code for d in decisions if d.decision != "rejected"}
    for code in note_codes:
        if code not in spanned:
            rows.append(ConfirmedCode(
                note_id=note_id, case_id=case_id, code=code, experiencer=DEFAULT_EXPERIENCER,
                assertion=DEFAULT_ASSERTION, date_start=None, date_end=None, date_precision=None, evidence="",
                reviewer=reviewer, reviewed_at=reviewed_at, model_version=model_version, decision="added",
                review_key=review_key))
    return rows


def chosen_annotation(task: dict) -> dict | None:
    """The annotation that stands for the task: ground truth first, else the latest; skips cancelled."""
    done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled") and a.get("result") is not None]
    if not done:
        return None
    return max(done, key=lambda a: (bool(a.get("ground_truth")), a.get("updated_at") or "", a["id"]))


def review_key(title: str, task_id: int) -> str:
    return f"labelstudio:{title}:task:{task_id}"


def task_review(title: str, task: dict, users: dict[int, str], fetch_prediction=None) -> Review | None:
    """The review of one task, or None when nobody has annotated it.

    The baseline is the annotation's parent prediction (embedded by an export, or among the
    task's predictions), else the task's latest prediction (``fetch_prediction`` reads one by id).
    """
    annotation = chosen_annotation(task)
    if annotation is None:
        return None
    data = task["data"]
    predictions = {p["id"]: p for p in task.get("predictions") or [] if isinstance(p, dict)}
    base = annotation.get("prediction") or predictions.get(annotation.get("parent_prediction"))
    if not base and task.get("predictions"):
        latest = max(p["id"] if isinstance(p, dict) else p for p in task["predictions"])
        base = predictions.get(latest) or (fetch_prediction(latest) if fetch_prediction else None)
    predicted, _ = parse_results((base or {}).get("result") or [])
    annotated, note_codes = parse_results(annotation["result"])
    completed_by = annotation.get("completed_by")
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("id")
    reviewer = users.get(completed_by) or f"labelstudio-user-{completed_by}"
    reviewed_at = parse_timestamp(annotation.get("updated_at") or annotation.get("created_at"), "updated_at")
    key = review_key(title, task["id"])
    model_version = (base or {}).get("model_version")
    rows = review_rows(data["text"], predicted, annotated, note_codes, note_id=str(data["note_id"]),
                       case_id=str(data["case_id"]), reviewer=reviewer, reviewed_at=reviewed_at,
                       model_version=model_version, review_key=key)
    return Review(key, str(data["note_id"]), str(data["case_id"]), parse_iso_date(data.get("note_date"), "note_date"),
                  reviewer, reviewed_at, model_version, rows)


def check_rows(rows: list[ConfirmedCode], taxonomy: Taxonomy) -> None:
    """Refuse rows whose code, experiencer or assertion the taxonomy does not know."""
    for row in rows:
        for name, allowed in (("code", taxonomy.codes), ("experiencer", taxonomy.experiencers),
                              ("assertion", taxonomy.assertions)):
            if getattr(row, name) not in allowed:
                raise RecordError(f"{name} outside the taxonomy", field=name)


@dataclass
class PullSummary:
    tasks: int = 0
    reviewed: int = 0
    written: int = 0
    unchanged: int = 0
    cleared: int = 0
    decisions: Counter = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)


def pull(client: LabelStudioClient, title: str, store) -> PullSummary:
    """Read every annotation of project ``title`` and write its confirmed rows into ``store``.

    Everything is read from Label Studio first, so a server that fails mid-way writes nothing.
    """
    from narrative.store import NoteMeta

    project = client.find_project(title)
    if project is None:
        raise LabelStudioError(f"Label Studio at {client.url} has no project titled {title!r}")
    users = client.users()
    tasks = client.annotated_tasks(project["id"])
    summary = PullSummary(tasks=project.get("task_number") or 0)
    taxonomy = load_taxonomy()
    reviews, skipped_keys = [], set()
    for task in tasks:
        try:
            review = task_review(title, task, users, client.prediction)
            if review is not None:
                check_rows(review.rows, taxonomy)
                reviews.append(review)
        except (RecordError, KeyError, TypeError, ValueError) as err:  # one bad task must not stop the rest
            field_name = err.field if isinstance(err, RecordError) else None
            reason = err.reason if isinstance(err, RecordError) else f"malformed task ({type(err).__name__})"
            skipped_keys.add(review_key(title, task.get("id")))
            summary.skipped.append(f"task {task.get('id')}" + (f" field {field_name!r}" if field_name else "")
                                   + f": {reason}")
    store.add_notes(NoteMeta(r.note_id, r.case_id, r.note_date) for r in reviews)
    for review in reviews:
        changed = store.replace_review(review.review_key, review.rows, reviewer=review.reviewer,
                                       reviewed_at=review.reviewed_at, model_version=review.model_version,
                                       note_id=review.note_id, case_id=review.case_id)
        summary.reviewed += 1
        summary.written += changed
        summary.unchanged += not changed
        summary.decisions.update(row.decision for row in review.rows)
    # an annotation deleted in Label Studio takes its rows out of the store
    live = {r.review_key for r in reviews} | skipped_keys  # a skipped review keeps its earlier rows
    prefix = review_key(title, 0)[:-1]
    latest = {a["review_key"]: a for a in store.audit() if a["review_key"].startswith(prefix)}
    for key, audit in latest.items():
        if key not in live and store.replace_review(key, [], reviewer=audit["reviewer"],
                                                    reviewed_at=datetime.now(timezone.utc), model_version=None,
                                                    note_id=audit["note_id"], case_id=audit["case_id"]):
            summary.cleared += 1
    return summary
