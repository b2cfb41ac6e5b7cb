"""Extraction stage: temporal expressions, classifier, pipeline."""
