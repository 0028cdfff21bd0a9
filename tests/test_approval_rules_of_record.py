"""Approval rules change only by an approved, audited policy change: rebuilding the index from an edited approval
policy does not let a customer-care reviewer approve a 1,670.73 capture."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.settings import knowledge_dir
from ai_missions.knowledge_index.policies import default_sources
from ai_missions.knowledge_index.retrieval import KnowledgeBase
from ai_missions.services.governance import (
    adopt_rules,
    approval_history,
    approval_problems,
    approval_rules,
    rules_drift,
)
from tests.support.built_index import built_index

pytestmark = pytest.mark.slow

CAPTURE = {"tool": "capture_payment", "args": {"authorization_id": "AUTH-000001", "amount": 1670.73}}


def edited_corpus(root: Path) -> Path:
    """A copy of every policy, with the approval policy edited to let customer care approve any capture."""
    copy = root / "edited-policies"
    for n, source in enumerate(default_sources()):
        shutil.copytree(source, copy / str(n))
    gov = next(copy.rglob("GOV-001-*.md"))
    text = gov.read_text()
    rule = "  - tools: [refund_payment, capture_payment]\n    roles: [finance"
    edited = text.replace(f"{rule}]\n", f"{rule}, customer_care]\n")
    assert edited != text
    gov.write_text(edited)
    return copy


def test_rebuilding_from_an_edited_policy_does_not_change_who_may_approve(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, missions_home: Path
) -> None:
    home = missions_home
    built_index(tmp_path_factory, home)
    knowledge = KnowledgeBase(knowledge_dir(home))
    tools = get_mission("order-exception").tools
    assert approval_problems("customer_care", [CAPTURE], approval_rules(knowledge), tools)  # seeded once, here
    assert rules_drift(knowledge) is None

    source = edited_corpus(tmp_path)
    rebuilt = subprocess.run(
        [sys.executable, "-m", "ai_missions.cli", "knowledge", "build", "--source", str(source)],
        env={**os.environ, "MISSIONS_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "differ from the rules of record" in rebuilt.stderr
    assert "are ignored" in rebuilt.stderr
    knowledge = KnowledgeBase(knowledge_dir(home))
    assert not approval_problems(
        "customer_care", [CAPTURE], [r for p in knowledge.policies() for r in p.approval_rules], tools
    )
    problems = approval_problems("customer_care", [CAPTURE], approval_rules(knowledge), tools)
    assert problems == [
        "capture_payment needs one of the roles finance, ops_agent, ops_lead; customer_care may not approve it"
    ]

    with pytest.raises(ForbiddenError, match="may not change the approval rules"):
        adopt_rules(knowledge, home, "cole")
    assert approval_problems("customer_care", [CAPTURE], approval_rules(knowledge), tools)

    change = adopt_rules(knowledge, home, "chen")  # the controller approves the policy change: audited
    assert change["by"] == "chen"
    assert change["role"] == "controller"
    assert not approval_problems("customer_care", [CAPTURE], approval_rules(knowledge), tools)
    history = approval_history(knowledge)
    assert [h["by"] for h in history] == ["seeded from the policy index", "chen"]
    assert history[1]["before"] == history[0]["after"] != history[1]["after"]
    assert rules_drift(knowledge) is None
