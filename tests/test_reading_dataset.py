"""The hand-written reading set: the offline reader's figures on the holdout (never tuned on) hold the issue's bar."""

from __future__ import annotations

from ai_missions.evals.reading import load, score
from ai_missions.nodes.reading import KINDS
from ai_missions.nodes.reading.offline import OfflineReader


def test_the_set_spans_every_mission_and_language() -> None:
    snippets = load()
    assert {s.mission for s in snippets} == {
        "order-exception", "invoice-approval", "retail-exceptions", "account-save", "support"
    }  # fmt: skip
    assert {s.language for s in snippets} == {"en", "de", "fr", "es"}
    assert all(kind in KINDS for s in snippets for kind in s.labels)
    assert any(s.holdout for s in snippets)


def test_offline_reader_on_the_holdout() -> None:
    result = score([s for s in load() if s.holdout], OfflineReader())
    money = result["money_or_stock"]
    assert money["negated_read_positive"] == 0
    assert money["precision"] >= 0.95
    assert money["recall"] >= 0.85
