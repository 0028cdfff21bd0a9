"""Retrieval quality on a question set: recall@1, recall@3 and MRR over distinct policies.

The question set is JSON Lines, one question per line::

    {"question": "Can we release a fraud hold when only the address changed?", "expected": ["PAY-001"]}

Optional keys ``domains`` and ``applies_to`` are passed to the search as filters (a mission knows them); other
keys (such as the shipped set's ``domain``, the expected policy's domain) are annotations and filter nothing.
For a question, recall@k is the share of its expected policies among the first k distinct policies retrieved;
the reciprocal rank is 1/rank of the first expected policy (0 when none is in the top 10).
"""

from __future__ import annotations

import importlib.resources
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ai_missions.kernel.errors import NotFoundError, ValidationError
from ai_missions.knowledge_index.retrieval import KnowledgeBase

#: How many distinct policies are ranked per question (for MRR).
RANK_DEPTH = 10


def default_questions() -> Path:
    """The question set shipped with the package."""
    return Path(str(importlib.resources.files("ai_missions.knowledge_index").joinpath("retrieval_questions.jsonl")))


@dataclass(frozen=True, slots=True)
class Question:
    question: str
    expected: tuple[str, ...]
    domains: tuple[str, ...] | None = None
    applies_to: str | None = None
    line: int = 0


@dataclass
class QuestionResult:
    question: str
    expected: list[str]
    ranked: list[str]
    rank: int | None

    @property
    def reciprocal_rank(self) -> float:
        return 1.0 / self.rank if self.rank else 0.0


@dataclass
class EvalReport:
    questions: int
    recall_at_1: float
    recall_at_3: float
    mrr: float
    #: Share of questions with at least one expected policy in the top 3.
    hit_at_3: float
    misses: list[QuestionResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for miss in data["misses"]:
            miss["ranked"] = miss["ranked"][:3]
        return data


def load_questions(path: Path | None = None) -> list[Question]:
    """Parse the question set; a malformed line is a ValidationError naming its line."""
    path = path or default_questions()
    if not path.is_file():
        raise NotFoundError(f"no question set at {path}")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(line)
            expected = data["expected"]
            expected = (expected,) if isinstance(expected, str) else tuple(expected)
            domains = data.get("domains")
            questions.append(
                Question(
                    question=str(data["question"]),
                    expected=expected,
                    domains=tuple(domains) if domains else None,
                    applies_to=data.get("applies_to"),
                    line=number,
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationError(f"{path}:{number}: not a question line ({exc})") from None
    return questions


def evaluate_retrieval(questions: list[Question], kb: KnowledgeBase | None = None) -> EvalReport:
    """Rank distinct policies for every question and score them against the expected ids."""
    kb = kb or KnowledgeBase()
    results = []
    for q in questions:
        hits = kb.search_policies(q.question, k=RANK_DEPTH, domains=q.domains, applies_to=q.applies_to)
        ranked = [h.policy_id for h in hits]
        rank = next((i for i, pid in enumerate(ranked, start=1) if pid in q.expected), None)
        results.append(QuestionResult(q.question, list(q.expected), ranked, rank))
    n = max(1, len(results))

    def recall(k: int) -> float:
        return sum(len(set(r.expected) & set(r.ranked[:k])) / len(r.expected) for r in results) / n

    return EvalReport(
        questions=len(results),
        recall_at_1=recall(1),
        recall_at_3=recall(3),
        mrr=sum(r.reciprocal_rank for r in results) / n,
        hit_at_3=sum(1 for r in results if r.rank is not None and r.rank <= 3) / n,
        misses=[r for r in results if not (set(r.expected) <= set(r.ranked[:3]))],
    )
