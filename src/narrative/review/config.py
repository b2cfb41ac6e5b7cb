"""The Label Studio labeling config, generated from the taxonomy, and the names its results use.

A practitioner sees the redacted note with each suggested evidence span highlighted in its code's
colour; selecting a span shows its experiencer, assertion and event dates (start, end), all
editable. Codes the note shows without one span to mark are ticked at the foot of the note.
"""

from __future__ import annotations

import colorsys
import xml.etree.ElementTree as ET

from narrative.taxonomy import Taxonomy

TEXT = "text"
EVIDENCE = "evidence"
EXPERIENCER = "experiencer"
ASSERTION = "assertion"
DATE_START = "date_start"
DATE_END = "date_end"
NOTE_CODES = "note_codes"


def code_colours(taxonomy: Taxonomy) -> dict[str, str]:
    """One distinct, saturated colour per code (hues spread around the wheel)."""
    keys = taxonomy.code_keys
    colours = {}
    for i, key in enumerate(keys):
        r, g, b = colorsys.hls_to_rgb((i * 0.618034) % 1.0, 0.5, 0.85)
        colours[key] = f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"
    return colours


def labeling_config(taxonomy: Taxonomy) -> str:
    """The XML labeling config for ``taxonomy``: span labels per code, per-region attributes."""
    view = ET.Element("View")
    ET.SubElement(view, "Header", value="Note $note_id, written $note_date", size="5")
    labels = ET.SubElement(view, "Labels", name=EVIDENCE, toName=TEXT, showInline="true")
    for key, colour in code_colours(taxonomy).items():
        code = taxonomy.codes[key]
        ET.SubElement(labels, "Label", value=key, background=colour, hint=f"{code.label}: {code.definition}")
    ET.SubElement(view, "Text", name=TEXT, value="$text", granularity="word")
    region = ET.SubElement(view, "View", visibleWhen="region-selected", whenTagName=EVIDENCE)
    for name, values in ((EXPERIENCER, taxonomy.experiencers), (ASSERTION, taxonomy.assertions)):
        ET.SubElement(region, "Header", value=name.capitalize(), size="6")
        choices = ET.SubElement(region, "Choices", name=name, toName=TEXT, perRegion="true",
                                choice="single-radio", showInline="true", required="true")
        for value in values:
            ET.SubElement(choices, "Choice", value=value)
    ET.SubElement(region, "Header", value="Event date: start, end (leave empty when the note gives none)", size="6")
    for name in (DATE_START, DATE_END):
        ET.SubElement(region, "DateTime", name=name, toName=TEXT, perRegion="true", only="date")
    ET.SubElement(view, "Header", value="Codes the note shows without one span to mark", size="6")
    note_codes = ET.SubElement(view, "Choices", name=NOTE_CODES, toName=TEXT, choice="multiple", showInline="true")
    for key in taxonomy.code_keys:
        ET.SubElement(note_codes, "Choice", value=key, hint=taxonomy.codes[key].label)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode")
