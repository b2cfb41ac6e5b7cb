"""Practitioner review in a local Label Studio: serve, push, pull, agreement, ML backend (docs/review.md)."""
