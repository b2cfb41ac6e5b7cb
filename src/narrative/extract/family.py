"""A family cue for the experiencer: who is this sentence about?

A sentence window that opens with a named person and an age ("[PERSON_4] (11) has been cutting
her arms", "brother [PERSON_6] (18) was stabbed") is about that person. When the age is not the
subject child's age at the note date, the person is someone else in the child's life, and the
classifier, which never sees the child's age, cannot tell. Under the rule ``aged_person_opens``
the codes the model gave to the child in such a window go to ``household_member``.

Whether the rule helps is measured, not assumed: ``narrative train`` scores the experiencer on the
dev split with and without it (``EXPERIENCER_RULES``) and records the better in the model folder.
The child's age comes from the cases file's DOB; without it the rule never fires.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import numpy as np

EXPERIENCER_RULES = ("model", "aged_person_opens")
RELATIONS = ("brother", "sister", "half-brother", "half-sister", "step-brother", "step-sister", "sibling", "cousin")
OPENS_WITH_AGED_PERSON = re.compile(
    rf"^\W*(?:(?:{'|'.join(RELATIONS)})\s+)?\[PERSON_\d+\]\s*\((\d{{1,2}})\s*(months?\b)?", re.IGNORECASE)


def age_on(dob: date | None, day: date) -> int | None:
    """Age in whole years on ``day`` (None without a DOB)."""
    if dob is None:
        return None
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def opening_age(text: str) -> int | None:
    """The age in whole years of the person a window opens with ("[PERSON_2] (11)", "(19 months)")."""
    found = OPENS_WITH_AGED_PERSON.match(text)
    if found is None:
        return None
    number = int(found.group(1))
    return number // 12 if found.group(2) else number


def about_someone_else(text: str, child_age: int | None) -> bool:
    """Whether the window opens with a person whose stated age is not the child's."""
    age = opening_age(text)
    return age is not None and child_age is not None and age != child_age


def with_family_rule(predictions, texts: list[str], child_ages: list[int | None], experiencers: list[str],
                     rule: str):
    """Window predictions with the experiencer probabilities moved by ``rule`` (see the module)."""
    if rule not in EXPERIENCER_RULES:
        raise ValueError(f"unknown experiencer rule {rule!r}")
    if rule == "model":
        return predictions
    probs = predictions.experiencers.copy()
    child, household = experiencers.index("child"), experiencers.index("household_member")
    for i, (text, age) in enumerate(zip(texts, child_ages)):
        if about_someone_else(text, age):
            to_child = probs[i].argmax(axis=-1) == child
            probs[i, to_child] = np.eye(len(experiencers), dtype=probs.dtype)[household]
    return replace(predictions, experiencers=probs)
