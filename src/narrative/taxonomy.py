"""The adverse-experience taxonomy: loaded and validated here, and nowhere else."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from narrative.errors import NarrativeError


class TaxonomyError(NarrativeError):
    """The taxonomy file is not usable."""


@dataclass(frozen=True)
class Code:
    key: str
    label: str
    definition: str
    cin: tuple[str, ...] = ()
    ace: tuple[str, ...] = ()
    ace_extended: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    codes: dict[str, Code]
    experiencers: tuple[str, ...]
    assertions: tuple[str, ...]
    affirmed: tuple[str, ...]
    hash: str

    @property
    def code_keys(self) -> list[str]:
        return list(self.codes)

    def is_affirmed(self, assertion: str) -> bool:
        return assertion in self.affirmed


def _as_tuple(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise TaxonomyError(f"{where}: expected a string or a list of strings")


def parse_taxonomy(data: dict) -> Taxonomy:
    """Validate a taxonomy mapping (as read from YAML) and build a :class:`Taxonomy`."""
    if not isinstance(data, dict) or "codes" not in data or "attributes" not in data:
        raise TaxonomyError("a taxonomy needs 'attributes' and 'codes'")
    attrs = data["attributes"]
    for name in ("experiencer", "assertion", "affirmed"):
        if not attrs.get(name):
            raise TaxonomyError(f"attributes.{name} is missing or empty")
    experiencers = _as_tuple(attrs["experiencer"], "attributes.experiencer")
    assertions = _as_tuple(attrs["assertion"], "attributes.assertion")
    affirmed = _as_tuple(attrs["affirmed"], "attributes.affirmed")
    if not set(affirmed) <= set(assertions):
        raise TaxonomyError("attributes.affirmed must be a subset of attributes.assertion")
    codes: dict[str, Code] = {}
    for key, body in (data["codes"] or {}).items():
        if not isinstance(key, str) or not key.isidentifier() or key != key.lower():
            raise TaxonomyError(f"code {key!r}: keys are lower_snake_case identifiers")
        if not isinstance(body, dict) or not body.get("label") or not body.get("definition"):
            raise TaxonomyError(f"code {key!r}: needs a label and a definition")
        codes[key] = Code(key, body["label"], body["definition"],
                          _as_tuple(body.get("cin"), f"{key}.cin"),
                          _as_tuple(body.get("ace"), f"{key}.ace"),
                          _as_tuple(body.get("ace_extended"), f"{key}.ace_extended"))
    if not codes:
        raise TaxonomyError("the taxonomy has no codes")
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return Taxonomy(codes, experiencers, assertions, affirmed, digest[:16])


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The taxonomy at ``path``, or the one shipped inside the package."""
    if path is None:
        return _packaged()
    return parse_taxonomy(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def _packaged() -> Taxonomy:
    text = resources.files("narrative").joinpath("taxonomy.yaml").read_text(encoding="utf-8")
    return parse_taxonomy(yaml.safe_load(text))
