"""``narrative review agreement``: Cohen's kappa between two reviewers of the double-coded notes.

For every task with two or more annotations (the first two reviewers), each reviewer says per code
whether the note shows it: an affirmed region of that code (present or possible) or a note-level
tick. Kappa is computed per code over those tasks and overall over every (task, code) pair of the
codes either reviewer used.
"""

from __future__ import annotations

import math

from sklearn.metrics import cohen_kappa_score

from narrative.review.client import LabelStudioClient, LabelStudioError
from narrative.review.pull import DEFAULT_ASSERTION
from narrative.review.results import parse_results
from narrative.taxonomy import Taxonomy, load_taxonomy


def codes_shown(result: list[dict], taxonomy: Taxonomy) -> set[str]:
    """The codes one annotation says the note shows (pure)."""
    regions, note_codes = parse_results(result)
    return {r.code for r in regions.values() if taxonomy.is_affirmed(r.assertion or DEFAULT_ASSERTION)} | set(note_codes)


def _kappa(a: list[int], b: list[int]) -> float | None:
    if len(set(a) | set(b)) < 2:
        return None  # both reviewers said the same one thing every time: kappa is undefined
    value = float(cohen_kappa_score(a, b))
    return None if math.isnan(value) else round(value, 4)


def kappa_report(pairs: list[tuple[set[str], set[str]]], taxonomy: Taxonomy) -> dict:
    """Per-code and overall kappa of (reviewer 1 codes, reviewer 2 codes) per task (pure)."""
    used = [c for c in taxonomy.code_keys if any(c in a or c in b for a, b in pairs)]
    codes = {}
    all_a: list[int] = []
    all_b: list[int] = []
    for code in used:
        a = [int(code in first) for first, _ in pairs]
        b = [int(code in second) for _, second in pairs]
        all_a += a
        all_b += b
        codes[code] = {"kappa": _kappa(a, b), "agreement": round(sum(x == y for x, y in zip(a, b)) / len(a), 4),
                       "reviewer_1": sum(a), "reviewer_2": sum(b)}
    overall = {"kappa": _kappa(all_a, all_b) if all_a else None,
               "agreement": round(sum(x == y for x, y in zip(all_a, all_b)) / len(all_a), 4) if all_a else None}
    return {"tasks": len(pairs), "overall": overall, "codes": codes}


def agreement(client: LabelStudioClient, title: str, taxonomy: Taxonomy | None = None) -> dict:
    """The kappa report of project ``title``'s double-coded tasks."""
    taxonomy = taxonomy or load_taxonomy()
    project = client.find_project(title)
    if project is None:
        raise LabelStudioError(f"Label Studio at {client.url} has no project titled {title!r}")
    pairs = []
    for task in client.tasks(project["id"]):
        done = sorted((a for a in task.get("annotations") or [] if not a.get("was_cancelled")), key=lambda a: a["id"])
        by_reviewer = {}
        for annotation in done:
            by_reviewer.setdefault(annotation.get("completed_by"), annotation)
        if len(by_reviewer) >= 2:
            first, second = list(by_reviewer.values())[:2]
            pairs.append((codes_shown(first["result"], taxonomy), codes_shown(second["result"], taxonomy)))
    return kappa_report(pairs, taxonomy)
