"""Practitioner review in a local Label Studio: serve, push, pull, agreement, ML backend (docs/review.md);
and a scripted review that accepts suggestions or gold labels (``scripted``, for demos and tests)."""
