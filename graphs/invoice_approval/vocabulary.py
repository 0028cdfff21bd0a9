"""The invoice mission's words, kept as data in ``vocabulary.toml``: case types, outcomes, policy domains and the
facts it derives (the AP policies' machine-checkable clauses are written against them)."""

from __future__ import annotations

from pathlib import Path

from ai_missions.mission_api import Vocabulary

VOCABULARY = Vocabulary.read(Path(__file__).with_name("vocabulary.toml"))
TYPES_FACT = VOCABULARY.types_fact
FACTS = VOCABULARY.facts
#: The case types that are something wrong (everything but ``clean_match``).
EXCEPTIONS: tuple[str, ...] = tuple(t for t in VOCABULARY.case_types if t != "clean_match")
