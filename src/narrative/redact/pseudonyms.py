"""Consistent, keyed person placeholders: the same person is the same ``[PERSON_n]`` in every note
of a case, across runs.

The store keeps only HMAC digests (of the case id, of each person's canonical name and of the
name parts that link variants such as "Jayden Smith", "Jayden" and "SMITH"), never a plain value.
Without the key the digests cannot be tested against guessed names. The key comes from the
environment (``NARRATIVE_PSEUDONYM_KEY``) or a key file (``NARRATIVE_PSEUDONYM_KEY_FILE``), never
from the code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path

from narrative.errors import NarrativeError
from narrative.io import write_atomic
from narrative.records import Case

KEY_ENV = "NARRATIVE_PSEUDONYM_KEY"
KEY_FILE_ENV = "NARRATIVE_PSEUDONYM_KEY_FILE"
STORE_VERSION = 1
_QUOTES = "\"'“”‘’`"
_NON_NAME = re.compile(r"[^\w\s'-]")


class PseudonymKeyError(NarrativeError):
    """No usable pseudonym key."""


def normalise_name(text: str) -> str:
    """Lower-case name form used for linking: no possessive, quotes or extra spaces."""
    text = text.strip().strip(_QUOTES)
    text = re.sub(r"['’]s$", "", text)
    text = _NON_NAME.sub(" ", text)
    return " ".join(text.lower().replace("’", "'").split())


def name_parts(name: str) -> list[str]:
    """The linkable parts of a normalised name ("lily-mae smith-jones" gives 4 parts + 2 hyphened)."""
    parts = []
    for token in name.split():
        parts.append(token)
        if "-" in token:
            parts.extend(p for p in token.split("-") if p)
    return [p for p in parts if len(p) >= 2]


def load_key(key_file: str | Path | None = None, *, create: bool = False) -> bytes:
    """The pseudonym key from ``NARRATIVE_PSEUDONYM_KEY``, or from a key file.

    With ``create``, a missing key file is created with a fresh random key (mode 0600).
    """
    value = os.environ.get(KEY_ENV)
    if value:
        if len(value) < 16:
            raise PseudonymKeyError(f"{KEY_ENV} must be at least 16 characters")
        return value.encode("utf-8")
    path = Path(key_file or os.environ.get(KEY_FILE_ENV) or "")
    if not str(path) or str(path) == ".":
        raise PseudonymKeyError(f"set {KEY_ENV} or {KEY_FILE_ENV} (a file holding the pseudonym key)")
    if not path.exists():
        if not create:
            raise PseudonymKeyError(f"pseudonym key file {path} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
        path.chmod(0o600)
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 16:
        raise PseudonymKeyError(f"pseudonym key file {path} holds fewer than 16 characters")
    return key.encode("utf-8")


class PseudonymMap:
    """Numbers the people of each case; persisted as digests in a JSON store."""

    def __init__(self, key: bytes, store_path: str | Path | None = None):
        self._key = key
        self.store_path = Path(store_path) if store_path else None
        self._cases: dict[str, dict] = {}
        if self.store_path and self.store_path.exists():
            data = json.loads(self.store_path.read_text(encoding="utf-8"))
            if data.get("key_id") != self.key_id:
                raise PseudonymKeyError(f"pseudonym store {self.store_path} was made with another key")
            self._cases = data.get("cases", {})

    @property
    def key_id(self) -> str:
        return self._digest("key-id")[:12]

    def _digest(self, *parts: str) -> str:
        message = "\x1f".join(parts).encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def _case(self, case_id: str) -> dict:
        return self._cases.setdefault(self._digest("case", case_id), {"next": 1, "people": {}, "parts": {}})

    def register_case(self, case: Case) -> None:
        """Number the case's own people first, the child first, linking their name parts.

        A name part shared by several people (a family name) links to the first: the child.
        """
        for full in case.full_names:
            self.person(case.case_id, full, link_parts=True)

    def person(self, case_id: str, name: str, *, link_parts: bool = False) -> int:
        """The number of the person called ``name`` in ``case_id`` (new numbers as needed)."""
        entry = self._case(case_id)
        norm = normalise_name(name)
        full_digest = self._digest("person", case_id, norm)
        parts = name_parts(norm)
        number = entry["people"].get(full_digest)
        if number is None:
            if len(parts) == 1:
                number = entry["parts"].get(self._digest("part", case_id, parts[0]))
            if number is None:
                number = entry["next"]
                entry["next"] += 1
            entry["people"][full_digest] = number
        if link_parts or len(norm.split()) > 1:
            for part in parts:
                entry["parts"].setdefault(self._digest("part", case_id, part), number)
        return number

    def placeholder(self, case_id: str, name: str) -> str:
        return f"[PERSON_{self.person(case_id, name)}]"

    def save(self) -> None:
        """Write the store (digests only) atomically."""
        if not self.store_path:
            return
        self.store_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.store_path, json.dumps({"version": STORE_VERSION, "key_id": self.key_id,
                                                  "cases": self._cases}))
