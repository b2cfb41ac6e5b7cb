"""narrative: coded, dated life events from children's case notes."""

__version__ = "0.1.0"
