"""The declared API a mission's eval side imports: what its case generators, hand-made and holdout sets, labeller
and own scorers are built from (the case format, the shared generation helpers, the label a rule book gives, the
scorer registry, the verdict a scorer reads). Public benchmarks are extensions above the missions
(:mod:`ai_missions.benchmarks`), never part of this API. The plugin itself
(:class:`~ai_missions.mission_api.EvalPlugin`) is declared through :mod:`ai_missions.mission_api`; the simulated
systems a generator seeds books with are the one other thing a mission's ``evals`` package may import
(``tests/test_declared_api.py``). Light to import, like the plugin: listing a mission's datasets loads its
labeller."""

from __future__ import annotations

from ai_missions.evals.generation import (
    GeneratedSet,
    Scenarios,
    decided_after,
    from_scratch_books,
    keyed_rng,
    recorded_case,
)
from ai_missions.evals.labels import Action, Label, View, money, snapshot_stamp, snapshot_time
from ai_missions.evals.scorers import Replayed, Result, Scorer, ok, rate, register
from ai_missions.kernel.blocking import run_blocking
from ai_missions.kernel.cases import Case, describe_error, write_cases
from ai_missions.nodes.state import Verdict

__all__ = [
    "Action",
    "Case",
    "GeneratedSet",
    "Label",
    "Replayed",
    "Result",
    "Scenarios",
    "Scorer",
    "Verdict",
    "View",
    "decided_after",
    "describe_error",
    "from_scratch_books",
    "keyed_rng",
    "money",
    "ok",
    "rate",
    "recorded_case",
    "register",
    "run_blocking",
    "snapshot_stamp",
    "snapshot_time",
    "write_cases",
]
