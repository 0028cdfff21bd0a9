"""The order mission's words, kept as data in ``vocabulary.toml``: exception types, outcomes, policy domains and the
facts it derives (policies' machine-checkable clauses are written against them; the trigger reports the types)."""

from __future__ import annotations

from pathlib import Path

from ai_missions.mission_api import Vocabulary

VOCABULARY = Vocabulary.read(Path(__file__).with_name("vocabulary.toml"))
EXCEPTION_TYPES = VOCABULARY.case_types
OUTCOMES = VOCABULARY.outcomes
DOMAINS = VOCABULARY.domains
FACTS = VOCABULARY.facts
