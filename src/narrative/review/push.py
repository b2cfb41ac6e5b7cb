"""``narrative review push``: redacted notes with their suggestions into a Label Studio project.

Tasks carry only the redacted text and ids (note_id, case_id, note_date); a record that does not
say which redactor produced its text is refused. A task is keyed by its note_id, so pushing the
same notes again updates their predictions and never duplicates a task; imports go in batches,
and a push that fails part-way is completed by running it again.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from narrative.io import Reject, drop_duplicate_ids, read_records, write_jsonl
from narrative.records import RecordError, Suggestions
from narrative.review.client import LabelStudioClient, LabelStudioError
from narrative.review.config import labeling_config
from narrative.review.results import mention_region, region_results
from narrative.taxonomy import Taxonomy, load_taxonomy

STRATEGIES = ("uncertainty", "random", "stratified")
TASK_FIELDS = ("note_id", "case_id", "note_date")


def uncertainty(suggestions: Suggestions) -> float:
    """How unsure the model is about a note: 1 when a mention scores 0.5, 0 when all are 0 or 1."""
    return max((1 - abs(2 * m.score - 1) for m in suggestions.mentions), default=0.0)


def select(notes: list[Suggestions], strategy: str = "uncertainty", sample: int | None = None,
           seed: int = 0) -> list[Suggestions]:
    """The notes to push, in review order: ``uncertainty`` puts the least sure first, ``random``
    shuffles, ``stratified`` takes turns between the notes' strongest codes; ``sample`` keeps the first N."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}")
    if strategy == "uncertainty":
        ordered = sorted(notes, key=uncertainty, reverse=True)
    elif strategy == "random":
        ordered = random.Random(seed).sample(notes, len(notes))
    else:
        strata: dict[str, list[Suggestions]] = defaultdict(list)
        for note in random.Random(seed).sample(notes, len(notes)):
            top = max(note.mentions, key=lambda m: m.score).code if note.mentions else ""
            strata[top].append(note)
        queues = [strata[key] for key in sorted(strata)]
        ordered = [queue[i] for i in range(max(map(len, queues), default=0)) for queue in queues if i < len(queue)]
    return ordered if sample is None else ordered[:sample]


def check_suggestions(suggestions: Suggestions, taxonomy: Taxonomy) -> None:
    """Refuse a record that is not redacted or that names values outside the taxonomy."""
    where = f"note {suggestions.note_id!r}"
    if not isinstance(suggestions.extra.get("redactor"), dict):
        raise RecordError("no redactor information: only notes from `narrative redact` (then "
                          "`narrative extract`) may go to Label Studio", record=where, field="redactor")
    for i, m in enumerate(suggestions.mentions):
        if (m.code not in taxonomy.codes or m.experiencer not in taxonomy.experiencers
                or m.assertion not in taxonomy.assertions):
            raise RecordError("code, experiencer or assertion outside the taxonomy", record=where,
                              field=f"mentions[{i}]")


def read_suggestions(path: str | Path, taxonomy: Taxonomy) -> tuple[list[Suggestions], list[Reject]]:
    """The pushable records of a suggestions file, and the rejected ones with their reasons."""
    def parse(data: dict) -> Suggestions:
        record = Suggestions.from_dict(data)
        check_suggestions(record, taxonomy)
        return record

    good, rejects = [], []
    for item in drop_duplicate_ids(read_records(path, parse)):
        (rejects if isinstance(item, Reject) else good).append(item)
    return good, rejects


def task_data(suggestions: Suggestions) -> dict:
    """What a task holds: the redacted text and ids, nothing else."""
    return {"text": suggestions.text, "note_id": suggestions.note_id, "case_id": suggestions.case_id,
            "note_date": suggestions.note_date.isoformat()}


def prediction(suggestions: Suggestions) -> dict:
    """The Label Studio prediction of a note's mentions; its score is the model's certainty."""
    result = [item for i, m in enumerate(suggestions.mentions)
              for item in region_results(mention_region(m, f"m{i}"), suggestions.text)]
    return {"model_version": suggestions.model_version, "score": round(1 - uncertainty(suggestions), 4),
            "result": result}


def project_settings(taxonomy: Taxonomy, strategy: str, overlap: float | None) -> dict:
    """Project fields: generated config, predictions shown, sampling and double coding."""
    settings = {"label_config": labeling_config(taxonomy), "show_collab_predictions": True,
                "sampling": "Uncertainty sampling" if strategy == "uncertainty" else "Sequential sampling"}
    if overlap is not None:
        settings.update(maximum_annotations=2 if overlap > 0 else 1,
                        overlap_cohort_percentage=round(overlap * 100) if overlap > 0 else 100)
    return settings


@dataclass
class PushSummary:
    project_id: int
    created: bool
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: Path | None = None
    double_coded: int = 0


def _same_prediction(existing: dict, wanted: dict) -> bool:
    return (existing.get("model_version") == wanted["model_version"] and existing.get("result") == wanted["result"]
            and abs(float(existing.get("score") or 0) - wanted["score"]) < 1e-9)


def ensure_project(client: LabelStudioClient, title: str, settings: dict) -> tuple[dict, bool]:
    """The project titled ``title``, created or brought up to ``settings``."""
    project = client.find_project(title)
    if project is None:
        return client.create_project(title=title, description="narrative review: confirm suggested codes",
                                     **settings), True
    changed = {k: v for k, v in settings.items() if project.get(k) != v}
    return (client.update_project(project["id"], **changed) if changed else project), False


def push(client: LabelStudioClient, suggestions_path: str | Path, title: str, *, strategy: str = "uncertainty",
         sample: int | None = None, seed: int = 0, overlap: float | None = None, batch_size: int = 500,
         rejects_path: str | Path | None = None, taxonomy: Taxonomy | None = None) -> PushSummary:
    """Push the notes of ``suggestions_path`` (selected by ``strategy``/``sample``) into project ``title``."""
    taxonomy = taxonomy or load_taxonomy()
    notes, rejects = read_suggestions(suggestions_path, taxonomy)
    notes = select(notes, strategy, sample, seed)
    versions = Counter(n.model_version for n in notes)
    model_version = versions.most_common(1)[0][0] if versions else None
    project, created = ensure_project(client, title, project_settings(taxonomy, strategy, overlap))
    summary = PushSummary(project["id"], created)
    existing = {} if created else _tasks_by_note(client, project["id"])
    new = []
    for note in notes:
        task = existing.get(note.note_id)
        if task is None:
            new.append(note)
            continue
        outcome = _update_task(client, task, note)
        if outcome.startswith("refused"):
            rejects.append(Reject(f"note {note.note_id!r}", outcome, "text", note.note_id))
        else:
            setattr(summary, outcome, getattr(summary, outcome) + 1)
    _import(client, project["id"], new, batch_size, summary)
    if model_version and project.get("model_version") != model_version:
        client.update_project(project["id"], model_version=model_version)  # shows these predictions
    if overlap is not None:
        summary.double_coded = sum(1 for t in _tasks_by_note(client, project["id"]).values() if t.get("overlap", 1) > 1)
    summary.rejected = len(rejects)
    if rejects:
        summary.rejects = Path(rejects_path or Path(suggestions_path).with_suffix(".push-rejects.jsonl"))
        write_jsonl(summary.rejects, rejects)
    return summary


def _tasks_by_note(client: LabelStudioClient, project_id: int) -> dict[str, dict]:
    return {str(t["data"].get("note_id")): t for t in client.tasks(project_id)}


def _update_task(client: LabelStudioClient, task: dict, note: Suggestions) -> str:
    """Bring one existing task up to date: ``updated``, ``unchanged`` or ``refused: why``."""
    wanted = prediction(note)
    data = task_data(note)
    annotated_from = {a.get("parent_prediction") for a in task.get("annotations") or []}
    if task["data"] != data:
        if task.get("annotations"):
            return "refused: the note's text changed after it was reviewed"
        client.update_task(task["id"], data=data)
    elif any(_same_prediction(p, wanted) for p in task.get("predictions") or []):
        return "unchanged"
    client.create_prediction(task["id"], **wanted)
    for old in task.get("predictions") or []:
        if old["id"] not in annotated_from:  # keep what a review started from
            client.delete_prediction(old["id"])
    return "updated"


def _import(client: LabelStudioClient, project_id: int, notes: list[Suggestions], batch_size: int,
            summary: PushSummary) -> None:
    for start in range(0, len(notes), batch_size):
        batch = notes[start:start + batch_size]
        tasks = [{"data": task_data(n), "meta": {"note_id": n.note_id}, "predictions": [prediction(n)]}
                 for n in batch]
        try:
            client.import_tasks(project_id, tasks)
        except LabelStudioError as err:
            raise LabelStudioError(f"{err}; {summary.imported} of {len(notes)} new notes were imported "
                                   "before it: run the same push again to import the rest") from None
        summary.imported += len(batch)

