"""The one base class of the errors a user can act on (bad input, config, key, model)."""


class NarrativeError(ValueError):
    """An error with a clear message that names files and records, never note text."""
