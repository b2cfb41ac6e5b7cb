"""The corpus markup parses into plain text and offset spans."""

import pytest

from narrative.annotations.markup import MarkupError, parse_markup


def test_nested_identifiers_and_dates_inside_a_mention():
    parsed = parse_markup("Visit. {{Since <<Oct 2019|t1|2019-10-01|2019-10-31|month>> [[Darren|PERSON]] "
                          "is in prison|imprisonment parent_carer present t1}} | ok")
    assert parsed.text == "Visit. Since Oct 2019 Darren is in prison | ok"
    spans = {s.kind: s for s in parsed.spans}
    assert parsed.text[spans["mention"].start:spans["mention"].end] == "Since Oct 2019 Darren is in prison"
    assert spans["timex"].text == "Oct 2019" and spans["timex"].label == "t1|2019-10-01|2019-10-31|month"
    assert spans["identifier"].text == "Darren" and spans["identifier"].label == "PERSON"


@pytest.mark.parametrize("source, message", [
    ("[[Kai|PERSON]", "unclosed identifier"),
    ("[[Kai]]", "has no '|label'"),
    ("[[a [[b|PERSON]]|PERSON]]", "cannot nest"),
    ("{{a {{b|x}}|y}}", "cannot nest"),
    ("[[ |PERSON]]", "empty identifier"),
])
def test_broken_markup_says_where(source, message):
    with pytest.raises(MarkupError, match=message):
        parse_markup(source)


def test_committed_corpus_is_the_compiled_sources(tmp_path):
    """annotations/corpus.jsonl and cases.jsonl are exactly what the sources compile to (into a
    folder that does not exist yet), and they validate."""
    from conftest import ROOT
    from narrative.annotations.corpus import compile_corpus

    out = tmp_path / "new" / "folder"
    compile_corpus(ROOT / "annotations" / "source", out)
    for name in ("corpus.jsonl", "cases.jsonl"):
        assert (out / name).read_bytes() == (ROOT / "annotations" / name).read_bytes(), name
