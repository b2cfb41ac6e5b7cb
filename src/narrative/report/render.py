"""Render the cohort views (and optionally one child's timeline) into one self-contained HTML file.

Charts are inline SVG and the published tables are embedded as JSON: the file needs no network
and no other file. Only suppressed cohort figures, ages, codes, redacted evidence and note ids
reach it; never a DOB or note text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from narrative.aggregate.cohort import Cohort, Table
from narrative.aggregate.timeline import TimelineEvent
from narrative.report import charts
from narrative.taxonomy import load_taxonomy


def _chart(table: Table) -> str | None:
    label = [str(r[0]) for r in table.rows]
    if table.name == "prevalence":
        rows = table.rows[:-1]
        return charts.bars([r[0] for r in rows], {"children": [r[-2] for r in rows]}, title=table.title,
                           horizontal=True)
    if table.name in ("cooccurrence",) or table.name.startswith("by_"):
        return charts.heatmap(table) if table.rows else None
    if table.name == "trends":
        return charts.bars(label, {"by event year": [r[1] for r in table.rows],
                                   "by note year": [r[2] for r in table.rows]}, title=table.title)
    if table.name == "cin_factors":
        return charts.bars(label, {"children": [r[1] for r in table.rows]}, title=table.title, horizontal=True)
    if table.name == "first_age":
        rows = table.rows[:-1]
        return charts.bars([str(r[0]) for r in rows], {"children": [r[1] for r in rows]}, title=table.title)
    return charts.bars(label, {"children": [r[1] for r in table.rows]}, title=table.title)


def _timeline_rows(events: Sequence[TimelineEvent], by_age: bool) -> list[dict]:
    def span(start, end):
        if start is None:
            return None
        return f"{start}" if start == end else f"{start} to {end}"

    rows = []
    for e in events:
        when = span(e.age_start, e.age_end) if by_age else span(e.date_start and e.date_start.isoformat(),
                                                                 e.date_end and e.date_end.isoformat())
        note = f"age {e.note_age}" if by_age else (e.note_date.isoformat() if e.note_date else "")
        rows.append({"when": when or f"undated: by the note ({note})", "precision": e.date_precision or "",
                     "code": e.code, "experiencer": e.experiencer, "assertion": e.assertion,
                     "decision": e.decision, "evidence": e.evidence, "note_id": e.note_id})
    return rows


def render_report(cohort: Cohort, *, case_id: str | None = None, events: Sequence[TimelineEvent] = (),
                  has_dob: bool = False) -> str:
    """The report as one HTML string."""
    taxonomy = load_taxonomy()
    env = Environment(autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(resources.files("narrative.report").joinpath("report.html.j2").read_text("utf-8"))
    sections = [{"table": t, "chart": Markup(svg) if (svg := _chart(t)) else None} for t in cohort.tables]
    timeline = None
    if case_id is not None:
        rows = _timeline_rows(events, has_dob)
        svg = charts.timeline(events, by_age=has_dob) if events else None
        timeline = {"case_id": case_id, "rows": rows, "chart": Markup(svg) if svg else None, "by_age": has_dob}
    data = {"threshold": cohort.threshold, "children": cohort.children,
            "tables": [{"name": t.name, "title": t.title, "columns": t.columns, "rows": t.rows}
                       for t in cohort.tables],
            "timeline": timeline and {"case_id": case_id, "rows": timeline["rows"]}}
    return template.render(
        cohort=cohort, sections=sections, small=not isinstance(cohort.children, int) or cohort.children < 50, timeline=timeline, labels={k: c.label for k, c in taxonomy.codes.items()},
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        data=Markup(json.dumps(data, default=str).replace("</", "<\\/")))


def write_report(path: str | Path, cohort: Cohort, **kw) -> Path:
    """Write :func:`render_report` to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(cohort, **kw), encoding="utf-8")
    return path
