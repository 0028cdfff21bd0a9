"""What of a proposal may go on before the person it is for has said yes to it: a mission that declares
``read_back`` (its spec) reads its plan back first, and the plan goes to the Decision Queue only with that person's
yes (the support mission: nothing is written before the customer confirms the plan, SUP-010). Applied by the reason
step to what the reasoner proposes, after :func:`~ai_missions.nodes.guard.fail_closed`, unless the run's context
turns it off: an eval replaying a recorded case does (its resolution is what people decided after that
conversation), and a recorded case is scored on the plan itself (:func:`ai_missions.nodes.decision.decide`). The
tau-bench runner applies it as the graph does, so its customer answers the read-back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ai_missions.kernel.missions import MissionSpec
from ai_missions.nodes.state import Verdict


def read_back(spec: MissionSpec, verdict: Verdict, facts: Mapping[str, Any], *, on: bool = True) -> Verdict:
    """The proposal as it may go on now (unchanged when the mission reads nothing back, or ``on`` is off: the run's
    ``MissionContext.read_back``)."""
    if spec.read_back is None or not on:
        return verdict
    held: Verdict = spec.read_back(facts, verdict)
    return held
