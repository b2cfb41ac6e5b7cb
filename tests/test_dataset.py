"""Training windows come from gold-redacted text, with every span moved to the redacted offsets."""

from narrative.annotations.corpus import LabelledNote
from narrative.extract.windows import split_windows
from narrative.train.dataset import build_windows, gold_redact


def note(text, identifiers=(), timexes=(), mentions=()):
    return LabelledNote("n1", "c1", "2021-03-14", "train", text, identifiers=list(identifiers),
                        timexes=list(timexes), mentions=list(mentions))


def span(text, part, **extra):
    start = text.index(part)
    return {"start": start, "end": start + len(part), "text": part, **extra}


def test_gold_redaction_moves_every_span_and_links_name_variants():
    text = "Kai SMITH said Darren went to prison in October 2019. Kai is sad. Mum rang."
    source = note(text,
                  identifiers=[span(text, "Kai SMITH", label="PERSON"), span(text, "Darren", label="PERSON"),
                               {**span(text, "Kai is"), "end": text.index("Kai is") + 3, "text": "Kai", "label": "PERSON"}],
                  timexes=[span(text, "October 2019", id="t1")],
                  mentions=[span(text, "Darren went to prison in October 2019", code="imprisonment",
                                 experiencer="parent_carer", assertion="present", date="t1")])
    out = gold_redact(source)
    assert out.text == "[PERSON_1] said [PERSON_2] went to prison in October 2019. [PERSON_1] is sad. Mum rang."
    assert out.mentions[0]["text"] == "[PERSON_2] went to prison in October 2019"
    assert out.text[out.timexes[0]["start"]:out.timexes[0]["end"]] == "October 2019"
    assert out.identifiers == []


def test_each_mention_goes_to_the_window_it_overlaps_most():
    text = "Mum drinks. No concerns about dad's drinking. Seen at home."
    source = note(text, mentions=[
        span(text, "Mum drinks", code="substance_misuse", experiencer="parent_carer", assertion="present", date=None),
        span(text, "No concerns about dad's drinking", code="substance_misuse", experiencer="parent_carer",
             assertion="negated", date=None)])
    windows = build_windows([source])
    assert [w.text for w in windows] == [w.text for w in split_windows(text)]
    assert [w.labels for w in windows] == [{"substance_misuse": ("present", "parent_carer")},
                                           {"substance_misuse": ("negated", "parent_carer")}, {}]
