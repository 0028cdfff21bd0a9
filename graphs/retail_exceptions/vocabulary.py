"""The retail mission's words, kept as data in ``vocabulary.toml``: the exception kinds, outcomes, policy domains
and the facts it derives."""

from __future__ import annotations

from pathlib import Path

from ai_missions.mission_api import Vocabulary

VOCABULARY = Vocabulary.read(Path(__file__).with_name("vocabulary.toml"))
TYPES_FACT = VOCABULARY.types_fact
#: The case types that are something wrong (everything but ``no_exception``, a flag that turned out false).
EXCEPTIONS: tuple[str, ...] = tuple(t for t in VOCABULARY.case_types if t != "no_exception")
