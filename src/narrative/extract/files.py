"""Extract from a whole redacted-notes file: the path the CLI and the batch runner take."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from narrative.extract.pipeline import Extractor
from narrative.io import check_input, drop_duplicate_ids, read_cases, read_records, rejects_path, write_results
from narrative.records import RedactedNote


@dataclass
class ExtractSummary:
    ok: int
    rejected: int
    mentions: int
    rejects: Path

    @property
    def total(self) -> int:
        return self.ok + self.rejected


def read_redacted(path: str | Path):
    """Redacted notes from ``path``; anything else (raw notes, broken lines) comes as a reject."""
    return drop_duplicate_ids(read_records(path, RedactedNote.from_dict))


def extract_file(redacted_path: str | Path, out_path: str | Path, *, model_dir: str | Path,
                 cases_path: str | Path | None = None, precision: str = "auto") -> ExtractSummary:
    """Suggestions for every redacted note of ``redacted_path`` into ``out_path``; rejects beside it."""
    check_input(redacted_path)
    extractor = Extractor(model_dir, read_cases(cases_path) if cases_path else {}, precision=precision)
    mentions = 0

    def count(item) -> None:
        nonlocal mentions
        mentions += len(getattr(item, "mentions", ()))

    ok, rejected = write_results(extractor.extract_many(read_redacted(redacted_path)), out_path, count)
    return ExtractSummary(ok, rejected, mentions, rejects_path(out_path))
