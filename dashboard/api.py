"""The declared UI API a mission's dashboard pages import (``MissionSpec.pages``, ``portal_pages``): the shared
clients of this home, the signed-in account, the dashboard's text and layout pieces, and the platform's reads and
writes a page shows (operating metrics, action tiers, a batch's report, a run's case facts; a customer's own write,
authorized and granted by the platform). A page reaches no other part of the dashboard or the platform
(``tests/test_declared_api.py``), so the dashboard's internals may change under it.
"""

from __future__ import annotations

from typing import Any

from ai_missions.customer_writes import customer_of, write_as_customer
from ai_missions.dashboard.model import args_text
from ai_missions.dashboard.resources import client, home, roster, store
from ai_missions.dashboard.ui import empty_state, pager, plain, reviewer
from ai_missions.evals.latest import eval_detection as _eval_detection
from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.tiers import tier_view as _tier_view
from ai_missions.services.authorization import case_facts as _case_facts
from ai_missions.services.metrics import mission_metrics as _mission_metrics

__all__ = [
    "action_tiers",
    "args_text",
    "batch_report",
    "client",
    "customer_of",
    "empty_state",
    "get_mission",
    "home",
    "operating_metrics",
    "pager",
    "plain",
    "reviewer",
    "roster",
    "run_facts",
    "store",
    "write_as_customer",
]


def run_facts(run_id: str) -> dict[str, Any]:
    """The facts a run's gather step recorded on its audit trail (no checkpoint read: a page lists hundreds)."""
    return _case_facts(store().events(run_id))


def batch_report(batch_id: str) -> dict[str, Any]:
    """A finished batch's report (its cases, ranked subjects, how many await a decision); NotFoundError while it
    runs or for an unknown batch."""
    # deferred: start-up time (the scheduler's module imports the runtime, LangGraph)
    from ai_missions.schedules import batch_report as recorded

    return recorded(store(), batch_id)


def operating_metrics(mission: str) -> dict[str, Any]:
    """What ``missions metrics`` shows: the platform's and the mission's metrics over its runs (overall and per
    day), with detection on labelled cases from its latest eval run under ``detection_eval`` (None without one)."""
    spec = get_mission(mission)
    return {**_mission_metrics(spec, store()), "detection_eval": _eval_detection(spec)}


def action_tiers(mission: str) -> dict[str, Any]:
    """What ``missions tiers show`` shows: the mode, each write tool's tier, policy and rollback, and the audited
    history of changes."""
    return _tier_view(get_mission(mission), store())
