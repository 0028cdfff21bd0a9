"""The hand-written reading set: its size and spread, and the offline reader's figures on the holdout (never tuned on)
against the issue's bar: 0.95 precision and 0.85 recall on the facts that decide money or stock, and no negated,
hedged or conditional statement read as a positive fact."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from ai_missions.evals.reading import load, score
from ai_missions.kernel.errors import ValidationError
from ai_missions.nodes.reading import KINDS
from ai_missions.nodes.reading.offline import OfflineReader

MISSIONS = {"order-exception", "invoice-approval", "retail-exceptions", "account-save", "support"}
LANGUAGES = {"en", "de", "fr", "es"}


@pytest.fixture(scope="module")
def holdout() -> dict[str, Any]:
    return score([s for s in load() if s.holdout], OfflineReader())


def test_the_set_spans_every_mission_language_and_kind_in_both_parts() -> None:
    snippets = load()
    assert len(snippets) >= 300
    assert {s.mission for s in snippets} == MISSIONS
    assert {s.language for s in snippets} == LANGUAGES
    assert all(kind in KINDS for s in snippets for kind in s.labels)
    for part in (True, False):
        own = [s for s in snippets if s.holdout is part]
        assert {s.mission for s in own} == MISSIONS
        assert {s.language for s in own} == LANGUAGES
        assert {kind for s in own for kind in s.labels} == set(KINDS)
    # every kind has denials, hedges or conditions to get wrong, not only statements to find
    unsure = Counter(kind for s in snippets for kind, (polarity, _) in s.labels.items() if polarity != "affirmed")
    assert all(unsure[kind] >= 5 for kind in KINDS)
    assert sum(s.holdout for s in snippets) >= 0.35 * len(snippets)


def test_offline_reader_holds_the_bar_on_the_holdout(holdout: dict[str, Any]) -> None:
    money = holdout["money_or_stock"]
    assert money["precision"] >= 0.95
    assert money["recall"] >= 0.85


def test_no_denial_or_hedge_on_the_holdout_becomes_a_positive_fact(holdout: dict[str, Any]) -> None:
    assert holdout["money_or_stock"]["negated_read_positive"] == 0


def test_an_outside_set_may_part_labels_by_commas_and_a_bad_label_is_named_in_one_line(tmp_path: Any) -> None:
    good = tmp_path / "good.tsv"
    good.write_text("support\ten\tcustomer_message\tCancel it.\tcancel_intent=affirmed,refund_request=none\tholdout\n")
    assert load(good)[0].labels == {"cancel_intent": ("affirmed", True), "refund_request": ("none", True)}
    for label, said in (("upcharge_agreed=affirmed:twelve", "is a number"), ("cancel=affirmed", "known kind")):
        bad = tmp_path / "bad.tsv"
        bad.write_text(f"support\ten\tcustomer_message\tText.\t{label}\tholdout\n")
        with pytest.raises(ValidationError, match=rf"bad.tsv:1: .*{said}"):
            load(bad)
