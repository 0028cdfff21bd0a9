"""The account mission's words (kept as data in ``vocabulary.toml``): the risk signals an account can show, the save
plays a verdict can call, and the facts the playbooks (``policies/ACC-*.md``) are written against."""

from __future__ import annotations

from pathlib import Path

from ai_missions.mission_api import Vocabulary

VOCABULARY = Vocabulary.read(Path(__file__).with_name("vocabulary.toml"))
TYPES_FACT = VOCABULARY.types_fact
#: The signals that flag an account for the morning brief on their own (a renewal date alone does not).
FLAGGING: tuple[str, ...] = tuple(s for s in VOCABULARY.case_types if s not in ("renewal_due", "healthy"))
