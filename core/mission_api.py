"""The declared API a mission's declaration imports: its record (``Mission``), vocabulary, tool policy, contracts,
trigger, tiers, operating metrics, invariants and eval plugin, and the registry's ``get_mission`` (light to import:
listing missions loads every spec, so nothing here pulls in LangGraph, the vector store or Streamlit). A mission, in
this repository or from another package, imports these names, the graph-building ones of
:mod:`ai_missions.nodes.api`, the eval-building ones of :mod:`ai_missions.evals.api`, the page-building ones of
:mod:`ai_missions.dashboard.api`, and nothing else of the platform; ``tests/test_declared_api.py`` holds every
mission to it (docs/missions.md, "A mission from another package").
"""

from __future__ import annotations

from typing import Any

from ai_missions.contracts import contract, tool_spec
from ai_missions.kernel.errors import ConflictError, ForbiddenError, MissionsError, NotFoundError, ValidationError
from ai_missions.kernel.eval_plugin import DEFAULT_SCORERS, EvalPlugin, holds_row
from ai_missions.kernel.missions import (
    ESCALATE,
    Facts,
    Mission,
    MissionSpec,
    Subject,
    ToolPolicy,
    ToolRule,
    Vocabulary,
    fact_number,
    get_mission,
)
from ai_missions.kernel.tiers import Rollback, TierPolicy
from ai_missions.kernel.tools import SystemContract, ToolSpec, read, write, write_lookup
from ai_missions.kernel.triggers import Systems, Trigger, feed_changes
from ai_missions.nodes.parts import LABEL, PARTS, part_owner, parts_of
from ai_missions.nodes.plain_text import display_name, plain_text_problems
from ai_missions.nodes.state import ProposedAction, Verdict
from ai_missions.services.metrics import RunRecord

__all__ = [
    "DEFAULT_SCORERS",
    "ESCALATE",
    "LABEL",
    "PARTS",
    "ConflictError",
    "EvalPlugin",
    "Facts",
    "ForbiddenError",
    "Mission",
    "MissionSpec",
    "MissionsError",
    "NotFoundError",
    "ProposedAction",
    "Rollback",
    "RunRecord",
    "Subject",
    "SystemContract",
    "Systems",
    "TierPolicy",
    "ToolPolicy",
    "ToolRule",
    "ToolSpec",
    "Trigger",
    "ValidationError",
    "Verdict",
    "Vocabulary",
    "contract",
    "display_name",
    "fact_number",
    "feed_changes",
    "get_mission",
    "holds_row",
    "part_owner",
    "parts_of",
    "plain_text_problems",
    "read",
    "tool_rule",
    "tool_spec",
    "write",
    "write_lookup",
]


def tool_rule(system: str, tool: str, phase: int, **options: Any) -> ToolRule:
    """A mission's rule for one write tool, named by its system and tool (``options``: :class:`ToolRule`'s fields)."""
    return ToolRule(contract(system).tool(tool), phase, **options)
