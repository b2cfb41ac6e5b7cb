"""Tests of the redaction recognisers (a package so its conftest does not shadow tests/conftest.py)."""
