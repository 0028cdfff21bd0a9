"""The warranty mission's tool policy: one write, the approval and its credit, always for a reviewer."""

from __future__ import annotations

from ai_missions.mission_api import ToolPolicy, tool_rule

TOOLS = ToolPolicy([tool_rule("warranty", "approve_claim", 0, advancing=True, ids={"claim_id": ("claim.id",)})])
