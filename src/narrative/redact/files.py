"""Redact a whole notes file: the path the CLI and the batch runner take."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from narrative.io import check_input, read_cases, read_notes, rejects_path, write_results
from narrative.redact.config import RedactionConfig
from narrative.redact.engine import Redactor
from narrative.redact.pseudonyms import PseudonymMap, load_key


@dataclass
class RedactSummary:
    redacted: int
    rejected: int
    output: Path
    rejects: Path

    @property
    def total(self) -> int:
        return self.redacted + self.rejected


def redact_file(notes_path: str | Path, out_path: str | Path, *, cases_path: str | Path | None = None,
                profile: str | None = None, config_path: str | Path | None = None,
                store_path: str | Path | None = None, key_file: str | Path | None = None,
                on_record: Callable[[object], None] | None = None) -> RedactSummary:
    """Redact every note of ``notes_path`` into ``out_path``; list rejects beside it."""
    check_input(notes_path)
    out_path = Path(out_path)
    config = RedactionConfig.load(config_path, profile)
    cases = read_cases(cases_path) if cases_path else {}
    pseudonyms = PseudonymMap(load_key(key_file, create=key_file is not None),
                              store_path or out_path.parent / "pseudonyms.json")
    redactor = Redactor(config, pseudonyms=pseudonyms, cases=cases)
    redacted, rejected = write_results(redactor.redact_many(read_notes(notes_path)), out_path, on_record)
    pseudonyms.save()
    return RedactSummary(redacted, rejected, out_path, rejects_path(out_path))
