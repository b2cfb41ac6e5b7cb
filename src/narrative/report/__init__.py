"""The self-contained HTML report (``narrative report``)."""

from narrative.report.render import render_report, write_report

__all__ = ["render_report", "write_report"]
