"""An eval plugin states only its bounds: each gated metric's direction is the platform's (or the plugin's own, for
its own scorers' metrics), and a bound without a direction is refused when the plugin is declared."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_missions.kernel.errors import ValidationError
from ai_missions.mission_api import EvalPlugin, holds_row


def _plugin(**kw: object) -> EvalPlugin:
    return EvalPlugin(
        mission="m", datasets={"ci": Path("ci.jsonl")}, projection={}, holds_subject=holds_row("s", "t", "id"), **kw
    )  # type: ignore[arg-type]


def test_a_floor_and_a_ceiling_are_read_by_the_metrics_direction() -> None:
    plugin = _plugin(
        thresholds={"outcome_agreement": 0.8, "errors": 0, "own_rate": 0.5}, directions={"own_rate": "min"}
    )
    assert plugin.gates == {"outcome_agreement": ("min", 0.8), "errors": ("max", 0), "own_rate": ("min", 0.5)}
    assert plugin.gaps({"outcome_agreement": 0.8, "errors": 0, "own_rate": 0.9}) == []
    assert plugin.gaps({"outcome_agreement": 0.79, "errors": 1, "own_rate": None}) == [
        "outcome_agreement = 0.79 (min 0.8)",
        "errors = 1 (max 0)",
        "own_rate = None (min 0.5)",
    ]


def test_a_bound_without_a_direction_is_refused_in_one_line() -> None:
    with pytest.raises(ValidationError) as refused:
        _plugin(thresholds={"own_rate": 0.5})
    assert "own_rate" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_holds_row_finds_the_subject_among_its_tables_rows() -> None:
    holds = holds_row("ap", "invoices", "invoice_id")
    snapshot = {"systems": {"ap": {"invoices": [{"invoice_id": "INV-1"}]}}}
    assert holds(snapshot, "INV-1")
    assert not holds(snapshot, "INV-2")
    assert not holds({"systems": {}}, "INV-1")


@pytest.mark.parametrize("part", ["generator", "importer", "rulebook", "snapshotter", "decider", "recorded_reader"])
def test_a_part_named_by_a_string_is_refused_in_one_line(part: str) -> None:
    """A plugin hands its parts over as the functions themselves: a ``"module:attribute"`` string is refused when
    the plugin is declared, naming the part, never found broken when the part is first used."""
    with pytest.raises(ValidationError) as refused:
        _plugin(**{part: "ai_missions.graphs.nowhere:generate"})
    assert str(refused.value) == (
        f"the m eval plugin: its {part} names it by a string ('ai_missions.graphs.nowhere:generate'): hand over the "
        "function itself"
    )


def test_every_registered_plugin_hands_over_functions() -> None:
    """No installed mission names a part of its eval plugin by a string."""
    from ai_missions.kernel.eval_plugin import PARTS, plugin_of
    from ai_missions.kernel.missions import registry

    for spec in registry().values():
        if spec.evals is None:
            continue
        plugin = plugin_of(spec.name)
        assert all(getattr(plugin, part) is None or callable(getattr(plugin, part)) for part in PARTS), spec.name
