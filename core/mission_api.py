"""The declared API a mission's declaration imports: its spec, vocabulary, tool policy, contracts, trigger and eval
plugin (light to import: listing missions loads every spec). A mission outside this repository imports these
names, the graph-building ones of :mod:`ai_missions.nodes.api`, and nothing else of the platform; the mission in
``examples/`` is held to it by a test (docs/missions.md, "A mission from another package").
"""

from __future__ import annotations

from ai_missions.contracts import contract, tool_spec
from ai_missions.errors import ConflictError, MissionsError, NotFoundError, ValidationError
from ai_missions.evals.plugin import DEFAULT_SCORERS, EvalPlugin
from ai_missions.missions import ESCALATE, MissionSpec, Subject, ToolPolicy, ToolRule, Vocabulary, fact_number
from ai_missions.tools import SystemContract, ToolSpec, read, write, write_lookup
from ai_missions.triggers import Systems, Trigger

__all__ = [
    "DEFAULT_SCORERS",
    "ESCALATE",
    "ConflictError",
    "EvalPlugin",
    "MissionSpec",
    "MissionsError",
    "NotFoundError",
    "Subject",
    "SystemContract",
    "Systems",
    "ToolPolicy",
    "ToolRule",
    "ToolSpec",
    "Trigger",
    "ValidationError",
    "Vocabulary",
    "contract",
    "fact_number",
    "read",
    "tool_spec",
    "write",
    "write_lookup",
]
