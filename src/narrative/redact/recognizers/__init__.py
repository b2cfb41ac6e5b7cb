"""The UK recognisers of ``narrative redact``: one module per identifier family.

``uk_recognizers(config)`` builds them all from the ``recognizers`` section of the redaction
YAML; ``AllowList`` decides which PERSON/LOCATION candidates are ordinary words to keep.
docs/redaction-recognisers.md lists what each one catches and every setting.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from presidio_analyzer import EntityRecognizer, Pattern

from narrative.redact.recognizers.address import AddressRecognizer
from narrative.redact.recognizers.allow_list import AllowList, packaged_section
from narrative.redact.recognizers.date_of_birth import DateOfBirthRecognizer
from narrative.redact.recognizers.dates import UkDateRecognizer
from narrative.redact.recognizers.email import EmailRecognizer
from narrative.redact.recognizers.location import LocationRecognizer
from narrative.redact.recognizers.names import UkNameRecognizer
from narrative.redact.recognizers.nhs_number import NhsNumberRecognizer
from narrative.redact.recognizers.ni_number import NiNumberRecognizer
from narrative.redact.recognizers.organisation import (
    ChildrensHomeRecognizer,
    GpSurgeryRecognizer,
    HospitalRecognizer,
    NurseryRecognizer,
    SchoolRecognizer,
)
from narrative.redact.recognizers.phone import UkPhoneRecognizer
from narrative.redact.recognizers.police_reference import PoliceReferenceRecognizer
from narrative.redact.recognizers.postcode import PostcodeRecognizer
from narrative.redact.recognizers.upn import UpnRecognizer

ENTITY_TYPES: tuple[str, ...] = (
    "PERSON", "ADDRESS", "POSTCODE", "LOCATION", "PHONE_NUMBER", "EMAIL_ADDRESS", "NHS_NUMBER", "NI_NUMBER",
    "DATE_OF_BIRTH", "UPN", "POLICE_REFERENCE", "SCHOOL", "GP_SURGERY", "NURSERY", "CHILDRENS_HOME", "HOSPITAL",
    "DATE",
)

# Config key under ``recognizers:`` -> class, in the order they are built.
RECOGNIZERS: dict[str, type[EntityRecognizer]] = {
    "nhs_number": NhsNumberRecognizer,
    "ni_number": NiNumberRecognizer,
    "postcode": PostcodeRecognizer,
    "phone": UkPhoneRecognizer,
    "email": EmailRecognizer,
    "date_of_birth": DateOfBirthRecognizer,
    "date": UkDateRecognizer,
    "upn": UpnRecognizer,
    "police_reference": PoliceReferenceRecognizer,
    "address": AddressRecognizer,
    "school": SchoolRecognizer,
    "gp_surgery": GpSurgeryRecognizer,
    "nursery": NurseryRecognizer,
    "childrens_home": ChildrensHomeRecognizer,
    "hospital": HospitalRecognizer,
    "names": UkNameRecognizer,
    "location": LocationRecognizer,
}
COMMON_KEYS = ("enabled", "extra_patterns", "scores", "context", "extra_context")
INTERNAL_PARAMETERS = {"self", "patterns", "context", "allow_list", "supported_language", "supported_entity", "name"}


def _init_parameters(cls: type) -> set[str]:
    """The keyword arguments a recogniser class accepts, through ``**kwargs`` to its parents."""
    names: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        params = inspect.signature(init).parameters.values()
        names |= {p.name for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
    return names


def _patterns(items: Any, where: str) -> list[Pattern]:
    try:
        return [Pattern(str(p["name"]), str(p["regex"]), float(p["score"])) for p in items or []]
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"{where}: each pattern needs a name, a valid regex and a score 0-1 ({err})") from None


def build_recognizer(key: str, settings: Mapping[str, Any] | None = None,
                     allow_list: AllowList | None = None) -> EntityRecognizer:
    """One recogniser from its YAML settings: the common keys (``extra_patterns``, ``scores``,
    ``context``, ``extra_context``) plus the class's own constructor arguments. ``allow_list``
    goes to the recognisers that consult one (names, location, organisations)."""
    cls = RECOGNIZERS[key]
    settings = dict(settings or {})
    where = f"recognizers.{key}"
    specific = {k: v for k, v in settings.items() if k not in COMMON_KEYS}
    parameters = _init_parameters(cls)
    unknown = sorted(set(specific) - (parameters - INTERNAL_PARAMETERS))
    if unknown:
        raise ValueError(f"{where}: unknown setting(s) {', '.join(unknown)}")
    if settings.get("context") is not None or settings.get("extra_context"):
        base = settings.get("context") if settings.get("context") is not None else getattr(cls, "CONTEXT", [])
        specific["context"] = [*base, *(settings.get("extra_context") or [])]
    if allow_list is not None and "allow_list" in parameters:
        specific["allow_list"] = allow_list
    recognizer = cls(**specific)
    recognizer.patterns.extend(_patterns(settings.get("extra_patterns"), where))
    scores = dict(settings.get("scores") or {})
    for pattern in recognizer.patterns:
        if pattern.name in scores:
            pattern.score = float(scores.pop(pattern.name))
    if scores:
        raise ValueError(f"{where}.scores: no pattern named {', '.join(sorted(scores))}")
    return recognizer


def uk_recognizers(config: Mapping[str, Any] | None = None,
                   allow_list: AllowList | None = None) -> list[EntityRecognizer]:
    """Every enabled UK recogniser, built from a ``recognizers`` config section.

    ``None`` means the packaged ``default.yaml``. A recogniser missing from the section is
    built with its defaults; ``enabled: false`` leaves it out; an unknown key is an error.
    Pass the engine's ``allow_list`` so that words a config adds to it also stop the name,
    place and organisation recognisers (by default they use the packaged list).
    """
    config = packaged_section("recognizers") if config is None else config
    unknown = sorted(set(config) - set(RECOGNIZERS))
    if unknown:
        raise ValueError(f"recognizers: unknown recogniser(s) {', '.join(unknown)}")
    built = []
    for key in RECOGNIZERS:
        settings = dict(config.get(key) or {})
        if settings.get("enabled", True):
            built.append(build_recognizer(key, settings, allow_list))
    return built


__all__ = [
    "ENTITY_TYPES", "RECOGNIZERS", "AddressRecognizer", "AllowList", "ChildrensHomeRecognizer", "DateOfBirthRecognizer",
    "EmailRecognizer", "GpSurgeryRecognizer", "HospitalRecognizer", "LocationRecognizer", "NhsNumberRecognizer", "NiNumberRecognizer",
    "NurseryRecognizer", "PoliceReferenceRecognizer", "PostcodeRecognizer", "SchoolRecognizer", "UkDateRecognizer",
    "UkNameRecognizer", "UkPhoneRecognizer", "UpnRecognizer", "build_recognizer", "uk_recognizers",
]
