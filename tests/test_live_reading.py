"""The LLM reader against a real OpenAI-compatible server (``pytest -m live``; e.g. ../shared/local-llm/start.sh):
one structured call per snippet, on a sample of the hand-written set; every fact it returns quotes the snippet."""

from __future__ import annotations

import pytest

from ai_missions.evals.reading import load, score
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.llm_reasoner import chat_model
from ai_missions.nodes.reading.llm import LLMReader

pytestmark = pytest.mark.live  # left out of the default run; `pytest -m live` asks for it


def test_the_llm_reader_reads_a_sample_end_to_end() -> None:
    context = MissionContext(reasoner="llm")
    reader = LLMReader(chat_model(context))
    sample = [s for s in load() if s.holdout][:8]
    result = score(sample, reader)
    assert result["snippets"] == len(sample)
    assert result["money_or_stock"]["negated_read_positive"] == 0  # a denial or a hedge never becomes a positive
    for wrong in result["wrong"]:
        if wrong["read"]:
            assert wrong["read"]["evidence"]["words"].lower() in wrong["text"].lower()  # quoted, never invented
