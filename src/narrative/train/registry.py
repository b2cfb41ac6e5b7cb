"""The model registry in ``models/``: which model version is in service, and when and why each
promotion happened.

Every folder of ``models/`` holding a ``narrative_model.json`` is a version, named by its folder
(``models/default`` included); a model_version (``minilm-...``) names it too when only one folder
has it. ``models/registry.json`` records the version in service and the promotion history. With
no promotion yet, nothing is in service and ``narrative extract`` keeps using ``models/default``.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from narrative.errors import NarrativeError
from narrative.extract.modelfolder import MANIFEST, METRICS
from narrative.io import write_atomic

REGISTRY = "registry.json"
DEFAULT = "default"
MODELS_DIR = Path("models")


class RegistryError(NarrativeError):
    """A version that is not in the registry, or a promotion that is refused."""


@dataclass
class Version:
    """One model folder of the registry."""

    name: str
    path: Path
    manifest: dict
    in_service: bool = False

    @property
    def model_version(self) -> str:
        return self.manifest.get("model_version", "?")

    def test_metrics(self) -> dict:
        """The fine-tuned model's test metrics from its ``metrics.json`` (empty when unreadable)."""
        try:
            return json.loads((self.path / METRICS).read_text(encoding="utf-8"))["finetuned_minilm"]["test"]
        except (OSError, ValueError, KeyError):
            return {}


def read_registry(models_dir: Path = MODELS_DIR) -> dict:
    """``registry.json`` (an empty registry when there is none yet)."""
    path = Path(models_dir) / REGISTRY
    if not path.is_file():
        return {"in_service": None, "history": []}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise RegistryError(f"{path}: not valid JSON") from None


def _write_registry(models_dir: Path, registry: dict) -> None:
    path = Path(models_dir) / REGISTRY
    write_atomic(path, json.dumps(registry, indent=2))


def versions(models_dir: Path = MODELS_DIR) -> list[Version]:
    """Every model folder of ``models_dir``, oldest first."""
    models_dir = Path(models_dir)
    serving = read_registry(models_dir)["in_service"]
    found = []
    for folder in sorted(p for p in models_dir.iterdir() if (p / MANIFEST).is_file()) if models_dir.is_dir() else []:
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except ValueError:
            raise RegistryError(f"{folder / MANIFEST}: not valid JSON") from None
        found.append(Version(folder.name, folder, manifest, folder.name == serving))
    return sorted(found, key=lambda v: v.manifest.get("created", ""))


def resolve(ref: str, models_dir: Path = MODELS_DIR) -> Version:
    """The version named ``ref``: a folder name in ``models_dir``, or a model_version only one folder has."""
    known = versions(models_dir)
    by_name = [v for v in known if v.name == ref or v.path == Path(ref)]
    matches = by_name or [v for v in known if v.model_version == ref]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        names = ", ".join(v.name for v in known) or "none"
        raise RegistryError(f"no model version {ref!r} in {models_dir} (versions: {names}); "
                            f"train one with `narrative train --out {models_dir}/NAME`")
    raise RegistryError(f"{ref!r} names {len(matches)} folders in {models_dir}; use the folder name")


def locate(ref: str | Path, models_dir: Path = MODELS_DIR) -> Version:
    """A model folder given by path, else the registry version ``ref``."""
    folder = Path(ref)
    if (folder / MANIFEST).is_file():
        try:
            return Version(folder.name, folder, json.loads((folder / MANIFEST).read_text(encoding="utf-8")))
        except ValueError:
            raise RegistryError(f"{folder / MANIFEST}: not valid JSON") from None
    return resolve(str(ref), models_dir)


def in_service(models_dir: Path = MODELS_DIR) -> Path | None:
    """The folder of the model in service, or None when none has been promoted."""
    name = read_registry(models_dir)["in_service"]
    return resolve(name, models_dir).path if name else None


def serving_model(models_dir: Path = MODELS_DIR) -> Path:
    """The model ``narrative extract`` uses by default: the one in service, else ``models/default``."""
    return in_service(models_dir) or Path(models_dir) / DEFAULT


def promote(ref: str, *, test=None, tolerance: float = 0.01, reason: str = "", force: bool = False,
            models_dir: Path = MODELS_DIR, by: str | None = None) -> dict:
    """Put version ``ref`` in service and record when, why and by whom.

    When another version is in service, both are scored on the same ``test`` split
    (:class:`narrative.train.compare.TestSplit`); the promotion is refused (RegistryError) when the
    candidate's test macro-F1 of affirmed mentions is below the one in service by more than
    ``tolerance``, unless ``force``.
    """
    from narrative.extract.modelfolder import ModelFolder
    from narrative.train.compare import compare

    version = resolve(ref, models_dir)
    registry = read_registry(models_dir)
    current = registry["in_service"]
    scores, difference = {}, None
    if current and current != version.name:
        serving = resolve(current, models_dir)
        report = compare({current: ModelFolder.load(serving.path), version.name: ModelFolder.load(version.path)},
                         test, resamples=1000)
        scores = {name: model["macro_f1"] for name, model in report["models"].items()}
        difference = report["difference"]["macro_f1"]
    worse = bool(scores) and scores[version.name] < scores[current] - tolerance
    if worse and not force:
        raise RegistryError(
            f"refused: {version.name} has test macro-F1 {scores[version.name]:.3f} against {scores[current]:.3f} for "
            f"{current} in service (tolerance {tolerance}); use --force with a --reason to promote anyway")
    entry = {"version": version.name, "model_version": version.model_version,
             "at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "by": by or getpass.getuser(),
             "reason": reason, "forced": bool(force), "worse_beyond_tolerance": worse, "previous": current,
             "metric": "test affirmed-mention macro-F1", "candidate_score": scores.get(version.name),
             "previous_score": scores.get(current), "difference_ci": difference and difference["ci"],
             "tolerance": tolerance}
    registry["in_service"] = version.name
    registry["history"].append(entry)
    _write_registry(models_dir, registry)
    return entry
