"""A slow reader is scored on a sample spread through a set (``missions eval reading --sample N``), so a set written
kind by kind is not judged on its first kinds only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ai_missions.cli import main
from ai_missions.evals.reading import load, spread
from ai_missions.kernel.errors import ValidationError

KINDS_IN_ORDER = ("refund_request", "cancel_intent", "damage_reported", "store_pickup")


def _set(tmp_path: Path) -> Path:
    """Twelve snippets, three of each kind, written kind by kind (as a writer often does)."""
    texts = {
        "refund_request": ["please refund me", "I want my money back", "refund the order please"],
        "cancel_intent": ["cancel my order", "please cancel it", "cancel the order now"],
        "damage_reported": ["the vase arrived cracked", "it came broken", "the lid is smashed"],
        "store_pickup": ["I'll collect it in store", "pick up in store please", "store pickup for me"],
    }
    rows = [("support", "en", "customer_message", text, f"{kind}=affirmed", "holdout")
            for kind in KINDS_IN_ORDER for text in texts[kind]]  # fmt: skip
    path = tmp_path / "by_kind.tsv"
    path.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_a_spread_sample_covers_every_kind_where_the_first_ones_cover_one(tmp_path: Path) -> None:
    snippets = load(_set(tmp_path))
    first = {kind for s in snippets[:3] for kind in s.labels}
    sampled = spread(snippets, 4)
    assert first == {"refund_request"}
    assert [next(iter(s.labels)) for s in sampled] == list(KINDS_IN_ORDER)
    assert [s.id for s in spread(snippets, 6)] == [0, 2, 4, 6, 8, 10]
    assert spread(snippets, 50) == snippets  # more than there are: the whole set
    with pytest.raises(ValidationError, match="--sample must be at least 1"):
        spread(snippets, 0)


def test_the_command_scores_the_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "reading", "--file", str(_set(tmp_path)), "--sample", "4"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["overall"]["snippets"] == 4
    assert result["overall"]["labels"] == {"affirmed": 4}
