"""The retrieval quality gate on the real corpus and question set: recall@3 must stay at or above 0.9."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_missions.knowledge_index.evaluation import default_questions, evaluate_retrieval, load_questions
from ai_missions.knowledge_index.index import read_manifest
from ai_missions.knowledge_index.policies import default_source
from ai_missions.knowledge_index.retrieval import KnowledgeBase
from tests.support.built_index import built_index

RECALL_AT_3_FLOOR = 0.9


def test_recall_at_3_on_the_question_set(tmp_path_factory: pytest.TempPathFactory, missions_home: Path) -> None:
    assert any(default_source().glob("*.md")), "the policy corpus ships with the package"
    assert default_questions().is_file(), "the question set ships with the package"
    index = built_index(tmp_path_factory, missions_home)  # the session's build of the default corpus, no problems
    questions = load_questions()
    assert len(questions) >= 40
    known = set(read_manifest(index)["policies"])
    assert {pid for q in questions for pid in q.expected} <= known, "questions expect policies that do not exist"
    result = evaluate_retrieval(questions, KnowledgeBase(index))
    summary = (
        f"questions {result.questions}: recall@1 {result.recall_at_1:.3f}, recall@3 {result.recall_at_3:.3f}, "
        f"MRR {result.mrr:.3f}"
    )
    print(summary)
    misses = "\n".join(f"  {m.question!r}: expected {m.expected}, got {m.ranked[:3]}" for m in result.misses)
    assert result.recall_at_3 >= RECALL_AT_3_FLOOR, f"{summary}\nmisses:\n{misses}"
