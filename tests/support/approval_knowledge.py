"""A stand-in for the policy index where only the approval rules matter: its policy says what ``rules`` says, and a
test edits them at will (to change who may approve, behind the platform's back or through it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ai_missions.knowledge_index.clauses import ApprovalRule


@dataclass
class Policy:
    approval_rules: list[ApprovalRule]


@dataclass
class Knowledge:
    """A knowledge base of one home whose approval policy says what ``rules`` says (edited at will)."""

    directory: Path
    rules: list[dict[str, object]]

    def policies(self) -> list[Policy]:
        return [Policy([ApprovalRule.model_validate(r) for r in self.rules])]
