"""The ``narrative`` command line: thin commands over the library.

Errors are reported as one clear line on stderr (exit code 2), never as a traceback, and never
with note text in them.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

app = typer.Typer(help="narrative: coded, dated life events from children's case notes.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
annotations_app = typer.Typer(help="The labelled seed corpus in annotations/.", no_args_is_help=True)
app.add_typer(annotations_app, name="annotations")
export_app = typer.Typer(help="Export from the store (counts leave only through these, or the report).",
                         no_args_is_help=True)
app.add_typer(export_app, name="export")
review_app = typer.Typer(help="Practitioner review in a local Label Studio: serve, push, pull, agreement "
                              "(and a scripted accept-all/accept-gold for demos and tests).", no_args_is_help=True)
app.add_typer(review_app, name="review")


class Profile(str, Enum):
    timeline = "timeline"
    strict = "strict"


class Precision(str, Enum):
    auto = "auto"
    fp32 = "fp32"
    bf16 = "bf16"


PRECISION_OPTION = typer.Option(Precision.auto, "--precision", help="How the classifier computes: auto is bf16 on a "
                                "GPU or a CPU with native bf16 (AVX512-BF16, AMX), else fp32.")


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@contextmanager
def clear_errors():
    """Turn the library's expected errors into one line on stderr and exit code 2."""
    from narrative.errors import NarrativeError

    try:
        yield
    except (NarrativeError, OSError) as err:
        fail(str(err) if not isinstance(err, OSError) else f"{err.filename}: {err.strerror}")


@app.command()
def redact(
    notes: Path = typer.Argument(..., help="Notes file (.jsonl, .csv or .parquet)."),
    out: Path = typer.Option(..., "-o", "--out", help="Redacted notes, JSON Lines."),
    cases: Optional[Path] = typer.Option(None, "--cases", help="Cases file: known names, addresses, DOBs."),
    profile: Profile = typer.Option(Profile.timeline, "--profile",
                                    help="timeline keeps event dates and ages; strict removes every date."),
    config: Optional[Path] = typer.Option(None, "--config", help="YAML overriding the packaged redaction config."),
    pseudonym_store: Optional[Path] = typer.Option(
        None, "--pseudonym-store", help="Keyed placeholder store (default: pseudonyms.json beside OUT)."),
    key_file: Optional[Path] = typer.Option(
        None, "--key-file", envvar="NARRATIVE_PSEUDONYM_KEY_FILE",
        help="File holding the pseudonym key (created if missing); or set NARRATIVE_PSEUDONYM_KEY."),
):
    """De-identify case notes: names, addresses, phone, NHS/NI numbers, DOBs and more.

    Bad records are listed with their reason in OUT's .rejects.jsonl; all others are redacted.
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from narrative.io import check_input
    from narrative.redact import redact_file

    with clear_errors():
        check_input(notes)
        with Progress(SpinnerColumn(), TextColumn("{task.completed} notes"), TimeElapsedColumn(),
                      transient=True, console=_stderr()) as bar:
            task = bar.add_task("redact")
            summary = redact_file(notes, out, cases_path=cases, profile=profile.value, config_path=config,
                                  store_path=pseudonym_store, key_file=key_file,
                                  on_record=lambda _: bar.advance(task))
    typer.echo(f"redacted {summary.redacted} of {summary.total} notes into {summary.output}; "
               f"{summary.rejected} rejected (listed in {summary.rejects})", err=True)


@app.command()
def timex(
    file: Path = typer.Argument(..., help="Plain-text file to read; '-' reads stdin."),
    anchor: str = typer.Option(..., "--anchor", help="The note date, YYYY-MM-DD: what 'last summer' counts from."),
    dob: Optional[str] = typer.Option(None, "--dob", help="The child's date of birth, YYYY-MM-DD: resolves ages "
                                                          "and school years (left out without it)."),
):
    """Print the time expressions in FILE that resolve, one JSON line each: offsets, text, ISO interval,
    precision and anchor."""
    from narrative.extract.temporal import timex_command
    from narrative.records import parse_iso_date

    with clear_errors():
        try:
            rows = list(timex_command(file, parse_iso_date(anchor, "--anchor"),
                                      parse_iso_date(dob, "--dob") if dob else None))
        except ValueError as err:
            fail(str(err))
    for row in rows:
        typer.echo(json.dumps(row, ensure_ascii=False))


@app.command()
def extract(
    redacted: Path = typer.Argument(..., help="Redacted notes from `narrative redact` (JSON Lines)."),
    out: Path = typer.Option(..., "-o", "--out", help="Suggestions, JSON Lines."),
    cases: Optional[Path] = typer.Option(None, "--cases", help="Cases file: DOBs turn 'when he was 7' into dates."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder from `narrative train` (default: the "
                                         "version in service in models/, else models/default)."),
    precision: Precision = PRECISION_OPTION,
):
    """Suggest coded, dated adverse experiences for redacted notes.

    Records that are not redacted notes are listed with their reason in OUT's .rejects.jsonl.
    """
    from narrative.extract.files import extract_file
    from narrative.train.registry import serving_model

    with clear_errors():
        summary = extract_file(redacted, out, model_dir=model or serving_model(), cases_path=cases,
                               precision=precision.value)
    typer.echo(f"suggested {summary.mentions} codes for {summary.ok} of {summary.total} notes into {out}; "
               f"{summary.rejected} rejected (listed in {summary.rejects})", err=True)


@app.command()
def train(
    out: Path = typer.Option(..., "--out", help="The model folder to write."),
    corpus: Path = typer.Option(Path("annotations/corpus.jsonl"), help="Labelled notes (train/dev/test splits)."),
    epochs: float = typer.Option(6.0, help="Passes over the training windows."),
    max_steps: Optional[int] = typer.Option(None, "--max-steps", help="Stop after this many steps (overrides epochs)."),
    seed: int = typer.Option(13, help="Seed for reproducible training."),
    frozen_layers: int = typer.Option(0, "--frozen-layers", min=0, max=6,
                                      help="Keep the lowest N encoder layers (and the embeddings) as the base "
                                           "model has them: a step then skips their backward pass."),
    synth_children: int = typer.Option(0, "--synth-children", help="Add generated notes of this many children."),
    base: Optional[str] = typer.Option(None, "--base", help="Start from this model folder or models/ version "
                                       "(default all-MiniLM-L6-v2)."),
    baselines: bool = typer.Option(True, "--baselines/--no-baselines", help="Also fit and score the two baselines."),
    from_db: Optional[str] = typer.Option(None, "--from-db",
                                          help="Also learn from the confirmed reviews of this store (URL or path)."),
    from_export: Optional[Path] = typer.Option(None, "--from-export",
                                               help="Also learn from a `narrative export confirmed` CSV."),
):
    """Fine-tune the classifier, tune thresholds on dev, score dev and test, write the model folder.

    Reviewed codes (--from-db, --from-export) join the seed corpus: accepted, corrected and added
    codes as positives, rejected ones as negatives, each child in one split only.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from narrative.train.registry import locate
    from narrative.train.run import TrainSettings, train as train_model

    with clear_errors():
        start = None if base is None else Path(base) if Path(base).is_dir() else locate(base).path
    settings = TrainSettings(corpus=corpus, epochs=epochs, max_steps=max_steps, seed=seed, frozen_layers=frozen_layers,
                             synth_children=synth_children, base=start, baselines=baselines,
                             from_db=from_db, from_export=from_export)
    with clear_errors(), Progress(TextColumn("training"), BarColumn(), TextColumn("{task.completed}/{task.total} steps"),
                                  TextColumn("loss {task.fields[loss]:.3f}"), TimeRemainingColumn(),
                                  console=_stderr(), transient=True) as bar:
        task = bar.add_task("train", total=None, loss=0.0)
        metrics = train_model(out, settings, lambda step, total, loss: bar.update(task, completed=step, total=total, loss=loss))
    test = metrics["finetuned_minilm"]["test"]["affirmed_mentions"]
    if from_db or from_export:
        reviews = json.loads((out / "narrative_model.json").read_text(encoding="utf-8"))["reviews"]
        typer.echo(f"reviews: {reviews['used']} of {reviews['rows']} rows used, {len(reviews['skipped'])} left out "
                   f"(listed with their reason in {out}/narrative_model.json)", err=True)
    typer.echo(f"model written to {out}; test affirmed micro-F1 {test['micro_f1']:.3f}, macro-F1 {test['macro_f1']:.3f} "
               f"(all figures in {out}/model_card.md)", err=True)


@app.command()
def synth(
    out: Path = typer.Option(..., "-o", "--out", help="Folder for synth_corpus.jsonl and synth_cases.jsonl."),
    children: int = typer.Option(100, "--children", min=1, help="How many synthetic children (4 to 8 notes each)."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives byte-identical files."),
    words: Optional[int] = typer.Option(None, "--words", min=1, help="Compose every note to about this many words."),
    notes_only: bool = typer.Option(False, "--notes-only",
                                    help="Also write notes.jsonl: the plain notes (no labels) the pipeline reads."),
):
    """Generate fictional labelled notes (gold labels by construction) for training volume and speed tests."""
    from narrative.annotations.synth import write_synth

    with clear_errors():
        n_cases, n_notes = write_synth(out, children, seed, notes_only=notes_only, target_words=words)
    typer.echo(f"generated {n_notes} notes about {n_cases} children into {out}", err=True)


@annotations_app.command("compile")
def annotations_compile(
    source: Path = typer.Option(Path("annotations/source"), help="Folder of marked-up YAML sources."),
    out: Path = typer.Option(Path("annotations"), help="Folder for corpus.jsonl and cases.jsonl."),
):
    """Compile the marked-up sources into corpus.jsonl and cases.jsonl."""
    from narrative.annotations.corpus import compile_corpus

    with clear_errors():
        n_cases, n_notes = compile_corpus(source, out)
    typer.echo(f"compiled {n_notes} notes about {n_cases} children into {out}", err=True)


@annotations_app.command("validate")
def annotations_validate(
    corpus: Path = typer.Option(Path("annotations/corpus.jsonl"), help="Labelled notes, JSON Lines."),
    cases: Path = typer.Option(Path("annotations/cases.jsonl"), help="The cases file of the corpus."),
):
    """Check offsets, taxonomy values, date intervals, cases and splits; exit 1 on any problem."""
    from narrative.annotations.corpus import load_corpus, validate_notes
    from narrative.io import read_cases
    from narrative.taxonomy import load_taxonomy

    with clear_errors():
        problems = validate_notes(load_corpus(corpus), read_cases(cases), load_taxonomy())
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"{corpus}: valid", err=True)


@annotations_app.command("stats")
def annotations_stats(
    corpus: Path = typer.Option(Path("annotations/corpus.jsonl"), help="Labelled notes, JSON Lines."),
):
    """Counts per split, and per code x assertion x experiencer."""
    from rich.table import Table

    from narrative.annotations.corpus import SPLITS, corpus_stats, load_corpus

    with clear_errors():
        stats = corpus_stats(load_corpus(corpus))
    console = _stdout()
    summary = Table("split", "children", "notes", "identifiers", "time expressions", "mentions")
    for split in SPLITS:
        part = stats[split]
        summary.add_row(split, str(part["children"]), str(part["notes"]), str(part["identifiers"]),
                        str(part["timexes"]), str(sum(part["mentions"].values())))
    console.print(summary)
    keys = sorted({k for split in SPLITS for k in stats[split]["mentions"]})
    detail = Table("code", "assertion", "experiencer", *SPLITS)
    for code, assertion, experiencer in keys:
        detail.add_row(code, assertion, experiencer,
                       *(str(stats[s]["mentions"][(code, assertion, experiencer)]) for s in SPLITS))
    console.print(detail)


DB_OPTION = typer.Option(..., "--db", envvar="NARRATIVE_DB", help="Store: SQLAlchemy URL or SQLite path.")


@export_app.command("confirmed")
def export_confirmed(
    db: str = DB_OPTION,
    out: Path = typer.Option(..., "-o", "--out", help="CSV file of the confirmed rows (formats.md fields)."),
):
    """Write every reviewed row (accepted, corrected, added and rejected) with its decision."""
    from narrative.store import Store, write_confirmed_csv

    with clear_errors():
        count = write_confirmed_csv(Store(db).confirmed(), out)
    typer.echo(f"{count} confirmed rows -> {out}", err=True)


models_app = typer.Typer(help="The model registry in models/: versions, comparisons, promotion.", no_args_is_help=True)
app.add_typer(models_app, name="models")
MODELS_DIR = typer.Option(Path("models"), "--models-dir", help="The registry folder.")
TEST_CORPUS = typer.Option(Path("annotations/corpus.jsonl"), "--corpus", help="Labelled notes: their test split is scored.")
TEST_DB = typer.Option(None, "--from-db", help="Also score the reviewed windows of test-split children in this store.")
TEST_EXPORT = typer.Option(None, "--from-export", help="Also score the reviewed windows of test-split children in "
                                                     "this `narrative export confirmed` CSV.")


@models_app.command("list")
def models_list(models_dir: Path = MODELS_DIR,
                runs: bool = typer.Option(False, "--runs", help="List the training runs of runs.jsonl instead.")):
    """The model versions (* = in service) with their test figures, or every training run side by side."""
    from narrative.train.experiments import read_runs
    from narrative.train.registry import versions
    from narrative.train.tables import runs_table, versions_table

    with clear_errors():
        table = runs_table(read_runs(models_dir)) if runs else versions_table(versions(models_dir))
    _stdout().print(table)


@models_app.command("show")
def models_show(version: str = typer.Argument(..., help="Folder name in models/, model_version, or a folder path."),
                models_dir: Path = MODELS_DIR):
    """A version's manifest, promotion history and model card."""
    from narrative.extract.modelfolder import CARD
    from narrative.train.registry import locate, read_registry

    with clear_errors():
        found = locate(version, models_dir)
        history = [h for h in read_registry(models_dir)["history"] if h["version"] == found.name]
        card = (found.path / CARD).read_text(encoding="utf-8") if (found.path / CARD).is_file() else ""
    typer.echo(json.dumps({"version": found.name, "folder": str(found.path), "in_service": found.in_service,
                           "manifest": found.manifest, "promotions": history}, indent=2))
    typer.echo(card)


@models_app.command("compare")
def models_compare(
    a: str = typer.Argument(..., help="First version (folder name, model_version or folder path)."),
    b: str = typer.Argument(..., help="Second version."),
    by: str = typer.Option("note_type", "--by", help="Break the figures down by this note field: note_type, "
                                                     "author_role, source or case_id."),
    resamples: int = typer.Option(1000, "--resamples", min=10, help="Bootstrap resamples for the CIs."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the full comparison as JSON here."),
    corpus: Path = TEST_CORPUS, from_db: Optional[str] = TEST_DB, from_export: Optional[Path] = TEST_EXPORT,
    models_dir: Path = MODELS_DIR,
):
    """Score two versions on the same test split: P/R/F1 with bootstrap CIs, ECE, assertion and
    experiencer accuracy, and a breakdown by a note field."""
    from narrative.extract.modelfolder import ModelFolder, quiet_transformers
    from narrative.train.compare import GROUP_FIELDS, compare, test_split
    from narrative.train.registry import locate
    from narrative.train.tables import comparison_tables

    if by not in GROUP_FIELDS:
        fail(f"--by must be one of {', '.join(GROUP_FIELDS)}")
    with clear_errors():
        quiet_transformers()
        first, second = locate(a, models_dir), locate(b, models_dir)
        if first.path.resolve() == second.path.resolve():
            fail("A and B are the same model folder")
        names = (first.name, second.name) if first.name != second.name else (str(first.path), str(second.path))
        folders = {names[0]: ModelFolder.load(first.path), names[1]: ModelFolder.load(second.path)}
        report = compare(folders, test_split(corpus, from_db, from_export), by=by, resamples=resamples, seed=seed)
        if json_out:
            json_out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    console = _stdout()
    for table in comparison_tables(report):
        console.print(table)


@models_app.command("promote")
def models_promote(
    version: str = typer.Argument(..., help="Folder name in models/ (or a model_version only one folder has)."),
    force: bool = typer.Option(False, "--force", help="Promote even when it scores worse beyond the tolerance."),
    reason: str = typer.Option("", "--reason", help="Why: recorded in the promotion history."),
    tolerance: float = typer.Option(0.01, "--tolerance", min=0.0, help="How much lower a test macro-F1 may be."),
    corpus: Path = TEST_CORPUS, from_db: Optional[str] = TEST_DB, from_export: Optional[Path] = TEST_EXPORT,
    models_dir: Path = MODELS_DIR,
):
    """Put a version in service after scoring it against the one in service on the same test split."""
    from narrative.extract.modelfolder import quiet_transformers
    from narrative.train.compare import test_split
    from narrative.train.registry import promote, resolve

    if force and not reason.strip():
        fail("--force needs a --reason")
    with clear_errors():
        quiet_transformers()
        resolve(version, models_dir)
        entry = promote(version, test=test_split(corpus, from_db, from_export), tolerance=tolerance, reason=reason,
                        force=force, models_dir=models_dir)
    scores = (f"; test macro-F1 {entry['candidate_score']:.3f} against {entry['previous_score']:.3f}"
              if entry["previous_score"] is not None else "")
    typer.echo(f"{entry['version']} ({entry['model_version']}) is in service, replacing "
               f"{entry['previous'] or 'none'}{scores}{' (forced)' if entry['forced'] else ''}", err=True)


THRESHOLD_OPTION = typer.Option(5, "--threshold", min=2, help="Counts from 1 to THRESHOLD-1 are shown as '<THRESHOLD'.")


@app.command()
def report(
    db: str = DB_OPTION,
    out: Path = typer.Option(..., "-o", "--out", help="The report: one self-contained HTML file."),
    case: Optional[str] = typer.Option(None, "--case", help="Also draw this child's timeline."),
    threshold: int = THRESHOLD_OPTION,
    by: Optional[list[str]] = typer.Option(None, "--by", help="Break down by this notes field (area, team, ...); "
                                                              "repeatable. Default: area and team, where the notes have them."),
):
    """Write the cohort views (small numbers suppressed) and, with --case, one child's timeline."""
    from narrative.aggregate import cohort_from_store, timeline_from_store
    from narrative.report import write_report
    from narrative.store import Store

    with clear_errors():
        store = Store(db)
        cohort = cohort_from_store(store, threshold=threshold, by=by)
        events = timeline_from_store(store, case) if case is not None else []
        write_report(out, cohort, case_id=case, events=events, has_dob=case in store.dobs())
    typer.echo(f"report on {cohort.children} children -> {out} ({cohort.withheld} figures shown as "
               f"<{threshold}, {cohort.complementary} withheld as *)", err=True)


@export_app.command("cohort")
def export_cohort(
    db: str = DB_OPTION,
    out: Path = typer.Option(..., "-o", "--out", help="FILE.csv or FILE.parquet: table,row,column,value."),
    threshold: int = THRESHOLD_OPTION,
    by: Optional[list[str]] = typer.Option(None, "--by", help="Break down by this notes field; repeatable."),
):
    """Write every cohort table, suppressed exactly as in the report, one figure per row."""
    from narrative.aggregate import COHORT_COLUMNS, cohort_from_store, write_rows
    from narrative.store import Store

    with clear_errors():
        cohort = cohort_from_store(Store(db), threshold=threshold, by=by)
        count = write_rows((row for table in cohort.tables for row in table.long()), COHORT_COLUMNS, out)
    typer.echo(f"{count} cohort figures -> {out}", err=True)


@export_app.command("timeline")
def export_timeline(
    db: str = DB_OPTION,
    out: Path = typer.Option(..., "-o", "--out", help="FILE.csv, .parquet, .json or .jsonl, one event per row."),
    case: Optional[str] = typer.Option(None, "--case", help="Only this child (default: every child)."),
):
    """Write confirmed experiences in date order with interval, precision and ages (no DOB)."""
    from narrative.aggregate import TIMELINE_COLUMNS, timeline_from_store, write_rows
    from narrative.store import Store

    with clear_errors():
        count = write_rows((e.to_dict() for e in timeline_from_store(Store(db), case)), TIMELINE_COLUMNS, out)
    typer.echo(f"{count} timeline events -> {out}", err=True)


@review_app.command("accept-all")
def review_accept_all(
    suggestions: Path = typer.Argument(..., help="Suggestions from `narrative extract`."),
    db: str = DB_OPTION,
    reviewer: str = typer.Option("demo", "--reviewer", help="Recorded as the reviewer of every row."),
    cases: Optional[Path] = typer.Option(None, "--cases", help="Cases file: DOBs to turn dates into ages."),
):
    """Scripted review (demos, tests): accept every suggestion as it stands and store it."""
    from narrative.review.scripted import accept_suggestions_file
    from narrative.store import Store

    with clear_errors():
        summary = accept_suggestions_file(suggestions, Store(db), reviewer=reviewer, cases_path=cases)
    for reject in summary.rejects:
        typer.echo(f"rejected {reject.note_id or reject.record}: {reject.field or ''} {reject.reason}", err=True)
    typer.echo(f"accepted {summary.rows} suggestions of {summary.notes} notes; {len(summary.rejects)} rejected",
               err=True)


@review_app.command("accept-gold")
def review_accept_gold(
    corpus: Path = typer.Argument(..., help="Labelled notes: annotations/corpus.jsonl or synth_corpus.jsonl."),
    db: str = DB_OPTION,
    cases: Optional[Path] = typer.Option(None, "--cases", help="The corpus's cases file (DOBs)."),
    areas: Optional[str] = typer.Option(None, "--areas", help="Comma-separated made-up areas assigned to cases "
                                                             "(stable by case id), to demo breakdowns."),
):
    """Store a labelled corpus's gold labels as accepted rows (evidence with gold identifiers masked)."""
    from narrative.annotations.corpus import load_corpus
    from narrative.review.scripted import accept_labelled, areas_by_case, case_dobs, file_time
    from narrative.store import Store

    with clear_errors():
        notes = load_corpus(corpus)
        names = [a.strip() for a in areas.split(",") if a.strip()] if areas else []
        summary = accept_labelled(notes, Store(db), reviewer="gold", dobs=case_dobs(cases),
                                  groups=areas_by_case({n.case_id for n in notes}, names), when=file_time(corpus))
    typer.echo(f"stored {summary.rows} gold rows of {summary.notes} notes", err=True)


LS_URL_HELP = "Label Studio URL (default NARRATIVE_LS_URL, else http://127.0.0.1:8080); token from NARRATIVE_LS_TOKEN."


class Strategy(str, Enum):
    uncertainty = "uncertainty"
    random = "random"
    stratified = "stratified"


@review_app.command("serve")
def review_serve(
    port: int = typer.Option(8080, "--port", help="Port on 127.0.0.1."),
    data_dir: Path = typer.Option(..., "--data-dir", help="Label Studio's database and media (created if empty)."),
):
    """Run a local Label Studio (from .venv-ls, `make labelstudio`) in the foreground until stopped.

    NARRATIVE_LS_TOKEN, when set, becomes the admin's API token; NARRATIVE_LS_USERNAME and
    NARRATIVE_LS_PASSWORD set the admin's login (a random password is kept in DIR otherwise).
    """
    from narrative.review.server import serve

    with clear_errors():
        code = serve(port, data_dir, echo=lambda line: typer.echo(line, err=True))
    raise typer.Exit(code)


@review_app.command("push")
def review_push(
    suggestions: Path = typer.Argument(..., help="Suggestions from `narrative extract` (JSON Lines)."),
    project: str = typer.Option(..., "--project", help="Project title (created if missing)."),
    url: Optional[str] = typer.Option(None, "--url", help=LS_URL_HELP),
    sample: Optional[int] = typer.Option(None, "--sample", min=1, help="Push only this many notes."),
    strategy: Strategy = typer.Option(Strategy.uncertainty, "--strategy",
                                      help="Which notes first: uncertainty (least sure first), random, stratified."),
    seed: int = typer.Option(0, "--seed", help="Seed for random and stratified sampling."),
    overlap: Optional[float] = typer.Option(None, "--overlap", min=0.0, max=1.0,
                                            help="Share of notes two reviewers code (e.g. 0.1)."),
    batch_size: int = typer.Option(500, "--batch-size", min=1, help="Tasks per import request."),
):
    """Import redacted notes with their suggestions as predictions; pushing again updates, never duplicates.

    Records that are not redacted notes with suggestions are listed in SUGGESTIONS' .push-rejects.jsonl.
    """
    from narrative.review.client import connect
    from narrative.review.push import push

    with clear_errors(), connect(url) as client:
        summary = push(client, suggestions, project, strategy=strategy.value, sample=sample, seed=seed,
                       overlap=overlap, batch_size=batch_size)
    typer.echo(f"project {project!r} (id {summary.project_id}{', created' if summary.created else ''}): "
               f"{summary.imported} notes imported, {summary.updated} updated, {summary.unchanged} unchanged"
               + (f", {summary.double_coded} double-coded" if overlap is not None else "")
               + (f"; {summary.rejected} rejected (listed in {summary.rejects})" if summary.rejected else ""),
               err=True)


@review_app.command("pull")
def review_pull(
    project: str = typer.Option(..., "--project", help="Project title."),
    url: Optional[str] = typer.Option(None, "--url", help=LS_URL_HELP),
    db: str = DB_OPTION,
):
    """Write every annotation's confirmed codes (accepted, corrected, added, rejected) into the store."""
    from narrative.review.client import connect
    from narrative.review.pull import pull
    from narrative.store import Store

    with clear_errors(), connect(url) as client:
        summary = pull(client, project, Store(db))
    counts = ", ".join(f"{summary.decisions[d]} {d}" for d in ("accepted", "corrected", "added", "rejected"))
    for line in summary.skipped:
        typer.echo(f"skipped {line}", err=True)
    typer.echo(f"{summary.reviewed} of {summary.tasks} tasks reviewed ({counts}); {summary.written} reviews "
               f"written, {summary.unchanged} unchanged, {summary.cleared} cleared"
               + (f"; {len(summary.skipped)} annotated tasks skipped (listed above)" if summary.skipped else ""),
               err=True)


@review_app.command("agreement")
def review_agreement(
    project: str = typer.Option(..., "--project", help="Project title."),
    url: Optional[str] = typer.Option(None, "--url", help=LS_URL_HELP),
):
    """Cohen's kappa per code and overall between the two reviewers of double-coded notes (JSON)."""
    from narrative.review.agreement import agreement
    from narrative.review.client import connect

    with clear_errors(), connect(url) as client:
        report = agreement(client, project)
    typer.echo(json.dumps(report, indent=2))
    if not report["tasks"]:
        typer.echo("no task has two reviewers yet (push with --overlap)", err=True)


@review_app.command("ml-backend")
def review_ml_backend(
    port: int = typer.Option(9090, "--port", help="Port on 127.0.0.1 (connect it in the project's Model settings)."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder from `narrative train` (default: the "
                                         "version in service in models/, else models/default)."),
    cases: Optional[Path] = typer.Option(None, "--cases", help="Cases file: DOBs turn 'when he was 7' into dates."),
    webhook_log: Path = typer.Option(Path("out/review-webhooks.jsonl"), "--webhook-log",
                                     help="Where annotation webhooks are recorded (ids and times, no text)."),
):
    """Serve Label Studio's ML backend protocol (/health, /setup, /predict, /webhook) with the model."""
    from narrative.io import read_cases
    from narrative.review.ml_backend import Backend, make_server
    from narrative.train.registry import serving_model

    with clear_errors():
        backend = Backend(model or serving_model(), webhook_log, read_cases(cases) if cases else None)
        server = make_server(backend, port)
    typer.echo(f"ML backend for model {backend.extractor.model_version} at http://127.0.0.1:{port}; "
               f"webhooks recorded in {webhook_log}. Ctrl+C stops it.", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class Engine(str, Enum):
    local = "local"
    ray = "ray"


@app.command()
def batch(
    notes: list[str] = typer.Argument(..., help="Notes files (.jsonl, .csv, .parquet), folders of them or globs."),
    out: Path = typer.Option(..., "--out", help="Output folder: suggestions-*.jsonl shards and manifest-*.jsonl."),
    cases: Optional[Path] = typer.Option(None, "--cases", help="Cases file: known names, addresses, DOBs."),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes (local) or CPU actors (ray)."),
    resume: bool = typer.Option(False, "--resume", help="Finish the job already in OUT (after a crash or kill)."),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local: processes on this machine; ray: Ray Data "
                                  "(RAY_ADDRESS picks the cluster)."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder from `narrative train` (default: the "
                                         "version in service in models/, else models/default)."),
    precision: Precision = PRECISION_OPTION,
    profile: Profile = typer.Option(Profile.timeline, "--profile",
                                    help="timeline keeps event dates and ages; strict removes every date."),
    config: Optional[Path] = typer.Option(None, "--config", help="YAML overriding the packaged redaction config."),
    key_file: Optional[Path] = typer.Option(
        None, "--key-file", envvar="NARRATIVE_PSEUDONYM_KEY_FILE",
        help="File holding the pseudonym key (created if missing); or set NARRATIVE_PSEUDONYM_KEY."),
    unit_size: int = typer.Option(256, "--unit-size", min=1, help="Records per work unit (and per shard)."),
):
    """Redact and extract many notes at once, resumably: one manifest row per input record.

    Each input record is listed once in OUT's manifest-*.jsonl (ok, or failed with its reason);
    suggestions (redacted text only) go to suggestions-*.jsonl. After a crash, run again with --resume.
    """
    from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.text import Text

    from narrative.batch import run_batch
    from narrative.train.registry import serving_model

    class Rate(ProgressColumn):
        def render(self, task):
            return Text(f"{task.speed or 0:.1f} notes/s")

    bar = Progress(TextColumn("batch"), BarColumn(), TextColumn("{task.completed}/{task.total}"), Rate(),
                   TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=_stderr(), transient=True)
    task = bar.add_task("batch", total=None)

    def start(total: int, done: int) -> None:     # once the job is checked: errors come without a bar
        bar.update(task, total=total, completed=done)
        bar.start()

    with clear_errors():
        try:
            summary = run_batch(notes, out, model_dir=model or serving_model(), cases_path=cases,
                                profile=profile.value, config_path=config, key_file=key_file, workers=workers,
                                resume=resume, engine=engine.value, unit_size=unit_size, precision=precision.value,
                                on_start=start,
                                on_progress=lambda n: bar.advance(task, n))
        finally:
            if bar.live.is_started:
                bar.stop()
    typer.echo(f"batch: {summary.processed} notes processed, {summary.failed} failed, of {summary.total} records; "
               f"{summary.rate:.1f} notes/s this run ({summary.seconds:.0f} s); output in {summary.out} "
               "(failed records listed with their reason in manifest-*.jsonl)", err=True)


def _stdout():
    from rich.console import Console

    return Console(width=120)


def _stderr():
    from rich.console import Console

    return Console(file=sys.stderr)
