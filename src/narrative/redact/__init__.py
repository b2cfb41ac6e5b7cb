"""De-identification stage: notes in, redacted notes out (``narrative redact``).

The public names load lazily, so that reading ``narrative.redact.pseudonyms`` does not start
Presidio and spaCy.
"""

from importlib import import_module

_PUBLIC = {
    "Finding": "engine", "Redactor": "engine", "RedactionConfig": "config",
    "RedactSummary": "files", "redact_file": "files", "PseudonymMap": "pseudonyms", "load_key": "pseudonyms",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(import_module(f"narrative.redact.{_PUBLIC[name]}"), name)
    raise AttributeError(name)
