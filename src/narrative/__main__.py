"""``python -m narrative`` runs the command line."""

from narrative.cli import app

app()
