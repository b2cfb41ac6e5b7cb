"""The taxonomy ships in the package and is validated in one place."""

import pytest
import yaml

from narrative.taxonomy import TaxonomyError, load_taxonomy, parse_taxonomy


def test_packaged_taxonomy_matches_the_shared_spec():
    taxonomy = load_taxonomy()
    assert len(taxonomy.codes) == 21
    assert taxonomy.experiencers == ("child", "parent_carer", "household_member", "other")
    assert taxonomy.affirmed == ("present", "possible")
    assert taxonomy.codes["neglect"].ace == ("physical_neglect", "emotional_neglect")
    assert taxonomy.codes["domestic_abuse"].cin == ("3A", "3B", "3C")
    assert len(taxonomy.hash) == 16


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("codes"), "needs 'attributes' and 'codes'"),
    (lambda d: d["attributes"].update(affirmed=["present", "certain"]), "subset"),
    (lambda d: d["codes"].update({"Bad-Key": {"label": "x", "definition": "y"}}), "lower_snake_case"),
    (lambda d: d["codes"]["neglect"].pop("definition"), "label and a definition"),
    (lambda d: d["codes"]["neglect"].update(cin=[1, 2]), "list of strings"),
])
def test_broken_taxonomies_are_refused(mutate, message):
    from importlib import resources
    data = yaml.safe_load(resources.files("narrative").joinpath("taxonomy.yaml").read_text())
    mutate(data)
    with pytest.raises(TaxonomyError, match=message):
        parse_taxonomy(data)


def test_hash_changes_with_the_taxonomy(tmp_path):
    from importlib import resources
    text = resources.files("narrative").joinpath("taxonomy.yaml").read_text()
    changed = tmp_path / "t.yaml"
    changed.write_text(text.replace("Self-harm", "Self harm"))
    assert load_taxonomy(changed).hash != load_taxonomy().hash
